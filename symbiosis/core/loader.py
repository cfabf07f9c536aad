"""Read a park data package (folder, .xlsx or .zip), validate every row, convert units, build a Park.

Every problem found is collected (never the first only) and raised together as a ParkError; nothing is dropped
or guessed. Rows are numbered as in the user's spreadsheet: header row 1, first data row 2.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
import tomllib
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any
from xml.parsers import expat

import numpy as np
import openpyxl
import pandas as pd
import pandera.pandas as pa

from symbiosis.core.errors import ParkError, Problem, Severity
from symbiosis.core.factors import factor_ids
from symbiosis.core.heat_profiles import P_MAX_MPA, P_MIN_MPA, is_steam_material, steam_segments
from symbiosis.core.limits import LIMIT_WORDS, LIMITS, Limits
from symbiosis.core.park import ConfigLimitError, Park, ParkConfig, config_from_toml
from symbiosis.core.periods import MONTHS_ACCEPTED, parse_months
from symbiosis.core.schema import (
    REQUIRED_TABLES,
    TABLE_NAMES_ZH,
    TABLES,
    columns,
    header_lookup,
    normalise_header,
    user_column_name,
)
from symbiosis.core.taxonomy import (
    DIRECTIONS,
    Material,
    MaterialContext,
    baseline_vocabulary,
    baselines,
    describe_context,
    describe_deciding,
    describe_keys,
    material_vocabulary,
    materials,
    read_material,
    reading_note,
    resolve_direction,
    water_grade_vocabulary,
    water_grades,
)
from symbiosis.core.units import ACCEPTED_EXAMPLES, UnitError, as_float, to_canonical, unit_kind

try:  # the inverses of the ledger writers' lossless encodings (symbiosis.core.excel); identity where not present
    from symbiosis.core.excel import restore as _csv_restore
    from symbiosis.core.excel import xlsx_unescape as _xlsx_unescape
except ImportError:  # pragma: no cover - an older symbiosis.core.excel
    def _csv_restore(text: str) -> str:
        return text

    def _xlsx_unescape(text: str) -> str:
        return text

ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")
ENCODING_NAMES = "UTF-8, UTF-8 with BOM, GB18030/GBK"
MAX_PACKAGE_BYTES = LIMITS.package_bytes  # the old name of Limits.package_bytes; patching either lowers the bound
FILE_NAMES: dict[str, tuple[str, ...]] = {
    table: (f"{table}.csv", f"{TABLE_NAMES_ZH[table]}.csv") for table in TABLES
}
CONFIG_NAMES: tuple[str, ...] = ("park.toml", "园区.toml")
HAZARDOUS_CODE = re.compile(r"^(HW\d{2}|\d{3}-\d{3}-\d{2})$")
HAZARDOUS_ACCEPTED = "HWnn (e.g. HW08) or nnn-nnn-nn (e.g. 900-249-08) / HW类别（如 HW08）或八位代码（如 900-249-08）"
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_CHUNK = 1 << 16
_ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_ZIP_METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "deflate64"}
_LINE_BREAKS = ("\n", "\r")
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}
# Key columns: compared with a vocabulary or joined across tables, so they are folded (NFKC, outer spaces
# removed) before use. Every other text column (names, notes, extra columns) keeps the user's text exactly.
ID_COLUMNS: frozenset[str] = frozenset({"enterprise_id", "stream_id", "exchange_id", "supplier_id", "receiver_id"})
KEY_COLUMNS: frozenset[str] = ID_COLUMNS | {"direction", "material", "unit", "quality", "baseline", "hazardous_code"}


def _limits() -> Limits:
    """The limits in force (the module constant MAX_PACKAGE_BYTES may lower package_bytes)."""
    if LIMITS.package_bytes > MAX_PACKAGE_BYTES:
        return replace(LIMITS, package_bytes=MAX_PACKAGE_BYTES)
    return LIMITS


def limit_problem(name: str, file: str, found: str, row: int | None = None, column: str = "") -> Problem:
    """A breach of one of the limits of symbiosis.core.limits: names the limit, its value and what was found."""
    value = getattr(_limits(), name)
    return Problem("limit_exceeded", file=file, row=row, column=column, value=found,
                   accepted=f"{name} <= {value:,} (docs/limits.md)",
                   params=(("limit", name), ("limit_value", f"{value:,}"), *LIMIT_WORDS[name]))


@dataclass
class RawTable:
    """One table as read: all cells as text, the user's row numbers, the label the user knows the file by."""

    label: str
    frame: pd.DataFrame
    rows: list[int]
    blank_rows: int = 0


@dataclass(frozen=True)
class FileAccount:
    """What became of one file's rows: read (not blank), loaded into the park, with errors, with warnings."""

    file: str
    table: str
    rows_read: int
    rows_loaded: int
    rows_with_errors: int
    rows_with_warnings: int
    blank_rows: int
    file_errors: int

    def as_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RawPackage:
    source: str
    tables: dict[str, RawTable] = field(default_factory=dict)
    config_text: str | None = None
    config_label: str = "park.toml"
    problems: list[Problem] = field(default_factory=list)
    accounts: list[FileAccount] = field(default_factory=list)
    layout: str = "package"  # or "per_enterprise": workbooks of one enterprise each (symbiosis.core.workbooks)
    merged: Any = None  # per_enterprise: the workbooks.Merged that gives the merged rows their origin back


class _StopError(Exception):
    """Reading stops: the problem says why (a limit, an unreadable member)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.code)
        self.problem = problem


class _Budget:
    """Decompressed bytes still allowed for one package; counted while reading."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.used = 0

    def take(self, n: int, member: str) -> None:
        self.used += n
        if self.used > _limits().package_bytes:
            raise _StopError(limit_problem("package_bytes", member, f"more than {self.used:,} bytes after unpacking"))


# --- reading files -------------------------------------------------------------------------------------------
def decode(data: bytes, label: str, problems: list[Problem]) -> str | None:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    problems.append(Problem("encoding", file=label, accepted=ENCODING_NAMES))
    return None


def read_within(path: Path, budget: _Budget) -> bytes:
    """A file's bytes, read in chunks that count against the package's size budget (stops at the limit)."""
    parts = []
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            budget.take(len(chunk), path.name)
            parts.append(chunk)
    return b"".join(parts)


def _show(text: str, width: int = 80) -> str:
    """A cell for a message: control characters made visible, long text cut."""
    shown = "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS else c
                    for c in text[:width])
    return shown + ("…" if len(text) > width else "")


def _header_names(header: list[str], label: str, problems: list[Problem]) -> list[str]:
    """Header cells as column names: blank ones become 'Unnamed: i' (as pandas names them); an exact repeat is
    an error (two columns cannot both keep the name)."""
    names: list[str] = []
    for i, h in enumerate(header):
        h = _csv_restore(h) if h[:1] == "'" else h
        name = h if h.strip() else f"Unnamed: {i}"
        if name in names:
            problems.append(Problem("column_duplicate", file=label, row=1, column=name, value=name,
                                    accepted="a header used once / 表头不重复"))
            name = f"Unnamed: {i}"
        names.append(name)
    return names


def _read_csv_text(text: str, label: str, problems: list[Problem]) -> RawTable | None:
    """Parse CSV text with the user's row numbers; every record is checked against the header as it is read."""
    parsed = _read_records(text, label, problems)
    if parsed is None:
        return None
    header, records, spans = parsed
    n = len(header)
    if n > _limits().columns_per_table:
        problems.append(limit_problem("columns_per_table", label, f"{n:,} columns", row=1))
        return None
    names = _header_names(header, label, problems)
    # A quote that is opened and closed as CSV wants (RFC 4180) makes a cell with line breaks a legitimate one
    # (a warning); a stray quote is what makes a strict reader fail, and only then are swallowed rows suspected.
    strays = any(span > 1 for span in spans) and not _quotes_well_formed(text)
    _fit_records(records, spans, names, label, problems, strays)
    frame = pd.DataFrame(records, columns=range(n), dtype=object) if records else pd.DataFrame(
        {i: pd.Series(dtype=object) for i in range(n)})
    frame.columns = names
    return _raw_from_frame(frame, label, problems)


