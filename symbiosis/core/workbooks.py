"""Per-enterprise workbooks: a folder or .zip of workbooks, one per enterprise, or one workbook with one sheet per
enterprise, merged into one park (docs/workbooks.md).

Each enterprise's sheet holds a header block (rows of label | value: 企业名称 | 滨江钢铁, 企业编号 | E02, X坐标(km) |
1.6 ...) above a stream table (the columns of streams.csv, Chinese or English headers). The header blocks become
the rows of `enterprises`, the stream tables the rows of `streams`; an optional exchanges table (file or sheet) and
park.toml (file or `park` sheet) apply as in the one-table-per-file package.

The merged tables are built by the loader's own builders (symbiosis.core.loader.build_park), under a merged label
with positional row numbers; `Merged.build` then gives every problem and every row its origin back: the sheet
("E02.xlsx:滨江钢铁"), the sheet's row, and for a header-block value its cell ("B3 (X坐标(km))"). Conflicts between
sheets (one enterprise code twice, two positions for one enterprise) are errors naming both places.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from symbiosis.core.errors import ParkError, Problem
from symbiosis.core.loader import (
    CONFIG_NAMES,
    FILE_NAMES,
    FileAccount,
    RawPackage,
    RawTable,
    _Budget,
    _column_letters,
    _limits,
    _match_name,
    _open_sheets,
    _read_csv_text,
    _read_park_sheet,
    _read_table_sheet,
    _Sheets,
    _StopError,
    _unescape_frame,
    decode,
    fold_key,
    limit_problem,
    read_within,
)
from symbiosis.core.park import Park
from symbiosis.core.schema import TABLE_NAMES_ZH, columns, header_lookup, normalise_header

WORKBOOK_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")
LAYOUT_PACKAGE = "package"  # enterprises.csv + streams.csv (or their sheets): the tables already merged
LAYOUT_WORKBOOKS = "per_enterprise"  # one workbook (or sheet) per enterprise: header block above a stream table
ENTERPRISES_LABEL = "<enterprises of the header blocks>"  # the merged tables' labels: never shown to a user
STREAMS_LABEL = "<streams of the stream tables>"
HEADER_TEXT_COLUMN = "header_text"  # header-block text that is no label | value pair (a title): kept here
POSITION_FIELDS: tuple[str, ...] = ("x_km", "y_km", "lon", "lat")
HEADER_SEARCH_ROWS = 200  # the stream table's header is looked for in a sheet's first rows (the block is short)

# Header-block labels beyond the enterprise headers of datasets/schema.csv (the project's own): English phrasings
# of a form, and one label for both coordinates (values in the next two cells, or "3.2, 1.5" in one).
BLOCK_LABELS: dict[str, tuple[str, ...]] = {
    "enterprise code": ("enterprise_id",), "enterprise id": ("enterprise_id",), "code": ("enterprise_id",),
    "company code": ("enterprise_id",), "单位编号": ("enterprise_id",), "单位代码": ("enterprise_id",),
    "enterprise name": ("name",), "company": ("name",), "company name": ("name",), "公司名称": ("name",),
    "sector": ("sector",), "行业名称": ("sector",), "所属行业类别": ("sector",),
    "坐标": ("x_km", "y_km"), "坐标(km)": ("x_km", "y_km"), "平面坐标": ("x_km", "y_km"),
    "平面坐标(km)": ("x_km", "y_km"), "位置(km)": ("x_km", "y_km"), "x/y": ("x_km", "y_km"),
    "x_km/y_km": ("x_km", "y_km"), "x,y": ("x_km", "y_km"), "position": ("x_km", "y_km"),
    "position(km)": ("x_km", "y_km"), "xy": ("x_km", "y_km"),
    "经纬度": ("lon", "lat"), "经度/纬度": ("lon", "lat"), "经度,纬度": ("lon", "lat"), "lon/lat": ("lon", "lat"),
    "lonlat": ("lon", "lat"), "lon,lat": ("lon", "lat"), "longitude/latitude": ("lon", "lat"),
    "地理坐标": ("lon", "lat"),
}
_TWO_VALUES = re.compile(r"\s*[,，;；/、]\s*|\s+")
_LABEL_END = re.compile(r"[:：]+$")


def block_labels() -> dict[str, tuple[str, ...]]:
    """Normalised header-block label -> the enterprise column(s) it gives (schema headers, then BLOCK_LABELS)."""
    labels: dict[str, tuple[str, ...]] = {k: (v,) for k, v in header_lookup("enterprises").items()}
    for text, fields in BLOCK_LABELS.items():
        labels.setdefault(normalise_header(text), fields)
    return labels


def is_workbook(name: str) -> bool:
    base = PurePosixPath(name).name
    return base.lower().endswith(WORKBOOK_SUFFIXES) and not base.startswith(("~$", "."))


def is_per_enterprise(names: Iterable[str]) -> bool:
    """Do these file names make the per-enterprise layout: workbooks, and no enterprises/streams table file?"""
    bases = [PurePosixPath(n).name for n in names]
    if any(_match_name(b, FILE_NAMES[t]) for b in bases for t in ("enterprises", "streams")):
        return False
    return any(is_workbook(b) for b in bases)


def wanted(name: str) -> bool:
    """A file the per-enterprise layout reads: a workbook, an exchanges table, park.toml."""
    base = PurePosixPath(name).name
    return is_workbook(base) or _match_name(base, FILE_NAMES["exchanges"]) or _match_name(base, CONFIG_NAMES)


# --- one sheet -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    """A header-block value: where it stands in the sheet and the label it was given under."""

    value: str
    row: int  # the sheet's row, 1-based
    col: int  # the sheet's column, 1-based
    label: str

    @property
    def ref(self) -> str:
        return f"{_column_letters(self.col)}{self.row}"

    @property
    def where(self) -> str:
        return f"{self.ref} ({self.label})" if self.label else self.ref


@dataclass
class Piece:
    """One enterprise's sheet: its header block and its stream table."""

    label: str  # "E02.xlsx:滨江钢铁"
    fields: dict[str, Cell] = field(default_factory=dict)  # enterprise column -> value cell
    extras: dict[str, Cell] = field(default_factory=dict)  # a label the schema does not know, as written -> cell
    text: list[Cell] = field(default_factory=list)  # lone text (a title)
    block: tuple[int, int, int] = (1, 1, 1)  # first row, last row, last column of the header block
    table: RawTable | None = None  # the stream table, the sheet's row numbers
    header_row: int = 0
    headers: dict[str, Cell] = field(default_factory=dict)  # stream column -> its header cell
    missing: set[str] = field(default_factory=set)  # required stream columns the table lacks (reported here)

    @property
    def code(self) -> str:
        cell = self.fields.get("enterprise_id")
        return fold_key(cell.value) if cell is not None else ""

    @property
    def block_ref(self) -> str:
        first, last, width = self.block
        return f"A{first}:{_column_letters(max(width, 2))}{last}"

    def cell(self, column: str) -> Cell | None:
        if column == HEADER_TEXT_COLUMN:
            return self.text[0] if self.text else None
        return self.fields.get(column) or self.extras.get(column)

    def origin_row(self) -> int:
        code = self.fields.get("enterprise_id")
        return code.row if code is not None else self.block[0]


