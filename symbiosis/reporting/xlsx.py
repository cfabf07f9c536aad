"""report.xlsx and the CSVs: every table of the report, headers and sheet names in the report's language.

Every cell goes through the export guard (symbiosis.core.excel): in the workbook text is always a string cell (a
formula-like one quote-prefixed, characters XML cannot hold as Excel's _xHHHH_ escapes, a text over Excel's
32,767 characters cut with a note pointing to the CSV); in the CSVs formula-like text gets a leading apostrophe
and cells with line breaks are quoted. Opening either never runs anything a ledger smuggled in; numbers stay
numbers.
The summary sheet opens with the solver's status, highlighted when the plan is not a proven optimum.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from symbiosis.core import excel
from symbiosis.core.excel import EXCEL_CELL_LIMIT, TRUNCATED
from symbiosis.reporting import tables
from symbiosis.reporting import texts as tx
from symbiosis.reporting.analysis import Analysis

ALERT_FILL = PatternFill("solid", fgColor="FDE2E1")
OK_FILL = PatternFill("solid", fgColor="E3F4E1")
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
NUMBER_FORMAT = "#,##0.###"

__all__ = ["EXCEL_CELL_LIMIT", "TRUNCATED", "csv_bytes", "csv_files", "sheets", "workbook_bytes"]


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with BOM (so Excel in China shows the Chinese), neutralised, nothing cut."""
    return excel.csv_bytes(frame, encoding="utf-8-sig")


def sheets(a: Analysis, lang: str) -> dict[str, pd.DataFrame]:
    """Sheet key -> table with headers in `lang` (the workbook's and the CSVs' content)."""
    return {key: tables.localise(frame, lang) for key, frame in tables.all_tables(a, lang).items()}


def _style_table(ws: Worksheet, frame: pd.DataFrame, header_row: int) -> None:
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for i, column in enumerate(frame.columns, start=1):
        values = [str(column)] + [str(v) for v in frame.iloc[:200, i - 1].tolist()]
        width = min(60, max(8, max(len(v) + sum(ord(ch) > 0x2E80 for ch in v) for v in values) + 2))
        ws.column_dimensions[get_column_letter(i)].width = width
        if pd.api.types.is_numeric_dtype(frame.iloc[:, i - 1]) or frame.iloc[:, i - 1].map(
                lambda v: isinstance(v, float)).any():
            for row in ws.iter_rows(min_row=header_row + 1, min_col=i, max_col=i):
                for cell in row:
                    if isinstance(cell.value, float):
                        cell.number_format = NUMBER_FORMAT


def _write_frame(wb: Workbook, name: str, frame: pd.DataFrame, startrow: int = 0) -> Worksheet:
    ws = excel.write_sheet(wb, name, frame, startrow=startrow)
    _style_table(ws, frame, startrow + 1)
    return ws


def _percent_formats(ws: Worksheet, a: Analysis, key: str, frame: pd.DataFrame, lang: str, header_row: int) -> None:
    """Shares (relative gap, fraction indicators) shown as percentages; the cell keeps the plain number."""
    cells: list[tuple[int, int]] = []  # (0-based row in frame, 0-based column)
    if key in ("summary", "solver"):
        label = tx.t("s_gap" if key == "summary" else "v_gap", lang)
        cells += [(i, 1) for i, item in enumerate(frame.iloc[:, 0]) if item == label]
    elif key == "indicators":
        names = [tx.col(c, lang) for c in ("value_before", "value_after", "change", "threshold")]
        columns = [i for i, c in enumerate(frame.columns) if c in names]
        for i, (before, _) in enumerate(tables.indicator_pairs(a)):
            if before["unit"] == "fraction":
                cells += [(i, c) for c in columns]
    for row, column in cells:
        cell = ws.cell(row=header_row + 1 + row, column=column + 1)
        if isinstance(cell.value, int | float):
            cell.number_format = "0.0##%" if key == "indicators" else "0.00####%"


def workbook_bytes(a: Analysis, lang: str, tables_by_key: Mapping[str, pd.DataFrame] | None = None) -> bytes:
    """report.xlsx in `lang`. The summary sheet starts with the title and the status sentence (rows 1-3)."""
    by_key = dict(tables_by_key) if tables_by_key is not None else sheets(a, lang)
    wb = excel.new_workbook()
    for key in tx.SHEET_ORDER:
        frame = by_key[key]
        name = tx.sheet(key, lang)
        if key != "summary":
            ws = _write_frame(wb, name, frame)
            _percent_formats(ws, a, key, frame, lang, header_row=1)
            continue
        # The title and the status come first, above the table, so nobody reads the figures without them.
        ws = _write_frame(wb, name, frame, startrow=4)
        _percent_formats(ws, a, key, frame, lang, header_row=5)
        excel.set_text(ws, "A1", f"{tx.t('title', lang)} — {a.park_title(lang)}")
        ws["A1"].font = Font(bold=True, size=14)
        excel.set_text(ws, "A2", tables.status_sentence(a, lang))
        excel.set_text(ws, "A3", tables.status_detail(a, lang))
        proven = a.plan.status in ("optimal", "empty")
        ws["A2"].font = Font(bold=True, size=12, color="006100" if proven else "9C0006")
        for ref in ("A2", "A3"):
            ws[ref].fill = OK_FILL if proven else ALERT_FILL
        messages = tables.plan_messages(a, lang)
        if messages and not proven:
            excel.set_text(ws, "A4", f"{tx.t('banner_why', lang)} " + " | ".join(messages))
            ws["A4"].fill = ALERT_FILL
        ws.freeze_panes = None
    return excel.workbook_bytes(wb)


def csv_files(a: Analysis, lang: str, tables_by_key: Mapping[str, pd.DataFrame] | None = None,
              suffix: str = "") -> dict[str, bytes]:
    """csv/<sheet key><suffix>.csv for every table (file names stay English so scripts find them)."""
    by_key = dict(tables_by_key) if tables_by_key is not None else sheets(a, lang)
    return {f"csv/{key}{suffix}.csv": csv_bytes(frame) for key, frame in by_key.items()}

