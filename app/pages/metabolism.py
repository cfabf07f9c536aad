"""Metabolism / 代谢: the Sankey (basis, level, before/after, filters), the enterprise network, the balances."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from app import compute
from app import metabolism as mb
from app.data import park_label
from app.i18n import t
from app.state import Workspace
from app.ui import keep, lang, need_park, remember, show_table, workspace
from flows import sankey_figure
from symbiosis.core.i18n import Lang
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan


def render() -> None:
    lg = lang()
    ws = workspace()
    st.title(t("page_metabolism", lg))
    st.caption(t("metabolism_intro", lg))
    if not need_park(ws, lg):
        return
    park = ws.park
    assert park is not None
    plan = ws.plan if ws.plan is not None and ws.plan_park_key == ws.park_key else None

    pkey = compute.plan_key(plan)
    state = _sankey(ws, park, plan, pkey, lg)
    shown_plan = plan if state == "after" else None
    shown_key = pkey if state == "after" else ""
    _network(ws, park, shown_key, shown_plan, lg)
    _balances(ws, park, shown_key, shown_plan, lg)


class _SankeyView(NamedTuple):
    """What the Sankey's controls ask for."""

    basis: str
    level: str
    state: str  # before / after
    categories: list[str]
    enterprises: list[str]
    names: dict[str, str]  # enterprise id -> its label (the enterprises that can be chosen)
    min_share: float
    boundary: bool
    other_share: float  # percent of the basis total merged into "other"
    group: str  # mb.GROUP_NONE, mb.GROUP_ALL or the sector expanded
    sectors: dict[str, str]


# --- the Sankey --------------------------------------------------------------------------------------------------
def _sankey(ws: Workspace, park: Park, plan: Plan | None, pkey: str, lg: Lang) -> str:
    """The Sankey with its controls (basis, level, before/after, filters); returns the state shown (before/after)."""
    st.subheader(t("sankey", lg))
    view = _sankey_controls(park, plan, lg)
    shown_plan = plan if view.state == "after" else None
    shown_key = pkey if view.state == "after" else ""
    with st.spinner(t("building_graph", lg)):
        links = compute.sankey_links(ws.park_key, shown_key, view.basis, view.level, lg, park, shown_plan)
    kept = mb.filter_links(links, view.categories, [e for e in view.enterprises if e in view.names], view.min_share,
                           view.boundary)
    title = mb.sankey_title(park_label(park, lg), view.basis, view.state, lg)
    grouped = view.group != mb.GROUP_NONE
    figure = sankey_figure(kept, basis=view.basis, lang=lg, title=title, other_share=view.other_share / 100,
                           sectors=view.sectors if grouped else None,
                           expand=view.group if grouped and view.group != mb.GROUP_ALL else None)
    st.plotly_chart(figure, key="sankey", width="stretch", config={"displaylogo": False})
    st.caption(t("sankey_caption", lg, shown=len(kept), total=len(links)))
    return view.state


