"""Data page helpers: open, upload, validate, edit a park. Plain functions over a Workspace; no streamlit here."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd

from app.i18n import pick, t, word
from app.keys import files_key, park_key
from app.state import Change, Repair, StateLike, Workspace
from symbiosis.commands.common import problems_frame
from symbiosis.core import excel
from symbiosis.core.datasets import datasets_dir, demo_park_path
from symbiosis.core.errors import ParkError, Problem
from symbiosis.core.i18n import Lang
from symbiosis.core.loader import (
    FILE_NAMES,
    RawPackage,
    RawTable,
    build_park,
    load_files,
    load_park,
    read_files,
)
from symbiosis.core.park import Park
from symbiosis.core.scenario import Edit, Scenario, ScenarioError, apply_edits, written_streams
from symbiosis.core.schema import HEADINGS, TABLES, columns, header_lookup, normalise_header, template
from symbiosis.core.taxonomy import materials
from symbiosis.core.template import template_bytes

MAX_UPLOAD_MB = 50  # the same number as server.maxUploadSize in .streamlit/config.toml
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
UPLOAD_TYPES: tuple[str, ...] = ("csv", "xlsx", "xlsm", "zip", "toml")
PACKAGE_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm", ".zip")  # each is a whole park package on its own
PARK_ENV = "SYMBIOSIS_APP_PARK"  # a park package path the app opens on first visit instead of the demo
# Columns of streams.csv a planner edits in place on the Data page (a subset of scenario.EDITABLE_STREAM_COLUMNS).
EDITOR_COLUMNS: tuple[str, ...] = ("quantity", "unit", "temperature_c", "temperature_return_c", "baseline",
                                   "hours_per_year")
EDITOR_SHOWN: tuple[str, ...] = ("stream_id", "enterprise_id", "direction", "material", *EDITOR_COLUMNS)


# --- opening a park ---------------------------------------------------------------------------------------------
def park_label(park: Park, lang: Lang) -> str:
    return pick(park.config.name, park.config.name_zh, lang)


def open_park(ws: Workspace, park: Park, label: str) -> None:
    """Make `park` the session's park. A new park starts a new scenario (its edits and links named the old one)."""
    ws.base_park = park
    ws.base_key = park_key(park)
    ws.park = park
    ws.park_key = ws.base_key
    ws.source_label = label
    ws.scenario = Scenario(name=ws.scenario.name, options=dict(ws.scenario.options), park=park.config.name,
                           park_hash=ws.base_key)
    ws.plan = None
    ws.plan_park_key = ws.plan_options_key = ""
    ws.problems = []
    ws.problems_kind = ""
    ws.problem_streams = {}
    ws.editor_version += 1


def fail(ws: Workspace, problems: Iterable[Problem], kind: str, stream_rows: Mapping[int, str] | None = None) -> None:
    """Record a failed upload or edit; the park that was open stays open."""
    ws.problems = list(problems)
    ws.problems_kind = kind
    ws.problem_streams = dict(stream_rows or {})


def first_visit_park() -> tuple[Path, str]:
    """The park opened on a first visit: $SYMBIOSIS_APP_PARK when set, else the bundled demo park."""
    override = os.environ.get(PARK_ENV, "").strip()
    if override:
        return Path(override), override
    return demo_park_path(), "demo"


def shipped_park(name: str) -> Path | None:
    """A park folder shipped in datasets/ by its folder name (for ?park=NAME); never an arbitrary path."""
    if not re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", name):
        return None
    path = datasets_dir() / name
    return path if path.is_dir() and (path / "enterprises.csv").exists() else None


Loader: TypeAlias = Callable[[Mapping[str, bytes], str], Park]


def _load_files(files: Mapping[str, bytes], source: str) -> Park:
    return load_files(dict(files), source=source)


def folder_files(path: Path) -> dict[str, bytes] | None:
    """The files of a package folder as an upload would give them; None for an .xlsx or .zip path."""
    if not path.is_dir():
        return None
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}


