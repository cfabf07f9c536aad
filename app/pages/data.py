"""Data / 数据: open the demo or upload a park, blank templates, the validation report, edit the ledger."""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from app import compute
from app import data as dh
from app.i18n import pick, t, word
from app.state import Repair, Workspace
from app.ui import lang, show_table, workspace
from symbiosis.commands.common import PROBLEM_HEADERS
from symbiosis.commands.validate import summary
from symbiosis.core.datasets import demo_park_path
from symbiosis.core.i18n import Lang, as_lang
from symbiosis.core.park import Park
from symbiosis.core.quality import quality
from symbiosis.core.schema import TABLE_NAMES_ZH, TABLES, columns
from symbiosis.core.taxonomy import baselines


def render() -> None:
    lg = lang()
    ws = workspace()
    dh.apply_pending_fixes(ws, st.session_state)  # a fix typed in the last rerun: checked before anything is shown
    st.title(t("page_data", lg))
    st.caption(t("data_intro", lg))
    _open_park(ws, lg)
    _templates(lg)
    if ws.problems:
        _validation_report(ws, lg)
    if ws.repair is not None:
        _fix_rows(ws.repair, lg)
    if ws.park is None:
        st.info(t("no_park_open", lg))
        return
    _park_overview(ws, ws.park, lg)
    _data_quality(ws.park, lg)
    _ledger_editor(ws, ws.park, lg)


def _open_park(ws: Workspace, lg: Lang) -> None:
    """1. Open a park: the demo, or an upload (validated once per set of files)."""
    st.subheader(t("open_park", lg))
    left, right = st.columns([1, 2], gap="large")
    with left:
        st.markdown(t("demo_explain", lg))
        if st.button(t("open_demo", lg), key="open_demo", type="primary", icon=":material/factory:"):
            with st.status(t("loading_park", lg), expanded=False) as status:
                ok = dh.open_path(ws, demo_park_path(), "demo", loader=compute.load)
                status.update(label=t("loaded" if ok else "load_failed_short", lg), state="complete" if ok else "error")
    with right:
        uploaded = st.file_uploader(t("upload_label", lg), type=list(dh.UPLOAD_TYPES), accept_multiple_files=True,
                                    key="upload", help=t("upload_help", lg, mb=dh.MAX_UPLOAD_MB))
        if uploaded:
            sizes = {f.name: f.size for f in uploaded}
            if dh.upload_size_problem(sizes):
                st.error(t("upload_too_large", lg, mb=dh.MAX_UPLOAD_MB, size=round(sum(sizes.values()) / 2**20, 1)))
            else:
                files = {f.name: f.getvalue() for f in uploaded}
                if dh.files_key(files) != ws.last_upload_key:
                    with st.status(t("validating_upload", lg), expanded=False) as status:
                        ok = dh.load_upload(ws, files, loader=compute.load)
                        status.update(label=t("loaded" if ok else "load_failed_short", lg),
                                      state="complete" if ok else "error")


