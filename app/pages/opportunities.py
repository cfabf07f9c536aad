"""Opportunities / 机会: workshop options, run matching, ranked links, a link's detail, why not, the map."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from app import compute, economics, opportunities
from app import options as opts
from app.heat_periods import heat_period_figure
from app.i18n import t
from app.state import Workspace
from app.ui import attempt, keep, lang, need_park, remember, show_table, workspace
from symbiosis.core.i18n import Lang, word
from symbiosis.core.i18n import render as render_text
from symbiosis.core.park import Park
from symbiosis.core.plan import Link, Plan
from symbiosis.core.uncertainty import DEFAULT_SAMPLES, DEFAULT_SEED, TEXTS, PlanUncertainty, plan_uncertainty

PRICED = ("cost", "npv")  # the objectives that use the carbon price


def render() -> None:
    lg = lang()
    ws = workspace()
    st.title(t("page_opportunities", lg))
    st.caption(t("opportunities_intro", lg))
    if not need_park(ws, lg):
        return
    park = ws.park
    assert park is not None

    request = _options(ws, park, lg)
    request_key = request.key()
    _run_matching(ws, park, request, request_key, lg)

    plan = ws.plan
    if plan is None:
        st.info(t("no_plan_yet", lg), icon=":material/info:")
        return
    _plan_summary(ws, plan, park, request_key, lg)
    selected_link = _link_detail(plan, park, lg)
    _map(ws, park, plan, selected_link, lg)
    _heat_periods(plan, lg)
    _why_not(ws, park, plan, request, lg)


# --- options -----------------------------------------------------------------------------------------------------
def _options(ws: Workspace, park: Park, lg: Lang) -> opts.SolveRequest:
    """The workshop options and the forced/forbidden links, kept in the scenario; the request they make."""
    current = opts.complete(ws.scenario.options, park)
    for key, value in current.widgets().items():
        keep(key, value)
    keep("forced_links", [opportunities.encode(k) for k in ws.scenario.forced])
    keep("forbidden_links", [opportunities.encode(k) for k in ws.scenario.forbidden])

    _option_widgets(lg)
    options = opts.from_widgets(st.session_state, park)
    forced_sel, forbidden_sel, both = _force_forbid(ws, park, options, lg)
    remember(*opts.option_keys(), "forced_links", "forbidden_links")
    ws.scenario = replace(ws.scenario, options=options.table(),
                          forced=tuple(opportunities.decode(k) for k in forced_sel),
                          forbidden=tuple(opportunities.decode(k) for k in forbidden_sel if k not in both))
    return opts.SolveRequest.of(ws.scenario, park)


def _option_widgets(lg: Lang) -> None:
    """Objective, carbon price, ΔTmin, Scope 2, investment budget and tonnes target, reach per mode, minimum link
    sizes, solver limits."""
    st.subheader(t("options", lg))
    c1, c2, c3, c4 = st.columns(4)
    objective = c1.radio(t("opt_objective", lg), options=list(opts.OBJECTIVES), key="opt_objective",
                         format_func=lambda o: t(f"objective_{o}", lg), help=t("opt_objective_help", lg))
    c2.number_input(t("opt_carbon_price", lg), min_value=0.0, max_value=10_000.0, step=10.0, key="opt_carbon_price",
                    disabled=objective not in PRICED, help=t("opt_carbon_price_help", lg))
    c3.number_input(t("opt_dt_min", lg), min_value=0.0, max_value=100.0, step=1.0, key="opt_dt_min",
                    help=t("opt_dt_min_help", lg))
    c4.checkbox(t("opt_scope2", lg), key="opt_scope2", help=t("opt_scope2_help", lg))
    # the budget and the target bind every objective (docs/economics.md); empty: none
    b1, b2, _ = st.columns([1, 1, 2])
    b1.number_input(t("opt_budget", lg), min_value=0.0, step=1.0, value=None, format="%.3f",
                    key=opts.SCALAR_KEYS["budget_capex_cny"], help=t("opt_budget_help", lg))
    target = b2.number_input(t("opt_target", lg), min_value=0.0, step=100.0, value=None, format="%.1f",
                             key=opts.SCALAR_KEYS["target_tco2e"], help=t("opt_target_help", lg))
    if objective == "least_cost" and target is None:
        st.caption(t("opt_target_least_cost_none", lg))
    st.markdown(t("opt_reach", lg))
    for col, mode in zip(st.columns(len(opts.MODES)), opts.MODES, strict=True):
        col.number_input(word("mode", mode, lg), min_value=0.0, max_value=500.0, step=0.5, key=opts.reach_key(mode))
    with st.expander(t("opt_min_links", lg)):
        st.caption(t("opt_min_links_help", lg))
        grid = st.columns(3)
        for i, category in enumerate(opts.CATEGORIES):
            grid[i % 3].number_input(f"{t(f'cat_{category}', lg)} ({t(f'unit_of_{category}', lg)})", min_value=0.0,
                                     step=100.0, key=opts.min_key(category))
        st.number_input(t("opt_min_tco2e", lg), min_value=0.0, step=500.0, key="opt_min_tco2e",
                        help=t("opt_min_tco2e_help", lg))
    with st.expander(t("opt_solver", lg)):
        s1, s2 = st.columns(2)
        s1.number_input(t("opt_gap", lg), min_value=0.0, max_value=0.5, step=0.001, format="%.4f", key="opt_gap",
                        help=t("opt_gap_help", lg))
        s2.number_input(t("opt_time_limit", lg), min_value=1.0, max_value=600.0, step=5.0, key="opt_time_limit",
                        help=t("opt_time_limit_help", lg))


def _force_forbid(ws: Workspace, park: Park, options: opts.WorkshopOptions,
                  lg: Lang) -> tuple[list[str], list[str], set[str]]:
    """The links to force and to forbid, chosen among the candidate links of these options (and those already
    named); returns both choices and the links named in both (forced wins)."""
    free_request = opts.SolveRequest(options)
    candidates = attempt(lambda: compute.candidates(ws.park_key, free_request.key(), park, free_request), lg,
                         "step_candidates")
    if candidates is None:
        candidates = pd.DataFrame(columns=list(opportunities.CANDIDATE_COLUMNS))
    choices = opportunities.candidate_choices(
        candidates, park, lg, extra=[*ws.scenario.forced, *ws.scenario.forbidden,
                                     *(opportunities.decode(k) for k in st.session_state.get("forced_links", [])),
                                     *(opportunities.decode(k) for k in st.session_state.get("forbidden_links", []))])

    st.subheader(t("force_forbid", lg))
    st.caption(t("force_forbid_help", lg))
    forced_sel = [k for k in st.session_state.get("forced_links", []) if isinstance(k, str)]
    forbidden_sel = [k for k in st.session_state.get("forbidden_links", []) if isinstance(k, str)]
    with st.container(key="link_picker"):
        p1, p2, p3 = st.columns([6, 1.3, 1.3], vertical_alignment="bottom")
        picked = p1.selectbox(t("pick_link", lg), options=list(choices), key="link_pick", index=None,
                              format_func=lambda k: choices.get(k, k), placeholder=t("pick_link_placeholder", lg))
        p2.button(t("pick_force", lg), key="pick_force", on_click=_pick, args=("forced",), icon=":material/push_pin:",
                  disabled=picked is None or picked in forced_sel, width="stretch")
        p3.button(t("pick_forbid", lg), key="pick_forbid", on_click=_pick, args=("forbidden",),
                  icon=":material/block:", disabled=picked is None or picked in forbidden_sel, width="stretch")
        f1, f2 = st.columns(2)
        for column, which, chosen in ((f1, "forced", forced_sel), (f2, "forbidden", forbidden_sel)):
            with column.container(key=f"{which}_list"):
                st.markdown(f"**{t(f'{which}_links', lg)}** ({len(chosen)})")
                if not chosen:
                    st.caption(t("none_yet", lg))
                for i, key in enumerate(chosen):
                    r1, r2 = st.columns([3, 1], vertical_alignment="center")
                    r1.markdown(choices.get(key, key))
                    r2.button(t("pick_remove", lg), key=f"remove_{which}_{i}", on_click=_unpick, args=(which, key),
                              icon=":material/close:", width="content")
    both = set(forced_sel) & set(forbidden_sel)
    if both:
        st.warning(t("forced_and_forbidden", lg, links=", ".join(sorted(both))), icon=":material/warning:")
    return forced_sel, forbidden_sel, both


def _pick(which: str) -> None:
    """Force or forbid the one link chosen in the picker, then clear the picker."""
    key = st.session_state.get("link_pick")
    if isinstance(key, str) and key:
        (_force if which == "forced" else _forbid)(key)
    st.session_state["link_pick"] = None


def _unpick(which: str, key: str) -> None:
    name = f"{which}_links"
    st.session_state[name] = [k for k in st.session_state.get(name, []) if k != key]


def _run_matching(ws: Workspace, park: Park, request: opts.SolveRequest, request_key: str, lg: Lang) -> None:
    """The run button: solve, and keep the plan with the park and request it was solved for."""
    if st.button(t("run_matching", lg), key="run_matching", type="primary", icon=":material/play_arrow:"):
        with st.status(t("solving", lg), expanded=False) as status:
            solved = attempt(lambda: compute.plan(ws.park_key, request_key, park, request), lg, "step_solve")
            if solved is None:
                status.update(label=t("solve_failed", lg), state="error")
            else:
                ws.plan, ws.plan_park_key, ws.plan_options_key, ws.plan_request = (solved, ws.park_key, request_key,
                                                                                   request)
                status.update(label=t("solved", lg, links=len(solved.links), seconds=f"{solved.solve_seconds:.1f}"),
                              state="complete" if solved.status == "optimal" else "error")


# --- results -----------------------------------------------------------------------------------------------------
@st.cache_data(max_entries=compute.CACHE_ENTRIES, show_spinner=False)
def _uncertainty(park_key: str, plan_key: str, _park: Park, _plan: Plan, _ws: Workspace) -> PlanUncertainty | None:
    """The plan's Monte Carlo (docs/uncertainty.md), once per park and plan content: DEFAULT_SAMPLES samples with the
    factor table the plan was solved with."""
    if not _plan.links:
        return None
    request = _ws.plan_request
    options = request.match_options() if request is not None else None
    factors = compute.session(park_key, _park).factors(options)
    return plan_uncertainty(_park, _plan, factors, DEFAULT_SAMPLES, DEFAULT_SEED)


def _plan_summary(ws: Workspace, plan: Plan, park: Park, request_key: str, lg: Lang) -> None:
    """Whether the plan is stale, the solver's status and messages, the totals and the ranked links."""
    if ws.plan_park_key != ws.park_key:
        st.warning(t("plan_stale_park", lg), icon=":material/history:")
    elif ws.plan_options_key != request_key:
        st.info(t("plan_stale_options", lg), icon=":material/history:")

    st.subheader(t("solver_status", lg))
    st.markdown(solved_for(plan, lg))
    kind, text = opportunities.status_view(plan, lg)
    {"success": st.success, "warning": st.warning, "error": st.error, "info": st.info}[kind](text)
    messages = opportunities.plan_messages(plan, lg)
    if plan.status == "infeasible" and messages:  # why (an unreachable target: the most that can be avoided)
        st.error(messages[-1], icon=":material/error:")
    if messages:
        with st.expander(t("solver_messages", lg, n=len(messages))):
            for message in messages:
                st.markdown(f"- {message}")

    totals = opportunities.plan_totals(plan)
    m = st.columns(6)
    m[0].metric(t("lk_links", lg), int(totals["links"]))
    m[1].metric(t("lk_net_total", lg), f"{totals['net']:,.0f}")
    m[2].metric(t("lk_scope1", lg), f"{totals['scope1']:,.0f}")
    m[3].metric(t("lk_scope2", lg), f"{totals['scope2']:,.0f}")
    m[4].metric(t("lk_scope3", lg), f"{totals['scope3']:,.0f}")
    m[5].metric(t("lk_added", lg), f"{totals['added']:,.0f}")
    if plan.links and ws.plan_park_key == ws.park_key:
        _plan_money(ws, plan, park, lg)
    spread = attempt(lambda: _uncertainty(ws.park_key, compute.plan_key(plan), park, plan, ws), lg,
                     "step_solve") if ws.plan_park_key == ws.park_key else None
    if spread is not None and spread.total is not None:
        st.caption(render_text(TEXTS.code("total"), lg, median=spread.total.median, p5=spread.total.p5,
                               p95=spread.total.p95, p_positive=spread.total.p_positive, samples=spread.samples,
                               seed=spread.seed))

    st.subheader(t("ranked_links", lg))
    st.caption(t("ranked_links_help", lg))
    with st.container(key="ranked_links_box"):
        show_table(opportunities.links_table(plan, park, lg, spread), key="ranked_links", height=380)


