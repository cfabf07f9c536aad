"""Economics page helpers (issue 16): the current plan's MACC and per-link economics, and the emissions-cost
trade-off curve whose points open as the current plan. Plain functions of the workspace, a Park and a Plan.

The figures and the table come from symbiosis.reporting.macc (the report draws the same MACC); the money from
symbiosis.core.economics; the trade-off from matching.alternatives.tradeoff_curve (an epsilon constraint: each
point maximises the net avoided emissions with the annual net cost capped). A point is opened by solving the
workshop's options with objective "emissions" and that cap (`CappedRequest`): the cap is part of the request's
key, so the Opportunities page shows the plan as solved for other options until matching is run there again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import options as opts
from app.i18n import S, t
from app.keys import options_key
from app.opportunities import encode, names
from app.state import StateLike, Workspace
from flows.sankey import FONT_FAMILY
from matching.alternatives import tradeoff_curve
from symbiosis.core.i18n import Lang, quantity
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan
from symbiosis.core.scenario import Scenario
from symbiosis.reporting import macc as mc

TRADEOFF_STATE = "_econ_tradeoff"  # ws.ui entry: {"key": ..., "frame": DataFrame} of the last curve computed
DEFAULT_POINTS = 5
MACC_HEIGHT = 560
__all__ = ["CappedRequest", "costs", "current_plan", "default_carbon_price", "economics_table", "open_point",
           "point_label", "tradeoff", "tradeoff_figure", "tradeoff_request", "tradeoff_table"]


# --- the MACC of the current plan ---------------------------------------------------------------------------------
def current_plan(ws: Workspace) -> Plan | None:
    """The plan, when it was solved for the park open now (else its stream ids may no longer mean the same)."""
    return ws.plan if ws.plan is not None and ws.plan_park_key == ws.park_key else None


def default_carbon_price(ws: Workspace, park: Park) -> float:
    """The carbon price the plan was solved with (its options), else the workshop options' one."""
    price = (ws.plan.options or {}).get("carbon_price") if ws.plan is not None else None
    if isinstance(price, int | float) and math.isfinite(price):
        return float(price)
    return float(opts.complete(ws.scenario.options, park).carbon_price)


@st.cache_data(max_entries=32, show_spinner=False)
def _costs(park_key: str, plan_key: str, carbon_price: float, _park: Park, _plan: Plan) -> mc.PlanEconomics:
    return mc.plan_costs(_plan, _park, carbon_price)


def costs(park_key: str, plan_key: str, carbon_price: float, park: Park, plan: Plan) -> mc.PlanEconomics:
    """The plan's economics and MACC at `carbon_price`, once per park, plan and price content."""
    return _costs(park_key, plan_key, float(carbon_price), park, plan)


def big_money(value: float, lang: Lang) -> str:
    """A large sum for a metric: million CNY in English, 万元 (10,000 CNY) in Chinese (labels econ_m_*)."""
    return f"{value / 1e4:,.0f}" if lang == "zh" else f"{value / 1e6:,.1f}"


def macc_figure(pe: mc.PlanEconomics, park: Park, lang: Lang) -> go.Figure:
    return mc.macc_figure(pe, names(park, lang), lang, height=MACC_HEIGHT)


def economics_table(pe: mc.PlanEconomics, park: Park, lang: Lang) -> pd.DataFrame:
    """Every link's economics in MACC order, headers in `lang` with their units (the table shown and downloaded)."""
    frame = mc.economics_frame(pe, names(park, lang), lang)
    return frame.rename(columns={c: mc.tx.col(c, lang) for c in frame.columns})