def _templates(lg: Lang) -> None:
    """Blank templates (CSV zip or workbook, Chinese or English headers) and what goes in each column."""
    with st.expander(t("templates", lg), icon=":material/download:"):
        st.markdown(t("templates_explain", lg))
        tl: Lang = as_lang(st.radio(t("template_headers", lg), options=["zh", "en"], key="template_lang",
                                    horizontal=True, format_func=lambda c: t(f"headers_{c}", lg)))
        a, b = st.columns(2)
        a.download_button(t("template_csv", lg), data=partial(dh.template_zip, tl), file_name=f"park_template_{tl}_csv.zip",
                          mime="application/zip", key="dl_template_csv", on_click="ignore")
        b.download_button(t("template_xlsx", lg), data=partial(dh.template_xlsx, tl), file_name=f"park_template_{tl}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key="dl_template_xlsx", on_click="ignore")
        from symbiosis.core.template import about as template_about

        b.caption(template_about(lg))
        tabs = st.tabs([pick(x, TABLE_NAMES_ZH[x], lg) for x in TABLES])
        for tab, table in zip(tabs, TABLES, strict=True):
            with tab:
                show_table(dh.column_help(table, lg), key=f"column_help_{table}")


def _validation_report(ws: Workspace, lg: Lang) -> None:
    """2. The problems of the last failed upload or edit; the park that was open stays open."""
    errors = sum(p.severity == "error" for p in ws.problems)
    kept = dh.park_label(ws.park, lg) if ws.park is not None else t("no_park", lg)
    key = {"edit": "edit_failed", "upload_packages": "upload_packages_failed"}.get(ws.problems_kind,
                                                                                 "upload_failed")
    with st.container(key="validation_report"):
        st.error(t(key, lg, errors=errors, park=kept), icon=":material/error:")
        show_table(dh.problems_table(ws, lg), key="problems_table", keep=(word(PROBLEM_HEADERS, "value", lg),))


def _fix_rows(repair: Repair, lg: Lang) -> None:
    """2b. The rows of the failed package, editable: each fix is checked at once; once valid the park opens."""
    with st.container(key="fix_rows", border=True):
        st.subheader(t("fix_rows", lg, files=repair.label))
        st.caption(t("fix_explain", lg))
        repair.group = st.text_input(t("fix_group", lg), value=repair.group, key="fix_group", max_chars=80)
        errors = sum(p.severity == "error" for p in repair.problems)
        if repair.park is not None and not errors:
            st.success(t("fix_done", lg, changes=len(repair.log)), icon=":material/check_circle:")
        elif repair.log:
            st.warning(t("fix_left", lg, errors=errors, changes=len(repair.log)), icon=":material/edit_note:")
        if not repair.rows:
            st.info(t("fix_no_rows", lg))
        for table in TABLES:
            if table not in repair.rows:
                continue
            frame = dh.fix_frame(repair, table, lg)
            st.markdown(t("fix_table", lg, file=repair.raw.tables[table].label, n=len(frame)))
            config: dict[str, Any] = {
                dh.FIX_ROW: st.column_config.NumberColumn(t("fix_col_row", lg), disabled=True, format="%d",
                                                          pinned=True),
                dh.FIX_PROBLEMS: st.column_config.TextColumn(t("fix_col_problems", lg), disabled=True,
                                                             width="medium"),
            }
            for header in frame.columns[2:]:
                config[header] = st.column_config.TextColumn(header)
            st.data_editor(frame, key=repair.editor_key(table), column_config=config, hide_index=True,
                           num_rows="fixed", width="stretch")
        if repair.log:
            st.markdown(f"**{t('fix_changes', lg)}**")
            show_table(dh.change_log(repair, lg), key="change_log_table")
        c1, c2 = st.columns(2)
        c1.download_button(t("dl_fixed_package", lg), data=dh.fixed_package_zip(repair, lg),
                           file_name="park_fixed.zip", mime="application/zip", key="dl_fixed_package",
                           disabled=repair.park is None, on_click="ignore", icon=":material/download:")
        c2.download_button(t("dl_change_log", lg), data=dh.change_log_csv(repair, lg), file_name="change_log.csv",
                           mime="text/csv", key="dl_change_log", disabled=not repair.log, on_click="ignore",
                           icon=":material/history:")
        for i, (name, data) in enumerate(dh.original_files(repair)):
            st.download_button(t("dl_original", lg, file=name), data=data, file_name=name,
                               mime="application/octet-stream", key=f"dl_original_{i}", on_click="ignore",
                               icon=":material/attach_file:")


def _data_quality(park: Park, lg: Lang) -> None:
    """3b. How complete the ledgers are per enterprise, the loader's assumptions, the missing values that matter."""
    report = quality(park)
    with st.expander(f"{t('quality', lg)}: {report.headline(lg)}", icon=":material/fact_check:"):
        st.caption(t("quality_explain", lg))
        show_table(report.enterprise_frame(lg), key="quality_enterprises")
        if report.missing:
            st.markdown(f"**{t('quality_missing', lg, n=len(report.missing))}**")
            show_table(report.missing_frame(lg, top=None), key="quality_missing")
        if report.assumptions:
            st.markdown(f"**{t('quality_assumptions', lg, n=len(report.assumptions))}**")
            show_table(report.assumption_frame(lg), key="quality_assumptions")


def _park_overview(ws: Workspace, park: Park, lg: Lang) -> None:
    """3. The open park: counts, the summary by category, its warnings and enterprises."""
    st.subheader(t("open_park_now", lg, park=dh.park_label(park, lg)))
    st.caption(t("source_is", lg, source=ws.source_label))
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("enterprises", lg), len(park.enterprises))
    m2.metric(t("streams", lg), len(park.streams))
    m3.metric(t("exchanges", lg), len(park.exchanges))
    m4.metric(t("warnings", lg), len(park.warnings))
    show_table(summary(park, lg).iloc[:, 1:], key="park_summary")  # the category name, not its key
    if park.warnings:
        with st.expander(t("warnings_n", lg, n=len(park.warnings)), icon=":material/warning:"):
            show_table(dh.warnings_table(park, lg), key="warnings_table", keep=(word(PROBLEM_HEADERS, "value", lg),))
    with st.expander(t("enterprises", lg)):
        show_table(dh.ledger_view(park, "enterprises", lg), key="enterprises_table")