def _rows(frame: pd.DataFrame) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in frame.itertuples(index=False, name=None)]


def find_table_header(rows: list[list[str]]) -> int | None:
    """The index of the stream table's header row: material and quantity, and direction or unit, as headers."""
    lookup = header_lookup("streams")
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = {lookup.get(normalise_header(c)) for c in row if c.strip()}
        if {"material", "quantity"} <= keys and keys & {"direction", "unit"}:
            return i
    return None


def _label_of(text: str, labels: dict[str, tuple[str, ...]]) -> tuple[tuple[str, ...], str] | None:
    """A cell read as a label: its fields and an inline value ("企业名称：滨江钢铁"); None when it is no label."""
    stripped = _LABEL_END.sub("", text.strip())
    if normalise_header(stripped) in labels:
        return labels[normalise_header(stripped)], ""
    for sep in ("：", ":"):
        head, found, tail = text.partition(sep)
        if found and normalise_header(head) in labels and tail.strip():
            return labels[normalise_header(head)], tail.strip()
    return None


class _BlockReader:
    """Reads a header block row by row into a Piece; repeats and conflicts are problems naming both cells."""

    def __init__(self, piece: Piece, problems: list[Problem]) -> None:
        self.piece = piece
        self.problems = problems
        self.labels = block_labels()

    def row(self, r: int, cells: list[str]) -> bool:
        """One sheet row (r 1-based); True when it held a known label."""
        filled = [(j + 1, c) for j, c in enumerate(cells) if c.strip()]
        known = False
        k = 0
        while k < len(filled):
            col, text = filled[k]
            label = _label_of(text, self.labels)
            if label is None:
                if len(filled) == 1:
                    self.piece.text.append(Cell(text, r, col, ""))
                    return False
                following = filled[k + 1] if k + 1 < len(filled) else None
                if following is not None and _label_of(following[1], self.labels) is None:
                    self._put_extra(_LABEL_END.sub("", text.strip()), Cell(following[1], r, following[0], text))
                    k += 2
                else:
                    self._put_extra(_LABEL_END.sub("", text.strip()), Cell("", r, col + 1, text))
                    k += 1
                continue
            known = True
            fields, inline = label
            k += 1
            values: list[tuple[int, str]] = []
            if inline:
                values = [(col, inline)]
            else:
                while len(values) < len(fields) and k < len(filled) and _label_of(filled[k][1], self.labels) is None:
                    values.append(filled[k])
                    k += 1
            if len(fields) == 2 and len(values) == 1:  # "3.2, 1.5" in one cell
                parts = [p for p in _TWO_VALUES.split(values[0][1].strip().strip("()（）")) if p]
                if len(parts) == 2:
                    values = [(values[0][0], parts[0]), (values[0][0], parts[1])]
            for n, name in enumerate(fields):
                at, value = values[n] if n < len(values) else (col + 1 + n, "")
                self._put(name, Cell(value, r, at, _LABEL_END.sub("", text.strip())))
        return known

    def _put(self, name: str, cell: Cell) -> None:
        old = self.piece.fields.get(name)
        if old is None or (not old.value.strip() and cell.value.strip()):
            self.piece.fields[name] = cell
            return
        if old.value.strip() == cell.value.strip() or not cell.value.strip():
            return
        code = "enterprise_position_twice" if name in POSITION_FIELDS else "header_field_twice"
        self.problems.append(Problem(code, file=self.piece.label, row=cell.row, column=cell.where, value=cell.value,
                                     accepted=f"one {name} per enterprise / 每家企业一个",
                                     params=(("other", f"{self.piece.label}!{old.ref}"), ("other_value", old.value),
                                             ("label", cell.label), ("enterprise", self.piece.code))))

    def _put_extra(self, name: str, cell: Cell) -> None:
        old = self.piece.extras.get(name)
        if old is not None and old.value != cell.value:
            self.problems.append(Problem("header_field_twice", file=self.piece.label, row=cell.row,
                                         column=cell.where, value=cell.value, accepted="one value per label / 每个标签一个值",
                                         params=(("other", f"{self.piece.label}!{old.ref}"),
                                                 ("other_value", old.value), ("label", name),
                                                 ("enterprise", self.piece.code))))
        elif old is None:
            self.piece.extras[name] = cell