def _read_records(text: str, label: str,
                  problems: list[Problem]) -> tuple[list[str], list[list[str]], list[int]] | None:
    """The header, the records and the physical lines each record took; None (the problem said) when the text
    is empty, has more rows than allowed or is not readable as CSV."""
    limits = _limits()
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[list[str]] = []
    spans: list[int] = []  # physical lines each record took
    try:
        header = next(reader, None)
        if header is None:
            problems.append(Problem("file_unreadable", file=label, params=(("reason", "the file is empty"),)))
            return None
        line = reader.line_num
        for record in reader:
            if len(records) >= limits.rows_per_table:
                problems.append(limit_problem("rows_per_table", label, f"more than {len(records):,} rows",
                                              row=len(records) + 2))
                return None
            records.append(record)
            spans.append(reader.line_num - line)
            line = reader.line_num
    except csv.Error as exc:
        row = len(records) + 2
        if "field larger than field limit" in str(exc):
            problems.append(limit_problem("cell_chars", label, "a longer cell", row=row))
        else:
            problems.append(Problem("file_unreadable", file=label, row=row, params=(("reason", str(exc)[:200]),)))
        return None
    return header, records, spans


def _fit_records(records: list[list[str]], spans: list[int], names: list[str], label: str,
                 problems: list[Problem], strays: bool) -> None:
    """Each record made as wide as the header, in place: fields beyond it are an error when they hold text and
    cut with a warning when blank, short records are padded, cells with line breaks are checked, and cells the
    ledger writer guarded against formula injection are restored."""
    n = len(names)
    trailing: list[int] = []
    for i, record in enumerate(records):
        row = i + 2
        if len(record) > n:
            extra = record[n:]
            if any(x.strip() for x in extra):
                k = next(j for j, x in enumerate(extra) if x.strip())
                problems.append(Problem("too_many_fields", file=label, row=row, column=f"#{n + k + 1}",
                                        value=_show(extra[k]), accepted=f"{n} fields, as the header has",
                                        params=(("fields", str(len(record))), ("header_fields", str(n)))))
            else:
                trailing.append(row)
            del record[n:]
        elif 0 < len(record) < n:
            record.extend([""] * (n - len(record)))
        elif not record:
            record.extend([""] * n)
        if spans[i] > 1:
            _check_line_breaks(record, names, label, row, n, problems, strays)
        for j, cell in enumerate(record):
            if cell[:1] == "'":  # a cell our writer guarded against formula injection ("'=x" -> "=x")
                record[j] = _csv_restore(cell)
    if trailing:
        problems.append(Problem("trailing_fields", file=label, row=trailing[0], column=f"#{n + 1}",
                                value=f"{len(trailing)} row(s)", severity="warning",
                                params=(("count", str(len(trailing))),)))


def _quotes_well_formed(text: str) -> bool:
    """Does a strict CSV reader accept every quote of the text (each closed, and followed by a delimiter)?"""
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), strict=True):
            pass
    except csv.Error:
        return False
    return True


def _check_line_breaks(record: list[str], names: list[str], label: str, row: int, n: int,
                       problems: list[Problem], strays: bool) -> None:
    """A cell holding a line break: a warning. One holding lines that look like rows of the file: an unbalanced
    quote (an error) when the file's quotes are not well formed (`strays`); when they are, the quotes may be
    meant, so it loads as written with a warning that names the lines that would otherwise be rows."""
    for value, name in zip(record, names, strict=True):
        if not any(b in value for b in _LINE_BREAKS):
            continue
        lines = value.splitlines()
        swallowed = [x for x in lines[1:] if n > 1 and x.count(",") >= n - 1]
        if swallowed and not strays:
            problems.append(Problem("cell_holds_rows", file=label, row=row, column=name, value=_show(value),
                                    severity="warning", params=(("lines", str(len(swallowed))),)))
        elif swallowed:
            problems.append(Problem("unbalanced_quote", file=label, row=row, column=name, value=_show(value),
                                    accepted='a closing quote (") for the one that opens this cell, or no quote',
                                    params=(("lines", str(len(lines) - 1)),)))
        else:
            problems.append(Problem("line_break_in_cell", file=label, row=row, column=name, value=_show(value),
                                    severity="warning"))


def _raw_from_frame(frame: pd.DataFrame, label: str, problems: list[Problem] | None = None) -> RawTable:
    frame = frame.fillna("").astype(str)
    frame.columns = [str(c) for c in frame.columns]
    rows = [i + 2 for i in range(len(frame))]
    blank = frame.apply(lambda r: all(not str(v).strip() for v in r), axis=1) if len(frame) else pd.Series([], dtype=bool)
    keep = ~blank.to_numpy(dtype=bool) if len(frame) else np.array([], dtype=bool)
    frame = frame[keep].reset_index(drop=True)  # wholly blank lines hold nothing; row numbers are kept
    rows = [r for r, k in zip(rows, keep, strict=True) if k]
    if problems is not None:
        limit = _limits().cell_chars
        for column in frame.columns:
            lengths = frame[column].str.len()
            for i in np.flatnonzero(lengths.to_numpy() > limit)[:20]:
                problems.append(limit_problem("cell_chars", label, f"{int(lengths.iloc[i]):,} characters",
                                              row=rows[i], column=column))
    return RawTable(label=label, frame=frame, rows=rows, blank_rows=int((~keep).sum()) if len(keep) else 0)


def _match_name(name: str, candidates: tuple[str, ...]) -> bool:
    return unicodedata.normalize("NFKC", name).strip().lower() in {c.lower() for c in candidates}


def _wanted(name: str) -> bool:
    """Is this file one of the package's (a table or park.toml)?"""
    base = PurePosixPath(name).name
    return any(_match_name(base, names) for names in (*FILE_NAMES.values(), CONFIG_NAMES))


def read_package(path: str | Path, data: bytes | None = None) -> RawPackage:
    """Read the files of a package without interpreting them. `data` gives the bytes of an uploaded file."""
    path = Path(path)
    package = RawPackage(source=str(path))
    suffix = path.suffix.lower()
    try:
        if data is None and path.is_dir():
            _read_folder(path, package)
        elif suffix in (".xlsx", ".xlsm"):
            _read_excel(data if data is not None else path.read_bytes(), path.name, package)
        elif suffix == ".zip":
            _read_zip(data if data is not None else path.read_bytes(), path.name, package)
        elif not path.exists() and data is None:
            package.problems.append(Problem("package_unknown", file=str(path),
                                            params=(("reason", "no such file or folder"),)))
        else:
            package.problems.append(Problem("package_unknown", file=str(path), params=(
                ("reason", f"'{suffix or path.name}' is not a folder, .xlsx or .zip"),)))
    except _StopError as stop:
        package.problems.append(stop.problem)
    except OSError as exc:
        package.problems.append(Problem("file_unreadable", file=str(path), params=(("reason", str(exc)[:200]),)))
    return package


def read_files(files: dict[str, bytes], source: str = "upload") -> RawPackage:
    """Read a package given as several uploaded files (name -> bytes)."""
    package = RawPackage(source=source)
    xlsx = [n for n in files if n.lower().endswith((".xlsx", ".xlsm"))]
    zips = [n for n in files if n.lower().endswith(".zip")]
    try:
        if len(files) == 1 and xlsx:
            _read_excel(files[xlsx[0]], xlsx[0], package)
        elif len(files) == 1 and zips:
            _read_zip(files[zips[0]], zips[0], package)
        else:
            per_enterprise = _workbooks().is_per_enterprise(files)
            budget = _Budget(source)
            wanted = {}
            for name, data in files.items():
                if _wanted(name) or (per_enterprise and _workbooks().wanted(name)):
                    budget.take(len(data), name)
                    wanted[name] = data
            if per_enterprise:
                _workbooks().read_files(wanted, package, "", budget, source)
            else:
                _read_files(wanted, package, prefix="")
    except _StopError as stop:
        package.problems.append(stop.problem)
    return package


def _workbooks() -> Any:
    """symbiosis.core.workbooks (the per-enterprise layout), imported when a package is read: it builds on this
    module."""
    from symbiosis.core import workbooks

    return workbooks


