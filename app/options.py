"""The workshop's matching options, typed: widget values <-> `WorkshopOptions` <-> a scenario's [options] table.

`WorkshopOptions` holds every option the Opportunities page shows, each explicit (so a saved scenario solves the
same on any machine, whatever the park's defaults): objective, carbon_price, dt_min_k, reach_km (by mode),
min_link_quantity (by category), include_scope2, gap, time_limit, and the investment budget and the tonnes target
(budget_capex_cny, target_tco2e; None: none). Its defaults are the park's resolved settings
(`matching.resolve`: park.toml, then matching.DEFAULTS — the one table the command and the report use too), so an
explicit `carbon_price = 0` in park.toml stays 0. `SolveRequest` adds the forced and forbidden links (pairs of
ledger streams); its `match_options()` goes through `matching.scenario_options`, the one mapping of a scenario to
MatchOptions. Read as mappings, both are the scenario file's form (MatchOptions field names; the request's JSON
record adds `forced`/`forbidden` lists), which is what is saved and hashed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from app.keys import options_key
from app.state import StateLike
from matching.options import (
    DEFAULT_CARBON_PRICE,
    DEFAULT_MIN_LINK_QUANTITY,
    DEFAULTS,
    OBJECTIVES,
    MatchOptions,
    Objective,
    OptionsError,
    Settings,
    resolve,
    scenario_options,
)
from symbiosis.core.park import DEFAULT_REACH_KM, Park
from symbiosis.core.scenario import LinkKey, Scenario

MODES: tuple[str, ...] = tuple(DEFAULT_REACH_KM)
CATEGORIES: tuple[str, ...] = tuple(DEFAULT_MIN_LINK_QUANTITY)
__all__ = ["BUDGET_UNIT", "CATEGORIES", "DEFAULT_CARBON_PRICE", "MODES", "OBJECTIVES", "SolveRequest",
           "WorkshopOptions", "complete", "defaults", "from_widgets", "match_options", "option_keys", "solve_request", "to_widgets", "widgets_budget"]
# The option widgets' keys, one per setting (reach and minimum size: one per mode and per category).
SCALAR_KEYS: dict[str, str] = {"objective": "opt_objective", "carbon_price": "opt_carbon_price",
                               "dt_min_k": "opt_dt_min", "include_scope2": "opt_scope2", "gap": "opt_gap",
                               "time_limit": "opt_time_limit", "min_link_tco2e": "opt_min_tco2e",
                               "budget_capex_cny": "opt_budget", "target_tco2e": "opt_target"}
BUDGET_UNIT = 1e6  # the budget widget is in million CNY; options, scenarios and the matcher hold CNY


@dataclass(frozen=True)
class WorkshopOptions(Mapping[str, Any]):
    """Every workshop option, explicit. As a mapping: the scenario's [options] table (MatchOptions field names)."""

    objective: Objective = DEFAULTS["objective"]
    carbon_price: float = DEFAULTS["carbon_price"]
    dt_min_k: float = DEFAULTS["dt_min_k"]
    reach_km: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULTS["reach_km"]))
    min_link_quantity: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULTS["min_link_quantity"]))
    include_scope2: bool = DEFAULTS["include_scope2"]
    gap: float = DEFAULTS["gap"]
    time_limit: float = DEFAULTS["time_limit"]
    min_link_tco2e: float = DEFAULTS["min_link_tco2e"]
    budget_capex_cny: float | None = DEFAULTS["budget_capex_cny"]
    target_tco2e: float | None = DEFAULTS["target_tco2e"]

    @classmethod
    def of(cls, settings: Settings) -> WorkshopOptions:
        """The workshop's part of resolved settings."""
        return cls(objective=settings.objective, carbon_price=float(settings.carbon_price),
                   dt_min_k=float(settings.dt_min_k), reach_km={m: float(settings.reach_km[m]) for m in MODES},
                   min_link_quantity={c: float(settings.min_link_quantity[c]) for c in CATEGORIES},
                   include_scope2=bool(settings.include_scope2), gap=float(settings.gap),
                   time_limit=float(settings.time_limit), min_link_tco2e=float(settings.min_link_tco2e),
                   budget_capex_cny=_optional(settings.budget_capex_cny),
                   target_tco2e=_optional(settings.target_tco2e))

    def table(self) -> dict[str, Any]:
        """The scenario file's [options] table: plain values, tables as dicts; no budget or no target is left out
        (TOML has no null; the matcher then takes park.toml's, as for a scenario file that leaves it out)."""
        table = {"objective": self.objective, "carbon_price": float(self.carbon_price),
                "dt_min_k": float(self.dt_min_k), "reach_km": {m: float(v) for m, v in self.reach_km.items()},
                "min_link_quantity": {c: float(v) for c, v in self.min_link_quantity.items()},
                "include_scope2": bool(self.include_scope2), "gap": float(self.gap),
                "time_limit": float(self.time_limit), "min_link_tco2e": float(self.min_link_tco2e),
                "budget_capex_cny": _optional(self.budget_capex_cny), "target_tco2e": _optional(self.target_tco2e)}
        return {k: v for k, v in table.items() if v is not None}

    def widgets(self) -> dict[str, Any]:
        """Widget key -> value (the budget in million CNY; None: an empty input)."""
        values: dict[str, Any] = {key: getattr(self, name) for name, key in SCALAR_KEYS.items()}
        budget = _optional(self.budget_capex_cny)
        values[SCALAR_KEYS["budget_capex_cny"]] = widgets_budget(budget)
        values.update({reach_key(m): float(self.reach_km[m]) for m in MODES})
        values.update({min_key(c): float(self.min_link_quantity[c]) for c in CATEGORIES})
        return values

    # read-only mapping: the [options] table
    def __getitem__(self, key: str) -> Any:
        if key not in _OPTION_NAMES:
            raise KeyError(key)
        return self.table()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.table())

    def __len__(self) -> int:
        return len(self.table())