@dataclass
class SheetResult:
    """What one sheet holds: an enterprise (piece), a table without a header block, or nothing to read."""

    kind: str  # "piece", "table_without_block", "other", "empty"
    piece: Piece | None
    problems: list[Problem]


def read_sheet(rows: list[list[str]], label: str) -> SheetResult:
    """A sheet's cells (rows from sheet row 1, columns from A) read as header block + stream table."""
    problems: list[Problem] = []
    piece = Piece(label=label)
    reader = _BlockReader(piece, problems)
    h = find_table_header(rows)
    block_rows = rows[:h] if h is not None else rows[:HEADER_SEARCH_ROWS]
    last_known = 0
    first = 0
    for i, cells in enumerate(block_rows):
        if reader.row(i + 1, cells):
            last_known = i + 1
            first = first or i + 1
    if not piece.fields:
        if h is not None:
            problems.append(Problem("header_block_missing", file=label, row=h + 1, params=(("header_row", str(h + 1)),),
                                    accepted="企业名称 | …, 企业编号 | …, X坐标(km)/Y坐标(km) or 经度/纬度 | …"))
            return SheetResult("table_without_block", None, problems)
        return SheetResult("other" if any(c.strip() for r in rows for c in r) else "empty", None, problems)
    width = max((j + 1 for cells in block_rows[:last_known] for j, c in enumerate(cells) if c.strip()), default=2)
    piece.block = (first, h if h is not None else last_known, width)
    if h is None:
        piece.text = [c for c in piece.text if c.row <= last_known]  # what follows the block is no part of it
        piece.extras = {k: c for k, c in piece.extras.items() if c.row <= last_known}
        later = [(i + 1, cells) for i, cells in enumerate(rows) if i + 1 > last_known and any(c.strip() for c in cells)]
        if later:
            r, cells = later[0]
            problems.append(Problem("stream_table_missing", file=label, row=r,
                                    value=" | ".join(c for c in cells if c.strip())[:120],
                                    accepted=_stream_headers_accepted(), params=(("rows", str(len(later))),)))
    else:
        _read_stream_table(piece, rows, h, problems)
    return SheetResult("piece", piece, problems)


