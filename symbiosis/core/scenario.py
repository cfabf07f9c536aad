"""A scenario: what a workshop group changed — matching options, forced and forbidden links, ledger edits.

One small TOML file that the command line and the app both read and write:

    name = "group A: no fly ash to E7"
    park = "Demo park"                      # informative: the park it was made on
    park_hash = "3f2a…"                     # informative: content hash of that park (edits included)

    [options]                               # matching options (MatchOptions names; matching.options.scenario_options
                                            # reads them, defaults in docs/options.md)
    objective = "emissions"
    dt_min_k = 10.0

    [[forced]]                              # links identified by the two ledger streams they join
    supplier_stream_id = "E1-2"
    receiver_stream_id = "E2-6"

    [[forbidden]]
    supplier_stream_id = "E4-3"
    receiver_stream_id = "E7-2"

    [[edits]]                               # ledger edits, applied in order to streams.csv as entered
    stream_id = "E1-2"
    column = "quantity"
    value = 2.5

    [result]                                # informative, written by the app: what the plan was
    status = "optimal"
    objective_tco2e = 12345.6
    links = ["E1-2 -> E2-6", "…"]

Edits are applied by writing the ledger tables back to files and reloading them through the loader, so an edited
park is validated exactly like an uploaded one (`apply_edits`). Nothing here runs or unpickles user content.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from symbiosis.core.errors import SymbiosisError
from symbiosis.core.excel import csv_bytes
from symbiosis.core.loader import load_files
from symbiosis.core.park import Park

EditValue = str | float
LinkKey = tuple[str, str]  # (supplier_stream_id, receiver_stream_id)

# Ledger columns of streams.csv a scenario may change (others — ids, materials, directions — define the park).
EDITABLE_STREAM_COLUMNS: tuple[str, ...] = ("quantity", "unit", "temperature_c", "temperature_return_c", "quality",
                                            "baseline", "hours_per_year", "price_cny_per_unit", "uncertainty")


class ScenarioError(SymbiosisError):
    """A scenario file or an edit that cannot be read or applied (unknown stream, column not editable)."""


@dataclass(frozen=True)
class Edit:
    """One changed cell of streams.csv, identified by the stream's id. `value` is what the user typed."""

    stream_id: str
    column: str
    value: EditValue

    def as_dict(self) -> dict[str, Any]:
        return {"stream_id": self.stream_id, "column": self.column, "value": self.value}


@dataclass(frozen=True)
class Scenario:
    name: str = "baseline"
    options: dict[str, Any] = field(default_factory=dict)
    forced: tuple[LinkKey, ...] = ()
    forbidden: tuple[LinkKey, ...] = ()
    edits: tuple[Edit, ...] = ()
    park: str = ""
    park_hash: str = ""
    result: dict[str, Any] = field(default_factory=dict)

    # --- changing (each returns a new Scenario) --------------------------------------------------------------
    def with_edits(self, edits: Iterable[Edit]) -> Scenario:
        """Add edits; a later edit of the same (stream, column) replaces the earlier one."""
        merged: dict[tuple[str, str], Edit] = {(e.stream_id, e.column): e for e in self.edits}
        for e in edits:
            merged.pop((e.stream_id, e.column), None)
            merged[(e.stream_id, e.column)] = e
        return replace(self, edits=tuple(merged.values()))

    def force(self, link: LinkKey) -> Scenario:
        return replace(self, forced=_add(self.forced, link), forbidden=_remove(self.forbidden, link))

    def forbid(self, link: LinkKey) -> Scenario:
        return replace(self, forbidden=_add(self.forbidden, link), forced=_remove(self.forced, link))

    def release(self, link: LinkKey) -> Scenario:
        """Neither forced nor forbidden."""
        return replace(self, forced=_remove(self.forced, link), forbidden=_remove(self.forbidden, link))

    # --- the file ---------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name}
        if self.park:
            data["park"] = self.park
        if self.park_hash:
            data["park_hash"] = self.park_hash
        data["options"] = _toml_clean(self.options)
        data["forced"] = [{"supplier_stream_id": s, "receiver_stream_id": r} for s, r in self.forced]
        data["forbidden"] = [{"supplier_stream_id": s, "receiver_stream_id": r} for s, r in self.forbidden]
        data["edits"] = [e.as_dict() for e in self.edits]
        if self.result:
            data["result"] = _toml_clean(self.result)
        return data

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        known = {"name", "park", "park_hash", "options", "forced", "forbidden", "edits", "result"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ScenarioError(f"scenario: unknown key(s) {', '.join(unknown)} (accepted: {', '.join(sorted(known))})")
        options = data.get("options", {})
        if not isinstance(options, dict):
            raise ScenarioError("scenario: [options] must be a table")
        edits = []
        raw_edits = data.get("edits", [])
        if not isinstance(raw_edits, list):
            raise ScenarioError("scenario: edits must be a list of tables ([[edits]])")
        for i, e in enumerate(raw_edits):
            if not isinstance(e, dict) or not {"stream_id", "column", "value"} <= set(e):
                raise ScenarioError(f"scenario: edit {i + 1} needs stream_id, column and value")
            value = e["value"]
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise ScenarioError(f"scenario: edit {i + 1}: value must be a number or text")
            edits.append(Edit(str(e["stream_id"]), str(e["column"]), float(value) if isinstance(value, int) else value))
        result = data.get("result", {})
        return cls(name=str(data.get("name", "baseline")), options=dict(options),
                   forced=_links(data.get("forced", []), "forced"),
                   forbidden=_links(data.get("forbidden", []), "forbidden"),
                   edits=tuple(edits), park=str(data.get("park", "")), park_hash=str(data.get("park_hash", "")),
                   result=dict(result) if isinstance(result, dict) else {})

    @classmethod
    def from_toml(cls, text: str) -> Scenario:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"scenario is not valid TOML: {exc}") from exc
        return cls.from_dict(data)

    def save(self, path: str | Path) -> Path:
        out = Path(path)
        out.write_text(self.to_toml(), encoding="utf-8")
        return out

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        return cls.from_toml(Path(path).read_text(encoding="utf-8-sig"))