def _read_folder(folder: Path, package: RawPackage) -> None:
    """Only the package's own files are read (a folder may hold anything else), each within the byte budget; a
    folder of workbooks without enterprises/streams tables is the per-enterprise layout."""
    if _workbooks().is_per_enterprise(p.name for p in folder.iterdir() if p.is_file()):
        _workbooks().read_folder(folder, package)
        return
    budget = _Budget(str(folder))
    files: dict[str, bytes] = {}
    for p in sorted(folder.iterdir()):
        if not (_wanted(p.name) and p.is_file()):
            continue
        files[p.name] = read_within(p, budget)
    _read_files(files, package, prefix="")


def _read_files(files: dict[str, bytes], package: RawPackage, prefix: str) -> None:
    for table in TABLES:
        names = [n for n in files if _match_name(PurePosixPath(n).name, FILE_NAMES[table])]
        if len(names) > 1:
            package.problems.append(Problem("file_twice", file=prefix + FILE_NAMES[table][0],
                                            value=", ".join(sorted(names)), accepted="one file per table"))
            continue
        if not names:
            if table in REQUIRED_TABLES:
                package.problems.append(Problem("file_missing", file=prefix + FILE_NAMES[table][0],
                                                accepted=" / ".join(FILE_NAMES[table]),
                                                params=(("file_name", FILE_NAMES[table][0]),)))
            continue
        label = prefix + names[0]
        text = decode(files[names[0]], label, package.problems)
        if text is not None:
            raw = _read_csv_text(text, label, package.problems)
            if raw is not None:
                package.tables[table] = raw
    config = [n for n in files if _match_name(PurePosixPath(n).name, CONFIG_NAMES)]
    if config:
        package.config_label = prefix + PurePosixPath(config[0]).name
        package.config_text = decode(files[config[0]], package.config_label, package.problems)


def _open_zip(data: bytes, label: str) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, and UnicodeDecodeError/ValueError/... from a corrupt central directory
        raise _StopError(Problem("file_unreadable", file=label, params=(("reason", _reason(exc)),))) from exc
    if len(zf.infolist()) > _limits().archive_members:
        raise _StopError(limit_problem("archive_members", label, f"{len(zf.infolist()):,} entries"))
    return zf


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, budget: _Budget,
                 sink: Any = None, keep: bool = True) -> bytes:
    """One member, decompressed in chunks that are counted against the budget as they come: a member's declared
    size is never trusted. Only stored and deflate members are read: bzip2 and LZMA decompress a whole
    compressed block at once, which a bomb makes unbounded."""
    name = f"{label}:{info.filename}"
    if info.compress_type not in _ZIP_METHODS:
        method = _ZIP_METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        raise _StopError(Problem("file_unreadable", file=name, params=(
            ("reason", f"compressed with {method}, which is not read; zip it again with the standard (deflate) "
                       "compression / 请用标准（deflate）压缩重新打包"),)))
    if info.flag_bits & 0x1:
        raise _StopError(Problem("file_unreadable", file=name, params=(("reason", "the file is encrypted / 文件已加密"),)))
    parts: list[bytes] = []
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                budget.take(len(chunk), name)
                if sink is not None:
                    sink(chunk)
                if keep:
                    parts.append(chunk)
            if sink is not None:
                sink(b"", final=True)
    except _StopError:
        raise
    except Exception as exc:  # zlib.error, BadZipFile (CRC), EOFError, expat errors, ...: a corrupt member
        raise _StopError(Problem("file_unreadable", file=name, params=(("reason", _reason(exc)),))) from exc
    return b"".join(parts)


def _read_zip(data: bytes, label: str, package: RawPackage) -> None:
    budget = _Budget(label)
    with _open_zip(data, label) as zf:
        members = [i for i in zf.infolist() if not i.is_dir() and not PurePosixPath(i.filename).name.startswith(".")
                   and "__MACOSX" not in i.filename]
        per_enterprise = _workbooks().is_per_enterprise(i.filename for i in members)
        infos = [i for i in members if _wanted(i.filename) or (per_enterprise and _workbooks().wanted(i.filename))]
        declared = sum(i.file_size for i in infos)
        if declared > _limits().package_bytes:  # honest headers: refused before unpacking; liars are caught below
            raise _StopError(limit_problem("package_bytes", label, f"{declared:,} bytes declared"))
        files = {i.filename: _read_member(zf, i, label, budget) for i in infos}
    if per_enterprise:  # workbooks without enterprises/streams tables: one per enterprise, counted in one budget
        _workbooks().read_files(files, package, f"{label}:", budget, label)
    else:
        _read_files(files, package, prefix=f"{label}:")


# --- .xlsx: every member checked while it is unpacked, before openpyxl sees the workbook ---------------------
class _SheetScan:
    """Streams a worksheet's XML: the last row and column holding a value (what openpyxl and pandas will build)
    and formula cells without a computed value."""

    def __init__(self) -> None:
        self.parser = expat.ParserCreate(namespace_separator="|")
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.in_v = False
        self.string_type = False
        self.row = 0
        self.col = 0
        self.last_row = 0
        self.last_col = 0
        self.ref = ""
        self.formula = False
        self.value = False
        self.formulas_without_value: list[str] = []

    def __call__(self, chunk: bytes, final: bool = False) -> None:
        self.parser.Parse(chunk, final)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition("|")[2]
        if local == "row":
            r = attrs.get("r", "")
            self.row = int(r) if r.isdigit() else self.row + 1
            self.col = 0
        elif local == "c":
            ref = attrs.get("r", "")
            m = re.fullmatch(r"([A-Za-z]{1,3})(\d+)", ref)
            if m:
                self.col = _column_index(m.group(1))
                self.row = int(m.group(2))
            else:
                self.col += 1
            self.ref = ref or f"{_column_letters(self.col)}{self.row}"
            self.formula = self.value = False
            self.string_type = attrs.get("t") == "str"  # a formula's text result, which may be ""
        elif local == "f":
            self.formula = True
        elif local == "v":
            self.in_v = True
            self.value = self.value or self.string_type  # an empty <v/> is no value unless the result is text
        elif local == "is":
            self.value = True

    def _text(self, data: str) -> None:
        if self.in_v and data:
            self.value = True

    def _end(self, name: str) -> None:
        local = name.rpartition("|")[2]
        if local == "v":
            self.in_v = False
        if local != "c":
            return
        if self.value:
            self.last_row = max(self.last_row, self.row)
            self.last_col = max(self.last_col, self.col)
        elif self.formula:
            self.formulas_without_value.append(self.ref)


class _SharedStringsScan:
    def __init__(self, member: str) -> None:
        self.parser = expat.ParserCreate(namespace_separator="|")
        self.parser.StartElementHandler = self._start
        self.count = 0
        self.member = member

    def __call__(self, chunk: bytes, final: bool = False) -> None:
        self.parser.Parse(chunk, final)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if name.rpartition("|")[2] == "si":
            self.count += 1
            if self.count > _limits().shared_strings:
                raise _StopError(limit_problem("shared_strings", self.member, f"more than {self.count - 1:,} strings"))


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def _column_letters(index: int) -> str:
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "A"


def _scan_xlsx(data: bytes, label: str, budget: _Budget | None = None) -> dict[str, _SheetScan]:
    """Unpack every member in counted chunks (nothing is kept); worksheets and shared strings are scanned. A
    workbook of a package of workbooks counts against the package's budget."""
    budget = budget if budget is not None else _Budget(label)
    scans: dict[str, _SheetScan] = {}
    with _open_zip(data, label) as zf:
        for info in zf.infolist():
            name = info.filename
            sink: Any = None
            if re.fullmatch(r"xl/worksheets/[^/]+\.xml", name):
                sink = scans.setdefault(name, _SheetScan())
            elif re.fullmatch(r"xl/sharedStrings\.xml", name, re.IGNORECASE):
                sink = _SharedStringsScan(f"{label}:{name}")
            _read_member(zf, info, label, budget, sink=sink, keep=False)
    return scans


def _unescape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel's _xHHHH_ escapes decoded in headers and text cells, as Excel does when it opens the file."""
    frame = frame.copy()
    frame.columns = [_xlsx_unescape(c) if isinstance(c, str) else c for c in frame.columns]
    for c in frame.columns:
        frame[c] = frame[c].map(lambda v: _xlsx_unescape(v) if isinstance(v, str) and "_x" in v else v)
    return frame


