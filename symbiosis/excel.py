"""Cells safe to open in a spreadsheet: formula injection neutralised, numbers left as numbers.

A text cell that starts with =, +, -, @ (or a tab or carriage return) is prefixed with a single quote so Excel
or WPS shows it as text instead of running it ("CSV injection"). Text that is a plain number ("-12.5") is left
alone. Used by every export: the app's downloads and the report's workbook and CSVs.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from symbiosis.loader import parse_number

DANGEROUS_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """One cell, neutralised: text that a spreadsheet would read as a formula gets a leading quote."""
    if not isinstance(value, str) or not value.startswith(DANGEROUS_PREFIXES):
        return value
    if value[0] in "+-" and parse_number(value) is not None:
        return value  # "-12.5" written as text is a number, not a formula
    return "'" + value


def excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell (and text header) neutralised; numeric columns untouched."""
    out = frame.copy()
    out.columns = [safe_cell(str(c)) for c in out.columns]
    for i in range(out.shape[1]):
        if isinstance(out.dtypes.iloc[i], pd.CategoricalDtype):  # categories are text too
            out.isetitem(i, out.iloc[:, i].astype(object).to_numpy(dtype=object))
        dtype = out.dtypes.iloc[i]
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            out.isetitem(i, out.iloc[:, i].map(safe_cell).to_numpy(dtype=object))
    return out
