"""A matching result: proposed links with their emission accounting, and the solver's honest status.

Shared by matching/ (which produces it) and flows/ (which applies it to a Park for the after-state), so it lives
in the core. Quantities are in canonical units (t/a, m3/a, GJ/a); emissions in tCO2e/a.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd

SolveStatus = Literal["optimal", "feasible", "infeasible", "time_limit", "error", "not_solved", "empty"]
# feasible: an incumbent with a certified gap above tolerance; time_limit: stopped by the clock (gap reported);
# empty: there was nothing to match (no candidate links).


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
    rank: int = 0
    rule_id: str = ""
    hazardous_code: str = ""
    forced: bool = False
    factor_ids: tuple[str, ...] = ()
    annual_cost_cny: float | None = None
    scope1_owner: str = ""  # enterprise whose Scope 1 falls (the receiver, or the supplier for flaring)
    scope2_owner: str = ""
    scope3_owner: str = ""

    @property
    def avoided_scope3_tco2e(self) -> float:
        return self.avoided_scope3_cat1_tco2e + self.avoided_scope3_cat5_tco2e

    @property
    def added_tco2e(self) -> float:
        return self.added_transport_tco2e + self.added_energy_tco2e + self.added_combustion_tco2e

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
        return record


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

    @property
    def is_optimal(self) -> bool:
        return self.status == "optimal"

    def links_frame(self) -> pd.DataFrame:
        return pd.DataFrame([link.as_record(self.include_scope2) for link in self.links])

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "status": self.status, "objective_tco2e": self.objective_tco2e, "bound_tco2e": self.bound_tco2e,
            "gap": self.gap, "build_seconds": self.build_seconds, "solve_seconds": self.solve_seconds,
            "heat_recovered_gj": self.heat_recovered_gj, "solver": self.solver,
            "include_scope2": self.include_scope2, "subproblems": self.subproblems,
            "messages": list(self.messages), "options": self.options,
            "links": [link.as_record(self.include_scope2) for link in self.links],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_json_dict(), ensure_ascii=False, indent=2, default=str)