def open_path(ws: Workspace, path: Path, label: str, loader: Loader = _load_files) -> bool:
    """Open a park package from the server's disk (the demo, or the operator's choice). False on problems.

    A folder is read into memory and loaded through `loader` (the app passes a cache keyed on the files'
    content, so twenty browsers opening the demo park load it once).
    """
    if not path.exists():
        fail(ws, [Problem("package_unknown", file=str(path), params=(("reason", "no such file or folder"),))],
             "upload")
        return False
    try:
        files = folder_files(path)
        park = load_park(path) if files is None else loader(files, str(path))
    except ParkError as exc:
        fail(ws, exc.problems, "upload")
        return False
    open_park(ws, park, label)
    return True


def upload_size_problem(sizes: Mapping[str, int]) -> bool:
    """True when the upload is larger than the app accepts (the server refuses single files above it too)."""
    return sum(sizes.values()) > MAX_UPLOAD_BYTES


@dataclass(frozen=True)
class UploadProblem(Problem):
    """A problem with the upload as a whole, worded by the app (app.i18n) instead of the loader's messages."""

    def text(self, lang: Lang = "en") -> str:
        from app.i18n import t

        return t(self.code, lang, **dict(self.params))


def upload_conflict(files: Mapping[str, bytes] | Iterable[str]) -> UploadProblem | None:
    """Several packages in one upload (two workbooks, a workbook and a .zip, a workbook with CSVs), else None.

    The loader reads one package at a time: one .xlsx, one .zip, or CSV files (and park.toml). Given two
    workbooks it looks for CSV files, finds none and reports enterprises.csv and streams.csv missing, which says
    nothing about the real mistake — typically the broken workbook still in the upload box beside the fixed one.
    """
    names = sorted(files)
    packages = [n for n in names if n.lower().endswith(PACKAGE_SUFFIXES)]
    if len(packages) >= 2:
        listed = ", ".join(packages)
        return UploadProblem("upload_several_packages", file=listed, value=listed,
                             params=(("n", str(len(packages))), ("files", listed)))
    if len(packages) == 1 and len(names) > 1:
        others = ", ".join(n for n in names if n not in packages)
        return UploadProblem("upload_package_and_files", file=packages[0], value=f"{packages[0]}, {others}",
                             params=(("package", packages[0]), ("others", others)))
    return None


def load_upload(ws: Workspace, files: Mapping[str, bytes], loader: Loader = _load_files) -> bool:
    """Load uploaded files (several CSVs and park.toml, one .xlsx, or one .zip) through the loader.

    On any error the problems are recorded and the park that was open stays open: nothing is loaded half-way.
    The same upload is not tried twice in a row (reruns keep the uploader's files). Several packages at once
    (see `upload_conflict`) are refused before the loader sees them, with a message naming the files.
    """
    key = files_key(files)
    ws.last_upload_key = key
    conflict = upload_conflict(files)
    if conflict is not None:
        fail(ws, [conflict], "upload_packages")
        return False
    label = ", ".join(sorted(files))
    try:
        park = loader(files, label)
    except ParkError as exc:
        fail(ws, exc.problems, "upload")
        ws.repair = start_repair(files, label, exc.problems)
        return False
    open_park(ws, park, label)
    ws.repair = None
    return True


def problems_table(ws: Workspace, lang: Lang) -> pd.DataFrame:
    """The validation report: severity, file, row, column, value, problem, what is accepted (+ stream for edits)."""
    frame = problems_frame(ws.problems, lang)
    raw = ws.repair.raw if ws.repair is not None else None
    if raw is not None and len(frame):
        typed = [_as_written(raw, p) for p in ws.problems]
        frame.iloc[:, 3] = [h if h is not None else c for (h, _), c in zip(typed, frame.iloc[:, 3], strict=True)]
        frame.iloc[:, 4] = [v if v is not None else c for (_, v), c in zip(typed, frame.iloc[:, 4], strict=True)]
    if ws.problem_streams:
        stream = [ws.problem_streams.get(p.row, "") if p.row is not None else "" for p in ws.problems]
        frame.insert(2, t("col_stream_id", lang), stream)
    return _accepted_before_message(frame)