# --- the trade-off curve ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CappedRequest(opts.SolveRequest):
    """A solve request with the plan's annual net cost capped (CNY/a, matching's `epsilon_cost`): a point of the
    trade-off curve. Its record, key, scenario and matching options carry the cap."""

    epsilon_cost: float | None = None

    def record(self) -> dict[str, Any]:
        return {**super().record(), "epsilon_cost": self.epsilon_cost}

    def key(self) -> str:
        return options_key(self.record())

    def scenario(self) -> Scenario:
        base = super().scenario()
        return replace(base, options={**base.options, "epsilon_cost": self.epsilon_cost})

    def free(self) -> opts.SolveRequest:
        return opts.SolveRequest(self.options)

    def uncapped(self) -> opts.SolveRequest:
        return opts.SolveRequest(self.options, self.forced, self.forbidden)

    def __iter__(self) -> Any:
        return iter((*super().__iter__(), "epsilon_cost"))

    def __len__(self) -> int:
        return super().__len__() + 1


def tradeoff_request(ws: Workspace, park: Park) -> opts.SolveRequest:
    """The options the curve is drawn for: those of the current plan (without a cap it was opened with), else the
    workshop's."""
    request = ws.plan_request if current_plan(ws) is not None and ws.plan_request is not None else None
    if isinstance(request, CappedRequest):
        return request.uncapped()
    return request or opts.SolveRequest.of(ws.scenario, park)


def _tradeoff_key(park_key: str, request: opts.SolveRequest, points: int) -> str:
    return f"{park_key}:{request.key()}:{int(points)}"


def tradeoff(ws: Workspace, park: Park, request: opts.SolveRequest, points: int) -> pd.DataFrame:
    """The trade-off curve (matching.alternatives.tradeoff_curve: `points` capped solves plus the two ends), kept in
    the session's workspace for this park, these options and this number of points."""
    frame = tradeoff_curve(park, request.match_options(), int(points))
    ws.ui[TRADEOFF_STATE] = {"key": _tradeoff_key(ws.park_key, request, points), "frame": frame}
    return frame


def cached_tradeoff(ws: Workspace, request: opts.SolveRequest, points: int) -> pd.DataFrame | None:
    """The curve computed before for exactly this park, these options and points; None otherwise."""
    kept = ws.ui.get(TRADEOFF_STATE)
    if isinstance(kept, dict) and kept.get("key") == _tradeoff_key(ws.park_key, request, points):
        frame = kept.get("frame")
        return frame if isinstance(frame, pd.DataFrame) else None
    return None


def stale_tradeoff(ws: Workspace) -> bool:
    """A curve was computed, but for another park, other options or another number of points."""
    return isinstance(ws.ui.get(TRADEOFF_STATE), dict)


def _gap_text(gap: Any) -> str:
    return "—" if gap is None or (isinstance(gap, float) and not math.isfinite(gap)) else f"{float(gap):.3%}"


def point_label(frame: pd.DataFrame, i: int, lang: Lang) -> str:
    r = frame.iloc[i]
    return t("econ_point", lang, k=i + 1, tonnes=quantity(float(r["net_tco2e"])),
             cost=mc.money(_number(r["annual_cost_cny"])), cap=mc.money(_number(r["epsilon_cost_cny"])),
             links=int(r["links"]), status=_status(r["status"], lang))