def solved_for(plan: Plan, lg: Lang) -> str:
    """The objective the plan was solved for, with its budget, target and carbon price when they apply."""
    options = plan.options or {}
    objective = str(options.get("objective", "emissions"))
    parts = [f"**{t(f'objective_{objective}', lg) if objective in opts.OBJECTIVES else objective}**"]
    budget, target = options.get("budget_capex_cny"), options.get("target_tco2e")
    if budget is not None:
        parts.append(t("plan_budget", lg, budget=f"{float(budget) / opts.BUDGET_UNIT:,.6g}"))
    if target is not None:
        parts.append(t("plan_target", lg, target=f"{float(target):,.1f}"))
    if objective in PRICED and options.get("carbon_price") is not None:
        parts.append(t("plan_carbon_price", lg, price=f"{float(options['carbon_price']):,.6g}"))
    return t("plan_solved_for", lg, objective=" · ".join(parts))


def _plan_money(ws: Workspace, plan: Plan, park: Park, lg: Lang) -> None:
    """The plan's total investment (the core's economics, as the Economics page) and annual net cost (the one cost
    rule: the model's `Plan.annual_cost_cny`), with the share of the budget used when there is one."""
    price = float((plan.options or {}).get("carbon_price") or 0.0)
    costed = attempt(lambda: economics.costs(ws.park_key, compute.plan_key(plan), price, park, plan), lg,
                     "econ_step_costs")
    if costed is None:
        return
    capex = sum(e.capex_cny for e in costed.economics)
    annual = plan.annual_cost_cny if plan.annual_cost_cny is not None else sum(
        e.annual_net_cost_cny for e in costed.economics)
    budget = (plan.options or {}).get("budget_capex_cny")
    c1, c2, _ = st.columns([1, 1, 2])
    c1.metric(t("plan_capex", lg), f"{capex / 1e6:,.2f}", help=t("plan_capex_help", lg),
              delta=t("plan_budget_used", lg, share=f"{capex / float(budget):.0%}") if budget else None,
              delta_color="off")
    c2.metric(t("plan_annual_cost", lg), f"{annual / 1e6:,.2f}", help=t("plan_annual_cost_help", lg))