def _read_excel(data: bytes, label: str, package: RawPackage) -> None:
    with _open_sheets(data, label, package) as sheets:
        if sheets is None:
            return
        if _workbooks().read_book(sheets, label):  # one sheet per enterprise, each with a header block
            return
        for table in TABLES:
            _read_table_sheet(sheets, table)
        _read_park_sheet(sheets)


@contextlib.contextmanager
def _open_sheets(data: bytes, label: str, package: RawPackage,
                 budget: _Budget | None = None) -> Iterator[_Sheets | None]:
    """A workbook's sheets, after its members were scanned within the budget; None when it cannot be read (the
    problem is recorded)."""
    scans = _scan_or_stop(data, label, package, budget)
    if scans is None:
        yield None
        return
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for a corrupt workbook
        package.problems.append(Problem("file_unreadable", file=label, params=(("reason", _reason(exc)),)))
        yield None
        return
    try:
        with pd.ExcelFile(book, engine="openpyxl") as excel:
            yield _Sheets(excel=excel, scans=scans, label=label, package=package,
                          paths={ws.title: getattr(ws, "_worksheet_path", "") for ws in book.worksheets},
                          names=[str(n) for n in excel.sheet_names])
    finally:
        book.close()


def _scan_or_stop(data: bytes, label: str, package: RawPackage,
                  budget: _Budget | None = None) -> dict[str, _SheetScan] | None:
    """The workbook's members scanned (_scan_xlsx); None when a limit or a corrupt member stops the reading (the
    problem is recorded). Bytes that are no zip at all get no scan: openpyxl's own error then says what they are."""
    try:
        return _scan_xlsx(data, label, budget)
    except _StopError as stop:
        if not zipfile.is_zipfile(io.BytesIO(data)):
            return {}
        package.problems.append(stop.problem)
        return None


@dataclass
class _Sheets:
    """The sheets of an open workbook, each read only when its scan found nothing that stops it."""

    excel: pd.ExcelFile
    scans: dict[str, _SheetScan]  # by the sheet's member path in the workbook
    paths: dict[str, str]  # sheet title -> member path
    names: list[str]  # the sheet titles
    label: str
    package: RawPackage

    def read(self, sheet: str, header: int | None) -> pd.DataFrame | None:
        """A sheet as text cells (header row 0, or None for no header); None when it may not or cannot be read."""
        scan = self.scans.get(self.paths.get(sheet, ""), _SheetScan())
        where = f"{self.label}:{sheet}"
        if _sheet_stopped(scan, where, self.package.problems):
            return None
        nrows = max(scan.last_row - (1 if header == 0 else 0), 0) if scan.last_row else None
        try:
            return self.excel.parse(sheet, header=header, dtype=str, keep_default_na=False, nrows=nrows)
        except Exception as exc:  # a corrupt sheet
            self.package.problems.append(Problem("file_unreadable", file=where, params=(("reason", _reason(exc)),)))
            return None


def _sheet_stopped(scan: _SheetScan, where: str, problems: list[Problem]) -> bool:
    """What the scan found that stops a sheet from being read: formulas without a computed value, a value beyond
    the row or column limit. Every finding is recorded."""
    bad = False
    for ref in scan.formulas_without_value[:20]:
        m = re.fullmatch(r"([A-Za-z]+)(\d+)", ref)
        problems.append(Problem("formula_without_value", file=where,
                                row=int(m.group(2)) if m else None, column=ref, value=ref))
        bad = True
    if scan.last_row - 1 > _limits().rows_per_table:
        problems.append(limit_problem("rows_per_table", where, f"a value on row {scan.last_row:,}",
                                      row=scan.last_row))
        bad = True
    if scan.last_col > _limits().columns_per_table:
        problems.append(limit_problem("columns_per_table", where,
                                      f"a value in column {_column_letters(scan.last_col)}"))
        bad = True
    return bad


def _read_table_sheet(sheets: _Sheets, table: str) -> None:
    """The sheet of one table (its English or Chinese name): missing, twice, or read into package.tables."""
    package, label = sheets.package, sheets.label
    wanted = (table, TABLE_NAMES_ZH[table])
    names = [n for n in sheets.names if _match_name(n, wanted)]
    if len(names) > 1:
        package.problems.append(Problem("file_twice", file=f"{label}:{table}", value=", ".join(names),
                                        accepted="one sheet per table"))
        return
    if not names:
        if table in REQUIRED_TABLES:
            package.problems.append(Problem("file_missing", file=f"{label}:{table}", accepted=" / ".join(wanted),
                                            params=(("file_name", f"sheet {table}"),)))
        return
    frame = sheets.read(names[0], 0)
    if frame is None:
        return
    frame = _unescape_frame(frame)
    where = f"{label}:{names[0]}"
    headers = [str(c) for c in frame.columns]
    dupes = [h for h in headers if re.fullmatch(r".+\.\d+", h) and h.rsplit(".", 1)[0] in headers]
    for h in dupes:  # pandas renames a repeated header 'x' to 'x.1'
        package.problems.append(Problem("column_duplicate", file=where, row=1, column=h.rsplit(".", 1)[0],
                                        value=h.rsplit(".", 1)[0], accepted="a header used once / 表头不重复"))
    package.tables[table] = _raw_from_frame(frame, where, package.problems)


def _read_park_sheet(sheets: _Sheets) -> None:
    """The `park` sheet, if any: park.toml's lines in column A from row 1; a first cell "park.toml" is a title."""
    park_sheets = [n for n in sheets.names if _match_name(n, ("park", "园区"))]
    if not park_sheets:
        return
    raw_sheet = sheets.read(park_sheets[0], None)
    if raw_sheet is None:
        return
    raw_sheet = _unescape_frame(raw_sheet)
    lines = [str(x) for x in raw_sheet.iloc[:, 0].tolist()] if raw_sheet.shape[1] else []
    if lines and lines[0].strip().lower() == "park.toml":
        lines = lines[1:]
    sheets.package.config_text = "\n".join(lines)
    sheets.package.config_label = f"{sheets.label}:{park_sheets[0]}"


# --- interpreting tables -------------------------------------------------------------------------------------
def _map_headers(raw: RawTable, table: str, problems: list[Problem]) -> pd.DataFrame:
    lookup = header_lookup(table)
    renamed: dict[str, str] = {}
    seen: dict[str, str] = {}
    for header in raw.frame.columns:
        key = lookup.get(normalise_header(header))
        if key is None:
            name = user_column_name(header)
            if name != header:
                if name in raw.frame.columns:
                    problems.append(Problem("column_duplicate", file=raw.label, row=1, column=header, value=header,
                                            accepted=f"a header other than {header} or {name}"))
                    name = f"\x00duplicate:{header}"
                else:
                    problems.append(Problem("column_renamed", file=raw.label, row=1, column=header, value=header,
                                            severity="warning", params=(("new_name", name),)))
            elif normalise_header(header) and not header.startswith("Unnamed:"):
                problems.append(Problem("unknown_column", file=raw.label, row=1, column=header, value=header,
                                        severity="warning"))
            renamed[header] = name
            continue
        if key in seen:
            problems.append(Problem("column_duplicate", file=raw.label, row=1, column=key, value=header,
                                    accepted=f"one of: {seen[key]} / {header}"))
            renamed[header] = f"\x00duplicate:{header}"  # dropped below; the load fails on this error anyway
            continue
        seen[key] = header
        renamed[header] = key
    frame = raw.frame.copy()
    frame.columns = [renamed[h] for h in raw.frame.columns]
    frame = frame[[c for c in frame.columns if not str(c).startswith("\x00duplicate:")]]
    frame = frame[[c for c in frame.columns if not str(c).startswith("Unnamed:") or frame[c].str.strip().any()]]
    for col in columns(table):
        if col.required == "yes" and col.name not in frame.columns:
            problems.append(Problem("column_missing", file=raw.label, row=1, column=col.name,
                                    accepted=" / ".join(col.headers[:4])))
    return frame


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS for c in text)


def fold_key(text: str) -> str:
    """A key cell as it is looked up or joined: NFKC (full-width to half-width), outer spaces removed."""
    return unicodedata.normalize("NFKC", str(text)).strip()


