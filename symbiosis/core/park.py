"""The loaded park: typed tables in canonical units, each row keeping where it came from.

Columns of `Park.streams` (one row per ledger row of streams.csv):
  stream_id, enterprise_id, direction ('output'|'input'), material (key), category, dimension,
  quantity (canonical, per year), unit ('t/a'|'m3/a'|'GJ/a'), quantity_entered, unit_entered,
  temperature_c, temperature_return_c, quality (grade key or ''), quality_rank (int, -1 when none),
  baseline (key or ''), hazardous_code, hours_per_year, uncertainty, price_cny_per_unit, notes,
  conversion_note, source_file, source_row, and any extra columns the user had (kept as text).
`Park.enterprises`: enterprise_id, name, sector, x_km, y_km (always filled: from lon/lat when given so),
  lon, lat, notes, source_file, source_row, extras.
`Park.exchanges`: exchange_id, supplier_id, receiver_id, material, category, quantity, unit, quantity_entered,
  unit_entered, hours_per_year, distance_km, notes, source_file, source_row, extras.
"""

from __future__ import annotations

import io
import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from symbiosis.core.errors import Problem
from symbiosis.core.limits import LIMITS, Limits
from symbiosis.core.schema import column_names, columns, original_header

ORIGIN_COLUMNS: tuple[str, ...] = ("source_file", "source_row")
DERIVED_STREAM_COLUMNS: tuple[str, ...] = ("category", "dimension", "quantity_entered", "unit_entered",
                                           "quality_rank", "conversion_note")
DEFAULT_REACH_KM: dict[str, float] = {"truck": 50.0, "pipe_water": 10.0, "pipe_heat": 5.0, "pipe_steam": 3.0,
                                      "pipe_gas": 10.0}


@dataclass(frozen=True)
class ParkConfig:
    """park.toml: the park's identity, defaults for matching, and factor overrides."""

    name: str = "Unnamed park"
    name_zh: str = ""
    region: str = "national"  # grid region key: national, north, northeast, east, central, northwest, south, southwest
    year: int = 2023
    dt_min_k: float = 10.0
    default_hours_per_year: float | None = None
    reach_km: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_REACH_KM))
    factor_overrides: dict[str, float] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    economics: dict[str, float] = field(default_factory=dict)  # rows of datasets/economics.csv replaced by id
    periods: str = "year"  # [periods] kind: year, months, seasons (symbiosis.core.periods)
    heating_season: str = ""  # [periods] heating_season: a datasets/heating_seasons.csv key; "" = by region

    def to_toml(self) -> str:
        data: dict[str, Any] = {"name": self.name, "region": self.region, "year": self.year,
                                "dt_min_k": self.dt_min_k}
        if self.name_zh:
            data["name_zh"] = self.name_zh
        if self.default_hours_per_year is not None:
            data["default_hours_per_year"] = self.default_hours_per_year
        data["reach_km"] = dict(self.reach_km)
        if self.factor_overrides:
            data["factor_overrides"] = dict(self.factor_overrides)
        if self.options:
            data["options"] = dict(self.options)
        if self.economics:
            data["economics"] = dict(self.economics)
        if self.periods != "year" or self.heating_season:
            data["periods"] = {"kind": self.periods, **({"heating_season": self.heating_season}
                                                        if self.heating_season else {})}
        return tomli_w.dumps(data)


