"""Economics / 经济性: the current plan's marginal abatement cost curve with each link's facts on hover, the
per-link economics (CSV), and the emissions-cost trade-off curve whose points open as the current plan."""

from __future__ import annotations

import streamlit as st

from app import compute
from app import economics as econ
from app import export as ex
from app.i18n import t
from app.options import SolveRequest
from app.state import Workspace
from app.ui import attempt, keep, lang, need_park, remember, show_table, workspace
from symbiosis.core.i18n import Lang, quantity
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan
from symbiosis.reporting import macc as mc

PLOT_CONFIG = {"displaylogo": False}


def render() -> None:
    lg = lang()
    ws = workspace()
    st.title(t("page_economics", lg))
    st.caption(t("econ_intro", lg))
    if not need_park(ws, lg):
        return
    park = ws.park
    assert park is not None
    plan = econ.current_plan(ws)
    if plan is None:
        st.info(t("econ_no_plan" if ws.plan is None else "plan_stale_park", lg), icon=":material/info:")
        st.page_link("app/pages/opportunities.py", label=t("page_opportunities", lg), icon=":material/hub:")
    else:
        _macc(ws, park, plan, lg)
    _tradeoff(ws, park, lg)


# --- the MACC -----------------------------------------------------------------------------------------------------
def _macc(ws: Workspace, park: Park, plan: Plan, lg: Lang) -> None:
    st.subheader(t("econ_macc", lg))
    st.caption(t("econ_macc_help", lg))
    cap = econ.open_cap(ws)
    if cap is not None:
        st.info(t("econ_opened_cap", lg, cap=mc.money(cap)), icon=":material/timeline:")
    plan_key = compute.plan_key(plan)
    if ws.ui.get("_econ_price_plan") != plan_key:  # a new plan: the line starts at the price it was solved with
        st.session_state["econ_carbon_price"] = econ.default_carbon_price(ws, park)
        ws.ui["_econ_price_plan"] = plan_key
    keep("econ_carbon_price", econ.default_carbon_price(ws, park))
    price = st.number_input(t("econ_carbon_price", lg), min_value=-100_000.0, max_value=100_000.0, step=10.0,
                            key="econ_carbon_price", help=t("econ_carbon_price_help", lg))
    remember("econ_carbon_price")
    pe = attempt(lambda: econ.costs(ws.park_key, plan_key, float(price), park, plan), lg,
                 "econ_step_costs")
    if pe is None:
        return
    if not plan.links:
        st.info(t("econ_no_links", lg), icon=":material/info:")
        return
    curve = pe.curve
    m = st.columns(5)
    m[0].metric(t("econ_m_links", lg), len(curve.bars))
    m[1].metric(t("econ_m_tonnes", lg), quantity(curve.total_tco2e))
    m[2].metric(t("econ_m_below", lg), quantity(curve.below_price_tco2e))
    capex, annual = sum(e.capex_cny for e in pe.economics), sum(e.annual_net_cost_cny for e in pe.economics)
    m[3].metric(t("econ_m_capex", lg), econ.big_money(capex, lg), help=t("econ_m_exact", lg, value=mc.money(capex)))
    m[4].metric(t("econ_m_annual", lg), econ.big_money(annual, lg), help=t("econ_m_exact_a", lg, value=mc.money(annual)))
    if curve.bars:
        with st.container(key="macc_box"):
            st.plotly_chart(econ.macc_figure(pe, park, lg), key="macc_chart", width="stretch", config=PLOT_CONFIG)
    excluded = mc.excluded_sentence(pe, lg)
    if excluded:
        st.caption(excluded)
    st.caption(mc.placeholder_sentence(pe, lg))

    st.subheader(t("econ_table", lg))
    table = econ.economics_table(pe, park, lg)
    with st.container(key="economics_box"):
        show_table(table, key="economics_table", height=380)
    st.download_button(t("econ_download", lg), data=lambda: ex.csv_bytes(table), file_name="link_economics.csv",
                       mime="text/csv", key="dl_economics_csv", on_click="ignore", icon=":material/csv:")


# --- the trade-off curve ------------------------------------------------------------------------------------------
def _tradeoff(ws: Workspace, park: Park, lg: Lang) -> None:
    st.subheader(t("econ_tradeoff", lg))
    st.caption(t("econ_tradeoff_help", lg))
    request = econ.tradeoff_request(ws, park)
    keep("econ_tradeoff_points", econ.DEFAULT_POINTS)
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    points = int(c1.number_input(t("econ_points", lg), min_value=2, max_value=12, step=1, key="econ_tradeoff_points",
                                 help=t("econ_points_help", lg)))
    remember("econ_tradeoff_points")
    if c2.button(t("econ_tradeoff_run", lg), key="econ_tradeoff_run", icon=":material/show_chart:"):
        with st.spinner(t("econ_tradeoff_running", lg, n=points + 2)):
            attempt(lambda: econ.tradeoff(ws, park, request, points), lg, "econ_step_tradeoff")
    frame = econ.cached_tradeoff(ws, request, points)
    if frame is None:
        st.info(t("econ_tradeoff_stale" if econ.stale_tradeoff(ws) else "econ_tradeoff_none", lg),
                icon=":material/info:")
        return
    if frame.empty:
        st.info(t("econ_tradeoff_empty", lg), icon=":material/info:")
        return
    choices = list(range(len(frame)))
    chosen = st.selectbox(t("econ_point_choose", lg), options=choices, key="econ_tradeoff_point",
                          index=len(choices) - 1, format_func=lambda i: econ.point_label(frame, i, lg))
    with st.container(key="tradeoff_box"):
        st.plotly_chart(econ.tradeoff_figure(frame, lg, chosen, econ.open_cap(ws)), key="tradeoff_chart",
                        width="stretch", config=PLOT_CONFIG)
    if st.button(t("econ_point_open", lg), key="econ_tradeoff_open", type="primary", icon=":material/open_in_new:"):
        _open(ws, park, request, float(frame.iloc[int(chosen)]["epsilon_cost_cny"]), lg)
    show_table(econ.tradeoff_table(frame, lg), key="tradeoff_table")


def _open(ws: Workspace, park: Park, request: SolveRequest, cap: float, lg: Lang) -> None:
    """Solve the chosen point (cached by content) and make it the current plan; the page then shows its MACC."""
    def solve(capped: SolveRequest) -> Plan:
        return compute.plan(ws.park_key, capped.key(), park, capped)

    with st.spinner(t("solving", lg)):
        plan = attempt(lambda: econ.open_point(ws, park, request, cap, st.session_state, solve), lg, "step_solve")
    if plan is not None:
        st.rerun()


render()