# --- one link in detail ------------------------------------------------------------------------------------------
def _link_detail(plan: Plan, park: Park, lg: Lang) -> Link | None:
    """Choose one of the plan's links and show its facts, scopes, factors and notes, with buttons to keep (force)
    or forbid it. Returns the link chosen."""
    st.subheader(t("link_detail", lg))
    by_key = {opportunities.encode(opportunities.link_key(x)): x for x in sorted(plan.links, key=lambda x: x.rank)}
    selected_link = None
    if by_key:
        chosen = st.selectbox(t("choose_link", lg), options=list(by_key), key="link_detail",
                              format_func=lambda k: opportunities.link_label(by_key[k], park, lg))
        selected_link = by_key.get(chosen) if chosen else None
    if selected_link is None:
        return None
    link = selected_link
    d1, d2 = st.columns([2, 3])
    with d1:
        show_table(opportunities.link_facts(link, park, plan, lg), key="link_facts")
    with d2:
        show_table(opportunities.scope_table(link, lg), key="link_scopes")
    show_table(opportunities.factor_sources(link.factor_ids, park, lg), key="link_factors")
    for note in opportunities.link_notes(link, lg):
        st.caption(f"· {note}")
    encoded = opportunities.encode(opportunities.link_key(link))
    b1, b2 = st.columns(2)
    b1.button(t("keep_link", lg), key="force_this", on_click=_force, args=(encoded,), icon=":material/push_pin:",
              disabled=encoded in st.session_state.get("forced_links", []))
    b2.button(t("forbid_link", lg), key="forbid_this", on_click=_forbid, args=(encoded,), icon=":material/block:",
              disabled=encoded in st.session_state.get("forbidden_links", []))
    return link