def _sankey_controls(park: Park, plan: Plan | None, lg: Lang) -> _SankeyView:
    keep("sk_basis", "mass")
    keep("sk_level", "category")
    keep("sk_state", "before")
    keep("sk_categories", [])
    keep("sk_enterprises", [])
    keep("sk_min_share", 0.0)
    keep("sk_boundary", True)
    c1, c2, c3 = st.columns([3, 2, 2])
    basis = c1.radio(t("basis", lg), options=list(mb.BASIS_ORDER), key="sk_basis", horizontal=True,
                     format_func=lambda b: mb.basis_label(b, lg), help=mb.basis_help(lg))
    level = c2.radio(t("level", lg), options=list(mb.LEVEL_ORDER), key="sk_level", horizontal=True,
                     format_func=lambda v: t(f"level_{v}", lg))
    if plan is None and st.session_state.get("sk_state") == "after":
        st.session_state["sk_state"] = "before"
    state = c3.radio(t("state", lg), options=["before", "after"], key="sk_state", horizontal=True,
                     format_func=lambda s: t(f"state_{s}", lg), disabled=plan is None,
                     help=None if plan is not None else t("after_needs_plan", lg))
    with st.expander(t("filters", lg), icon=":material/filter_alt:"):
        f1, f2 = st.columns(2)
        categories = f1.multiselect(t("filter_categories", lg), options=sorted(set(park.streams["category"])),
                                    key="sk_categories", format_func=lambda c: mb.category_label(c, lg))
        names = mb.enterprise_options(park.enterprises)
        enterprises = f2.multiselect(t("filter_enterprises", lg), options=list(names), key="sk_enterprises",
                                     format_func=lambda e: names.get(e, e))
        f3, f4 = st.columns(2)
        min_share = f3.slider(t("filter_min_share", lg), min_value=0.0, max_value=0.2, step=0.005, key="sk_min_share",
                              format="%.3f")
        boundary = f4.checkbox(t("filter_boundary", lg), key="sk_boundary")
    sectors = mb.park_sectors(park.enterprises)
    options = mb.group_options(sectors)
    keep("sk_group", mb.default_group(sectors))
    keep("sk_other_share", mb.OTHER_SHARE_DEFAULT)
    if st.session_state.get("sk_group") not in options:  # another park: its sectors differ
        st.session_state["sk_group"] = mb.default_group(sectors)
    g1, g2 = st.columns(2)
    group = g1.selectbox(mb.sk_text("group", lg), options=options, key="sk_group",
                         format_func=lambda o: mb.group_label(o, lg), help=mb.sk_text("group_help", lg))
    other_share = g2.slider(mb.sk_text("other_share", lg), min_value=0.0, max_value=5.0, step=0.1,
                            key="sk_other_share", format="%.1f", help=mb.sk_text("other_help", lg))
    remember("sk_basis", "sk_level", "sk_state", "sk_categories", "sk_enterprises", "sk_min_share", "sk_boundary",
             "sk_group", "sk_other_share")
    return _SankeyView(basis=basis, level=level, state=state, categories=categories, enterprises=enterprises,
                       names=names, min_share=min_share, boundary=boundary, other_share=other_share, group=group,
                       sectors=sectors)


# --- the enterprise network --------------------------------------------------------------------------------------
def _network(ws: Workspace, park: Park, shown_key: str, shown_plan: Plan | None, lg: Lang) -> None:
    st.subheader(t("network", lg))
    st.caption(t("network_caption", lg))
    keep("net_linked_only", True)
    linked = st.checkbox(t("net_linked_only", lg), key="net_linked_only")
    remember("net_linked_only")
    dot = compute.network_dot(ws.park_key, shown_key, lg, park, shown_plan)
    if linked:
        dot, dropped = mb.linked_only(dot)
        if dropped:
            st.caption(t("net_dropped", lg, n=dropped))
    st.graphviz_chart(dot, width="stretch")
    with st.expander(t("network_metrics", lg)):
        metrics = compute.network_metrics(ws.park_key, shown_key, park, shown_plan)
        show_table(mb.metrics_table(metrics, lg), key="metrics_table")
        st.markdown(t("keystones", lg))
        show_table(mb.keystones_table(compute.keystones(ws.park_key, shown_key, park, shown_plan), lg), key="keystones_table")


# --- balances ----------------------------------------------------------------------------------------------------
def _balances(ws: Workspace, park: Park, shown_key: str, shown_plan: Plan | None, lg: Lang) -> None:
    st.subheader(t("balances", lg))
    st.caption(t("balances_caption", lg))
    table = compute.balances(ws.park_key, shown_key, park, shown_plan)
    flagged = mb.balance_table(table, lg, flagged_only=True)
    if flagged.empty:
        st.success(t("all_balanced", lg), icon=":material/check_circle:")
    else:
        st.warning(t("n_unbalanced", lg, n=flagged.iloc[:, 0].nunique()), icon=":material/warning:")
        show_table(flagged, key="unbalanced_table")
    with st.expander(t("all_balances", lg)):
        show_table(mb.balance_table(table, lg, flagged_only=False), key="balances_table")
    warnings = compute.flow_warnings(ws.park_key, shown_key, lg, park, shown_plan)
    if not warnings.empty:
        with st.expander(t("flow_notes", lg, n=len(warnings))):
            show_table(mb.notes_table(warnings, lg), key="flow_warnings_table")


render()