def _stream_headers_accepted() -> str:
    keys = ("direction", "material", "quantity", "unit")
    return ", ".join(f"{c.header_zh}/{c.name}" for c in columns("streams") if c.name in keys)


def _read_stream_table(piece: Piece, rows: list[list[str]], h: int, problems: list[Problem]) -> None:
    """The rows below the header row h (0-based) as the piece's stream table, each keeping its sheet row."""
    lookup = header_lookup("streams")
    names: list[str] = []
    keep: list[int] = []
    header_row = h + 1
    for j, text in enumerate(rows[h]):
        key = lookup.get(normalise_header(text)) if text.strip() else None
        name = key or (text if text.strip() else f"Unnamed: {j}")
        if name in names:
            first = piece.headers[name]
            problems.append(Problem("column_duplicate", file=piece.label, row=header_row, column=name, value=text,
                                    accepted=f"one of: {first.value} ({first.ref}) / {text} "
                                             f"({_column_letters(j + 1)}{header_row})"))
            continue
        names.append(name)
        keep.append(j)
        piece.headers[name] = Cell(text, header_row, j + 1, text)
    data: list[list[str]] = []
    sheet_rows: list[int] = []
    blank = 0
    limit = _limits().cell_chars
    for i in range(h + 1, len(rows)):
        values = [rows[i][j] if j < len(rows[i]) else "" for j in keep]
        if not any(v.strip() for v in values):
            blank += 1
            continue
        data.append(values)
        sheet_rows.append(i + 1)
        for name, v in zip(names, values, strict=True):
            if len(v) > limit:
                problems.append(limit_problem("cell_chars", piece.label, f"{len(v):,} characters", row=i + 1,
                                              column=name))
    frame = pd.DataFrame(data, columns=names, dtype=object) if data else pd.DataFrame(
        {n: pd.Series(dtype=object) for n in names})
    piece.header_row = header_row
    piece.table = RawTable(label=piece.label, frame=frame, rows=sheet_rows, blank_rows=blank)
    for col in columns("streams"):
        if col.required == "yes" and col.name != "enterprise_id" and col.name not in names:
            piece.missing.add(col.name)
            problems.append(Problem("column_missing", file=piece.label, row=header_row, column=col.name,
                                    accepted=" / ".join(col.headers[:4])))