@dataclass(frozen=True)
class Park:
    config: ParkConfig
    enterprises: pd.DataFrame
    streams: pd.DataFrame
    exchanges: pd.DataFrame
    warnings: tuple[Problem, ...] = ()
    source: str = ""

    @property
    def name(self) -> str:
        return self.config.name

    def outputs(self) -> pd.DataFrame:
        return self.streams[self.streams["direction"] == "output"]

    def inputs(self) -> pd.DataFrame:
        return self.streams[self.streams["direction"] == "input"]

    def with_streams(self, streams: pd.DataFrame) -> Park:
        return replace(self, streams=streams)

    # --- writing back -------------------------------------------------------------------------------------
    def ledger_tables(self) -> dict[str, pd.DataFrame]:
        """The tables as a user would write them: schema columns (values as entered), then extra columns."""
        return {"enterprises": _ledger(self.enterprises, "enterprises"),
                "streams": _ledger(self.streams, "streams"),
                "exchanges": _ledger(self.exchanges, "exchanges")}

    def package_tables(self) -> dict[str, pd.DataFrame]:
        """The tables a written package holds: `ledger_tables`, less an exchanges table with nothing in it."""
        return {name: table for name, table in self.ledger_tables().items() if not _omitted(name, table)}

    def package_sheets(self) -> dict[str, pd.DataFrame]:
        """`package_tables` plus the `park` sheet holding park.toml's lines (the workbook form of a package)."""
        return {**self.package_tables(), "park": pd.DataFrame({"park.toml": self.config.to_toml().splitlines()})}

    def to_files(self, encoding: str = "utf-8") -> dict[str, bytes]:
        """The park as the files of a clean data package (CSVs + park.toml), name -> bytes.

        Written through the export guard (symbiosis.core.excel, lossless): formula-like text gets one leading
        apostrophe that the loader removes again (excel.restore); cells with CR/LF are quoted; every other
        character is written as it is. Reloading the files gives an equal Park.
        """
        from symbiosis.core.excel import csv_bytes

        files = {f"{name}.csv": csv_bytes(table, encoding=encoding, lossless=True, table=f"{name}.csv")
                 for name, table in self.package_tables().items()}
        files["park.toml"] = self.config.to_toml().encode("utf-8")
        return files

    def to_folder(self, folder: str | Path) -> Path:
        """Write `to_files()` into a folder; reloading it gives an equal Park."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        for name, data in self.to_files().items():
            (out / name).write_bytes(data)
        return out

    def to_excel(self, path: str | Path | io.BytesIO) -> str | Path | io.BytesIO:
        """Write the park as one .xlsx with a sheet per table and a `park` sheet holding park.toml.

        Written through the export guard (symbiosis.core.excel, lossless): text is always a string cell (never a
        formula), characters XML cannot hold are Excel's _xHHHH_ escapes (the loader decodes them with
        excel.xlsx_unescape), and a cell over Excel's 32,767 characters is an ExportError naming sheet/row/column.
        """
        from symbiosis.core.excel import write_xlsx

        write_xlsx(self.package_sheets(), path, lossless=True, headerless=("park",))
        return path

    def equals(self, other: Park) -> bool:
        """Same config and same table contents, ignoring where rows were read from."""
        if self.config != other.config:
            return False
        for name in ("enterprises", "streams", "exchanges"):
            a, b = _comparable(getattr(self, name)), _comparable(getattr(other, name))
            if list(a.columns) != list(b.columns) or len(a) != len(b):
                return False
            if not a.reset_index(drop=True).equals(b.reset_index(drop=True)):
                return False
        return True


def _comparable(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=[c for c in ORIGIN_COLUMNS if c in df.columns])


def _ledger(df: pd.DataFrame, table: str) -> pd.DataFrame:
    schema_cols = column_names(table)
    out = pd.DataFrame(index=df.index)
    for col in schema_cols:
        if col == "quantity" and "quantity_entered" in df.columns:
            out[col] = df["quantity_entered"]
        elif col == "unit" and "unit_entered" in df.columns:
            out[col] = df["unit_entered"]
        elif col in df.columns:
            out[col] = df[col]
    derived = {*schema_cols, *ORIGIN_COLUMNS, *DERIVED_STREAM_COLUMNS, "quantity", "unit"}
    if table == "enterprises" and "position_from" in df.columns:
        derived.add("position_from")
        if (df["position_from"] == "lonlat").all():
            out = out.drop(columns=["x_km", "y_km"])
        elif (df["position_from"] == "xy").all():
            out = out.drop(columns=["lon", "lat"])
    for col in df.columns:
        if col not in derived:
            out[original_header(col)] = df[col]  # a user's column renamed on load gets its own header back
    # Optional schema columns that are wholly blank are left out, so the written file looks like the user's.
    optional = {c.name for c in columns(table) if c.required != "yes"}
    blank = [c for c in out.columns if c in optional and out[c].map(_is_blank).all()]
    return out.drop(columns=blank)


def _omitted(name: str, table: pd.DataFrame) -> bool:
    """An empty exchanges table is not written, unless it holds columns of the user's own (kept as headers)."""
    return name == "exchanges" and table.empty and set(table.columns) <= set(column_names("exchanges"))


def _is_blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


class ConfigLimitError(ValueError):
    """park.toml is beyond one of the limits of symbiosis.core.limits (`limit` names it, `found` says by how much)."""

    def __init__(self, limit: str, found: str):
        super().__init__(f"park.toml: {limit} exceeded ({found})")
        self.limit = limit
        self.found = found


