"""Scenarios / 情景: save the current options, edits and plan under a name; compare two: what changes in the flows."""

from __future__ import annotations

import streamlit as st

from app import compute
from app import metabolism as mb
from app import scenarios as sc
from app.i18n import t, word
from app.keys import files_key
from app.state import Saved, Workspace
from app.ui import lang, need_park, show_table, workspace
from flows import difference, difference_figure
from flows.labels import BASES, BASIS_NAMES, unit_label
from symbiosis.core.i18n import Lang
from symbiosis.core.scenario import ScenarioError, read_scenario_bytes, scenario_bytes


def render() -> None:
    lg = lang()
    ws = workspace()
    st.title(t("page_scenarios", lg))
    st.caption(t("scenarios_intro", lg))
    if not need_park(ws, lg):
        return
    assert ws.park is not None

    _current_scenario(ws, lg)
    st.subheader(t("saved_scenarios", lg))
    if not ws.saved:
        st.info(t("none_saved", lg), icon=":material/info:")
        return
    _saved_scenarios(ws, lg)
    st.subheader(t("compare", lg))
    if len(ws.saved) < 2:
        st.info(t("compare_needs_two", lg), icon=":material/info:")
        return
    _compare(ws, lg)


# --- the current scenario ----------------------------------------------------------------------------------------
def _current_scenario(ws: Workspace, lg: Lang) -> None:
    """What the current scenario holds; save it under a name, download it, or open a scenario file."""
    st.subheader(t("current_scenario", lg))
    c = ws.scenario
    plan_text = (t("sc_plan_current", lg, status=t(f"short_{ws.plan.status}", lg), links=len(ws.plan.links))
                 if ws.plan is not None and ws.plan_park_key == ws.park_key else t("sc_no_plan", lg))
    st.markdown(t("current_summary", lg, edits=len(c.edits), forced=len(c.forced), forbidden=len(c.forbidden),
                  plan=plan_text))

    left, right = st.columns([2, 1])
    with left:
        name = st.text_input(t("scenario_name", lg), key="scenario_name", placeholder=t("scenario_name_hint", lg))
        if st.button(t("save_scenario", lg), key="save_scenario", type="primary", icon=":material/save:"):
            saved = sc.save_current(ws, name or "")
            if saved is None:
                st.error(t("name_needed", lg))
            elif saved.plan is None:
                st.warning(t("saved_without_plan", lg, name=saved.scenario.name), icon=":material/warning:")
            else:
                st.success(t("saved", lg, name=saved.scenario.name), icon=":material/check:")
    with right:
        st.download_button(t("download_scenario", lg), data=lambda: scenario_bytes(sc.save_preview(ws)),
                           file_name="scenario.toml", mime="application/toml", key="dl_scenario_toml",
                           on_click="ignore", icon=":material/download:")
        _open_scenario_file(ws, lg)


def _open_scenario_file(ws: Workspace, lg: Lang) -> None:
    """A scenario.toml uploaded: opened once per file content."""
    upload = st.file_uploader(t("open_scenario_file", lg), type=["toml"], key="scenario_upload")
    if upload is None:
        return
    data = upload.getvalue()
    if files_key({"scenario.toml": data}) == ws.ui.get("_scenario_upload_key"):
        return
    ws.ui["_scenario_upload_key"] = files_key({"scenario.toml": data})
    try:
        ok = sc.open_scenario_file(ws, read_scenario_bytes(data), st.session_state)
    except ScenarioError as exc:
        st.error(t("scenario_file_bad", lg, reason=str(exc)))
    else:
        if ok:
            st.success(t("scenario_file_opened", lg))
        else:
            st.error(t("scenario_file_failed", lg))


# --- saved scenarios ---------------------------------------------------------------------------------------------
def _saved_scenarios(ws: Workspace, lg: Lang) -> None:
    show_table(sc.saved_table(ws, lg), key="saved_table")
    l1, l2 = st.columns([2, 1])
    to_load = l1.selectbox(t("choose_saved", lg), options=list(ws.saved), key="load_choice")
    if l2.button(t("load_scenario", lg), key="load_scenario", icon=":material/restore:"):
        if to_load and sc.load_saved(ws, to_load, st.session_state):
            st.success(t("loaded_scenario", lg, name=to_load))
        else:
            st.error(t("scenario_file_failed", lg))