# --- reading workbooks ---------------------------------------------------------------------------------------
@dataclass
class Collector:
    """The sheets of every workbook of one package, merged into its tables by `finish`."""

    package: RawPackage
    source: str
    pieces: list[Piece] = field(default_factory=list)
    workbooks: int = 0
    sheets: int = 0

    def read_book(self, sheets: _Sheets, results: dict[str, SheetResult] | None = None) -> None:
        """Every sheet of one open workbook: enterprises, an exchanges sheet, a park sheet."""
        self.workbooks += 1
        results = results if results is not None else classify(sheets)
        for name, result in results.items():
            self.package.problems.extend(result.problems)
            if result.piece is not None:
                self.pieces.append(result.piece)
                self.sheets += 1
            elif result.kind == "other":
                self.package.problems.append(Problem("sheet_not_read", file=f"{sheets.label}:{name}", value=name,
                                                     severity="warning"))
        self._table_sheet(sheets)
        self._park_sheet(sheets)

    def _table_sheet(self, sheets: _Sheets) -> None:
        wanted = ("exchanges", TABLE_NAMES_ZH["exchanges"])
        names = [n for n in sheets.names if _match_name(n, wanted)]
        if not names:
            return
        before = self.package.tables.get("exchanges")
        _read_table_sheet(sheets, "exchanges")
        if before is not None:
            self._twice("exchanges", before.label, f"{sheets.label}:{names[0]}", before)

    def _park_sheet(self, sheets: _Sheets) -> None:
        if not any(_match_name(n, ("park", "园区")) for n in sheets.names):
            return
        before = (self.package.config_text, self.package.config_label)
        _read_park_sheet(sheets)
        if before[0] is not None:
            self.package.problems.append(Problem("file_twice", file=self.package.config_label,
                                                 value=f"{before[1]}, {self.package.config_label}",
                                                 accepted="one park.toml or park sheet"))
            self.package.config_text, self.package.config_label = before

    def _twice(self, table: str, first: str, second: str, keep: RawTable) -> None:
        self.package.problems.append(Problem("file_twice", file=second, value=f"{first}, {second}",
                                             accepted=f"one {table} table / 只保留一张"))
        self.package.tables[table] = keep

    def read_files(self, files: dict[str, bytes], prefix: str, budget: _Budget) -> None:
        """Workbooks (by name), an exchanges CSV and park.toml, given as bytes."""
        books = sorted(n for n in files if is_workbook(n))
        for name in books:
            label = prefix + name
            with _open_sheets(files[name], label, self.package, budget) as sheets:
                if sheets is not None:
                    self.read_book(sheets)
        for name in sorted(n for n in files if _match_name(PurePosixPath(n).name, FILE_NAMES["exchanges"])):
            label = prefix + name
            text = decode(files[name], label, self.package.problems)
            raw = _read_csv_text(text, label, self.package.problems) if text is not None else None
            if raw is not None:
                before = self.package.tables.get("exchanges")
                self.package.tables["exchanges"] = raw
                if before is not None:
                    self._twice("exchanges", before.label, label, before)
        config = sorted(n for n in files if _match_name(PurePosixPath(n).name, CONFIG_NAMES))
        if config:
            label = prefix + config[0]
            if self.package.config_text is not None or len(config) > 1:
                self.package.problems.append(Problem("file_twice", file=label, accepted="one park.toml or park sheet",
                                                     value=", ".join([*([self.package.config_label]
                                                                        if self.package.config_text is not None
                                                                        else []), *config])))
            else:
                self.package.config_label = label
                self.package.config_text = decode(files[config[0]], label, self.package.problems)

    def finish(self) -> None:
        """The pieces merged into the package's enterprises and streams tables (or the reason there are none)."""
        package = self.package
        package.layout = LAYOUT_WORKBOOKS
        if not self.pieces:
            package.problems.append(Problem("workbooks_empty", file=self.source, accepted=(
                "enterprises.csv + streams.csv, or one sheet per enterprise: header block (企业名称, 企业编号, position) "
                "above a stream table")))
            return
        problems = _conflicts(self.pieces)
        merged = Merged(source=self.source, pieces=list(self.pieces))
        package.tables["enterprises"] = merged.enterprises_table()
        package.tables["streams"] = merged.streams_table(problems)
        package.problems.extend(problems)
        package.merged = merged
        package.problems.append(Problem("workbooks_read", file=self.source, severity="warning",
                                        value=LAYOUT_WORKBOOKS,
                                        params=(("enterprises", str(len(self.pieces))), ("sheets", str(self.sheets)),
                                                ("workbooks", str(self.workbooks)))))


def classify(sheets: _Sheets) -> dict[str, SheetResult]:
    """Every sheet but the exchanges and park sheets, read as header block + stream table."""
    skip = ("exchanges", TABLE_NAMES_ZH["exchanges"], "park", "园区")
    out: dict[str, SheetResult] = {}
    for name in sheets.names:
        if _match_name(name, skip):
            continue
        frame = sheets.read(name, None)
        if frame is None:
            continue
        out[name] = read_sheet(_rows(_unescape_frame(frame)), f"{sheets.label}:{name}")
    return out


