"""A matching result: proposed links with their emission accounting, and the solver's honest status.

Shared by matching/ (which produces it) and flows/ (which applies it to a Park for the after-state), so it lives
in the core. Quantities are in canonical units (t/a, m3/a, GJ/a); emissions in tCO2e/a.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

import numpy as np
import pandas as pd


def json_safe(value: Any) -> Any:
    """`value` with what strict JSON cannot hold made plain: NaN and +-infinity become None (null), numpy scalars
    and arrays Python numbers and lists, tuples and sets lists, mapping keys strings. Everything the plan schema
    (and the match command's JSON around it) writes goes through here; docs/matching.md, "Plan JSON"."""
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        return [json_safe(v) for v in value]
    if value is pd.NaT or (isinstance(value, type(pd.NA)) and value is pd.NA):
        return None
    return str(value)


def strict_json(data: Any) -> str:
    """The one JSON writer of plans: UTF-8 text (Chinese as is), indented, NaN/inf as null, and
    allow_nan=False so that a non-finite number that slipped past json_safe raises instead of writing `NaN`."""
    return json.dumps(json_safe(data), ensure_ascii=False, indent=2, allow_nan=False)


SolveStatus = Literal["optimal", "feasible", "infeasible", "time_limit", "error", "not_solved", "empty"]
# feasible: an incumbent with a certified gap above tolerance; time_limit: stopped by the clock (gap reported);
# empty: there was nothing to match (no candidate links).


@dataclass(frozen=True)
class AccountingLine:
    """One item of a link's emission accounting: what, which scope, whose books it falls in, how much."""

    item: str  # avoided_scope1, avoided_scope2, avoided_scope3_cat1, avoided_scope3_cat5,
    # added_transport, added_energy, added_combustion, added_displaced (see symbiosis.core.accounting)
    scope: str  # scope1, scope2, scope3_cat1, scope3_cat4, scope3_cat5, displaced_use
    enterprise_id: str
    tco2e: float
    factor_ids: tuple[str, ...] = ()

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> AccountingLine:
        return cls(item=str(record["item"]), scope=str(record["scope"]), enterprise_id=str(record["enterprise_id"]),
                   tco2e=float(record["tco2e"]), factor_ids=tuple(record.get("factor_ids") or ()))


@dataclass(frozen=True)
class Link:
    link_id: str
    supplier_id: str
    receiver_id: str
    supplier_stream_id: str
    receiver_stream_id: str
    material_out: str
    material_in: str
    category: str
    quantity: float  # of the supplier's output, canonical unit
    unit: str
    quantity_in: float  # of the receiver's input it replaces (quantity x ratio, less pipe losses for heat)
    unit_in: str
    distance_km: float
    mode: str  # truck, pipe_water, pipe_heat, pipe_steam, pipe_gas
    temperature_supply_c: float | None = None
    temperature_sink_c: float | None = None
    avoided_scope1_tco2e: float = 0.0
    avoided_scope2_tco2e: float = 0.0
    avoided_scope3_cat1_tco2e: float = 0.0
    avoided_scope3_cat5_tco2e: float = 0.0
    added_transport_tco2e: float = 0.0
    added_energy_tco2e: float = 0.0  # pumping and pre-treatment electricity
    added_combustion_tco2e: float = 0.0  # the substitute fuel's own combustion at the receiver
    added_construction_tco2e: float = 0.0  # embodied emissions of building the link, annualised (park option)
    # an output sold today: what its present buyer emits more (the link's reference scenario, outside the park)
    added_displaced_tco2e: float = 0.0
    rank: int = 0
    rule_id: str = ""
    hazardous_code: str = ""
    forced: bool = False
    factor_ids: tuple[str, ...] = ()
    annual_cost_cny: float | None = None
    scope1_owner: str = ""  # enterprise whose Scope 1 falls (the receiver, or the supplier for flaring)
    scope2_owner: str = ""
    scope3_owner: str = ""
    # Additions by the matcher (issue 4): the itemised accounting and why items are zero, in both languages.
    accounting: tuple[AccountingLine, ...] = ()
    notes: tuple[str, ...] = ()
    notes_zh: tuple[str, ...] = ()
    mode_reach_km: float | None = None  # the reach of the link's mode it was checked against
    # Issue 16: the flow the link's pipe is sized for, the candidate's capacity (supplier output's unit); its
    # investment is the one cost rule's linear form there (symbiosis.core.economics.cost_terms). None: the flow.
    design_quantity: float | None = None

    @property
    def avoided_scope3_tco2e(self) -> float:
        return self.avoided_scope3_cat1_tco2e + self.avoided_scope3_cat5_tco2e

    @property
    def added_tco2e(self) -> float:
        return (self.added_transport_tco2e + self.added_energy_tco2e + self.added_combustion_tco2e
                + self.added_construction_tco2e + self.added_displaced_tco2e)

    def net_tco2e(self, include_scope2: bool = False) -> float:
        """Avoided Scope 1 + Scope 3 (and Scope 2 when asked) net of what the link adds."""
        avoided = self.avoided_scope1_tco2e + self.avoided_scope3_tco2e
        if include_scope2:
            avoided += self.avoided_scope2_tco2e
        return avoided - self.added_tco2e

    @property
    def cost_per_tco2e(self) -> float | None:
        net = self.net_tco2e()
        if self.annual_cost_cny is None or net <= 0:
            return None
        return self.annual_cost_cny / net

    def as_record(self, include_scope2: bool = False) -> dict[str, Any]:
        record = asdict(self)
        record["factor_ids"] = list(self.factor_ids)
        record["avoided_scope3_tco2e"] = self.avoided_scope3_tco2e
        record["added_tco2e"] = self.added_tco2e
        record["net_tco2e"] = self.net_tco2e(include_scope2)
        record["cost_per_tco2e"] = self.cost_per_tco2e
        record["accounting"] = [asdict(line) | {"factor_ids": list(line.factor_ids)} for line in self.accounting]
        record["notes"] = list(self.notes)
        record["notes_zh"] = list(self.notes_zh)
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Link:
        """Inverse of `as_record`: derived keys (net, added, scope 3 total, cost per tonne) are recomputed."""
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in record.items() if k in names}
        for name in _PLAIN_FLOATS:  # written as null when not finite (json_safe): read back as NaN
            if name in kwargs and kwargs[name] is None:
                kwargs[name] = math.nan
        kwargs["factor_ids"] = tuple(record.get("factor_ids") or ())
        kwargs["accounting"] = tuple(AccountingLine.from_record(r) for r in record.get("accounting") or ())
        kwargs["notes"] = tuple(record.get("notes") or ())
        kwargs["notes_zh"] = tuple(record.get("notes_zh") or ())
        return cls(**kwargs)