def parse_config_text(text: str, limits: Limits = LIMITS) -> dict[str, Any]:
    """park.toml text -> dict, bounded: size checked before parsing, nesting while parsing (tomllib recurses on
    nested arrays and inline tables) and after (nested [a.b.c] tables are built without recursion), and the
    number of entries. Raises tomllib.TOMLDecodeError for invalid TOML, ConfigLimitError for a breach."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > limits.config_bytes:
        raise ConfigLimitError("config_bytes", f"{size:,} bytes")
    try:
        data = tomllib.loads(text)
    except RecursionError as exc:
        raise ConfigLimitError("config_depth", "nested too deeply to be read") from exc
    entries = 0
    stack: list[tuple[Any, int]] = [(data, 1)]  # the document is level 1; [reach_km] is level 2
    while stack:
        node, depth = stack.pop()
        if depth > limits.config_depth:
            raise ConfigLimitError("config_depth", f"a table or array at level {depth}")
        children = list(node.values()) if isinstance(node, dict) else list(node)
        entries += len(children)
        if entries > limits.config_entries:
            raise ConfigLimitError("config_entries", f"more than {limits.config_entries:,}")
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return data


def config_from_toml(text: str) -> tuple[ParkConfig, list[tuple[str, str, str]]]:
    """Parse park.toml text. Returns the config and a list of (key, reason, accepted) problems.

    Raises tomllib.TOMLDecodeError for invalid TOML and ConfigLimitError beyond the limits (parse_config_text)."""
    data = parse_config_text(text)
    problems: list[tuple[str, str, str]] = []
    kwargs: dict[str, Any] = {}
    known = {"name", "name_zh", "region", "year", "dt_min_k", "default_hours_per_year", "reach_km",
             "factor_overrides", "options", "economics", "periods"}
    def number(v: Any) -> float | None:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            return None
        return float(v)

    for key, value in data.items():
        if key not in known:
            problems.append((key, "is not a known key", ", ".join(sorted(known))))
            continue
        if key in ("name", "name_zh", "region"):
            kwargs[key] = str(value)
        elif key == "year":
            if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
                problems.append((key, "must be a year", "e.g. 2023"))
            else:
                kwargs[key] = value
        elif key == "dt_min_k":
            v = number(value)
            if v is None or not 0 <= v <= 200:
                problems.append((key, "must be a temperature difference in K", "0–200, e.g. 10"))
            else:
                kwargs[key] = v
        elif key == "default_hours_per_year":
            v = number(value)
            if v is None or not 1 <= v <= 8784:
                problems.append((key, "must be operating hours per year", "1–8784, e.g. 8000"))
            else:
                kwargs[key] = v
        elif key == "reach_km":
            reach = dict(DEFAULT_REACH_KM)
            if not isinstance(value, dict):
                problems.append((key, "must be a table", ", ".join(DEFAULT_REACH_KM)))
            else:
                for mode, km in value.items():
                    v = number(km)
                    if mode not in DEFAULT_REACH_KM:
                        problems.append((f"reach_km.{mode}", "is not a transport mode", ", ".join(DEFAULT_REACH_KM)))
                    elif v is None or v < 0:
                        problems.append((f"reach_km.{mode}", "must be a distance in km >= 0", "e.g. 5"))
                    else:
                        reach[mode] = v
            kwargs[key] = reach
        elif key == "factor_overrides":
            if not isinstance(value, dict) or any(number(v) is None for v in value.values()):
                problems.append((key, "must map factor_id to a finite number", "factor_id = value"))
            else:
                kwargs[key] = {str(k): float(v) for k, v in value.items()}
        elif key == "economics":
            if not isinstance(value, dict) or any(number(v) is None for v in value.values()):
                problems.append((key, "must map an economics param_id to a finite number", "discount_rate = 0.06"))
            else:
                kwargs[key] = {str(k): float(v) for k, v in value.items()}
        elif key == "periods":
            _read_periods(value, kwargs, problems)
        elif key == "options":
            if not isinstance(value, dict):
                problems.append((key, "must be a table", "[options] with key = value lines"))
            else:
                kwargs[key] = dict(value)
    return ParkConfig(**kwargs), problems


def _read_periods(value: Any, kwargs: dict[str, Any], problems: list[tuple[str, str, str]]) -> None:
    """[periods]: kind (year, months, seasons) and heating_season (a datasets/heating_seasons.csv key)."""
    from symbiosis.core.periods import PERIOD_KINDS, heating_seasons

    if not isinstance(value, dict):
        problems.append(("periods", "must be a table", "[periods] with kind = \"months\""))
        return
    for key, v in value.items():
        if key == "kind":
            if v not in PERIOD_KINDS:
                problems.append(("periods.kind", f"is not a kind of periods: {v!r}", ", ".join(PERIOD_KINDS)))
            else:
                kwargs["periods"] = str(v)
        elif key == "heating_season":
            if v not in heating_seasons():
                problems.append(("periods.heating_season", f"is not a known heating season: {v!r}",
                                 ", ".join(heating_seasons())))
            else:
                kwargs["heating_season"] = str(v)
        else:
            problems.append((f"periods.{key}", "is not a known key", "kind, heating_season"))