_OPTION_NAMES: tuple[str, ...] = tuple(f.name for f in fields(WorkshopOptions))


@dataclass(frozen=True)
class SolveRequest(Mapping[str, Any]):
    """Everything a solve depends on besides the park: the options and the forced and forbidden links. As a
    mapping: its JSON record (the [options] table plus `forced`/`forbidden` lists), whose hash keys the caches."""

    options: WorkshopOptions = field(default_factory=WorkshopOptions)
    forced: tuple[LinkKey, ...] = ()
    forbidden: tuple[LinkKey, ...] = ()

    @classmethod
    def of(cls, scenario: Scenario, park: Park) -> SolveRequest:
        """The request a scenario stands for on `park` (options it leaves out: the park's defaults)."""
        return cls(complete(scenario.options, park), tuple(scenario.forced), tuple(scenario.forbidden))

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> SolveRequest:
        if isinstance(record, SolveRequest):
            return record
        options = {k: v for k, v in record.items() if k not in ("forced", "forbidden")}
        base = WorkshopOptions()
        return cls(_merge(base, options),
                   tuple((str(s), str(r)) for s, r in record.get("forced", [])),
                   tuple((str(s), str(r)) for s, r in record.get("forbidden", [])))

    def record(self) -> dict[str, Any]:
        return {**self.options.table(), "forced": [list(k) for k in self.forced],
                "forbidden": [list(k) for k in self.forbidden]}

    def key(self) -> str:
        """Content hash of the request (app.keys.options_key of its record)."""
        return options_key(self.record())

    def scenario(self) -> Scenario:
        return Scenario(options=self.options.table(), forced=self.forced, forbidden=self.forbidden)

    def match_options(self) -> MatchOptions:
        """matching.MatchOptions, through the one scenario -> options mapping (matching.scenario_options)."""
        return scenario_options(self.scenario())

    def free(self) -> SolveRequest:
        """The same options without forced or forbidden links (the candidate list a user picks from)."""
        return replace(self, forced=(), forbidden=())

    def __getitem__(self, key: str) -> Any:
        return self.record()[key]

    def __iter__(self) -> Iterator[str]:  # the base record: a subclass adding keys adds them to its own iteration
        return iter(SolveRequest.record(self))

    def __len__(self) -> int:
        return len(SolveRequest.record(self))


