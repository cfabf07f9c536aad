"""Downloads that are safe to open in Excel: CSV (UTF-8 with BOM) and XLSX, with formula injection neutralised.

A text cell that starts with =, +, -, @ (or a tab or carriage return) is prefixed with a single quote so a
spreadsheet shows it as text instead of running it; numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

import pandas as pd

from symbiosis.excel import excel_safe
from symbiosis.park import Park

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with BOM (so Excel in China shows Chinese text), neutralised."""
    return excel_safe(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """One workbook, a sheet per table (sheet names cut to Excel's 31 characters), neutralised."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        if not sheets:
            pd.DataFrame().to_excel(writer, sheet_name="empty", index=False)
        for name, frame in sheets.items():
            excel_safe(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


def park_tables(park: Park) -> dict[str, pd.DataFrame]:
    """The cleaned park as a user would write it: ledger columns (values as entered), extra columns kept."""
    tables = park.ledger_tables()
    return {name: table.reset_index(drop=True) for name, table in tables.items()}


def park_zip(park: Park) -> bytes:
    """The cleaned park as a data package: enterprises.csv, streams.csv, exchanges.csv, park.toml — zipped.

    It loads back through the app or `symbiosis validate` (a neutralised text cell keeps its leading quote).
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, table in park_tables(park).items():
            if name == "exchanges" and table.empty:
                continue
            zf.writestr(f"{name}.csv", csv_bytes(table))
        zf.writestr("park.toml", park.config.to_toml().encode("utf-8"))
    return buffer.getvalue()


def park_xlsx(park: Park) -> bytes:
    """The cleaned park as one workbook: a sheet per table and a `park` sheet holding park.toml."""
    sheets = dict(park_tables(park))
    sheets["park"] = pd.DataFrame({"park.toml": park.config.to_toml().splitlines()})
    return xlsx_bytes(sheets)
