"""Read a park data package (folder, .xlsx or .zip), validate every row, convert units, build a Park.

Every problem found is collected (never the first only) and raised together as a ParkError; nothing is dropped
or guessed. Rows are numbered as in the user's spreadsheet: header row 1, first data row 2.
"""

from __future__ import annotations

import io
import math
import re
import tomllib
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from symbiosis.errors import ParkError, Problem
from symbiosis.factors import factor_ids
from symbiosis.park import Park, ParkConfig, config_from_toml
from symbiosis.schema import REQUIRED_TABLES, TABLE_NAMES_ZH, TABLES, columns, header_lookup, normalise_header
from symbiosis.taxonomy import (
    DIRECTIONS,
    baseline_vocabulary,
    baselines,
    material_vocabulary,
    materials,
    resolve_direction,
    water_grade_vocabulary,
    water_grades,
)
from symbiosis.units import ACCEPTED_EXAMPLES, UnitError, as_float, to_canonical

ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")
ENCODING_NAMES = "UTF-8, UTF-8 with BOM, GB18030/GBK"
MAX_PACKAGE_BYTES = 200 * 1024 * 1024  # uncompressed; guards against zip bombs from uploads
FILE_NAMES: dict[str, tuple[str, ...]] = {
    table: (f"{table}.csv", f"{TABLE_NAMES_ZH[table]}.csv") for table in TABLES
}
CONFIG_NAMES: tuple[str, ...] = ("park.toml", "园区.toml")
HAZARDOUS_CODE = re.compile(r"^(HW\d{2}|\d{3}-\d{3}-\d{2})$")
HAZARDOUS_ACCEPTED = "HWnn (e.g. HW08) or nnn-nnn-nn (e.g. 900-249-08) / HW类别（如 HW08）或八位代码（如 900-249-08）"
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


@dataclass
class RawTable:
    """One table as read: all cells as text, the user's row numbers, the label the user knows the file by."""

    label: str
    frame: pd.DataFrame
    rows: list[int]


@dataclass
class RawPackage:
    source: str
    tables: dict[str, RawTable] = field(default_factory=dict)
    config_text: str | None = None
    config_label: str = "park.toml"
    problems: list[Problem] = field(default_factory=list)


# --- reading files -------------------------------------------------------------------------------------------
def decode(data: bytes, label: str, problems: list[Problem]) -> str | None:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    problems.append(Problem("encoding", file=label, accepted=ENCODING_NAMES))
    return None


def _read_csv_text(text: str, label: str, problems: list[Problem]) -> RawTable | None:
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False)
    except Exception as exc:  # pandas raises several parser error types; all are reported the same way
        problems.append(Problem("file_unreadable", file=label, params=(("reason", str(exc).strip()[:200]),)))
        return None
    return _raw_from_frame(frame, label)


def _raw_from_frame(frame: pd.DataFrame, label: str) -> RawTable:
    frame = frame.fillna("").astype(str)
    frame.columns = [str(c) for c in frame.columns]
    rows = [i + 2 for i in range(len(frame))]
    blank = frame.apply(lambda r: all(not str(v).strip() for v in r), axis=1) if len(frame) else pd.Series([], dtype=bool)
    keep = ~blank.to_numpy(dtype=bool) if len(frame) else np.array([], dtype=bool)
    frame = frame[keep].reset_index(drop=True)  # wholly blank lines hold nothing; row numbers are kept
    rows = [r for r, k in zip(rows, keep, strict=True) if k]
    return RawTable(label=label, frame=frame, rows=rows)


def _match_name(name: str, candidates: tuple[str, ...]) -> bool:
    return unicodedata.normalize("NFKC", name).strip().lower() in {c.lower() for c in candidates}