def _add(links: tuple[LinkKey, ...], link: LinkKey) -> tuple[LinkKey, ...]:
    return links if link in links else (*links, link)


def _remove(links: tuple[LinkKey, ...], link: LinkKey) -> tuple[LinkKey, ...]:
    return tuple(x for x in links if x != link)


def _links(items: Any, what: str) -> tuple[LinkKey, ...]:
    out: list[LinkKey] = []
    if not isinstance(items, list):
        raise ScenarioError(f"scenario: {what} must be a list of tables")
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not {"supplier_stream_id", "receiver_stream_id"} <= set(item):
            raise ScenarioError(f"scenario: {what} link {i + 1} needs supplier_stream_id and receiver_stream_id")
        out.append((str(item["supplier_stream_id"]), str(item["receiver_stream_id"])))
    return tuple(out)


def _toml_clean(value: Any) -> Any:
    """TOML has no null and no NaN: drop None, keep everything else it can hold."""
    if isinstance(value, Mapping):
        return {str(k): _toml_clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_toml_clean(v) for v in value if v is not None]
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return value


# --- applying edits to a park ---------------------------------------------------------------------------------
def park_files(park: Park) -> dict[str, bytes]:
    """The park as the files of a clean data package, as an upload would give them (`Park.to_files`)."""
    return park.to_files()


def edit_ledger(streams: pd.DataFrame, edits: Iterable[Edit]) -> pd.DataFrame:
    """streams.csv as entered, with the edits applied. Raises ScenarioError for an unknown stream or column."""
    out = streams.copy()
    ids = out["stream_id"].astype(str).tolist()
    position = {sid: i for i, sid in enumerate(ids)}
    for e in edits:
        if e.column not in EDITABLE_STREAM_COLUMNS:
            raise ScenarioError(f"edit of {e.stream_id}: column '{e.column}' cannot be edited "
                                f"(editable: {', '.join(EDITABLE_STREAM_COLUMNS)})")
        if e.stream_id not in position:
            raise ScenarioError(f"edit: stream '{e.stream_id}' is not in the park")
        if e.column not in out.columns:
            out[e.column] = ""
        column = out[e.column]
        if column.dtype != object:
            out[e.column] = column.astype(object)
        out.iat[position[e.stream_id], out.columns.get_loc(e.column)] = e.value  # type: ignore[index]
    return out


def apply_edits(park: Park, edits: Iterable[Edit], source: str | None = None) -> Park:
    """The park with the edits applied, reloaded through the loader (so the same validation applies).

    Raises ParkError (with every problem, rows numbered as in the written streams.csv) when an edit makes the
    ledger invalid, and ScenarioError when an edit names an unknown stream or a column that is not editable.
    """
    edits = list(edits)
    files = park_files(park)
    if edits:
        streams = edit_ledger(park.ledger_tables()["streams"], edits)
        files["streams.csv"] = csv_bytes(streams, encoding="utf-8", lossless=True, table="streams.csv")
    return load_files(files, source=source if source is not None else park.source)


def written_streams(park: Park, edits: Iterable[Edit]) -> pd.DataFrame:
    """streams.csv as `apply_edits` writes it: row i of this frame is spreadsheet row i + 2 in its problems."""
    return edit_ledger(park.ledger_tables()["streams"], edits)


def read_scenario_bytes(data: bytes) -> Scenario:
    """A scenario uploaded as bytes (UTF-8 TOML)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError("scenario file is not UTF-8 text") from exc
    return Scenario.from_toml(text)


def scenario_bytes(scenario: Scenario) -> bytes:
    return scenario.to_toml().encode("utf-8")


__all__ = ["EDITABLE_STREAM_COLUMNS", "Edit", "LinkKey", "Scenario", "ScenarioError", "apply_edits", "edit_ledger",
           "park_files", "read_scenario_bytes", "scenario_bytes", "written_streams"]
