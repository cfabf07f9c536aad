"""Export / 导出: the cleaned park, the plan and the indicators as CSV or XLSX, safe to open in Excel."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from app import compute, opportunities
from app import export as ex
from app import indicators as ind
from app import scenarios as sc
from app.i18n import t
from app.options import SolveRequest
from app.state import Workspace
from app.ui import lang, need_park, workspace
from symbiosis.core.i18n import Lang
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan
from symbiosis.core.scenario import scenario_bytes

STEM = "park"  # the exported files' names begin with it


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
    indicator_frame = partial(_indicator_frame, ws.park_key, park, plan)
    _park_downloads(ws, park, lg)
    _plan_downloads(plan, lg)
    _indicator_downloads(indicator_frame, lg)
    _everything_downloads(ws, park, plan, indicator_frame, lg)
    _report_downloads(ws, park, lg)
    st.caption(t("export_safety", lg))


def _indicator_frame(park_key: str, park: Park, plan: Plan | None) -> pd.DataFrame:
    """The indicators before (and after the plan, when there is one) as one table."""
    before = compute.indicators(park_key, "", park, None)
    after = compute.indicators(park_key, compute.plan_key(plan), park, plan) if plan is not None else None
    return ind.indicator_export(before, after)


def _park_downloads(ws: Workspace, park: Park, lg: Lang) -> None:
    st.subheader(t("export_park", lg))
    st.caption(t("export_park_help", lg, edits=len(ws.scenario.edits)))
    c1, c2 = st.columns(2)
    c1.download_button(t("dl_csv_zip", lg), data=partial(ex.park_zip, park), file_name=f"{STEM}_clean.zip",
                       mime="application/zip", key="dl_park_zip", on_click="ignore", icon=":material/folder_zip:")
    c2.download_button(t("dl_xlsx", lg), data=partial(ex.park_xlsx, park), file_name=f"{STEM}_clean.xlsx",
                       mime=ex.XLSX_MIME, key="dl_park_xlsx", on_click="ignore", icon=":material/table_view:")


def _plan_downloads(plan: Plan | None, lg: Lang) -> None:
    st.subheader(t("export_plan", lg))
    if plan is None:
        st.info(t("export_no_plan", lg), icon=":material/info:")
        return
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


def _indicator_downloads(indicator_frame: Callable[[], pd.DataFrame], lg: Lang) -> None:
    st.subheader(t("export_indicators", lg))
    i1, i2 = st.columns(2)
    i1.download_button(t("dl_csv", lg), data=lambda: ex.csv_bytes(indicator_frame()), file_name="indicators.csv",
                       mime="text/csv", key="dl_indicators_csv", on_click="ignore", icon=":material/csv:")
    i2.download_button(t("dl_xlsx", lg), data=lambda: ex.xlsx_bytes({"indicators": indicator_frame()}),
                       file_name="indicators.xlsx", mime=ex.XLSX_MIME, key="dl_indicators_xlsx", on_click="ignore",
                       icon=":material/table_view:")


def _everything_downloads(ws: Workspace, park: Park, plan: Plan | None,
                          indicator_frame: Callable[[], pd.DataFrame], lg: Lang) -> None:
    """The whole report in one workbook (park tables, indicators, the plan's links), and the scenario file."""

    def everything() -> bytes:
        sheets = dict(ex.park_tables(park))
        sheets["indicators"] = indicator_frame()
        if plan is not None:
            sheets["links"] = opportunities.link_export(plan)
        return ex.xlsx_bytes(sheets)

    st.subheader(t("export_all", lg))
    a1, a2 = st.columns(2)
    a1.download_button(t("dl_all_xlsx", lg), data=everything, file_name=f"{STEM}_report.xlsx", mime=ex.XLSX_MIME,
                       key="dl_all_xlsx", on_click="ignore", icon=":material/download:")
    a2.download_button(t("download_scenario", lg), data=lambda: scenario_bytes(sc.save_preview(ws)),
                       file_name="scenario.toml", mime="application/toml", key="dl_scenario_export", on_click="ignore",
                       icon=":material/description:")


def _report_downloads(ws: Workspace, park: Park, lg: Lang) -> None:
    """The report `symbiosis report` writes, HTML and Excel, in the page's language; built on the first click."""
    request = SolveRequest.of(ws.scenario, park)
    plan = ws.plan if ws.plan_is_current(request.key()) else None
    key = (ws.park_key, request.key(), compute.plan_key(plan) if plan is not None else "", lg)

    def file(name: str) -> bytes:
        return ex.report(key, park, ws.scenario, plan, lg, session=compute.session(ws.park_key, park))[name]

    st.subheader(t("export_report", lg))
    st.caption(t("export_report_help", lg))
    r1, r2 = st.columns(2)
    r1.download_button(t("dl_report_html", lg), data=partial(file, "report.html"), file_name=f"{STEM}_report_{lg}.html",
                       mime="text/html", key="dl_report_html", on_click="ignore", icon=":material/article:")
    r2.download_button(t("dl_report_xlsx", lg), data=partial(file, "report.xlsx"),
                       file_name=f"{STEM}_report_{lg}.xlsx", mime=ex.XLSX_MIME, key="dl_report_xlsx",
                       on_click="ignore", icon=":material/table_view:")


render()