def _editor_columns(lg: Lang) -> dict[str, Any]:
    """The editor's column settings: schema header and help per column; only dh.EDITOR_COLUMNS editable."""
    helps = {c.name: (pick(c.name if c.name.endswith("_id") else c.name.replace("_", " "), c.header_zh, lg),
                      pick(c.description_en, c.description_zh, lg)) for c in columns("streams")}
    shown = {k: pick(b.name_en, b.name_zh, lg) for k, b in baselines().items()}
    config: dict[str, Any] = {}
    for col in dh.EDITOR_SHOWN:
        label, help_text = helps.get(col, (col, ""))
        disabled = col not in dh.EDITOR_COLUMNS
        if col == "baseline":
            config[col] = st.column_config.SelectboxColumn(label, help=help_text, options=["", *sorted(baselines())],
                                                         format_func=lambda k: shown.get(str(k), str(k)))
        elif col in ("quantity", "temperature_c", "temperature_return_c", "hours_per_year"):
            config[col] = st.column_config.NumberColumn(label, help=help_text, disabled=disabled, format="%g")
        else:
            config[col] = st.column_config.TextColumn(label, help=help_text, disabled=disabled)
    return config


def _ledger_editor(ws: Workspace, park: Park, lg: Lang) -> None:
    """4. Edit the ledger in place: edits are applied through the loader's validation, recorded and undoable."""
    st.subheader(t("edit_ledger", lg))
    st.caption(t("edit_explain", lg))
    frame = dh.editor_frame(park, lg)
    editor_key = ws.editor_key()
    st.data_editor(frame, key=editor_key, column_config=_editor_columns(lg), hide_index=True, num_rows="fixed",
                   width="stretch", height=320)

    def _apply() -> None:
        state = st.session_state.get(editor_key) or {}
        dh.apply_scenario_edits(ws, dh.edits_from_editor(frame, state.get("edited_rows", {})))

    def _undo() -> None:
        dh.undo_edits(ws)

    c1, c2 = st.columns([1, 1])
    c1.button(t("apply_edits", lg), key="apply_edits", on_click=_apply, type="primary", icon=":material/check:")
    c2.button(t("undo_edits", lg), key="undo_edits", on_click=_undo, disabled=not ws.scenario.edits,
              icon=":material/undo:")
    if ws.scenario.edits:
        st.markdown(t("edits_recorded", lg, n=len(ws.scenario.edits)))
        show_table(dh.edits_table(ws.scenario, lg), key="edits_table")


render()