def _force(key: str) -> None:
    st.session_state["forced_links"] = [*(k for k in st.session_state.get("forced_links", []) if k != key), key]
    st.session_state["forbidden_links"] = [k for k in st.session_state.get("forbidden_links", []) if k != key]


def _forbid(key: str) -> None:
    st.session_state["forbidden_links"] = [*(k for k in st.session_state.get("forbidden_links", []) if k != key),
                                           key]
    st.session_state["forced_links"] = [k for k in st.session_state.get("forced_links", []) if k != key]


# --- the map -----------------------------------------------------------------------------------------------------
def _map(ws: Workspace, park: Park, plan: Plan, selected_link: Link | None, lg: Lang) -> None:
    """The schematic map with its filters: kinds of link, ranks shown, how many of the top links are labelled, and
    (when the enterprises form clusters more than 10 km apart) which cluster to zoom to."""
    st.subheader(t("map", lg))
    st.caption(t("map_help", lg))
    shown_plan = plan if ws.plan_park_key == ws.park_key else None
    n = max((x.rank for x in shown_plan.links), default=0) if shown_plan is not None else 0
    m1, m2, m3 = st.columns([2, 2, 2])
    kinds = m1.multiselect(t("map_kinds", lg), options=list(opportunities.KINDS), default=list(opportunities.KINDS),
                           key="map_kinds", format_func=lambda k: t(f"map_kind_{k}", lg))
    max_rank = m2.slider(t("map_max_rank", lg), min_value=1, max_value=max(n, 2), value=max(min(n, 60), 2),
                         key=f"map_max_rank_{n}", disabled=n < 2)
    top_n = m3.slider(t("map_top_n", lg), min_value=0, max_value=50, value=15, key="map_top_n")
    clusters = opportunities.map_clusters(park, shown_plan)
    zoom: list[str] | None = None
    if len(clusters) > 1:  # parks far apart: one at a time fills the view (default: the most avoided)
        choice = st.selectbox(t("map_zoom", lg), options=[*range(len(clusters)), -1], index=0,
                              key=f"map_zoom_{len(clusters)}",
                              format_func=lambda k: t("map_zoom_all", lg) if k < 0 else t(
                                  "map_zoom_cluster", lg, n=k + 1, count=len(clusters[k][0]),
                                  tco2e=f"{clusters[k][1]:,.0f}"))
        zoom = clusters[choice][0] if choice is not None and choice >= 0 else None
    st.plotly_chart(opportunities.map_figure(park, shown_plan, lg,
                                             opportunities.link_key(selected_link) if selected_link else None,
                                             kinds=kinds, max_rank=max_rank, top_n=top_n, zoom=zoom),
                    key="link_map", width="stretch", config={"displaylogo": False})