def _status(status: Any, lang: Lang) -> str:
    return t(f"short_{status}", lang) if f"short_{status}" in S else str(status)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def tradeoff_table(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The curve's points as a table: cap, net avoided, annual net cost, links, status, gap."""
    return pd.DataFrame({
        t("econ_tp_point", lang): [f"P{i + 1}" for i in range(len(frame))],
        t("econ_tp_cap", lang): [_number(v) for v in frame["epsilon_cost_cny"]],
        t("econ_tp_net", lang): [_number(v) for v in frame["net_tco2e"]],
        t("econ_tp_cost", lang): [_number(v) for v in frame["annual_cost_cny"]],
        t("econ_tp_links", lang): [int(v) for v in frame["links"]],
        t("econ_tp_status", lang): [_status(v, lang) for v in frame["status"]],
        t("econ_tp_gap", lang): [_gap_text(v) for v in frame["gap"]],
    })


def tradeoff_figure(frame: pd.DataFrame, lang: Lang, chosen: int | None = None,
                    current_cap: float | None = None) -> go.Figure:
    """Net avoided emissions (y) against the annual net cost (x), one marker per point (P1 … Pn), the point chosen
    ringed and the one open as the current plan filled."""
    x = [_number(v) for v in frame["annual_cost_cny"]]
    y = [_number(v) for v in frame["net_tco2e"]]
    labels = [f"P{i + 1}" for i in range(len(frame))]
    custom = [[labels[i], mc.money(_number(r["epsilon_cost_cny"])), int(r["links"]), _status(r["status"], lang),
               _gap_text(r["gap"])] for i, r in enumerate(frame.to_dict("records"))]
    fig = go.Figure(go.Scatter(
        x=x, y=y, mode="lines+markers+text", text=labels, textposition="top center", name=t("econ_tp_curve", lang),
        marker={"size": 10, "color": "#35608d"}, line={"color": "#35608d"}, customdata=custom,
        hovertemplate=t("econ_tp_hover", lang, point="%{customdata[0]}", net="%{y:,.0f}", cost="%{x:,.0f}",
                        cap="%{customdata[1]}", links="%{customdata[2]}", status="%{customdata[3]}",
                        gap="%{customdata[4]}") + "<extra></extra>"))
    if chosen is not None and 0 <= chosen < len(frame):
        fig.add_trace(go.Scatter(x=[x[chosen]], y=[y[chosen]], mode="markers", name=t("econ_tp_chosen", lang),
                                 marker={"size": 20, "color": "rgba(0,0,0,0)", "line": {"color": "#d9822b",
                                                                                         "width": 3}},
                                 hoverinfo="skip"))
    if current_cap is not None:
        caps = [_number(v) for v in frame["epsilon_cost_cny"]]
        hits = [i for i, c in enumerate(caps) if c is not None and math.isclose(c, current_cap, rel_tol=1e-9,
                                                                                   abs_tol=1e-6)]
        if hits:
            fig.add_trace(go.Scatter(x=[x[hits[0]]], y=[y[hits[0]]], mode="markers", name=t("econ_tp_open", lang),
                                     marker={"size": 14, "color": "#2e8b57", "symbol": "star"}, hoverinfo="skip"))
    fig.update_layout(
        title={"text": t("econ_tp_title", lang), "x": 0.01, "xanchor": "left"}, height=440,
        font={"family": FONT_FAMILY, "size": 12}, plot_bgcolor="white", hovermode="closest",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1.0, "xanchor": "right"},
        margin={"l": 70, "r": 20, "t": 80, "b": 60},
        xaxis={"title": {"text": t("econ_tp_x", lang)}, "gridcolor": "#e5e8ec"},
        yaxis={"title": {"text": t("econ_tp_y", lang)}, "gridcolor": "#e5e8ec"})
    return fig


def open_point(ws: Workspace, park: Park, request: opts.SolveRequest, epsilon_cost: float, state: StateLike,
               solve: Any) -> Plan:
    """Make the trade-off point with cap `epsilon_cost` the current plan: objective emissions with that cap on the
    workshop's options and links. `solve(request)` solves (app.compute.plan, cached by content). The objective
    widget is set to emissions (as the Scenarios page sets options) and the scenario carries the cap, so the
    report exported for it solves the same plan."""
    options = replace(request.options, objective="emissions")
    capped = CappedRequest(options, request.forced, request.forbidden, epsilon_cost=float(epsilon_cost))
    plan = solve(capped)
    ws.scenario = replace(ws.scenario, options={**options.table(), "epsilon_cost": float(epsilon_cost)},
                          forced=request.forced, forbidden=request.forbidden)
    for key, value in {**options.widgets(), "forced_links": [encode(k) for k in request.forced],
                       "forbidden_links": [encode(k) for k in request.forbidden]}.items():
        ws.ui[key] = value
        state[key] = value
    ws.plan, ws.plan_park_key, ws.plan_options_key, ws.plan_request = plan, ws.park_key, capped.key(), capped
    return plan


def open_cap(ws: Workspace) -> float | None:
    """The cap of the current plan when it was opened from the trade-off curve; None otherwise."""
    return ws.plan_request.epsilon_cost if isinstance(ws.plan_request, CappedRequest) and current_plan(ws) else None

