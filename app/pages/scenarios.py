"""Scenarios / 情景: save the current options, edits and plan under a name; compare two side by side."""

from __future__ import annotations

import streamlit as st

from app import compute
from app import metabolism as mb
from app import scenarios as sc
from app.data import park_label
from app.i18n import t
from app.keys import files_key
from app.state import Saved, Workspace
from app.ui import lang, need_park, show_table, workspace
from flows import sankey_figure
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
    """Two saved scenarios side by side: totals, settings, indicators, links and Sankeys."""
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
    _compare_sankeys(basis, ((a_name, a), (b_name, b)), lg)


def _compare_sankeys(basis: str, sides: tuple[tuple[str, Saved], tuple[str, Saved]], lg: Lang) -> None:
    st.markdown(t("cmp_sankeys", lg))
    s1, s2 = st.columns(2)
    for col, side, (label, saved) in zip((s1, s2), ("a", "b"), sides, strict=True):
        links = compute.sankey_links(saved.park_key, compute.plan_key(saved.plan), basis, "category", lg, saved.park,
                                     saved.plan)
        title = t("cmp_sankey_title", lg, name=label, park=park_label(saved.park, lg))
        col.plotly_chart(sankey_figure(links, basis=basis, lang=lg, title=title), key=f"compare_sankey_{side}",
                         width="stretch", config={"displaylogo": False})


render()