def parse_number(text: str) -> float | None:
    """Ledger cell -> float; None when it is not a number. Full-width digits and thousands separators are read."""
    s = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    try:
        value = float(s)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _parse_numbers(frame: pd.DataFrame, raw: RawTable, table: str, problems: list[Problem]) -> pd.DataFrame:
    """Numbers parsed; cells that are not numbers become NaN and are listed in out.attrs['unreadable'].

    Key columns (ids, direction, material, unit, quality, baseline, hazardous code) are folded with fold_key for
    lookups (the build functions keep the unit as entered). Every other text cell is left exactly as the user
    wrote it; a control character in it is a warning naming the cell, in a number an error."""
    out = frame.copy()
    unreadable: set[tuple[int, str]] = set()
    number_columns = {col.name for col in columns(table) if col.dtype == "float"}
    for col in columns(table):
        if col.dtype != "float" or col.name not in out.columns:
            continue
        values: list[float] = []
        for i, cell in enumerate(out[col.name].tolist()):
            if not str(cell).strip():
                values.append(np.nan)
                continue
            number = None if _has_control(str(cell)) else parse_number(cell)
            if number is None:
                problems.append(Problem("not_number", file=raw.label, row=raw.rows[i], column=col.name,
                                        value=_show(str(cell)),
                                        accepted="a number, e.g. 1200 or 1,200.5 / 数字，如 1200 或 1,200.5"))
                unreadable.add((i, col.name))
                values.append(np.nan)
            else:
                values.append(number)
        out[col.name] = pd.Series(values, index=out.index, dtype="float64")
    for name in out.columns:
        if name in number_columns or str(name).startswith("\x00"):
            continue
        cells = out[name].astype(str)
        for i in np.flatnonzero(cells.map(_has_control).to_numpy(dtype=bool))[:20]:
            problems.append(Problem("control_character", file=raw.label, row=raw.rows[int(i)], column=str(name),
                                    value=_show(cells.iloc[int(i)]), severity="warning"))
    for name in sorted(KEY_COLUMNS & set(out.columns)):
        original = out[name].astype(str)
        folded = original.map(fold_key)
        out[name] = folded
        if name in ID_COLUMNS:
            changed = np.flatnonzero((original != folded).to_numpy(dtype=bool))
            if len(changed):
                i = int(changed[0])
                problems.append(Problem("id_folded", file=raw.label, row=raw.rows[i], column=name,
                                        value=original.iloc[i], accepted=folded.iloc[i], severity="warning",
                                        params=(("count", str(len(changed))),)))
    out.attrs["unreadable"] = unreadable
    return out


_NONNEGATIVE = {"quantity", "uncertainty", "distance_km"}


def _constraint_schema(table: str, present: set[str]) -> pa.DataFrameSchema:
    """Pandera checks from the declared schema: required cells non-blank, ids unique, non-negative quantities."""
    spec: dict[str, pa.Column] = {}
    for col in columns(table):
        if col.name not in present:
            continue
        checks: list[pa.Check] = []
        if col.dtype == "float":
            if col.name in _NONNEGATIVE:
                checks.append(pa.Check.ge(0, error="negative"))
            if col.name == "hours_per_year":
                checks.append(pa.Check.in_range(1, 8784, error="hours_range"))
            if col.name in ("x_km", "y_km"):
                checks.append(pa.Check.in_range(-10_000, 10_000, error="coordinate_range"))
            if col.name == "lon":
                checks.append(pa.Check.in_range(-180, 180, error="lon_range"))
            if col.name == "lat":
                checks.append(pa.Check.in_range(-90, 90, error="lat_range"))
            spec[col.name] = pa.Column(float, checks=checks, nullable=col.required != "yes")
        else:
            if col.required == "yes":
                # spaces alone are blank (free text such as a name is kept unstripped)
                checks.append(pa.Check(lambda v: v.astype(str).str.strip().str.len() > 0, error="required_blank"))
            unique = (col.name in ("enterprise_id", "exchange_id") and table != "streams") or col.name == "stream_id"
            spec[col.name] = pa.Column(str, checks=checks, unique=False, nullable=False,
                                       metadata={"unique": unique})
    return pa.DataFrameSchema(spec, strict=False)


def _check_constraints(frame: pd.DataFrame, raw: RawTable, table: str, problems: list[Problem],
                       present: set[str] | None = None) -> None:
    """`present`: the columns the file really has (a missing one is reported once, not as a blank on every row)."""
    schema = _constraint_schema(table, set(frame.columns) if present is None else present)
    unreadable: set[tuple[int, str]] = frame.attrs.get("unreadable", set())
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for case in cases.itertuples(index=False):
            index = case.index
            if index is None or (isinstance(index, float) and math.isnan(index)):
                continue
            check = str(case.check)
            if check == "not_nullable" and (int(index), str(case.column)) in unreadable:
                continue  # already reported as not a number
            code = "required_blank" if check in ("required_blank", "not_nullable") else check if check in (
                "negative", "hours_range") else "not_number"
            accepted = {"required_blank": "a value / 必填", "not_nullable": "a value / 必填",
                        "negative": "0 or more / 大于或等于 0", "hours_range": "1–8784",
                        "lon_range": "-180–180", "lat_range": "-90–90",
                        "coordinate_range": "-10000–10000 km"}.get(check, "")
            if check in ("lon_range", "lat_range", "coordinate_range"):
                code = "value_range"
            problems.append(Problem(code, file=raw.label, row=raw.rows[int(index)], column=str(case.column),
                                    value=_fmt(case.failure_case), accepted=accepted))
    for name, col in schema.columns.items():
        if not col.metadata or not col.metadata.get("unique"):
            continue
        values = frame[name]
        first_row: dict[str, int] = {}
        for i, v in enumerate(values.tolist()):
            if not v:
                continue
            if v in first_row:
                problems.append(Problem("duplicate_id", file=raw.label, row=raw.rows[i], column=name, value=v,
                                        accepted="a unique id / 唯一编号", params=(("other_row", str(first_row[v])),)))
            else:
                first_row[v] = raw.rows[i]


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _add_origin(frame: pd.DataFrame, raw: RawTable) -> pd.DataFrame:
    frame = frame.copy()
    frame["source_file"] = raw.label
    frame["source_row"] = pd.Series(raw.rows, index=frame.index, dtype="int64")
    return frame


