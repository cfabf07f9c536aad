"""Export / 导出: the cleaned park, the plan and the indicators as CSV or XLSX, safe to open in Excel."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from app import compute, opportunities
from app import export as ex
from app import indicators as ind
from app import scenarios as sc
from app.i18n import t
from app.ui import lang, need_park, workspace
from symbiosis.core.scenario import scenario_bytes


def render() -> None:
    lg = lang()
    ws = workspace()
    st.title(t("page_export", lg))
    st.caption(t("export_intro", lg))
    if not need_park(ws, lg):
        return
    park = ws.park
    assert park is not None
    plan = ws.plan if ws.plan is not None and ws.plan_park_key == ws.park_key else None
    stem = "park"


    def _indicator_frame() -> pd.DataFrame:
        before = compute.indicators(ws.park_key, "", park, None)
        after = compute.indicators(ws.park_key, compute.plan_key(plan), park, plan) if plan is not None else None
        return ind.indicator_export(before, after)


    def _everything() -> bytes:
        sheets = dict(ex.park_tables(park))
        sheets["indicators"] = _indicator_frame()
        if plan is not None:
            sheets["links"] = opportunities.link_export(plan)
        return ex.xlsx_bytes(sheets)


    st.subheader(t("export_park", lg))
    st.caption(t("export_park_help", lg, edits=len(ws.scenario.edits)))
    c1, c2 = st.columns(2)
    c1.download_button(t("dl_csv_zip", lg), data=partial(ex.park_zip, park), file_name=f"{stem}_clean.zip",
                       mime="application/zip", key="dl_park_zip", on_click="ignore", icon=":material/folder_zip:")
    c2.download_button(t("dl_xlsx", lg), data=partial(ex.park_xlsx, park), file_name=f"{stem}_clean.xlsx",
                       mime=ex.XLSX_MIME, key="dl_park_xlsx", on_click="ignore", icon=":material/table_view:")

    st.subheader(t("export_plan", lg))
    if plan is None:
        st.info(t("export_no_plan", lg), icon=":material/info:")
    else:
        _, text = opportunities.status_view(plan, lg)
        st.caption(text.splitlines()[0])
        p1, p2, p3 = st.columns(3)
        p1.download_button(t("dl_csv", lg), data=lambda: ex.csv_bytes(opportunities.link_export(plan)),
                           file_name="plan_links.csv", mime="text/csv", key="dl_plan_csv", on_click="ignore",
                           icon=":material/csv:")
        p2.download_button(t("dl_xlsx", lg), data=lambda: ex.xlsx_bytes({"links": opportunities.link_export(plan)}),
                           file_name="plan_links.xlsx", mime=ex.XLSX_MIME, key="dl_plan_xlsx", on_click="ignore",
                           icon=":material/table_view:")
        p3.download_button(t("dl_json", lg), data=lambda: plan.to_json().encode("utf-8"), file_name="plan.json",
                           mime="application/json", key="dl_plan_json", on_click="ignore", icon=":material/data_object:")

    st.subheader(t("export_indicators", lg))
    i1, i2 = st.columns(2)
    i1.download_button(t("dl_csv", lg), data=lambda: ex.csv_bytes(_indicator_frame()), file_name="indicators.csv",
                       mime="text/csv", key="dl_indicators_csv", on_click="ignore", icon=":material/csv:")
    i2.download_button(t("dl_xlsx", lg), data=lambda: ex.xlsx_bytes({"indicators": _indicator_frame()}),
                       file_name="indicators.xlsx", mime=ex.XLSX_MIME, key="dl_indicators_xlsx", on_click="ignore",
                       icon=":material/table_view:")

    st.subheader(t("export_all", lg))
    a1, a2 = st.columns(2)
    a1.download_button(t("dl_all_xlsx", lg), data=_everything, file_name=f"{stem}_report.xlsx", mime=ex.XLSX_MIME,
                       key="dl_all_xlsx", on_click="ignore", icon=":material/download:")
    a2.download_button(t("download_scenario", lg), data=lambda: scenario_bytes(sc.save_preview(ws)),
                       file_name="scenario.toml", mime="application/toml", key="dl_scenario_export", on_click="ignore",
                       icon=":material/description:")
    st.caption(t("export_safety", lg))


render()
