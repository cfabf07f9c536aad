"""Downloads that are safe to open in Excel: CSV (UTF-8 with BOM) and XLSX, through the export guard.

symbiosis.core.excel holds the rule: in a CSV, text a spreadsheet would read as a formula (=, +, -, @, tab, CR and the
full-width ＝＋－＠) gets one leading apostrophe and cells with line breaks are quoted; in an XLSX text is always a
string cell (never a formula), quote-prefixed when formula-like, with characters XML cannot hold as Excel's
_xHHHH_ escapes. Numbers, negative ones included, stay numbers. The cleaned ledger (park_zip, park_xlsx) is
written losslessly: reloading it gives the park's text back byte for byte.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Mapping

import pandas as pd

from symbiosis.core import excel
from symbiosis.core.i18n import Lang
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan
from symbiosis.core.scenario import Scenario
from symbiosis.session import Session

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with BOM (so Excel in China shows Chinese text), neutralised."""
    return excel.csv_bytes(frame, encoding="utf-8-sig")


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """One workbook, a sheet per table (sheet names cut to Excel's 31 characters), neutralised."""
    return excel.xlsx_bytes({name[:31]: frame for name, frame in sheets.items()})


def park_tables(park: Park) -> dict[str, pd.DataFrame]:
    """The cleaned park as a user would write it: ledger columns (values as entered), extra columns kept."""
    tables = park.ledger_tables()
    return {name: table.reset_index(drop=True) for name, table in tables.items()}


def park_zip(park: Park) -> bytes:
    """The cleaned park as a data package: enterprises.csv, streams.csv, exchanges.csv, park.toml — zipped.

    It loads back through the app or `symbiosis validate` with the text as it was (the loader removes the
    apostrophe the guard puts before formula-like text: symbiosis.core.excel.restore).
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in park.to_files(encoding="utf-8-sig").items():  # with a BOM: Excel in China reads it
            zf.writestr(name, data)
    return buffer.getvalue()


def park_xlsx(park: Park) -> bytes:
    """The cleaned park as one workbook: a sheet per table and a `park` sheet holding park.toml (Park.to_excel).

    Lossless when Excel can hold every cell; a text over Excel's 32,767 characters makes the lossless writer
    refuse, and the download then cuts that cell with a visible "… [n characters more: see the CSV]" note (the
    CSV zip holds it whole) rather than failing on the page.
    """
    buffer = io.BytesIO()
    try:
        park.to_excel(buffer)
    except excel.ExportError:
        return excel.xlsx_bytes(park.package_sheets(), headerless=("park",))
    return buffer.getvalue()


REPORTS_KEPT = 4
_REPORTS: OrderedDict[tuple[str, ...], dict[str, bytes]] = OrderedDict()
_REPORTS_LOCK = threading.Lock()


def report(key: tuple[str, ...], park: Park, scenario: Scenario, plan: Plan | None, lang: Lang,
           session: Session | None = None) -> dict[str, bytes]:
    """The files of `symbiosis report` (symbiosis.reporting.build_report) in `lang`: report.html, report.xlsx, ...

    `park` has the scenario's edits applied already; `plan`, when given, was solved for exactly this park and
    these options and is reported as is (else matching runs). Built once per `key` (content hashes and the
    language), so the HTML and the Excel buttons share one build; the last few are kept.
    """
    from symbiosis.reporting import build_report

    with _REPORTS_LOCK:
        if key in _REPORTS:
            _REPORTS.move_to_end(key)
            return _REPORTS[key]
    files = build_report(park, scenario, lang, apply_scenario_edits=False, plan=plan, session=session)
    with _REPORTS_LOCK:
        _REPORTS[key] = files
        while len(_REPORTS) > REPORTS_KEPT:
            _REPORTS.popitem(last=False)
    return files
