"""The one export guard: every table this project writes, CSV or .xlsx, is written by a function of this module.

Nothing else calls `DataFrame.to_csv`, `DataFrame.to_excel`, `pd.ExcelWriter`, `openpyxl.Workbook` or
`csv.writer` (tests/test_writers.py greps the source tree for them), so the rules below hold for every output:
`Park.to_folder` / `Park.to_excel`, report.xlsx and the report's CSVs, `symbiosis metabolism --out`, and the app's
downloads (cleaned ledger, plan, indicators, templates).

Formula injection ("CSV injection")
  A text cell is *formula-like* when, after any leading apostrophes, it starts with one of FORMULA_PREFIXES:
  = + - @ TAB CR and their full-width forms ＝ ＋ － ＠ (East-Asian Excel and WPS turn a typed full-width
  operator into a formula, so they are treated like the ASCII ones). Text that is a plain ASCII number
  ("-12.5", "+3", "1e-5", "-1,234.5") is not formula-like: negative numbers stay numbers.
  * CSV has no cell types, so a formula-like text cell is written with ONE extra leading apostrophe
    ("=2+2" -> "'=2+2", "'=x" -> "''=x"). `restore` is the exact inverse: it removes one leading apostrophe
    when the text is apostrophes followed by a formula prefix. neutralise/restore round-trip every string.
  * .xlsx has cell types: text is always written as a string cell (never a formula or error cell), byte for
    byte, and a formula-like one also gets Excel's own "quote prefix" style (what Excel stores when a user types
    '=2+2), so it stays text even when the cell is edited. No apostrophe is added to the value.

Text an .xlsx cannot hold as is
  XML forbids most C0 control characters (a vertical tab pasted from Word makes openpyxl raise
  IllegalCharacterError) and U+FFFE/U+FFFF, and an XML reader turns a CR into LF. Such characters are written in
  Excel's own escape, _xHHHH_ (ECMA-376 ST_Xstring: a CR is _x000D_, a vertical tab _x000B_), and an underscore
  that would otherwise start such a sequence is written _x005F_. Excel decodes this when it opens the file;
  openpyxl/pandas do not, so a reader of our .xlsx applies `xlsx_unescape` to every text cell (inverse of
  `xlsx_escape`).
  Excel holds at most 32,767 characters in a cell (and openpyxl silently cuts there): a longer text is an
  ExportError naming sheet, cell, row and column in a lossless (ledger) write; in a report or download it is
  cut with a visible note (TRUNCATED) and an ExportWarning — the CSV next to it has the full text.

CSV
  RFC 4180 with CRLF line ends: a cell holding a CR or LF (or a comma or quote) is always quoted, so a bare CR
  inside a cell can no longer start a new row. Any other character is written as is (a NUL too: Python's csv
  module, which the loader uses, reads it back; pandas' C parser would end the cell there). The encoding is
  UTF-8 (with BOM for files meant for Excel), which holds every character.

`lossless=True` (the ledger writers: Park.to_folder, Park.to_excel, the app's cleaned-ledger downloads) means:
raise rather than alter. What a reader must undo to get the text back: CSV -> `restore` on every text cell and
header; .xlsx -> `xlsx_unescape` on every text cell and header (including the park sheet's lines).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from symbiosis.core.errors import SymbiosisError

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
QUOTE = "'"
EXCEL_CELL_LIMIT = 32_767  # characters Excel holds in one cell
TRUNCATED = " … [{n} characters more: see the CSV]"
CSV_LINE_END = "\r\n"

_PREFIX_SET = frozenset(FORMULA_PREFIXES)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_NEUTRALISED = re.compile("'+[" + re.escape("".join(FORMULA_PREFIXES)) + "]")
_XLSX_UNDERSCORE = re.compile(r"_(?=x[0-9A-Fa-f]{4})")
_XLSX_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]")
_XLSX_CODE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_HEADER_FONT = Font(bold=True)


class ExportError(SymbiosisError, ValueError):
    """A lossless write met text its format cannot hold exactly; the message names the table, row and column."""


class ExportWarning(UserWarning):
    """A report or download altered a cell to fit its format (the message says where and how)."""


# --- the rule -------------------------------------------------------------------------------------------------
def is_formula_like(text: str) -> bool:
    """Would a spreadsheet read this text (after any leading apostrophes) as a formula? Plain numbers: no."""
    body = text.lstrip(QUOTE)
    if not body or body[0] not in _PREFIX_SET:
        return False
    return len(body) != len(text) or _NUMBER.fullmatch(text) is None


def neutralise(text: str) -> str:
    """CSV text cell: one leading apostrophe added to formula-like text. Exact inverse: `restore`."""
    return QUOTE + text if is_formula_like(text) else text


def restore(text: str) -> str:
    """Inverse of `neutralise`: one leading apostrophe removed from apostrophes followed by a formula prefix."""
    return text[1:] if _NEUTRALISED.match(text) else text


def xlsx_escape(text: str) -> str:
    """Text as an .xlsx string cell holds it: characters XML cannot carry (and CR) as _xHHHH_, as Excel does."""
    text = _XLSX_UNDERSCORE.sub("_x005F_", text)
    return _XLSX_FORBIDDEN.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def xlsx_unescape(text: str) -> str:
    """Inverse of `xlsx_escape` (and Excel's own decoding of _xHHHH_)."""
    if "_x" not in text:
        return text
    return _XLSX_CODE.sub(lambda m: chr(int(m.group(1), 16)), text)


def safe_cell(value: Any) -> Any:
    """One CSV cell, neutralised; anything that is not text is returned as is."""
    return neutralise(value) if isinstance(value, str) else value


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _text_columns(frame: pd.DataFrame) -> list[int]:
    out = []
    for i in range(frame.shape[1]):
        dtype = frame.dtypes.iloc[i]
        if (isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(dtype)
                or pd.api.types.is_string_dtype(dtype)):
            out.append(i)
    return out


def excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell and header neutralised (the CSV rule); numbers untouched."""
    out = frame.copy()
    out.columns = [safe_cell(str(c)) for c in out.columns]
    for i in _text_columns(out):
        out.isetitem(i, out.iloc[:, i].astype(object).map(safe_cell).to_numpy(dtype=object))
    return out


# --- CSV ------------------------------------------------------------------------------------------------------
def csv_text(frame: pd.DataFrame) -> str:
    """`frame` as CSV text (no index): neutralised, CRLF line ends, every cell with a CR/LF quoted."""
    out = excel_safe(frame)
    return out.to_csv(index=False, lineterminator=CSV_LINE_END, quoting=csv.QUOTE_MINIMAL)


def csv_bytes(frame: pd.DataFrame, *, encoding: str = "utf-8-sig", lossless: bool = False, table: str = "") -> bytes:
    """`csv_text` encoded (UTF-8 with BOM by default, so Excel in China shows Chinese text)."""
    text = csv_text(frame)
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        if lossless:
            raise ExportError(f"{table or 'table'}: {exc.object[exc.start:exc.end]!r} cannot be written in "
                              f"{encoding}") from exc
        warnings.warn(f"{table or 'table'}: characters {encoding} cannot hold written as '?'", ExportWarning,
                      stacklevel=2)
        return text.encode(encoding, errors="replace")


def write_csv(frame: pd.DataFrame, path: str | Path, *, encoding: str = "utf-8-sig", lossless: bool = False) -> Path:
    """Write `frame` as a CSV file (see `csv_text`)."""
    target = Path(path)
    target.write_bytes(csv_bytes(frame, encoding=encoding, lossless=lossless, table=target.name))
    return target


# --- xlsx -----------------------------------------------------------------------------------------------------
def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def set_cell(ws: Worksheet, row: int, column: int, value: Any, *, lossless: bool = False,
             label: str | None = None) -> Cell:
    """Write one value: numbers as numbers, text as a string cell (escaped, quote-prefixed when formula-like).

    `label` names the column in messages (the sheet and cell reference are always given).
    """
    cell = ws.cell(row=row, column=column)
    if _is_missing(value):
        cell.value = None
        return cell
    if isinstance(value, bool | np.bool_):
        cell.value = bool(value)
        return cell
    if isinstance(value, int | np.integer):
        cell.value = int(value)
        return cell
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isfinite(number):
            cell.value = number
            return cell
        value = "inf" if number > 0 else "-inf"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        cell.value = value
        return cell
    text = value if isinstance(value, str) else str(value)
    stored = xlsx_escape(text)
    if max(_utf16_length(text), len(stored)) > EXCEL_CELL_LIMIT:
        where = (f"sheet '{ws.title}' cell {get_column_letter(column)}{row} (row {row}, column "
                 f"'{label if label is not None else get_column_letter(column)}')")
        if lossless:
            raise ExportError(f"{where}: {len(text)} characters, more than the {EXCEL_CELL_LIMIT:,} an Excel cell "
                              "holds; write the park as CSV (Park.to_folder) to keep the whole text")
        keep = EXCEL_CELL_LIMIT - 80
        while len(xlsx_escape(text[:keep])) > keep:  # escapes lengthen the text: cut until it fits
            keep -= 80
        text = text[:keep] + TRUNCATED.format(n=len(text) - keep)
        stored = xlsx_escape(text)
        warnings.warn(f"{where}: text cut to fit Excel's {EXCEL_CELL_LIMIT:,} characters", ExportWarning,
                      stacklevel=2)
    cell.value = stored
    cell.data_type = "s"  # never a formula ("=...") or an error value ("#N/A")
    if is_formula_like(text):
        cell.quotePrefix = True
    return cell


def set_text(ws: Worksheet, ref: str, value: Any, *, lossless: bool = False) -> Cell:
    """`set_cell` by reference ("A1")."""
    cell = ws[ref]
    return set_cell(ws, cell.row, cell.column, value, lossless=lossless)


# Excel refuses to open a workbook whose data validation texts are longer than these (it "repairs" the file and
# drops the validation), so add_validation cuts them to fit.
VALIDATION_TITLE_CHARS = 32
VALIDATION_TEXT_CHARS = 255


def _fit(text: str, limit: int) -> str:
    text = xlsx_escape(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def list_source(sheet: str, column: int, first_row: int, last_row: int) -> str:
    """A data validation list's source: an absolute range of one column on `sheet` ('lists'!$C$2:$C$96)."""
    letter = get_column_letter(column)
    return f"{quote_sheetname(sheet)}!${letter}${first_row}:${letter}${last_row}"


def add_validation(ws: Worksheet, ref: str, *, kind: str | None = None, source: str | None = None,
                   operator: str | None = None, prompt_title: str = "", prompt: str = "", error_title: str = "",
                   error: str = "", style: str = "stop") -> DataValidation:
    """Excel data validation on the cells `ref` ("C2:C501"): `kind` "list" with `source` (a `list_source` range or
    an inline '"a,b"'), "decimal" with `operator` and `source` as its bound, or None for an input hint only.
    `prompt_title`/`prompt` show when a cell is selected; `error_title`/`error` when a value is refused (`style`
    "stop") or questioned ("warning", "information": the user may keep it). Texts are cut to Excel's limits."""
    dv = DataValidation(type=kind, formula1=source, operator=operator, allow_blank=True,
                        showDropDown=False,  # "False" shows the in-cell arrow (the attribute's name is inverted)
                        showInputMessage=bool(prompt), showErrorMessage=kind is not None, errorStyle=style)
    if prompt:
        dv.promptTitle = _fit(prompt_title, VALIDATION_TITLE_CHARS)
        dv.prompt = _fit(prompt, VALIDATION_TEXT_CHARS)
    if error:
        dv.errorTitle = _fit(error_title, VALIDATION_TITLE_CHARS)
        dv.error = _fit(error, VALIDATION_TEXT_CHARS)
    dv.add(ref)
    ws.add_data_validation(dv)
    return dv


def set_comment(cell: Cell, text: str, *, author: str = "symbiosis", width: int = 320, height: int = 160) -> None:
    """A note on a cell (shown when the pointer rests on it), its text escaped as a cell's text is."""
    cell.comment = Comment(xlsx_escape(text), author, width=width, height=height)


def new_workbook() -> Workbook:
    """An empty workbook (no default sheet)."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def write_sheet(wb: Workbook, name: str, frame: pd.DataFrame, *, startrow: int = 0, header: bool = True,
                lossless: bool = False) -> Worksheet:
    """A new sheet `name` holding `frame` (header row first unless header=False) from row startrow + 1."""
    ws = wb.create_sheet(title=name)
    row = startrow + 1
    labels = [str(c) for c in frame.columns]
    if header:
        for j, label in enumerate(labels, start=1):
            set_cell(ws, row, j, label, lossless=lossless, label=label).font = _HEADER_FONT
        row += 1
    for values in frame.itertuples(index=False, name=None):
        for j, value in enumerate(values, start=1):
            set_cell(ws, row, j, value, lossless=lossless, label=labels[j - 1])
        row += 1
    return ws


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame], *, lossless: bool = False,
               headerless: tuple[str, ...] = ()) -> bytes:
    """One workbook, a sheet per table (in order); sheets named in `headerless` are written without a header."""
    wb = new_workbook()
    if not sheets:
        wb.create_sheet("empty")
    for name, frame in sheets.items():
        write_sheet(wb, name, frame, header=name not in headerless, lossless=lossless)
    return workbook_bytes(wb)


def write_xlsx(sheets: Mapping[str, pd.DataFrame], target: str | Path | IO[bytes], *, lossless: bool = False,
               headerless: tuple[str, ...] = ()) -> None:
    data = xlsx_bytes(sheets, lossless=lossless, headerless=headerless)
    if isinstance(target, str | Path):
        Path(target).write_bytes(data)
    else:
        target.write(data)

