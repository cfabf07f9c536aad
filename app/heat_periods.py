"""Heat delivered by link and operating period (issue 13): stacked bars, one bar per period, one colour per link."""

from __future__ import annotations

import plotly.graph_objects as go

from app.i18n import t
from symbiosis.core.i18n import Lang
from symbiosis.core.periods import period_label, period_order
from symbiosis.core.plan import Plan


def heat_period_figure(plan: Plan, lang: Lang) -> go.Figure | None:
    """None when the plan has no per-period heat (one period, or no heat link)."""
    frame = plan.heat_period_frame()
    if frame.empty:
        return None
    order = sorted(frame["period"].unique(), key=period_order)
    labels = [period_label(p, lang) for p in order]
    totals = frame.groupby("link_id")["gj"].sum().sort_values(ascending=False)
    fig = go.Figure()
    for link_id in totals.index:
        gj = frame[frame["link_id"] == link_id].set_index("period")["gj"].reindex(order).fillna(0.0)
        fig.add_trace(go.Bar(name=str(link_id), x=labels, y=(gj / 1000.0).tolist(),
                             hovertemplate=f"{link_id}<br>%{{x}}: %{{y:,.1f}} TJ<extra></extra>"))
    fig.update_layout(barmode="stack", yaxis_title=t("heat_periods_axis", lang), xaxis_title=t("heat_periods_x", lang),
                      legend_title_text=t("heat_periods_legend", lang), height=420, margin={"t": 30})
    return fig