# --- heat per operating period ----------------------------------------------------------------------------------
def _heat_periods(plan: Plan, lg: Lang) -> None:
    """Stacked bars of heat delivered by link per period, when the park declares periods (app.heat_periods)."""
    fig = heat_period_figure(plan, lg)
    if fig is None:
        return
    st.subheader(t("heat_periods", lg))
    st.caption(t("heat_periods_help", lg))
    st.plotly_chart(fig, key="heat_periods", width="stretch", config={"displaylogo": False})


# --- why not matched? --------------------------------------------------------------------------------------------
def _why_not(ws: Workspace, park: Park, plan: Plan, request: opts.SolveRequest, lg: Lang) -> None:
    """Why a stream chosen is not (fully) matched, and every unmatched stream with its reason."""
    st.subheader(t("why_not", lg))
    st.caption(t("why_not_help", lg))
    if ws.plan_park_key != ws.park_key:
        return
    with st.spinner(t("explaining", lg)):
        explained = attempt(lambda: compute.explain(ws.park_key, ws.plan_options_key, compute.plan_key(plan),
                                                    park, plan, ws.plan_request or request), lg, "step_explain")
    if explained is None:
        return
    streams = opportunities.stream_choices(park, lg)
    stream = st.selectbox(t("choose_stream", lg), options=list(streams), key="why_stream", index=None,
                          format_func=lambda s: streams.get(s, s), placeholder=t("choose_stream_placeholder", lg))
    if stream:
        answer = opportunities.why_not(explained, stream, lg)
        if answer is not None:
            st.info(t("why_answer", lg, matched=f"{answer['matched']:,.6g}", total=f"{answer['quantity']:,.6g}",
                      left=f"{answer['unmatched']:,.6g}", unit=answer["unit"], reason=answer["reason"]),
                    icon=":material/help:")
        else:
            used = opportunities.links_of_stream(plan, stream)
            st.success(t("fully_matched", lg, links=", ".join(used) or "—"), icon=":material/check_circle:")
    with st.expander(t("all_unmatched", lg, n=len(explained))):
        show_table(opportunities.unmatched_table(explained, park, lg), key="unmatched_table")


render()