def read_package(path: str | Path, data: bytes | None = None) -> RawPackage:
    """Read the files of a package without interpreting them. `data` gives the bytes of an uploaded file."""
    path = Path(path)
    package = RawPackage(source=str(path))
    suffix = path.suffix.lower()
    if data is None and path.is_dir():
        files = {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}
        _read_files(files, package, prefix="")
    elif suffix in (".xlsx", ".xlsm"):
        _read_excel(data if data is not None else path.read_bytes(), path.name, package)
    elif suffix == ".zip":
        _read_zip(data if data is not None else path.read_bytes(), path.name, package)
    elif not path.exists() and data is None:
        package.problems.append(Problem("package_unknown", file=str(path),
                                        params=(("reason", "no such file or folder"),)))
    else:
        package.problems.append(Problem("package_unknown", file=str(path),
                                        params=(("reason", f"'{suffix or path.name}' is not a folder, .xlsx or .zip"),)))
    return package


def read_files(files: dict[str, bytes], source: str = "upload") -> RawPackage:
    """Read a package given as several uploaded files (name -> bytes)."""
    package = RawPackage(source=source)
    xlsx = [n for n in files if n.lower().endswith((".xlsx", ".xlsm"))]
    zips = [n for n in files if n.lower().endswith(".zip")]
    if len(files) == 1 and xlsx:
        _read_excel(files[xlsx[0]], xlsx[0], package)
    elif len(files) == 1 and zips:
        _read_zip(files[zips[0]], zips[0], package)
    else:
        _read_files(files, package, prefix="")
    return package


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


def _read_excel(data: bytes, label: str, package: RawPackage) -> None:
    try:  # an .xlsx is a zip: refuse one that would unpack beyond the limit before openpyxl inflates it
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_PACKAGE_BYTES:
                package.problems.append(Problem("file_unreadable", file=label, params=(
                    ("reason", f"uncompressed size over {MAX_PACKAGE_BYTES // 2**20} MiB"),)))
                return
    except zipfile.BadZipFile:
        pass  # not a zip at all: openpyxl's own error below says so
    try:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a corrupt workbook
        package.problems.append(Problem("file_unreadable", file=label, params=(("reason", str(exc)[:200]),)))
        return
    for table in TABLES:
        wanted = (table, TABLE_NAMES_ZH[table])
        names = [n for n in sheets if _match_name(n, wanted)]
        if len(names) > 1:
            package.problems.append(Problem("file_twice", file=f"{label}:{table}", value=", ".join(names),
                                            accepted="one sheet per table"))
            continue
        if not names:
            if table in REQUIRED_TABLES:
                package.problems.append(Problem("file_missing", file=f"{label}:{table}", accepted=" / ".join(wanted),
                                                params=(("file_name", f"sheet {table}"),)))
            continue
        package.tables[table] = _raw_from_frame(sheets[names[0]], f"{label}:{names[0]}")
    park_sheets = [n for n in sheets if _match_name(n, ("park", "园区"))]
    if park_sheets:
        # The sheet holds park.toml's lines in column A from row 1; a first cell "park.toml" is a title.
        raw_sheet = pd.read_excel(io.BytesIO(data), sheet_name=park_sheets[0], header=None, dtype=str,
                                  keep_default_na=False, engine="openpyxl")
        lines = [str(x) for x in raw_sheet.iloc[:, 0].tolist()] if raw_sheet.shape[1] else []
        if lines and lines[0].strip().lower() == "park.toml":
            lines = lines[1:]
        package.config_text = "\n".join(lines)
        package.config_label = f"{label}:{park_sheets[0]}"


def _read_zip(data: bytes, label: str, package: RawPackage) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir() and not PurePosixPath(i.filename).name.startswith(".")
                     and "__MACOSX" not in i.filename]
            if sum(i.file_size for i in infos) > MAX_PACKAGE_BYTES:
                package.problems.append(Problem("file_unreadable", file=label, params=(
                    ("reason", f"uncompressed size over {MAX_PACKAGE_BYTES // 2**20} MiB"),)))
                return
            files = {i.filename: zf.read(i) for i in infos}
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
        package.problems.append(Problem("file_unreadable", file=label, params=(("reason", str(exc)[:200]),)))
        return
    _read_files(files, package, prefix=f"{label}:")