def reach_key(mode: str) -> str:
    return f"opt_reach_{mode}"


def min_key(category: str) -> str:
    return f"opt_min_{category}"


def option_keys() -> list[str]:
    return [*SCALAR_KEYS.values(), *(reach_key(m) for m in MODES), *(min_key(c) for c in CATEGORIES)]


def defaults(park: Park) -> WorkshopOptions:
    """Every option explicit: the park's resolved settings (park.toml, then matching.DEFAULTS). A park.toml whose
    [options] the matcher refuses gives the defaults here; the solve then reports the OptionsError."""
    try:
        settings = resolve(park)
    except OptionsError:
        settings = resolve(replace(park, config=replace(park.config, options={})))
    return WorkshopOptions.of(settings)


def _optional(value: Any) -> float | None:
    """A number or None (no budget, no target); an empty widget or a missing value is None."""
    return None if value is None else float(value)


def _merge(base: WorkshopOptions, options: Mapping[str, Any]) -> WorkshopOptions:
    """`base` with the values of an [options] table (tables merged key by key; other keys ignored)."""
    changes: dict[str, Any] = {}
    for key, value in options.items():
        if key in ("reach_km", "min_link_quantity") and isinstance(value, Mapping):
            changes[key] = {**getattr(base, key), **{k: float(v) for k, v in value.items()}}
        elif key in _OPTION_NAMES:
            changes[key] = value
    return replace(base, **changes)


def complete(options: Mapping[str, Any], park: Park) -> WorkshopOptions:
    """`options` (an [options] table) with anything missing filled from `defaults(park)`."""
    return _merge(defaults(park), options)


def to_widgets(options: Mapping[str, Any]) -> dict[str, Any]:
    """Widget key -> value, for complete options."""
    return (options if isinstance(options, WorkshopOptions) else _merge(WorkshopOptions(), options)).widgets()


def from_widgets(values: StateLike, park: Park) -> WorkshopOptions:
    """The options from widget values (missing widgets: the park's defaults)."""
    base = defaults(park)
    get = values.get
    objective = get(SCALAR_KEYS["objective"], base.objective)
    budget = get(SCALAR_KEYS["budget_capex_cny"], widgets_budget(base.budget_capex_cny))
    return WorkshopOptions(
        objective=objective if objective in OBJECTIVES else "emissions",
        carbon_price=float(get(SCALAR_KEYS["carbon_price"], base.carbon_price)),
        dt_min_k=float(get(SCALAR_KEYS["dt_min_k"], base.dt_min_k)),
        reach_km={m: float(get(reach_key(m), base.reach_km[m])) for m in MODES},
        min_link_quantity={c: float(get(min_key(c), base.min_link_quantity[c])) for c in CATEGORIES},
        include_scope2=bool(get(SCALAR_KEYS["include_scope2"], base.include_scope2)),
        gap=float(get(SCALAR_KEYS["gap"], base.gap)),
        time_limit=float(get(SCALAR_KEYS["time_limit"], base.time_limit)),
        min_link_tco2e=float(get(SCALAR_KEYS["min_link_tco2e"], base.min_link_tco2e)),
        budget_capex_cny=None if budget is None else round(float(budget) * BUDGET_UNIT, 6),
        target_tco2e=_optional(get(SCALAR_KEYS["target_tco2e"], base.target_tco2e)))


def widgets_budget(budget_cny: float | None) -> float | None:
    """The budget as the widget shows it: million CNY (None: no budget)."""
    return None if budget_cny is None else float(budget_cny) / BUDGET_UNIT


def solve_request(scenario: Scenario, park: Park) -> dict[str, Any]:
    """The request a scenario stands for, as its JSON record (SolveRequest.of(...).record())."""
    return SolveRequest.of(scenario, park).record()


def match_options(request: Mapping[str, Any]) -> MatchOptions:
    """matching.MatchOptions for a solve request (a SolveRequest or its record)."""
    return SolveRequest.from_record(request).match_options()
