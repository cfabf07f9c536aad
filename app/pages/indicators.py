"""Indicators / 指标: every park indicator before and after the plan, threshold, pass/fail and its source."""

from __future__ import annotations

import streamlit as st

from app import compute
from app import indicators as ind
from app.i18n import t
from app.ui import lang, need_park, show_table, workspace


def render() -> None:
    lg = lang()
    ws = workspace()
    st.title(t("page_indicators", lg))
    st.caption(t("indicators_intro", lg))
    if not need_park(ws, lg):
        return
    park = ws.park
    assert park is not None
    plan = ws.plan if ws.plan is not None and ws.plan_park_key == ws.park_key else None
    with st.spinner(t("computing_indicators", lg)):
        before = compute.indicators(ws.park_key, "", park, None)
        after = compute.indicators(ws.park_key, compute.plan_key(plan), park, plan) if plan is not None else None
    if plan is None:
        st.info(t("indicators_no_plan", lg), icon=":material/info:")
    counts = ind.summary_counts(before, after)
    m1, m2, m3 = st.columns(3)
    m1.metric(t("pass_today", lg), f"{counts['pass_before']} / {counts['judged']}")
    if after is not None:
        m2.metric(t("pass_with_plan", lg), f"{counts['pass_after']} / {counts['judged']}",
                  delta=counts["pass_after"] - counts["pass_before"])
    m3.metric(t("not_computable_n", lg), counts["not_computable"])
    for note in ind.intensity_notes(before, after, lg):  # an intensity moving against the total, said beside it
        st.info(note, icon=":material/trending_up:")
    show_table(ind.indicator_table(before, after, lg), key="indicator_table")
    st.caption(t("reliability_legend", lg))
    with st.expander(ind.tx("product_energy", lg)):
        st.caption(ind.tx("product_energy_intro", lg))
        show_table(ind.product_energy_view(before, after, park.enterprises, lg), key="product_energy_table")
    with st.expander(t("indicator_trace", lg)):
        trace = before[["indicator_id", "rows", "factor_ids"]].copy()
        trace["rows"] = trace["rows"].map(lambda r: ", ".join(r[:30]) + (f" … (+{len(r) - 30})" if len(r) > 30 else ""))
        trace["factor_ids"] = trace["factor_ids"].map(", ".join)
        show_table(trace.rename(columns={"indicator_id": t("col_indicator", lg), "rows": t("col_rows", lg),
                                         "factor_ids": t("col_factors", lg)}), key="indicator_trace_table")


render()