# --- interpreting tables -------------------------------------------------------------------------------------
def _map_headers(raw: RawTable, table: str, problems: list[Problem]) -> pd.DataFrame:
    lookup = header_lookup(table)
    renamed: dict[str, str] = {}
    seen: dict[str, str] = {}
    for header in raw.frame.columns:
        key = lookup.get(normalise_header(header))
        if key is None:
            if normalise_header(header) and not header.startswith("Unnamed:"):
                problems.append(Problem("unknown_column", file=raw.label, row=1, column=header, value=header,
                                        severity="warning"))
            renamed[header] = header
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
    """Numbers parsed; cells that are not numbers become NaN and are listed in out.attrs['unreadable']."""
    out = frame.copy()
    unreadable: set[tuple[int, str]] = set()
    for col in columns(table):
        if col.dtype != "float" or col.name not in out.columns:
            continue
        values: list[float] = []
        for i, cell in enumerate(out[col.name].tolist()):
            if not str(cell).strip():
                values.append(np.nan)
                continue
            number = parse_number(cell)
            if number is None:
                problems.append(Problem("not_number", file=raw.label, row=raw.rows[i], column=col.name,
                                        value=str(cell), accepted="a number, e.g. 1200 or 1,200.5 / 数字，如 1200 或 1,200.5"))
                unreadable.add((i, col.name))
                values.append(np.nan)
            else:
                values.append(number)
        out[col.name] = pd.Series(values, index=out.index, dtype="float64")
    for col in columns(table):
        if col.dtype == "str" and col.name in out.columns:
            out[col.name] = out[col.name].map(lambda v: unicodedata.normalize("NFKC", str(v)).strip())
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
                checks.append(pa.Check.str_length(min_value=1, error="required_blank"))
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


def _resolve_material(text: str, raw: RawTable, i: int, column: str, problems: list[Problem]) -> str | None:
    vocab = material_vocabulary()
    key = vocab.resolve(text)
    if key is None and text:
        suggestions = vocab.suggest(text)
        shown = ", ".join(f"{k} ({materials()[k].name_zh})" for k in suggestions) or "see datasets/materials.csv"
        problems.append(Problem("unknown_material", file=raw.label, row=raw.rows[i], column=column, value=text,
                                accepted=shown))
    return key


def _convert(quantity: float, unit: str, material_key: str, hours: float | None, t_supply: float | None,
             t_return: float | None, raw: RawTable, i: int, problems: list[Problem]) -> tuple[float, str, str]:
    material = materials()[material_key]
    try:
        converted = to_canonical(quantity, unit, material, hours, t_supply, t_return)
    except UnitError as problem:
        accepted = problem.params.pop("accepted", ACCEPTED_EXAMPLES)
        problems.append(Problem(problem.code, file=raw.label, row=raw.rows[i], column="unit", value=unit,
                                accepted=accepted, params=tuple(problem.params.items())))
        return math.nan, material.canonical_unit, ""
    if converted.note == "gas_m3_as_nm3":
        problems.append(Problem("gas_m3_as_nm3", file=raw.label, row=raw.rows[i], column="unit", value=unit,
                                severity="warning"))
    return converted.value, converted.unit, converted.note