# --- compare two -------------------------------------------------------------------------------------------------
def _compare(ws: Workspace, lg: Lang) -> None:
    """Two saved scenarios: totals, settings, indicators, links, and what changes in the flows."""
    names = list(ws.saved)
    k1, k2, k3 = st.columns([2, 2, 3])
    a_name = k1.selectbox(t("scenario_a", lg), options=names, index=0, key="compare_a")
    b_name = k2.selectbox(t("scenario_b", lg), options=names, index=1, key="compare_b")
    basis = k3.radio(t("basis", lg), options=list(mb.BASIS_ORDER), key="compare_basis", horizontal=True,
                     format_func=lambda b: mb.basis_label(b, lg))
    a, b = ws.saved[a_name], ws.saved[b_name]
    counts = sc.change_counts(a, b)
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("cmp_net_total", lg, name=a_name), f"{a.plan.net_tco2e:,.0f}" if a.plan else "—")
    m2.metric(t("cmp_net_total", lg, name=b_name), f"{b.plan.net_tco2e:,.0f}" if b.plan else "—",
              delta=f"{b.plan.net_tco2e - a.plan.net_tco2e:,.0f}" if a.plan and b.plan else None)
    m3.metric(t("cmp_added_n", lg), counts["added"])
    m4.metric(t("cmp_removed_n", lg), counts["removed"])

    st.markdown(t("cmp_settings", lg))
    show_table(sc.differences(a, b, lg), key="compare_settings")
    st.markdown(t("cmp_indicators", lg))
    ind_a = compute.indicators(a.park_key, compute.plan_key(a.plan), a.park, a.plan)
    ind_b = compute.indicators(b.park_key, compute.plan_key(b.plan), b.park, b.plan)
    show_table(sc.indicator_comparison(ind_a, ind_b, lg), key="compare_indicators")
    st.markdown(t("cmp_links", lg))
    changes = sc.link_changes(a, b, lg)
    if changes.empty:
        st.caption(t("cmp_same_links", lg))
    else:
        show_table(changes, key="compare_links")
    _compare_difference(basis, ((a_name, a), (b_name, b)), lg)


def _compare_difference(basis: str, sides: tuple[tuple[str, Saved], tuple[str, Saved]], lg: Lang) -> None:
    """One diverging bar chart and one table of the flows that change from A to B (flows.difference)."""
    st.markdown(t("cmp_difference", lg))
    (a_name, a), (b_name, b) = sides
    c1, c2, c3 = st.columns([2, 2, 2])
    level = c1.selectbox(t("cmp_diff_level", lg), options=list(sc.DIFF_LEVELS), key="compare_level",
                         format_func=lambda v: t(f"cmp_diff_level_{v}", lg))
    before = c2.checkbox(t("cmp_diff_before", lg), key="compare_before")
    show_unchanged = c3.checkbox(t("cmp_diff_unchanged", lg), key="compare_unchanged")
    a_park, a_key, a_plan = (b.park, b.park_key, None) if before else (a.park, a.park_key, a.plan)
    a_label = t("cmp_diff_before_name", lg) if before else a_name
    links_a = compute.sankey_links(a_key, compute.plan_key(a_plan), basis, level, lg, a_park, a_plan)
    links_b = compute.sankey_links(b.park_key, compute.plan_key(b.plan), basis, level, lg, b.park, b.plan)
    diff = difference(links_a, links_b, level=level)
    st.caption(sc.difference_totals(diff, basis, lg))
    title = t("cmp_diff_title", lg, a=a_label, b=b_name, basis=word(BASIS_NAMES, basis, lg),
              unit=unit_label(BASES[basis][0]))
    with st.container(key="difference_box"):
        st.plotly_chart(sc.readable_difference(difference_figure(diff, basis=basis, level=level, lang=lg,
                                                                 title=title)),
                        key="compare_difference", width="stretch", config={"displaylogo": False})
    table = sc.difference_table(diff, basis, level, lg, show_unchanged)
    if table.empty:
        st.caption(t("cmp_diff_none", lg))
    else:
        show_table(table, key="compare_difference_table")

render()
