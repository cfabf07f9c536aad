"""Workshop / 研讨会: groups join a workshop by its code and keep their scenarios in the store; the facilitator
creates the workshop, opens the groups' scenarios to each other and compares the groups' chosen scenarios."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app import compute
from app import metabolism as mb
from app import scenarios as sc
from app import workshop as wk
from app.i18n import t, word
from app.keys import park_key
from app.state import Workspace
from app.ui import lang, show_table, workspace
from flows import difference, difference_figure
from flows.labels import BASES, BASIS_NAMES, unit_label
from symbiosis.core.errors import ParkError
from symbiosis.core.i18n import Lang
from symbiosis.core.i18n import pick as pick_lang
from symbiosis.workshop.store import StoreError


def render() -> None:
    lg = lang()
    ws = workspace()
    st.title(t("page_workshop", lg))
    st.caption(t("ws_intro", lg))
    status = wk.open_store()
    if not status.on:
        st.warning(t("ws_off_reason", lg, reason=status.reason, where=status.where or "—"), icon=":material/cloud_off:")
        return
    st.caption(t("ws_store_at", lg, where=status.where))
    try:
        if isinstance(ws.workshop, wk.Membership):
            _group(ws, lg)
        else:
            _join(ws, status, lg)
        st.divider()
        _facilitator(ws, status, lg)
    except StoreError as exc:  # the store went away after the server started: say so, keep the session
        st.warning(t("ws_unreachable", lg, reason=exc.text(lg)), icon=":material/cloud_off:")


# --- a group -----------------------------------------------------------------------------------------------------
def _join(ws: Workspace, status: wk.StoreStatus, lg: Lang) -> None:
    st.subheader(t("ws_join", lg))
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    code = c1.text_input(t("ws_code", lg), key="ws_join_code", placeholder=t("ws_code_hint", lg))
    group = c2.text_input(t("ws_group", lg), key="ws_join_group", placeholder=t("ws_group_hint", lg))
    key = st.text_input(t("ws_key", lg), key="ws_join_key", placeholder=t("ws_key_hint", lg))
    if c3.button(t("ws_join_button", lg), key="ws_join_button", type="primary", icon=":material/login:"):
        with st.spinner(t("loading_park", lg)):
            problem = wk.join(ws, status, code or "", group or "", st.session_state, compute.load, lg,
                              key=key or "")
        if problem:
            st.error(problem, icon=":material/error:")
        else:
            wk.sync_url(ws, st.query_params)
            st.rerun()


def _group(ws: Workspace, lg: Lang) -> None:
    member = ws.workshop
    assert isinstance(member, wk.Membership)
    st.subheader(t("ws_you_are", lg, group=member.group_name, name=member.workshop.name))
    st.markdown(f"### {t('ws_code', lg)}: `{member.code}`")
    st.caption(t("ws_group_help", lg))
    st.caption(t("ws_link", lg))
    st.code(wk.group_link(member, _app_url()), language=None)
    if any(member.error):
        st.warning(t("ws_write_failed", lg, error=member.error_text(lg)), icon=":material/warning:")
    l1, l2 = st.columns(2)
    if l1.button(t("ws_refresh", lg), key="ws_refresh", icon=":material/refresh:"):
        st.success(t("ws_refreshed", lg, n=wk.refresh(ws)))
    if l2.button(t("ws_leave", lg), key="ws_leave", icon=":material/logout:"):
        wk.leave(ws)
        for key in wk.PARAMS:
            if key in st.query_params:
                del st.query_params[key]
        st.rerun()
    wk.refresh(ws)  # cheap: only scenarios not yet in ws.saved are read and rebuilt
    for en, zh in member.problems.values():
        st.warning(pick_lang(en, zh, lg), icon=":material/warning:")
    own = list(member.own)
    if not own:
        st.info(t("ws_save_first", lg), icon=":material/info:")
        return
    chosen = wk.chosen_name(ws)
    st.markdown(t("ws_chosen_now", lg, name=chosen or "—"))
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    pick = c1.selectbox(t("ws_choose", lg), options=own, key="ws_choose_pick",
                        index=own.index(chosen) if chosen in own else len(own) - 1)
    chose = c2.button(t("ws_choose_button", lg), key="ws_choose_button", icon=":material/star:")
    if chose and pick and wk.choose(ws, pick):
        st.success(t("ws_chosen", lg, name=pick), icon=":material/check:")


# --- the facilitator ---------------------------------------------------------------------------------------------
def _facilitator(ws: Workspace, status: wk.StoreStatus, lg: Lang) -> None:
    st.subheader(t("ws_facilitator", lg))
    created = ws.ui.get("_ws_created")
    with st.expander(t("ws_create", lg), expanded=created is None and not isinstance(ws.workshop, wk.Membership)):
        name = st.text_input(t("ws_name", lg), key="ws_create_name", placeholder=t("ws_name_hint", lg))
        if st.button(t("ws_create_button", lg), key="ws_create_button", type="primary", icon=":material/add:"):
            workshop = wk.create(ws, status, name or "")
            if workshop is None:
                st.error(t("open_a_park_first", lg))
            else:
                created = ws.ui["_ws_created"] = (str(workshop.code), str(workshop.facilitator_code),
                                                  str(workshop.name))
                st.session_state["ws_facilitator_code"] = str(workshop.facilitator_code)
    if created is not None:
        code, fcode, wname = created
        st.markdown(t("ws_created", lg, name=wname))
        k1, k2 = st.columns(2)
        with k1.container(border=True, key="ws_join_code_box"):
            st.caption(t("ws_code_for_groups", lg))
            st.markdown(f"# `{code}`")
        with k2.container(border=True, key="ws_facilitator_code_box"):
            st.caption(t("ws_code_for_you", lg))
            st.markdown(f"# `{fcode}`")
    fcode = st.text_input(t("ws_facilitator_code", lg), key="ws_facilitator_code", type="password")
    if not fcode:
        st.caption(t("ws_facilitator_help", lg))
        return
    workshop = status.store.facilitated(fcode.strip())
    if workshop is None:
        st.error(t("ws_wrong_facilitator", lg), icon=":material/lock:")
        return
    _comparison(ws, status, workshop, fcode.strip(), lg)


def _comparison(ws: Workspace, status: wk.StoreStatus, workshop: Any, fcode: str, lg: Lang) -> None:
    store = status.store
    st.markdown(t("ws_facilitating", lg, name=workshop.name, code=workshop.code))
    st.button(t("ws_fac_refresh", lg), key="ws_fac_refresh", icon=":material/refresh:")  # a rerun reads the store
    shared = st.toggle(t("ws_shared", lg), value=bool(workshop.shared), key=f"ws_shared_{workshop.code}")
    if shared != bool(workshop.shared):
        store.set_shared(fcode, shared)
        st.success(t("ws_shared_on" if shared else "ws_shared_off", lg))
    try:
        park = wk.workshop_park(store, workshop, compute.load)
    except ParkError as exc:
        st.error(t("ws_park_failed_facilitator", lg, reason=str(exc)), icon=":material/error:")
        return
    cache = ws.ui.setdefault("_ws_entries", {})
    problems: list[tuple[str, str]] = []
    entries = wk.chosen_entries(store, workshop, fcode, park, cache, problems)
    for en, zh in problems:
        st.warning(pick_lang(en, zh, lg), icon=":material/warning:")
    st.subheader(t("ws_compare", lg))
    if not entries:
        st.info(t("ws_none_chosen", lg), icon=":material/info:")
        return
    before = compute.indicators(park_key(park), "", park, None)
    after = [(e.group, compute.indicators(e.saved.park_key, compute.plan_key(e.saved.plan), e.saved.park,
                                          e.saved.plan)) for e in entries]
    totals = wk.totals_table(entries, lg)
    indicators = wk.indicators_table(before, after, lg)
    summary, links = wk.link_overlap(entries, lg)
    st.markdown(t("ws_totals", lg))
    show_table(totals, key="ws_totals_table",  # every column in view: numbers and short names
               column_config={c: st.column_config.Column(width="small") for c in totals.columns})
    st.markdown(t("ws_indicators", lg))
    st.caption(t("ws_marks", lg))
    narrow = {t("col_indicator", lg): st.column_config.Column(width="medium"),  # room for the groups' columns
              t("col_threshold", lg): st.column_config.Column(width="small")}
    show_table(indicators, key="ws_indicators_table", column_config=narrow)
    st.markdown(t("ws_links", lg))
    show_table(summary, key="ws_links_summary")
    show_table(links, key="ws_links_table", height=320)
    figure, diff_text, diff_table = _difference(entries, lg)
    sections: list[tuple[str, Any]] = [(t("ws_totals", lg), totals), (t("ws_indicators", lg), t("ws_marks", lg)),
                                       (t("ws_indicators", lg), indicators),
                                       (t("ws_links", lg), summary), (t("ws_links_all", lg), links)]
    if diff_text:
        sections += [(t("cmp_difference", lg), diff_text), (t("cmp_difference", lg), diff_table)]
    report = wk.report_html(t("ws_report_title", lg, name=workshop.name, code=workshop.code), sections, figure, lg)
    st.download_button(t("ws_export", lg), data=report, file_name=f"workshop-{workshop.code}.html",
                       mime="text/html", key="ws_export", on_click="ignore", icon=":material/download:")


def _app_url() -> str:
    """The address this browser opened the app at (for the group's link); "" when unknown."""
    try:
        return str(st.context.url or "")
    except Exception:  # older servers or a test harness without a request: the link is then relative
        return ""


def _difference(entries: list[wk.Entry], lg: Lang) -> tuple[Any, str, Any]:
    """A and B among the chosen scenarios: the diverging bars and the table of flows that change."""
    st.markdown(t("cmp_difference", lg))
    if len(entries) < 2:
        st.caption(t("ws_difference_needs_two", lg))
        return None, "", None
    labels = [f"{e.group} · {e.name}" for e in entries]
    c1, c2, c3, c4 = st.columns([2, 2, 2, 3])
    a_i = c1.selectbox(t("scenario_a", lg), options=range(len(entries)), index=0, key="ws_cmp_a",
                       format_func=lambda i: labels[i])
    b_i = c2.selectbox(t("scenario_b", lg), options=range(len(entries)), index=1, key="ws_cmp_b",
                       format_func=lambda i: labels[i])
    level = c3.selectbox(t("cmp_diff_level", lg), options=list(sc.DIFF_LEVELS), key="ws_cmp_level",
                         format_func=lambda v: t(f"cmp_diff_level_{v}", lg))
    basis = c4.radio(t("basis", lg), options=list(mb.BASIS_ORDER), key="ws_cmp_basis", horizontal=True,
                     format_func=lambda b: mb.basis_label(b, lg))
    a, b = entries[a_i].saved, entries[b_i].saved
    links_a = compute.sankey_links(a.park_key, compute.plan_key(a.plan), basis, level, lg, a.park, a.plan)
    links_b = compute.sankey_links(b.park_key, compute.plan_key(b.plan), basis, level, lg, b.park, b.plan)
    diff = difference(links_a, links_b, level=level)
    text = sc.difference_totals(diff, basis, lg)
    st.caption(text)
    title = t("cmp_diff_title", lg, a=labels[a_i], b=labels[b_i], basis=word(BASIS_NAMES, basis, lg),
              unit=unit_label(BASES[basis][0]))
    figure = sc.readable_difference(difference_figure(diff, basis=basis, level=level, lang=lg, title=title))
    with st.container(key="ws_difference_box"):
        st.plotly_chart(figure, key="ws_difference", width="stretch", config={"displaylogo": False})
    table = sc.difference_table(diff, basis, level, lg)
    if table.empty:
        st.caption(t("cmp_diff_none", lg))
    else:
        show_table(table, key="ws_difference_table")
    return figure, text, table


render()