def _build_streams(raw: RawTable, enterprise_ids: set[str], config: ParkConfig,
                   problems: list[Problem]) -> pd.DataFrame:
    frame = _map_headers(raw, "streams", problems)
    frame = _parse_numbers(frame, raw, "streams", problems)
    present = {*frame.columns, "stream_id"}
    frame = _ensure_columns(frame, "streams")
    # Generated stream ids are part of the data (written back), so a reloaded park keeps them.
    blank_id = frame["stream_id"] == ""
    frame.loc[blank_id, "stream_id"] = [f"{e}-{r}" for e, r in zip(frame.loc[blank_id, "enterprise_id"],
                                                                     np.array(raw.rows)[blank_id.to_numpy()],
                                                                     strict=True)]
    _check_constraints(frame, raw, "streams", problems, present)
    frame = _add_origin(frame, raw)
    mats = materials()
    grade_vocab, grades = water_grade_vocabulary(), water_grades()
    base_vocab, bases = baseline_vocabulary(), baselines()
    out_cols: dict[str, list[Any]] = {k: [] for k in ("direction", "material", "category", "dimension", "quantity",
                                                      "unit", "quality", "quality_rank", "baseline",
                                                      "conversion_note", "hours_per_year")}
    for i, r in enumerate(frame.to_dict(orient="records")):
        if r["enterprise_id"] and r["enterprise_id"] not in enterprise_ids:
            problems.append(Problem("unknown_enterprise", file=raw.label, row=raw.rows[i], column="enterprise_id",
                                    value=r["enterprise_id"], accepted="an enterprise_id of enterprises / 企业表中的企业编号"))
        direction = resolve_direction(r["direction"]) if r["direction"] else None
        if r["direction"] and direction is None:
            problems.append(Problem("unknown_direction", file=raw.label, row=raw.rows[i], column="direction",
                                    value=r["direction"], accepted="output/产出, input/投入"))
        key = _resolve_material(r["material"], raw, i, "material", problems)
        material = mats.get(key) if key else None
        hours = as_float(r["hours_per_year"])
        if hours is None:
            hours = config.default_hours_per_year
        t_supply, t_return = as_float(r["temperature_c"]), as_float(r["temperature_return_c"])
        quality, rank = "", -1
        if material is not None and material.category == "heat":
            if t_supply is None or t_return is None:
                problems.append(Problem("heat_temps_missing", file=raw.label, row=raw.rows[i],
                                        column="temperature_c/temperature_return_c",
                                        value=f"{_cell(frame, i, 'temperature_c')}/{_cell(frame, i, 'temperature_return_c')}",
                                        accepted="both temperatures in °C / 两个温度（°C）"))
            elif direction == "output" and t_return > t_supply:
                problems.append(Problem("heat_return_above_supply", file=raw.label, row=raw.rows[i],
                                        column="temperature_return_c", value=f"{t_return:g}",
                                        accepted=f"<= {t_supply:g}", params=(("supply", f"{t_supply:g}"),)))
            elif direction == "input" and t_return > t_supply:
                problems.append(Problem("heat_input_inlet_above_target", file=raw.label, row=raw.rows[i],
                                        column="temperature_return_c", value=f"{t_return:g}",
                                        accepted=f"<= {t_supply:g}", params=(("supply", f"{t_supply:g}"),)))
        if material is not None and material.category in ("water", "wastewater"):
            if r["quality"]:
                grade = grade_vocab.resolve(r["quality"])
                if grade is None:
                    problems.append(Problem("unknown_quality", file=raw.label, row=raw.rows[i], column="quality",
                                            value=r["quality"], accepted=", ".join(
                                                f"{g.grade} ({g.name_zh})" for g in grades.values())))
                else:
                    quality, rank = grade, grades[grade].rank
            elif material.category == "water":
                problems.append(Problem("quality_missing", file=raw.label, row=raw.rows[i], column="quality",
                                        severity="warning"))
        baseline = ""
        if r["baseline"]:
            b = base_vocab.resolve(r["baseline"])
            category = material.category if material is not None else ""
            if b is None or (direction and bases[b].direction != direction) or (
                    category and category not in bases[b].categories):
                allowed = [k for k, v in bases.items() if (direction is None or v.direction == direction)
                           and (not category or category in v.categories)]
                problems.append(Problem("unknown_baseline", file=raw.label, row=raw.rows[i], column="baseline",
                                        value=r["baseline"], accepted=", ".join(allowed),
                                        params=(("direction", f"{direction or 'stream'} {category}".strip()),)))
            else:
                baseline = b
        code = r["hazardous_code"].upper()
        if code and not HAZARDOUS_CODE.match(code):
            problems.append(Problem("hazardous_code_format", file=raw.label, row=raw.rows[i], column="hazardous_code",
                                    value=r["hazardous_code"], accepted=HAZARDOUS_ACCEPTED))
        if not code and material is not None and material.hazardous_code_typical and direction == "output":
            problems.append(Problem("hazardous_code_expected", file=raw.label, row=raw.rows[i],
                                    column="hazardous_code", value=material.key,
                                    accepted=material.hazardous_code_typical, severity="warning"))
        quantity, unit, note = math.nan, "", ""
        q = as_float(r["quantity"])
        if material is not None and q is not None and r["unit"]:
            quantity, unit, note = _convert(q, r["unit"], material.key, hours, t_supply, t_return, raw, i, problems)
        elif material is not None:
            unit = material.canonical_unit
        out_cols["direction"].append(direction or r["direction"])
        out_cols["material"].append(key or r["material"])
        out_cols["category"].append(material.category if material else "")
        out_cols["dimension"].append(material.dimension if material else "")
        out_cols["quantity"].append(quantity)
        out_cols["unit"].append(unit)
        out_cols["quality"].append(quality)
        out_cols["quality_rank"].append(rank)
        out_cols["baseline"].append(baseline)
        out_cols["conversion_note"].append(note)
        out_cols["hours_per_year"].append(as_float(r["hours_per_year"]))
    frame["quantity_entered"] = frame["quantity"]
    frame["unit_entered"] = frame["unit"]
    frame["hazardous_code"] = frame["hazardous_code"].str.upper()
    for k, v in out_cols.items():
        frame[k] = pd.Series(v, index=frame.index, dtype="float64" if k in ("quantity", "hours_per_year") else None)
    frame["quality_rank"] = frame["quality_rank"].astype("int64")
    return frame