def _ensure_columns(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    frame = frame.copy()
    for col in columns(table):
        if col.name not in frame.columns:
            frame[col.name] = np.nan if col.dtype == "float" else ""
    return frame


def _build_enterprises(raw: RawTable, problems: list[Problem]) -> pd.DataFrame:
    frame = _map_headers(raw, "enterprises", problems)
    frame = _parse_numbers(frame, raw, "enterprises", problems)
    _check_constraints(frame, raw, "enterprises", problems)
    frame = _ensure_columns(_add_origin(frame, raw), "enterprises")
    has_xy = frame["x_km"].notna() & frame["y_km"].notna()
    has_ll = frame["lon"].notna() & frame["lat"].notna()
    for i in (int(k) for k in np.flatnonzero(~(has_xy | has_ll))):
        problems.append(Problem("position_missing", file=raw.label, row=raw.rows[i], column="x_km/y_km | lon/lat",
                                value=f"{_cell(frame, i, 'x_km')},{_cell(frame, i, 'y_km')}"))
    position_from = np.where(has_xy, "xy", np.where(has_ll, "lonlat", ""))
    if has_xy.any() and (has_ll & ~has_xy).any():
        problems.append(Problem("position_mixed", file=raw.label, row=None, column="x_km/lon"))
    if (has_ll & ~has_xy).any():
        lat0 = math.radians(float(frame.loc[has_ll, "lat"].mean()))
        lon0 = float(frame.loc[has_ll, "lon"].mean())
        lat_mean = float(frame.loc[has_ll, "lat"].mean())
        # Equirectangular projection around the park's centre: distances within a park are a few km to tens of km.
        only_ll = has_ll & ~has_xy
        frame.loc[only_ll, "x_km"] = (frame.loc[only_ll, "lon"] - lon0) * 111.320 * math.cos(lat0)
        frame.loc[only_ll, "y_km"] = (frame.loc[only_ll, "lat"] - lat_mean) * 110.574
    frame["position_from"] = position_from
    return frame


def _cell(frame: pd.DataFrame, i: int, col: str) -> str:
    value = frame[col].iloc[i] if col in frame.columns else ""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else _fmt(value)


def _resolve_material(text: str, raw: RawTable, i: int, column: str, problems: list[Problem],
                      context: MaterialContext | None = None) -> str | None:
    return _read_material(text, raw, i, column, problems, context)[0]


def _read_material(text: str, raw: RawTable, i: int, column: str, problems: list[Problem],
                   context: MaterialContext | None = None) -> tuple[str | None, str]:
    """The key a row's material word names, and the note recorded on the row when the row chose it.

    A name of a key is that key. A generic word (余热, 循环水, 蒸汽 ...: taxonomy.read_material) is read by the
    row's unit kind, direction, temperature and baseline: one fitting key is taken and said (a warning, and the
    note); several are an error naming them and the columns that would decide; none an error naming the keys the
    word may mean. An exchange row (no context given) is read as what its supplier gives out: an output."""
    ctx = context if context is not None else MaterialContext(direction="output")
    reading = read_material(text, ctx)

    def problem(code: str, accepted: str, params: tuple[tuple[str, str], ...] = (),
                severity: Severity = "error") -> None:
        problems.append(Problem(code, file=raw.label, row=raw.rows[i], column=column, value=text,
                                accepted=accepted, severity=severity, params=params))

    seen = {"context": describe_context(ctx), "context_zh": describe_context(ctx, "zh")}
    if reading.how == "unknown" and text:
        suggestions = material_vocabulary().suggest(text)
        shown = describe_keys(tuple(suggestions)) or "see datasets/materials.csv"
        problem("unknown_material", shown)
    elif reading.how == "context" and reading.key is not None:
        m = materials()[reading.key]
        problem("material_read_in_context", reading.key, (("name", m.name_en), ("name_zh", m.name_zh),
                                                          *seen.items()), "warning")
        return reading.key, reading_note(reading, ctx)
    elif reading.how == "ambiguous":
        deciding = {"deciding": describe_deciding(reading.deciding),
                    "deciding_zh": describe_deciding(reading.deciding, "zh")}
        problem("material_ambiguous", describe_keys(reading.fitting), (*seen.items(), *deciding.items()))
    elif reading.how == "no_fit":
        problem("material_no_fit", describe_keys(reading.candidates), tuple(seen.items()))
    return reading.key, ""


def _row_context(r: dict[Any, Any], direction: str | None, entered: str, t_supply: float | None) -> MaterialContext:
    """What a stream row says besides its material word: its unit's kind of amount (parse_rate, not converted),
    whether the unit names steam, its direction, supply temperature and baseline key."""
    kind, steam = unit_kind(r["unit"]) if r["unit"] else (None, False)  # a bad unit is reported by the conversion
    baseline = baseline_vocabulary().resolve(r["baseline"]) if r["baseline"] else None
    return MaterialContext(unit=_shown(entered, 40) if r["unit"] else "", unit_kind=kind, steam_unit=steam,
                           direction=direction, temperature_c=t_supply, baseline=baseline)


def _shown(text: str, limit: int = 200) -> str:
    """A cell as quoted in a message: as the user wrote it, cut (visibly) when it is very long."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _convert(quantity: float, unit: str, material_key: str, hours: float | None, t_supply: float | None,
             t_return: float | None, raw: RawTable, i: int, problems: list[Problem],
             entered: str) -> tuple[float, str, str]:
    """`unit` is the folded key used for parsing; `entered` is the cell as written, quoted in messages."""
    material = materials()[material_key]
    try:
        converted = to_canonical(quantity, unit, material, hours, t_supply, t_return)
    except UnitError as problem:
        accepted = problem.params.pop("accepted", ACCEPTED_EXAMPLES)
        problems.append(Problem(problem.code, file=raw.label, row=raw.rows[i], column="unit",
                                value=_shown(entered), accepted=accepted, params=tuple(problem.params.items())))
        return math.nan, material.canonical_unit, ""
    if converted.note == "gas_m3_as_nm3":
        problems.append(Problem("gas_m3_as_nm3", file=raw.label, row=raw.rows[i], column="unit",
                                value=_shown(entered), severity="warning"))
    return converted.value, converted.unit, converted.note




@dataclass(frozen=True)
class _Row:
    """One data row of a table being built: where its problems are reported (file and the user's row number)."""

    raw: RawTable
    i: int  # position in the table's frame
    problems: list[Problem]

    def report(self, code: str, column: str, **details: Any) -> None:
        self.problems.append(Problem(code, file=self.raw.label, row=self.raw.rows[self.i], column=column,
                                     **details))


# The columns of streams the loader derives or rewrites, one value per row (in this order).
_STREAM_DERIVED: tuple[str, ...] = ("direction", "material", "category", "dimension", "quantity", "unit", "quality",
                                    "quality_rank", "baseline", "displaced_use", "conversion_note", "hours_per_year")


def _build_streams(raw: RawTable, enterprise_ids: set[str], config: ParkConfig,
                   problems: list[Problem]) -> pd.DataFrame:
    frame, unit_entered = _streams_frame(raw, problems)
    derived: dict[str, list[Any]] = {k: [] for k in _STREAM_DERIVED}
    for i, r in enumerate(frame.to_dict(orient="records")):
        values = _stream_row(r, _Row(raw, i, problems), frame, enterprise_ids, config, str(unit_entered[i]))
        for k in _STREAM_DERIVED:
            derived[k].append(values[k])
    frame["quantity_entered"] = frame["quantity"]
    frame["unit_entered"] = pd.Series(unit_entered, index=frame.index, dtype=object)
    frame["hazardous_code"] = frame["hazardous_code"].str.upper()
    for k, v in derived.items():
        frame[k] = pd.Series(v, index=frame.index, dtype="float64" if k in ("quantity", "hours_per_year") else None)
    frame["quality_rank"] = frame["quality_rank"].astype("int64")
    return frame


def _streams_frame(raw: RawTable, problems: list[Problem]) -> tuple[pd.DataFrame, list[Any]]:
    """streams as read: headers mapped, numbers parsed, every column present, blank stream ids generated, the
    table's constraints checked, origin columns added; and the unit cells as entered."""
    frame = _map_headers(raw, "streams", problems)
    unit_entered = frame["unit"].tolist() if "unit" in frame.columns else [""] * len(frame)
    frame = _parse_numbers(frame, raw, "streams", problems)
    present = {*frame.columns, "stream_id"}
    frame = _ensure_columns(frame, "streams")
    # Generated stream ids are part of the data (written back), so a reloaded park keeps them.
    blank_id = frame["stream_id"] == ""
    frame.loc[blank_id, "stream_id"] = [f"{e}-{r}" for e, r in zip(frame.loc[blank_id, "enterprise_id"],
                                                                     np.array(raw.rows)[blank_id.to_numpy()],
                                                                     strict=True)]
    _check_constraints(frame, raw, "streams", problems, present)
    return _add_origin(frame, raw), unit_entered


def _stream_row(r: dict[Any, Any], row: _Row, frame: pd.DataFrame, enterprise_ids: set[str], config: ParkConfig,
                entered: str) -> dict[str, Any]:
    """One stream row checked against the vocabularies and converted: its _STREAM_DERIVED values."""
    if r["enterprise_id"] and r["enterprise_id"] not in enterprise_ids:
        row.report("unknown_enterprise", "enterprise_id", value=r["enterprise_id"],
                   accepted="an enterprise_id of enterprises / 企业表中的企业编号")
    direction = resolve_direction(r["direction"]) if r["direction"] else None
    if r["direction"] and direction is None:
        row.report("unknown_direction", "direction", value=r["direction"], accepted="output/产出, input/投入")
    t_supply, t_return = as_float(r["temperature_c"]), as_float(r["temperature_return_c"])
    key, read_note = _read_material(r["material"], row.raw, row.i, "material", row.problems,
                                    _row_context(r, direction, entered, t_supply))
    material = materials().get(key) if key else None
    hours = as_float(r["hours_per_year"])
    if hours is None:
        hours = config.default_hours_per_year
    if material is not None and material.category == "heat":
        _check_heat_temperatures(row, frame, direction, t_supply, t_return)
        _check_heat_profile(row, material, direction, t_supply, t_return, as_float(r.get("pressure_mpa")),
                            as_float(r.get("acid_dew_point_c")))
    quality, rank = _stream_quality(r["quality"], material, row)
    baseline = _stream_baseline(r["baseline"], direction, material, row)
    displaced = _stream_displaced_use(r.get("displaced_use", ""), direction, baseline, row)
    _check_hazardous_code(r["hazardous_code"], material, direction, row)
    _check_months(r.get("months", ""), material, row)
    quantity, unit, note = math.nan, "", ""
    q = as_float(r["quantity"])
    if material is not None and q is not None and r["unit"]:
        quantity, unit, note = _convert(q, r["unit"], material.key, hours, t_supply, t_return, row.raw, row.i,
                                        row.problems, entered)
    elif material is not None:
        unit = material.canonical_unit
    return {"direction": direction or r["direction"], "material": key or r["material"],
            "category": material.category if material else "", "dimension": material.dimension if material else "",
            "quantity": quantity, "unit": unit, "quality": quality, "quality_rank": rank, "baseline": baseline,
            "displaced_use": displaced,
            "conversion_note": "; ".join(n for n in (read_note, note) if n),
            "hours_per_year": as_float(r["hours_per_year"])}


def _check_months(text: str, material: Material | None, row: _Row) -> None:
    """Operating months (symbiosis.core.periods.parse_months): readable; used on heat rows only."""
    if not text:
        return
    try:
        parse_months(text)
    except ValueError as exc:
        row.report("months_invalid", "months", value=_shown(text), accepted=MONTHS_ACCEPTED,
                   params=(("reason", str(exc)),))
        return
    if material is not None and material.category != "heat":
        row.report("months_not_heat", "months", value=_shown(text), severity="warning")


def _check_heat_temperatures(row: _Row, frame: pd.DataFrame, direction: str | None, t_supply: float | None,
                             t_return: float | None) -> None:
    """A heat row needs both temperatures; an output cools (return <= supply), an input is heated (inlet <=
    target)."""
    if t_supply is None or t_return is None:
        row.report("heat_temps_missing", "temperature_c/temperature_return_c",
                   value=f"{_cell(frame, row.i, 'temperature_c')}/{_cell(frame, row.i, 'temperature_return_c')}",
                   accepted="both temperatures in °C / 两个温度（°C）")
    elif direction == "output" and t_return > t_supply:
        row.report("heat_return_above_supply", "temperature_return_c", value=f"{t_return:g}",
                   accepted=f"<= {t_supply:g}", params=(("supply", f"{t_supply:g}"),))
    elif direction == "input" and t_return > t_supply:
        row.report("heat_input_inlet_above_target", "temperature_return_c", value=f"{t_return:g}",
                   accepted=f"<= {t_supply:g}", params=(("supply", f"{t_supply:g}"),))


def _check_heat_profile(row: _Row, material: Material, direction: str | None, t_supply: float | None,
                        t_return: float | None, pressure: float | None, acid_dew_point: float | None) -> None:
    """pressure_mpa only on steam, and a steam state IAPWS-IF97 covers (symbiosis.core.heat_profiles); an acid dew
    point only on an output, below its supply temperature."""
    if pressure is not None:
        if not is_steam_material(material.key, material.category):
            row.report("pressure_not_steam", "pressure_mpa", value=f"{pressure:g}",
                       accepted="a steam row (process_steam, waste_steam) / 蒸汽行", severity="warning")
        elif t_supply is not None and t_return is not None and t_return <= t_supply:
            try:
                steam_segments(t_supply, t_return, pressure)
            except ValueError as exc:
                row.report("steam_pressure_range", "pressure_mpa", value=f"{pressure:g}",
                           accepted=f"{P_MIN_MPA:g}–{P_MAX_MPA:g} MPa, T_sat <= temperature_c",
                           params=(("reason", str(exc)),))
    if acid_dew_point is not None:
        reason = ""
        if direction != "output":
            reason = "only a heat output (flue gas) has one / 仅热流产出（烟气）适用"
        elif t_supply is not None and acid_dew_point >= t_supply:
            reason = f"not below the supply temperature {t_supply:g} °C / 不低于供热温度"
        if reason:
            row.report("acid_dew_point_range", "acid_dew_point_c", value=f"{acid_dew_point:g}",
                       accepted="below temperature_c, on an output / 低于供热温度，仅产出",
                       params=(("reason", reason),))


def _stream_quality(text: str, material: Material | None, row: _Row) -> tuple[str, int]:
    """The water grade of a row and its rank (-1 when none): resolved on water and wastewater rows, required on
    water rows (a warning); on any other row a grade means nothing to the matcher and is kept as written."""
    if material is not None and material.category in ("water", "wastewater"):
        if text:
            grade = water_grade_vocabulary().resolve(text)
            grades = water_grades()
            if grade is None:
                row.report("unknown_quality", "quality", value=text,
                           accepted=", ".join(f"{g.grade} ({g.name_zh})" for g in grades.values()))
                return "", -1
            return grade, grades[grade].rank
        if material.category == "water":
            row.report("quality_missing", "quality", severity="warning")
        return "", -1
    if text:  # a grade on a row that is not water means nothing to the matcher: kept, and said
        row.report("quality_not_water", "quality", value=_shown(text), severity="warning",
                   accepted="water and wastewater rows only / 仅水和废水行")
        return text, -1
    return "", -1


# A word of an own supply (自产, self-supplied) names self_supplied for water, energy and heat; for a material it
# names an intermediate the enterprise makes itself.
OWN_SUPPLY_READING: dict[str, str] = {"self_supplied": "own_production"}
# Words of a displaced_use cell saying the present buyer needs nothing in the sold output's place.
NO_DISPLACED_USE: frozenset[str] = frozenset(normalise_header(w) for w in (
    "none", "无", "无需替代", "不需替代", "nothing", "no substitute"))


def _stream_baseline(text: str, direction: str | None, material: Material | None, row: _Row) -> str:
    """The row's baseline key: it must exist and fit the row's direction and category ("" when blank or not)."""
    if not text:
        return ""
    bases = baselines()
    b = baseline_vocabulary().resolve(text)
    category = material.category if material is not None else ""
    if b in OWN_SUPPLY_READING and category and category not in bases[b].categories \
            and category in bases[OWN_SUPPLY_READING[b]].categories:
        b = OWN_SUPPLY_READING[b]  # 自产 of a material: an intermediate made in-house, not own water or power
    if b is None or (direction and bases[b].direction != direction) or (
            category and category not in bases[b].categories):
        allowed = [k for k, v in bases.items() if (direction is None or v.direction == direction)
                   and (not category or category in v.categories)]
        row.report("unknown_baseline", "baseline", value=text, accepted=", ".join(allowed),
                   params=(("direction", f"{direction or 'stream'} {category}".strip()),))
        return ""
    return b


def _stream_displaced_use(text: str, direction: str | None, baseline: str, row: _Row) -> str:
    """The displaced use of an output sold today: a material key, "none", or "" (blank). Only an output whose
    baseline is sold can name one (what its buyer would use instead is the link's reference scenario)."""
    if not text:
        return ""
    if direction != "output" or baseline != "sold":
        row.report("displaced_use_not_sold", "displaced_use", value=text,
                   accepted="only on an output whose baseline is sold / 仅用于现状为外售的产出")
        return ""
    if normalise_header(text) in NO_DISPLACED_USE:
        return "none"
    key = _resolve_material(text, row.raw, row.i, "displaced_use", row.problems)
    return key or ""


def _check_hazardous_code(text: str, material: Material | None, direction: str | None, row: _Row) -> None:
    """A hazardous waste code in a form the national list uses; its absence on an output of a material that
    usually has one is a warning."""
    code = text.upper()
    if code and not HAZARDOUS_CODE.match(code):
        row.report("hazardous_code_format", "hazardous_code", value=text, accepted=HAZARDOUS_ACCEPTED)
    if not code and material is not None and material.hazardous_code_typical and direction == "output":
        row.report("hazardous_code_expected", "hazardous_code", value=material.key,
                   accepted=material.hazardous_code_typical, severity="warning")


def _build_exchanges(raw: RawTable, enterprise_ids: set[str], config: ParkConfig,
                     problems: list[Problem]) -> pd.DataFrame:
    frame = _map_headers(raw, "exchanges", problems)
    unit_entered = frame["unit"].tolist() if "unit" in frame.columns else [""] * len(frame)
    frame = _parse_numbers(frame, raw, "exchanges", problems)
    present = {*frame.columns, "exchange_id"}
    frame = _ensure_columns(frame, "exchanges")
    blank_id = frame["exchange_id"] == ""
    frame.loc[blank_id, "exchange_id"] = [f"X{r}" for r in np.array(raw.rows)[blank_id.to_numpy()]]
    _check_constraints(frame, raw, "exchanges", problems, present)
    frame = _add_origin(frame, raw)
    keys, cats, qty, units = [], [], [], []
    for i, r in enumerate(frame.to_dict(orient="records")):
        for col in ("supplier_id", "receiver_id"):
            if r[col] and r[col] not in enterprise_ids:
                problems.append(Problem("unknown_enterprise", file=raw.label, row=raw.rows[i], column=col,
                                        value=r[col], accepted="an enterprise_id of enterprises / 企业表中的企业编号"))
        key = _resolve_material(r["material"], raw, i, "material", problems)
        q, unit = math.nan, ""
        hours = as_float(r["hours_per_year"]) or config.default_hours_per_year
        if key and as_float(r["quantity"]) is not None and r["unit"]:
            q, unit, _ = _convert(float(r["quantity"]), r["unit"], key, hours, None, None, raw, i, problems,
                                  str(unit_entered[i]))
        keys.append(key or r["material"])
        cats.append(materials()[key].category if key else "")
        qty.append(q)
        units.append(unit)
    frame["quantity_entered"] = frame["quantity"]
    frame["unit_entered"] = pd.Series(unit_entered, index=frame.index, dtype=object)
    frame["material"] = keys
    frame["category"] = cats
    frame["quantity"] = pd.Series(qty, index=frame.index, dtype="float64")
    frame["unit"] = units
    return frame


def _empty_exchanges() -> pd.DataFrame:
    frame = _ensure_columns(pd.DataFrame(), "exchanges")
    for col in ("quantity_entered", "quantity", "source_row"):
        frame[col] = pd.Series(dtype="float64" if col != "source_row" else "int64")
    for col in ("unit_entered", "category", "source_file"):
        frame[col] = pd.Series(dtype=object)
    frame["unit"] = pd.Series(dtype=object)
    return frame


_DERIVED_ORDER = ("category", "dimension", "quantity_entered", "unit_entered", "quality_rank", "conversion_note",
                  "position_from")


def _ordered(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Canonical column order, so a park does not depend on the column order of its files."""
    schema = [c.name for c in columns(table) if c.name in frame.columns]
    derived = [c for c in _DERIVED_ORDER if c in frame.columns]
    origin = [c for c in ("source_file", "source_row") if c in frame.columns]
    extras = [c for c in frame.columns if c not in {*schema, *derived, *origin}]
    out = frame[schema + derived + extras + origin].reset_index(drop=True)
    out.attrs = {}  # the loader's bookkeeping does not travel with the park
    return out


def build_park(package: RawPackage) -> Park:
    """Interpret a read package. Raises ParkError with every problem when any is an error.

    package.accounts (and ParkError.accounts) tell, per table file, what became of its rows."""
    if package.merged is not None:  # per-enterprise workbooks: built merged, then each row given its sheet back
        return package.merged.build(package, _build_tables)  # type: ignore[no-any-return]
    return _build_tables(package)


def _build_tables(package: RawPackage) -> Park:
    problems = list(package.problems)
    config = _build_config(package, problems)
    enterprises = pd.DataFrame()
    enterprise_ids: set[str] = set()
    if "enterprises" in package.tables:
        enterprises = _build_enterprises(package.tables["enterprises"], problems)
        enterprise_ids = set(enterprises["enterprise_id"]) if "enterprise_id" in enterprises else set()
        if enterprises.empty:
            problems.append(Problem("empty_table", file=package.tables["enterprises"].label))
    streams = pd.DataFrame()
    if "streams" in package.tables:
        streams = _build_streams(package.tables["streams"], enterprise_ids, config, problems)
        if streams.empty:
            problems.append(Problem("empty_table", file=package.tables["streams"].label))
    exchanges = _empty_exchanges()
    if "exchanges" in package.tables:
        exchanges = _exchanges_or_template(package.tables["exchanges"], enterprise_ids, config, problems)
    failed = any(p.severity == "error" for p in problems)
    package.accounts = _accounts(package, problems, loaded=not failed)
    if failed:
        raise ParkError(problems, accounts=package.accounts)
    return Park(config=config, enterprises=_ordered(enterprises, "enterprises"), streams=_ordered(streams, "streams"),
                exchanges=_ordered(exchanges, "exchanges"), warnings=tuple(problems), source=package.source)


def _build_config(package: RawPackage, problems: list[Problem]) -> ParkConfig:
    """The park's settings from park.toml (the defaults without one); its problems are added to `problems`."""
    config = ParkConfig()
    if package.config_text is None:
        return config
    config_problems: list[tuple[str, str, str]] = []
    try:
        config, config_problems = config_from_toml(package.config_text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem("toml_invalid", file=package.config_label, params=(("reason", str(exc)),)))
    except ConfigLimitError as exc:
        problems.append(limit_problem(exc.limit, package.config_label, exc.found))
    for key, reason, accepted in config_problems:
        problems.append(Problem("toml_key", file=package.config_label, column=key, value=key, accepted=accepted,
                                params=(("reason", reason),)))
    known_factors = set(factor_ids())
    for fid in sorted(set(config.factor_overrides) - known_factors):
        problems.append(Problem("toml_key", file=package.config_label, column=f"factor_overrides.{fid}",
                                value=fid, accepted="a factor_id of datasets/emission_factors.csv",
                                params=(("reason", "is not a known emission factor"),)))
    return config


def _exchanges_or_template(raw: RawTable, enterprise_ids: set[str], config: ParkConfig,
                           problems: list[Problem]) -> pd.DataFrame:
    """The exchanges table; a header-only template gives no exchanges, its columns checked and kept."""
    if not raw.frame.empty:
        return _build_exchanges(raw, enterprise_ids, config, problems)
    exchanges = _empty_exchanges()
    extras = [c for c in _map_headers(raw, "exchanges", problems).columns if c not in exchanges.columns]
    for c in extras:
        exchanges[c] = pd.Series(dtype=object)
    return exchanges


def _accounts(package: RawPackage, problems: list[Problem], loaded: bool) -> list[FileAccount]:
    """Per table file: rows read (not blank), loaded, with errors, with warnings; errors about the whole file."""
    out: list[FileAccount] = []
    for table, raw in package.tables.items():
        mine = [p for p in problems if p.file == raw.label]
        error_rows = {p.row for p in mine if p.severity == "error" and p.row is not None and p.row > 1}
        warning_rows = {p.row for p in mine if p.severity == "warning" and p.row is not None and p.row > 1}
        file_errors = sum(p.severity == "error" and (p.row is None or p.row <= 1) for p in mine)
        out.append(FileAccount(file=raw.label, table=table, rows_read=len(raw.rows),
                               rows_loaded=len(raw.rows) if loaded else 0, rows_with_errors=len(error_rows),
                               rows_with_warnings=len(warning_rows), blank_rows=raw.blank_rows,
                               file_errors=file_errors))
    return out


def load_park(path: str | Path, data: bytes | None = None) -> Park:
    """Load a park data package from a folder, .xlsx or .zip (or its bytes). Raises ParkError on any error."""
    return build_park(read_package(path, data))


def load_files(files: dict[str, bytes], source: str = "upload") -> Park:
    """Load a park uploaded as files (several CSVs and park.toml, or one .xlsx, or one .zip)."""
    return build_park(read_files(files, source))


__all__ = ["DIRECTIONS", "ENCODINGS", "FileAccount", "RawPackage", "build_park", "load_files", "load_park", "parse_number",
           "read_package"]