def _as_written(raw: RawPackage, problem: Problem) -> tuple[str | None, str | None]:
    """The header the user wrote for the problem's column and the cell as typed (None when not found)."""
    for table, found in raw.tables.items():
        if found.label != problem.file or not problem.column:
            continue
        lookup = header_lookup(table)
        header = next((h for h in found.frame.columns
                       if h == problem.column or lookup.get(normalise_header(h)) == problem.column), None)
        if header is None:
            return None, None
        if problem.row is None or problem.row not in found.rows:
            return str(header), None
        cell = found.frame.iloc[found.rows.index(problem.row)][header]
        return str(header), "" if cell is None or cell != cell else str(cell)
    return None, None


def _accepted_before_message(frame: pd.DataFrame) -> pd.DataFrame:
    """The problem's long text last, so "accepted" stays on screen beside the value."""
    message, accepted = frame.columns[-2], frame.columns[-1]
    order = [c for c in frame.columns if c not in (message, accepted)] + [accepted, message]
    return frame[order]


def warnings_table(park: Park, lang: Lang) -> pd.DataFrame:
    return _accepted_before_message(problems_frame(list(park.warnings), lang))


# --- templates --------------------------------------------------------------------------------------------------
def _template_name(table: str, lang: Lang) -> str:
    en, zh = FILE_NAMES[table][:2]
    return pick(en, zh, lang)


PARK_TOML_TEMPLATE = """# park.toml (optional) / 园区配置（可选）
name = "My park"
name_zh = "我的园区"
region = "national"   # grid region: national, north, northeast, east, central, northwest, south, southwest
year = 2023
dt_min_k = 10.0
# default_hours_per_year = 8000

[reach_km]
truck = 50.0
pipe_water = 10.0
pipe_heat = 5.0
pipe_steam = 3.0
pipe_gas = 10.0
"""