def _build_exchanges(raw: RawTable, enterprise_ids: set[str], config: ParkConfig,
                     problems: list[Problem]) -> pd.DataFrame:
    frame = _map_headers(raw, "exchanges", problems)
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
            q, unit, _ = _convert(float(r["quantity"]), r["unit"], key, hours, None, None, raw, i, problems)
        keys.append(key or r["material"])
        cats.append(materials()[key].category if key else "")
        qty.append(q)
        units.append(unit)
    frame["quantity_entered"] = frame["quantity"]
    frame["unit_entered"] = frame["unit"]
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
    """Interpret a read package. Raises ParkError with every problem when any is an error."""
    problems = list(package.problems)
    config = ParkConfig()
    if package.config_text is not None:
        try:
            config, config_problems = config_from_toml(package.config_text)
        except tomllib.TOMLDecodeError as exc:
            config_problems = []
            problems.append(Problem("toml_invalid", file=package.config_label, params=(("reason", str(exc)),)))
        for key, reason, accepted in config_problems:
            problems.append(Problem("toml_key", file=package.config_label, column=key, value=key, accepted=accepted,
                                    params=(("reason", reason),)))
        known_factors = set(factor_ids())
        for fid in sorted(set(config.factor_overrides) - known_factors):
            problems.append(Problem("toml_key", file=package.config_label, column=f"factor_overrides.{fid}",
                                    value=fid, accepted="a factor_id of datasets/emission_factors.csv",
                                    params=(("reason", "is not a known emission factor"),)))
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
    exchanges = (_build_exchanges(package.tables["exchanges"], enterprise_ids, config, problems)
                 if "exchanges" in package.tables else _empty_exchanges())
    if any(p.severity == "error" for p in problems):
        raise ParkError(problems)
    return Park(config=config, enterprises=_ordered(enterprises, "enterprises"), streams=_ordered(streams, "streams"),
                exchanges=_ordered(exchanges, "exchanges"), warnings=tuple(problems), source=package.source)


def load_park(path: str | Path, data: bytes | None = None) -> Park:
    """Load a park data package from a folder, .xlsx or .zip (or its bytes). Raises ParkError on any error."""
    return build_park(read_package(path, data))


def load_files(files: dict[str, bytes], source: str = "upload") -> Park:
    """Load a park uploaded as files (several CSVs and park.toml, or one .xlsx, or one .zip)."""
    return build_park(read_files(files, source))


__all__ = ["DIRECTIONS", "ENCODINGS", "RawPackage", "build_park", "load_files", "load_park", "parse_number",
           "read_package"]