def read_book(sheets: _Sheets, source: str) -> bool:
    """One workbook opened as a package: True when it is the per-enterprise layout (read and merged), False when
    it is not (it has an enterprises or streams sheet, or no sheet holds a header block or a stream table)."""
    tables = tuple(n for t in ("enterprises", "streams") for n in (t, TABLE_NAMES_ZH[t]))
    if any(_match_name(n, tables) for n in sheets.names):
        return False
    results = classify(sheets)
    if not any(r.kind in ("piece", "table_without_block") for r in results.values()):
        return False
    collector = Collector(sheets.package, source)
    collector.read_book(sheets, results)
    collector.finish()
    return True


def read_files(files: dict[str, bytes], package: RawPackage, prefix: str, budget: _Budget, source: str) -> None:
    """Workbooks and the optional exchanges table and park.toml (already within the budget), merged."""
    count = sum(is_workbook(n) for n in files)
    if count > _limits().archive_members:
        raise _StopError(limit_problem("archive_members", source, f"{count:,} workbooks"))
    collector = Collector(package, source)
    collector.read_files(files, prefix, budget)
    collector.finish()


def read_folder(folder: Path, package: RawPackage) -> None:
    """The workbooks of a folder (not its subfolders) and its exchanges table and park.toml, merged."""
    budget = _Budget(str(folder))
    paths = [p for p in sorted(folder.iterdir()) if p.is_file() and wanted(p.name)]
    if len(paths) > _limits().archive_members:
        raise _StopError(limit_problem("archive_members", str(folder), f"{len(paths):,} files"))
    files: dict[str, bytes] = {}
    for p in paths:
        files[p.name] = read_within(p, budget)
    read_files(files, package, "", budget, str(folder))


# --- merging -------------------------------------------------------------------------------------------------
def _position(piece: Piece) -> str:
    xy = [piece.fields[f].value.strip() for f in ("x_km", "y_km") if f in piece.fields]
    ll = [piece.fields[f].value.strip() for f in ("lon", "lat") if f in piece.fields]
    return ", ".join(v for v in (*xy, *ll) if v)


def _conflicts(pieces: list[Piece]) -> list[Problem]:
    """One enterprise code heading two sheets, and two positions given for it: errors naming both places."""
    problems: list[Problem] = []
    first: dict[str, Piece] = {}
    for piece in pieces:
        code = piece.code
        if not code:
            continue
        if code not in first:
            first[code] = piece
            continue
        other = first[code]
        here, there = piece.fields["enterprise_id"], other.fields["enterprise_id"]
        problems.append(Problem("enterprise_code_twice", file=piece.label, row=here.row, column=here.where, value=code,
                                accepted="a code used by one header block / 编号只用于一个表头区",
                                params=(("other", f"{other.label}!{there.ref}"),)))
        a, b = _position(piece), _position(other)
        if a and b and a != b:
            cell = next(piece.fields[f] for f in POSITION_FIELDS if f in piece.fields)
            other_cell = next(other.fields[f] for f in POSITION_FIELDS if f in other.fields)
            problems.append(Problem("enterprise_position_twice", file=piece.label, row=cell.row, column=cell.where,
                                    value=a, accepted="one position per enterprise / 每家企业一个位置",
                                    params=(("other", f"{other.label}!{other_cell.ref}"), ("other_value", b),
                                            ("enterprise", code), ("label", cell.label))))
    return problems