def template_zip(lang: Lang) -> bytes:
    """Blank CSV templates (one per table, UTF-8 with BOM so Excel shows Chinese) and a park.toml, zipped."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for table in TABLES:
            zf.writestr(_template_name(table, lang), excel.csv_bytes(template(table, lang), encoding="utf-8-sig"))
        zf.writestr("park.toml", PARK_TOML_TEMPLATE.encode("utf-8"))
    return buffer.getvalue()


def template_xlsx(lang: Lang) -> bytes:
    """The fill-in workbook of `symbiosis template` (symbiosis.core.template): a sheet per table with headers in
    `lang` (the other language in each header's note), dropdowns, input hints and an example row, a `park` sheet
    and the hidden lists sheet the dropdowns read."""
    return template_bytes(lang)


def ledger_view(park: Park, table: str, lang: Lang) -> pd.DataFrame:
    """A ledger table as entered, with the Chinese headers of the schema when lang is zh."""
    frame = park.ledger_tables()[table].reset_index(drop=True)
    return frame.rename(columns={c.name: pick(c.name, c.header_zh, lang) for c in columns(table)})


def column_help(table: str, lang: Lang) -> pd.DataFrame:
    """What goes in each column of a table, from the declared schema."""
    rows = []
    for c in columns(table):
        required = t(c.required, lang) if c.required in ("yes", "no") else c.required
        rows.append((c.name, c.header_zh, c.canonical_unit, required, pick(c.description_en, c.description_zh, lang)))
    head = [word(HEADINGS, "column", lang), t("help_header_zh", lang), word(HEADINGS, "unit", lang),
            word(HEADINGS, "required", lang), word(HEADINGS, "description", lang)]
    return pd.DataFrame(rows, columns=head)


# --- editing the ledger -----------------------------------------------------------------------------------------
def editor_frame(park: Park, lang: Lang = "en") -> pd.DataFrame:
    """streams.csv as entered (quantity and unit as the ledger gave them), the columns the editor shows.

    The read-only columns direction and material are shown in `lang` (产出/投入, 粉煤灰); the editable ones as
    entered, since they are written back.
    """
    ledger = park.ledger_tables()["streams"]
    out = pd.DataFrame(index=ledger.index)
    for col in EDITOR_SHOWN:
        out[col] = ledger[col] if col in ledger.columns else ""
    out["direction"] = out["direction"].map(lambda d: t(f"dir_{d}", lang) if d in ("output", "input") else d)
    names = materials()
    out["material"] = out["material"].map(lambda m: names[m].name(lang) if m in names else m)
    for col in ("quantity", "temperature_c", "temperature_return_c", "hours_per_year"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    for col in ("unit", "baseline"):
        out[col] = out[col].fillna("").astype(str)
    return out.reset_index(drop=True)


def _same(a: Any, b: Any) -> bool:
    if _blank(a) and _blank(b):
        return True
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a).strip() == str(b).strip()


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())


def edits_from_editor(frame: pd.DataFrame, edited_rows: Mapping[Any, Mapping[str, Any]]) -> list[Edit]:
    """st.data_editor's `edited_rows` ({row position: {column: new value}}) as scenario edits of streams.csv."""
    edits: list[Edit] = []
    for pos, changes in edited_rows.items():
        i = int(pos)
        if not 0 <= i < len(frame):
            continue
        stream_id = str(frame.iloc[i]["stream_id"])
        for column, value in changes.items():
            if column not in EDITOR_COLUMNS or _same(value, frame.iloc[i][column]):
                continue
            if _blank(value):
                value = ""
            elif isinstance(value, int | float) and not isinstance(value, bool):
                value = float(value)
            else:
                value = str(value)
            edits.append(Edit(stream_id, column, value))
    return edits


def apply_scenario_edits(ws: Workspace, edits: list[Edit]) -> bool:
    """Add edits to the scenario and reload the edited ledger through the loader (the same validation).

    On a problem the park and the scenario stay as they were and the report names each stream.
    """
    if ws.base_park is None:
        return False
    if not edits:
        return True
    scenario = ws.scenario.with_edits(edits)
    return _rebuild(ws, scenario)


def set_scenario(ws: Workspace, scenario: Scenario) -> bool:
    """Make `scenario` current on the open park (its edits re-applied). False, with problems, when they fail."""
    scenario = replace(scenario, park=ws.base_park.config.name if ws.base_park else "", park_hash=ws.base_key)
    return _rebuild(ws, scenario)


def _rebuild(ws: Workspace, scenario: Scenario) -> bool:
    assert ws.base_park is not None
    try:
        park = apply_edits(ws.base_park, scenario.edits, source=ws.base_park.source)
    except ParkError as exc:
        streams = written_streams(ws.base_park, scenario.edits)
        rows = {i + 2: str(sid) for i, sid in enumerate(streams["stream_id"].tolist())}
        fail(ws, exc.problems, "edit", rows)
        return False
    except ScenarioError as exc:
        fail(ws, [Problem("file_unreadable", file="scenario", params=(("reason", str(exc)),))], "edit")
        return False
    if not scenario.edits:
        park = ws.base_park  # exactly the park as loaded
    ws.scenario = scenario
    ws.park = park
    ws.park_key = park_key(park)
    ws.problems, ws.problems_kind, ws.problem_streams = [], "", {}
    ws.editor_version += 1
    return True


def undo_edits(ws: Workspace) -> bool:
    return set_scenario(ws, replace(ws.scenario, edits=()))


def edits_table(scenario: Scenario, lang: Lang) -> pd.DataFrame:
    head = [t("col_stream_id", lang), word(HEADINGS, "column", lang), t("col_new_value", lang)]
    return pd.DataFrame([(e.stream_id, e.column, e.value) for e in scenario.edits], columns=head).astype(str)


# --- fixing the rows of a package that failed to load -----------------------------------------------------------
FIX_ROW = "_row"  # the fix table's own columns (the user's headers follow them, as written)
FIX_PROBLEMS = "_problems"
FIX_MAX_ROWS = 1000  # rows shown per table; a package with more broken rows is better fixed in a spreadsheet


def start_repair(files: Mapping[str, bytes], label: str, problems: Iterable[Problem]) -> Repair:
    """Keep a package that failed to load (read again, cells as written) with the rows its problems name."""
    raw = read_files(dict(files), source=label)
    repair = Repair(raw=raw, files=dict(files), label=label, problems=list(problems))
    _add_problem_rows(repair)
    return repair


def _table_of(raw: RawPackage, file: str) -> str | None:
    return next((table for table, r in raw.tables.items() if r.label == file), None)


def _add_problem_rows(repair: Repair) -> None:
    """Every data row a problem names joins the rows shown (a row stays shown once fixed, marked as such)."""
    for p in repair.problems:
        table = _table_of(repair.raw, p.file)
        if table is None or p.row is None or p.row < 2 or p.row not in repair.raw.tables[table].rows:
            continue
        rows = repair.rows.setdefault(table, [])
        if p.row not in rows:
            rows.append(p.row)
            rows.sort()


def _cell_now(repair: Repair, table: str, row: int, header: str) -> str:
    """A cell as it stands: the value typed, else as the user's file had it."""
    typed = repair.cells.get((table, row, header))
    if typed is not None:
        return typed
    raw = repair.raw.tables[table]
    return str(raw.frame.iloc[raw.rows.index(row)][header])


def fix_frame(repair: Repair, table: str, lang: Lang) -> pd.DataFrame:
    """The rows shown for fixing in one table: spreadsheet row, its problems now, then every cell as it stands."""
    raw = repair.raw.tables[table]
    rows = repair.rows.get(table, [])[:FIX_MAX_ROWS]
    texts: dict[int, list[str]] = {}
    for p in repair.problems:
        if p.file == raw.label and p.row is not None:
            where = f"{p.column}: " if p.column else ""
            texts.setdefault(p.row, []).append(where + p.text(lang))
    records = []
    for row in rows:
        record: dict[str, Any] = {FIX_ROW: row,
                                  FIX_PROBLEMS: " · ".join(texts.get(row, [])) or t("fix_row_ok", lang)}
        for header in raw.frame.columns:
            record[str(header)] = _cell_now(repair, table, row, str(header))
        records.append(record)
    return pd.DataFrame(records, columns=[FIX_ROW, FIX_PROBLEMS, *map(str, raw.frame.columns)])


def fix_changes(repair: Repair, table: str, edited_rows: Mapping[Any, Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    """st.data_editor's `edited_rows` of a fix table as (spreadsheet row, header, new text); unchanged cells out."""
    rows = repair.rows.get(table, [])[:FIX_MAX_ROWS]
    headers = {str(h) for h in repair.raw.tables[table].frame.columns}
    out: list[tuple[int, str, str]] = []
    for pos, changes in edited_rows.items():
        i = int(pos)
        if not 0 <= i < len(rows):
            continue
        for header, value in changes.items():
            if header not in headers:
                continue
            text = "" if _blank(value) else _text(value)
            if text != _cell_now(repair, table, rows[i], header):
                out.append((rows[i], header, text))
    return out


def _text(value: Any) -> str:
    """A typed value as a ledger cell: whole numbers without '.0' (the editor may hand a number back)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def repaired_package(repair: Repair) -> RawPackage:
    """The package as read with the typed cells laid over it (the read package itself is never changed)."""
    tables: dict[str, RawTable] = {}
    for table, raw in repair.raw.tables.items():
        frame = raw.frame.copy()
        for (t_name, row, header), value in repair.cells.items():
            if t_name == table and row in raw.rows and header in frame.columns:
                frame.iat[raw.rows.index(row), frame.columns.get_loc(header)] = value  # type: ignore[index]
        tables[table] = replace(raw, frame=frame, rows=list(raw.rows))
    return replace(repair.raw, tables=tables, problems=list(repair.raw.problems), accounts=[])


def apply_fix(ws: Workspace, table: str, changes: Iterable[tuple[int, str, str]], when: str | None = None) -> bool:
    """Type cells into the kept package, log each change, and check the package again through the loader.

    Once it loads, the fixed park is opened (no new upload); until then the park that was open stays open and
    the problems left are shown. True when the package now loads.
    """
    repair = ws.repair
    if repair is None:
        return False
    stamp = when or datetime.now(UTC).isoformat(timespec="seconds")
    label = repair.raw.tables[table].label
    changed = False
    for row, header, new in changes:
        old = _cell_now(repair, table, row, header)
        if new == old:
            continue
        repair.cells[(table, row, header)] = new
        repair.log.append(Change(file=label, row=row, column=header, old=old, new=new, when=stamp,
                                 group=repair.group.strip()))
        changed = True
    if not changed:
        return repair.park is not None and not repair.problems
    return check_repair(ws)


def check_repair(ws: Workspace) -> bool:
    """Build the park from the fixed package: open it when it loads, else record what is left."""
    repair = ws.repair
    assert repair is not None
    repair.version += 1
    try:
        park = build_park(repaired_package(repair))
    except ParkError as exc:
        repair.problems = exc.problems
        _add_problem_rows(repair)
        fail(ws, exc.problems, "upload")
        return False
    repair.problems = []
    repair.park = park
    open_park(ws, park, repair.label)
    return True


def apply_pending_fixes(ws: Workspace, state: StateLike) -> bool:
    """The fix tables' edits of the last rerun (widget state under Repair.editor_key), applied. True if any."""
    repair = ws.repair
    if repair is None:
        return False
    pending = []
    for table in list(repair.rows):
        value = state.get(repair.editor_key(table)) if repair.editor_key(table) in state else None
        edited = value.get("edited_rows", {}) if isinstance(value, Mapping) else {}
        if edited:
            pending.append((table, fix_changes(repair, table, edited)))
    if not pending:
        return False
    for table, changes in pending[:-1]:
        _log_only(repair, table, changes)
    apply_fix(ws, *pending[-1])
    return True


def _log_only(repair: Repair, table: str, changes: Iterable[tuple[int, str, str]]) -> None:
    """Record changes of a table without checking (the last table's apply_fix checks them all at once)."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    label = repair.raw.tables[table].label
    for row, header, new in changes:
        old = _cell_now(repair, table, row, header)
        if new != old:
            repair.cells[(table, row, header)] = new
            repair.log.append(Change(label, row, header, old, new, stamp, repair.group.strip()))


CHANGE_COLUMNS: tuple[str, ...] = ("file", "row", "column", "old", "new", "when", "group")


def change_log(repair: Repair, lang: Lang = "en") -> pd.DataFrame:
    """What was typed, one row per change: file, row, column, old value, new value, when, group."""
    rows = [(c.file, c.row, c.column, c.old, c.new, c.when, c.group) for c in repair.log]
    return pd.DataFrame(rows, columns=[t(f"change_{c}", lang) for c in CHANGE_COLUMNS])


def change_log_csv(repair: Repair, lang: Lang = "en") -> bytes:
    """The change log as CSV (UTF-8 with BOM, Excel-safe: a typed '=…' stays text)."""
    return excel.csv_bytes(change_log(repair, lang), encoding="utf-8-sig")


def fixed_package_zip(repair: Repair, lang: Lang = "en") -> bytes:
    """The corrected package (Park.to_files: the tables and park.toml) with change_log.csv beside them."""
    if repair.park is None:
        return b""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in repair.park.to_files().items():
            zf.writestr(name, data)
        zf.writestr("change_log.csv", change_log_csv(repair, lang))
    return buffer.getvalue()


def original_files(repair: Repair) -> list[tuple[str, bytes]]:
    """The files the user uploaded, byte for byte, by name."""
    return sorted(repair.files.items())