_PLAIN_FLOATS: tuple[str, ...] = tuple(f.name for f in fields(Link) if f.type == "float")


@dataclass(frozen=True)
class Plan:
    status: SolveStatus
    links: tuple[Link, ...] = ()
    objective_tco2e: float | None = None
    bound_tco2e: float | None = None
    gap: float | None = None  # relative: |bound - objective| / max(|objective|, 1e-9); 0 when proven optimal
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    heat_recovered_gj: float = 0.0
    solver: str = ""
    include_scope2: bool = False
    subproblems: int = 0
    messages: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    # Additions by the matcher (issue 4). With objective 'emissions' objective_value == objective_tco2e.
    # With objective 'cost' the solver's objective is the annual net benefit in CNY (carbon value at the carbon
    # price plus avoided purchases and disposal fees, less link costs): objective_value/bound_value/gap are in
    # CNY/a, objective_tco2e is the plan's net avoided emissions and bound_tco2e is None.
    objective_sense: str = "emissions"
    objective_value: float | None = None
    bound_value: float | None = None
    objective_unit: str = "tCO2e/a"
    annual_cost_cny: float | None = None  # sum of the links' annual net cost (costs less savings)
    messages_zh: tuple[str, ...] = ()
    # (link_id, period, GJ delivered) per heat link and operating period (symbiosis.core.periods); empty with one
    # period. A link's GJ over its periods sum to its quantity_in; the metabolism graph keeps the annual totals.
    heat_by_period: tuple[tuple[str, str, float], ...] = ()

    @property
    def is_optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def net_tco2e(self) -> float:
        """Sum of the links' net avoided emissions (Scope 2 included when the plan says so)."""
        return float(sum(link.net_tco2e(self.include_scope2) for link in self.links))

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Plan:
        """Inverse of `to_json_dict`: a Plan read back from plan.json equals the one written."""
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names and k != "links"}
        kwargs["links"] = tuple(Link.from_record(r) for r in data.get("links") or ())
        kwargs["messages"] = tuple(data.get("messages") or ())
        kwargs["messages_zh"] = tuple(data.get("messages_zh") or ())
        kwargs["options"] = dict(data.get("options") or {})
        kwargs["heat_by_period"] = tuple((str(r["link_id"]), str(r["period"]), float(r["gj"]))
                                         for r in data.get("heat_by_period") or ())
        return cls(**kwargs)

    def heat_period_frame(self) -> pd.DataFrame:
        """Heat delivered by link and period: link_id, period, gj (empty with one period)."""
        return pd.DataFrame(list(self.heat_by_period), columns=["link_id", "period", "gj"])

    def links_frame(self) -> pd.DataFrame:
        return pd.DataFrame([link.as_record(self.include_scope2) for link in self.links])

    def to_json_dict(self) -> dict[str, Any]:
        """The plan schema (docs/matching.md) as plain JSON values: non-finite numbers are None (null)."""
        return json_safe({
            "status": self.status, "objective_tco2e": self.objective_tco2e, "bound_tco2e": self.bound_tco2e,
            "gap": self.gap, "build_seconds": self.build_seconds, "solve_seconds": self.solve_seconds,
            "heat_recovered_gj": self.heat_recovered_gj, "solver": self.solver,
            "include_scope2": self.include_scope2, "subproblems": self.subproblems,
            "messages": list(self.messages), "options": self.options,
            "objective_sense": self.objective_sense, "objective_value": self.objective_value,
            "bound_value": self.bound_value, "objective_unit": self.objective_unit,
            "annual_cost_cny": self.annual_cost_cny, "messages_zh": list(self.messages_zh),
            "links": [link.as_record(self.include_scope2) for link in self.links],
            **({"heat_by_period": [{"link_id": a, "period": b, "gj": c} for a, b, c in self.heat_by_period]}
               if self.heat_by_period else {}),
        })

    def to_json(self, **extra: Any) -> str:
        """plan.json: the plan schema, strict JSON (no NaN/Infinity tokens). `extra` keys (the match command's
        `unmatched` and `alternatives`) are added after the plan's own keys."""
        return strict_json({**self.to_json_dict(), **extra})