@dataclass
class Merged:
    """The merged tables' rows and where each came from; `build` gives problems and rows their origin back."""

    source: str
    pieces: list[Piece]
    stream_origins: list[tuple[Piece, int]] = field(default_factory=list)  # merged row k+2 -> (piece, sheet row)

    def enterprises_table(self) -> RawTable:
        names: list[str] = []
        for col in columns("enterprises"):
            if any(col.name in p.fields for p in self.pieces):
                names.append(col.name)
        for p in self.pieces:
            names += [e for e in p.extras if e not in names]
        if any(p.text for p in self.pieces) and HEADER_TEXT_COLUMN not in names:
            names.append(HEADER_TEXT_COLUMN)
        records = []
        for p in self.pieces:
            values = {**{k: c.value for k, c in p.extras.items()}, **{k: c.value for k, c in p.fields.items()}}
            values[HEADER_TEXT_COLUMN] = "\n".join(c.value for c in p.text)
            records.append([values.get(n, "") for n in names])
        frame = pd.DataFrame(records, columns=names, dtype=object)
        return RawTable(label=ENTERPRISES_LABEL, frame=frame, rows=[k + 2 for k in range(len(records))])

    def streams_table(self, problems: list[Problem]) -> RawTable:
        frames: list[pd.DataFrame] = []
        total = 0
        limit = _limits().rows_per_table
        seen: set[str] = set()  # codes whose stream ids were generated (a code twice is an error of its own)
        for p in self.pieces:
            if p.table is None:
                continue
            frame = p.table.frame.copy()
            total += len(frame)
            if total > limit:
                raise _StopError(limit_problem("rows_per_table", p.label, f"more than {limit:,} stream rows in the "
                                               "sheets merged so far", row=p.table.rows[-1]))
            self._fill_codes(p, frame, problems, generate=p.code not in seen)
            seen.add(p.code)
            frames.append(frame)
            self.stream_origins += [(p, r) for r in p.table.rows]
        names: list[str] = ["enterprise_id"]
        for f in frames:
            names += [c for c in f.columns if c not in names]
        merged = pd.concat([f.reindex(columns=names, fill_value="") for f in frames], ignore_index=True) if frames \
            else pd.DataFrame({n: pd.Series(dtype=object) for n in names})
        merged = merged.fillna("").astype(str)
        return RawTable(label=STREAMS_LABEL, frame=merged, rows=[k + 2 for k in range(len(merged))])

    @staticmethod
    def _fill_codes(p: Piece, frame: pd.DataFrame, problems: list[Problem], generate: bool) -> None:
        """The sheet's enterprise code on every row (the header block's); a row naming another is an error. Blank
        stream ids are generated here as <code>-<sheet row>, as the loader does for streams.csv."""
        code = p.code
        given = frame["enterprise_id"].astype(str) if "enterprise_id" in frame.columns else pd.Series(
            [""] * len(frame), index=frame.index, dtype=object)
        assert p.table is not None
        cell = p.fields.get("enterprise_id")
        for i, v in enumerate(given.tolist()):
            if fold_key(v) and code and fold_key(v) != code:
                problems.append(Problem("header_code_mismatch", file=p.label, row=p.table.rows[i], column="enterprise_id",
                                        value=v, accepted=code,
                                        params=(("cell", f"{p.label}!{cell.ref}" if cell else p.label),)))
        frame["enterprise_id"] = [v if fold_key(v) else code for v in given.tolist()]
        if code:  # a code heading two sheets (an error) gets ids that cannot collide with the first sheet's
            stem = code if generate else f"{code}-{p.label}"
            ids = frame["stream_id"].astype(str).tolist() if "stream_id" in frame.columns else [""] * len(frame)
            frame["stream_id"] = [s if s.strip() else f"{stem}-{r}" for s, r in zip(ids, p.table.rows, strict=True)]

    # --- origins back ---------------------------------------------------------------------------------------
    def build(self, package: RawPackage, inner: Callable[[RawPackage], Park]) -> Park:
        """`inner` (the loader's build) on the merged tables; its problems, accounts and rows given their origin."""
        try:
            park = inner(package)
        except ParkError as exc:
            problems = self.remap(exc.problems)
            package.accounts = self.accounts(exc.accounts, problems, loaded=False)
            raise ParkError(problems, accounts=package.accounts) from None
        warnings = self.remap(list(park.warnings))
        package.accounts = self.accounts(package.accounts, warnings, loaded=True)
        return replace(park, enterprises=self._origin_enterprises(park.enterprises),
                       streams=self._origin_streams(park.streams), warnings=tuple(warnings))

    def _origin_enterprises(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        rows = frame["source_row"].astype(int).tolist()
        frame["source_file"] = [self.pieces[r - 2].label for r in rows]
        frame["source_row"] = pd.Series([self.pieces[r - 2].origin_row() for r in rows], index=frame.index,
                                        dtype="int64")
        return frame

    def _origin_streams(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        rows = frame["source_row"].astype(int).tolist()
        frame["source_file"] = [self.stream_origins[r - 2][0].label for r in rows]
        frame["source_row"] = pd.Series([self.stream_origins[r - 2][1] for r in rows], index=frame.index,
                                        dtype="int64")
        return frame

    def remap(self, problems: list[Problem]) -> list[Problem]:
        out: list[Problem] = []
        for p in problems:
            if p.file == ENTERPRISES_LABEL:
                out += self._enterprise_problem(p)
            elif p.file == STREAMS_LABEL:
                out += self._stream_problem(p)
            else:
                out.append(p)
        return out

    def _enterprise_problem(self, p: Problem) -> list[Problem]:
        if p.code == "duplicate_id":
            return []  # enterprise_code_twice says it, with both header blocks
        if p.row is None:
            return [replace(p, file=self.source)]
        if p.row <= 1:  # a header: said at the label of every block that gives it, or at every block lacking it
            if p.code == "column_missing":
                return [self._field_missing(piece, p.column) for piece in self.pieces]
            if p.column == HEADER_TEXT_COLUMN:
                return []  # a title kept in its own column, as docs/workbooks.md says
            given = [(piece, piece.cell(p.column)) for piece in self.pieces]
            return [replace(p, file=piece.label, row=cell.row, column=cell.where) for piece, cell in given
                    if cell is not None]
        piece = self.pieces[p.row - 2]
        cell = piece.cell(p.column)
        if cell is not None:
            return [replace(p, file=piece.label, row=cell.row, column=cell.where)]
        if p.code == "required_blank":
            return [self._field_missing(piece, p.column)]
        return [replace(p, file=piece.label, row=piece.block[0], column=f"{piece.block_ref} ({p.column})")]

    def _field_missing(self, piece: Piece, column: str) -> Problem:
        col = next((c for c in columns("enterprises") if c.name == column), None)
        label = col.header_zh if col is not None else column
        return Problem("header_field_missing", file=piece.label, row=piece.block[0], column=piece.block_ref,
                       accepted=f"{label} | … ({column})", params=(("field", column), ("field_zh", label)))

    def _stream_problem(self, p: Problem) -> list[Problem]:
        if p.row is None:
            return [replace(p, file=self.source)]
        if p.row <= 1:
            if p.code == "column_missing":
                return []  # said for each sheet whose table lacks the column (read_sheet)
            pieces = [piece for piece in self.pieces if piece.table is not None and p.column in piece.headers]
            return [replace(p, file=piece.label, row=piece.header_row) for piece in pieces]
        piece, row = self.stream_origins[p.row - 2]
        if p.code == "required_blank" and p.column in piece.missing:
            return []  # the column is missing from this sheet's table: said once, at its header row
        params = tuple((k, self._other_row(v)) if k == "other_row" else (k, v) for k, v in p.params)
        return [replace(p, file=piece.label, row=row, params=params)]

    def _other_row(self, value: str) -> str:
        k = int(value) - 2 if value.isdigit() else -1
        if not 0 <= k < len(self.stream_origins):
            return value
        piece, row = self.stream_origins[k]
        return f"{row} ({piece.label})"

    def accounts(self, built: list[Any], problems: list[Problem], loaded: bool) -> list[FileAccount]:
        """Per sheet: its stream rows read, loaded, with errors and warnings; header-block errors count as the
        sheet's file errors. The other tables (exchanges) keep the loader's accounts."""
        out: list[FileAccount] = []
        for piece in self.pieces:
            rows = set(piece.table.rows) if piece.table is not None else set()
            mine = [p for p in problems if p.file == piece.label]
            errors = {p.row for p in mine if p.severity == "error" and p.row in rows}
            warnings = {p.row for p in mine if p.severity == "warning" and p.row in rows}
            file_errors = sum(p.severity == "error" and p.row not in rows for p in mine)
            out.append(FileAccount(file=piece.label, table="streams", rows_read=len(rows),
                                   rows_loaded=len(rows) if loaded else 0, rows_with_errors=len(errors),
                                   rows_with_warnings=len(warnings),
                                   blank_rows=piece.table.blank_rows if piece.table is not None else 0,
                                   file_errors=file_errors))
        return out + [a for a in built if a.file not in (ENTERPRISES_LABEL, STREAMS_LABEL)]


__all__ = ["BLOCK_LABELS", "LAYOUT_PACKAGE", "LAYOUT_WORKBOOKS", "Merged", "block_labels", "find_table_header",
           "is_per_enterprise", "is_workbook", "read_book", "read_folder", "read_sheet"]
