"""What a user can ask of the matcher, and how each setting is resolved.

Every setting is resolved in the same order: an explicit `MatchOptions` value (the command line, the app, a
scenario file) wins, then the park's park.toml (ParkConfig fields dt_min_k and reach_km, its [economics] rows, and
keys of its [options] table), then `DEFAULTS`, the one table of defaults. `resolve(park, options)` does this once and returns the
concrete `Settings` the model uses; `scenario_options(scenario)` is the one mapping of a scenario file's [options]
table (and its forced/forbidden links) to `MatchOptions`. The command, the report and the app all go through these
two, so the same park.toml and scenario give the same `Settings` everywhere. docs/options.md is generated from
`DEFAULTS` and `OPTION_DOCS` by `options_markdown()` (tests/test_session.py keeps them equal).

Which settings a stage depends on (`CANDIDATE_FIELDS`, `MODEL_FIELDS`, `SOLVE_FIELDS`): the candidate links depend
on the first group only, so a prepared session (symbiosis.session) re-solves after a change of the objective, the
carbon price, the gap or the time limit without building the candidates again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from symbiosis.core.errors import SymbiosisError
from symbiosis.core.heat_profiles import CARRIERS, transfer_default
from symbiosis.core.park import DEFAULT_REACH_KM, Park, ParkConfig

if TYPE_CHECKING:
    from symbiosis.core.scenario import Scenario

Objective = Literal["emissions", "cost", "least_cost", "npv"]
OBJECTIVES: tuple[str, ...] = ("emissions", "cost", "least_cost", "npv")
SolverName = Literal["highs", "cbc"]

# Smallest link worth a contract or a pipe, per year, in the stream's canonical unit (t/a, m3/a, GJ/a).
DEFAULT_MIN_LINK_QUANTITY: dict[str, float] = {
    "solid": 100.0, "organic": 100.0, "raw_material": 100.0, "liquid": 10.0, "gas": 100.0, "water": 10_000.0,
    "wastewater": 10_000.0, "heat": 1_000.0, "energy": 1_000.0,
}
# What a link costs and earns is not set here: it is the one cost rule of symbiosis.core.economics (cost_terms),
# with its rows in datasets/economics.csv, park.toml [economics] and the run's option `economics` (by row id).
# The options that used to price links in the matcher alone, and the row that now holds each figure:
RETIRED_OPTIONS: Mapping[str, str] = MappingProxyType({
    "fixed_cost_cny": "contract_pipe, handling_truck and the pipe rows",
    "pipe_cost_cny_per_km": "pipe_capex_hot_water, pipe_capex_steam, pipe_capex_water, pipe_capex_gas",
    "transport_cny_per_tkm": "truck_cny_per_tkm",
})
# Embodied emissions of building a link, annualised (tCO2e/a per link); 0 unless a park sets them.
DEFAULT_FIXED_TCO2E: dict[str, float] = dict.fromkeys(DEFAULT_REACH_KM, 0.0)
# Relative MIP gap at which the solver may stop. Tight enough that a finished solve is reported 'optimal' (see
# matching.solve.OPTIMALITY_TOLERANCE), and still interactive: the decomposition keeps sub-problems small (the
# demo park solves in a fraction of a second). A looser gap is reported honestly as 'feasible' with its gap.
DEFAULT_GAP = 1e-6
DEFAULT_TIME_LIMIT = 60.0
# CNY per tCO2e, used only by the objective 'cost' (carbon value less annual net cost). 100 is about the Chinese
# national ETS price in 2024-2025. One default for the command, the report and the app (they used to differ: 0 in
# the command, 100 in the app): at 0 the 'cost' objective would ignore emissions altogether, which no planner who
# picks "most value at a carbon price" means; a pure-cost run is still one explicit `carbon_price = 0` away (an
# explicit 0 is kept as 0 everywhere).
DEFAULT_CARBON_PRICE = 100.0
# No dust links (issue 12): a link must avoid at least this much net (tCO2e/a) to be proposed. A planner presents
# tens of projects, each worth a contract, a permit and a pipe or a truck route. A judgement, not a standard's
# figure (docs/accounting.md): settable per park or run; 0 = any size.
DEFAULT_MIN_LINK_TCO2E = 1000.0
MODES: tuple[str, ...] = tuple(DEFAULT_REACH_KM)
# Heat transfer between plants, by carrier (steam main, hot-water loop): the sourced rows of
# datasets/heat_transfer.csv, read through symbiosis.core.heat_profiles
HEAT_DIRECT_KM = transfer_default("direct_max_km")
HEAT_LOOP_FACTOR: dict[str, float] = {c: transfer_default("loop_approach_factor", c) for c in CARRIERS}
HEAT_DROP_K_PER_KM: dict[str, float] = {c: transfer_default("temperature_drop_k_per_km", c) for c in CARRIERS}


class OptionsError(SymbiosisError):
    """A matching option (or a park.toml [options] key) has a value the matcher cannot use."""


@dataclass(frozen=True)
class LinkSelector:
    """Picks candidate links: every given field must match (None matches anything).

    `material` matches the supplier's output material or the receiver's input material. `quantity` (forced links
    only): the picked links together carry at least this much a year, in the supplier output's canonical unit
    (t/a, m3/a, GJ/a); without it a forced link carries at least the minimum link size (docs/matching.md).
    """

    supplier_id: str | None = None
    receiver_id: str | None = None
    material: str | None = None
    supplier_stream_id: str | None = None
    receiver_stream_id: str | None = None
    quantity: float | None = None

    @classmethod
    def parse(cls, text: str) -> LinkSelector:
        """'S->R', 'S->R:material', 'supplier=S,receiver=R,material=M,out=STREAM,in=STREAM', each optionally
        with a quantity: 'S->R:material@5000' or 'quantity=5000' (canonical unit of the supplier's output)."""
        text = text.strip()
        quantity: float | None = None
        if "=" not in text and "@" in text:
            text, _, amount = text.rpartition("@")
            quantity = _quantity(amount, text)
            text = text.strip()
        if "=" not in text:
            pair, _, material = text.partition(":")
            supplier, arrow, receiver = pair.partition("->")
            if not arrow:
                raise OptionsError(f"cannot read link '{text}': write S->R, S->R:material, S->R:material@QUANTITY "
                                   "or supplier=S,receiver=R")
            return cls(supplier_id=supplier.strip() or None, receiver_id=receiver.strip() or None,
                       material=material.strip() or None, quantity=quantity)
        keys = {"supplier": "supplier_id", "supplier_id": "supplier_id", "receiver": "receiver_id",
                "receiver_id": "receiver_id", "material": "material", "out": "supplier_stream_id",
                "supplier_stream_id": "supplier_stream_id", "in": "receiver_stream_id",
                "receiver_stream_id": "receiver_stream_id", "quantity": "quantity"}
        kwargs: dict[str, Any] = {}
        for part in text.split(","):
            key, _, value = part.partition("=")
            if key.strip() not in keys:
                raise OptionsError(f"unknown link field '{key.strip()}' in '{text}' (accepted: {', '.join(keys)})")
            name = keys[key.strip()]
            kwargs[name] = _quantity(value, text) if name == "quantity" else value.strip()
        return cls(**kwargs)

    def describe(self) -> str:
        parts = [f"{k}={v:g}" if k == "quantity" else f"{k}={v}" for k, v in asdict(self).items() if v is not None]
        return ", ".join(parts) or "any link"

    def without_quantity(self) -> LinkSelector:
        return LinkSelector(self.supplier_id, self.receiver_id, self.material, self.supplier_stream_id,
                            self.receiver_stream_id)


def _quantity(text: str, link: str) -> float:
    try:
        value = float(text.strip().replace("_", ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise OptionsError(f"cannot read the quantity '{text.strip()}' of link '{link}': give a number > 0 in the "
                           "canonical unit of the supplier's output (t/a, m3/a, GJ/a), e.g. E01->E06:clay@20000")
    return value


@dataclass(frozen=True)
class MatchOptions:
    """Options of one matching run. None means: take it from park.toml, else the default."""

    objective: Objective | None = None
    carbon_price: float | None = None  # CNY per tCO2e, used by objective 'cost'
    dt_min_k: float | None = None
    reach_km: Mapping[str, float] | None = None  # by mode; only the modes given are overridden
    min_link_quantity: Mapping[str, float] | None = None  # by category, canonical unit per year
    economics: Mapping[str, float] | None = None  # economics rows replaced by id (on top of park.toml [economics])
    fixed_tco2e: Mapping[str, float] | None = None  # by mode, tCO2e/a per link (embodied, annualised)
    electricity_cny_per_kwh: float | None = None  # None: the economics row electricity_cny_per_kwh
    detour_factor: float | None = None  # route length / straight-line distance
    gap: float | None = None
    time_limit: float | None = None
    solver: SolverName | None = None
    threads: int | None = None
    include_scope2: bool | None = None
    forced: tuple[LinkSelector, ...] = ()
    forbidden: tuple[LinkSelector, ...] = ()
    max_links_per_enterprise: int | None = None
    epsilon_cost: float | None = None  # cap on the plan's annual net cost, CNY/a (epsilon constraint)
    budget_capex_cny: float | None = None  # cap on the investment of the plan's links, CNY
    target_tco2e: float | None = None  # net avoided tCO2e/a the plan must reach (objective least_cost)
    factor_overrides: Mapping[str, float] | None = None
    min_link_tco2e: float | None = None  # smallest net avoided tCO2e/a a proposed link must reach (no dust links)
    disabled_rules: bool | None = None  # also use substitution rules switched off for want of a source
    decompose: bool = True
    # Start the MIP from a rounded LP relaxation; when that plan is already within the gap of the LP bound the
    # MIP is skipped. Off only to measure what it saves (benchmarks).
    warm_start: bool = True
    # Let the solver print its log (PuLP msg=True). The command line's --verbose; the CLI points the process's
    # stdout at stderr while it computes, so the log never mixes with the command's output.
    solver_log: bool = False
    # Heat transfer between plants (docs/heat.md; defaults from datasets/heat_transfer.csv)
    heat_direct_km: float | None = None  # routes up to this length exchange heat directly (no loop)
    heat_loop_factor: Mapping[str, float] | None = None  # by carrier: approach of a plant-to-plant link / dt_min_k
    heat_drop_k_per_km: Mapping[str, float] | None = None  # by carrier: temperature lost along the pipe, K/km

    def replace(self, **changes: Any) -> MatchOptions:
        data = {f: getattr(self, f) for f in self.__dataclass_fields__}
        data.update(changes)
        return MatchOptions(**data)


@dataclass(frozen=True)
class Settings:
    """The concrete settings of one run, every value resolved."""

    objective: Objective
    carbon_price: float
    dt_min_k: float
    reach_km: dict[str, float]
    min_link_quantity: dict[str, float]
    economics: dict[str, float]
    fixed_tco2e: dict[str, float]
    electricity_cny_per_kwh: float
    detour_factor: float
    gap: float
    time_limit: float
    solver: SolverName
    threads: int | None
    include_scope2: bool
    forced: tuple[LinkSelector, ...] = ()
    forbidden: tuple[LinkSelector, ...] = ()
    max_links_per_enterprise: int | None = None
    epsilon_cost: float | None = None
    budget_capex_cny: float | None = None
    target_tco2e: float | None = None
    factor_overrides: dict[str, float] = field(default_factory=dict)
    min_link_tco2e: float = 0.0
    disabled_rules: bool = False
    decompose: bool = True
    warm_start: bool = True
    solver_log: bool = False
    heat_direct_km: float = 0.0
    heat_loop_factor: dict[str, float] = field(default_factory=lambda: dict(HEAT_LOOP_FACTOR))
    heat_drop_k_per_km: dict[str, float] = field(default_factory=lambda: dict(HEAT_DROP_K_PER_KM))

    def as_record(self) -> dict[str, Any]:
        """The settings as plain JSON values (a plan's `options`): no clock (time_limit inf) is None, so a plan
        read back from its JSON equals the plan written."""
        from symbiosis.core.plan import json_safe

        record = asdict(self)
        record["forced"] = [s.describe() for s in self.forced]
        record["forbidden"] = [s.describe() for s in self.forbidden]
        safe: dict[str, Any] = json_safe(record)
        return safe


# --- the one table of defaults, and what each setting means -------------------------------------------------------
# Every MatchOptions / Settings field -> its default. dt_min_k and reach_km are the park's own file defaults
# (symbiosis.core.park.ParkConfig: a park.toml without them gets these on load), listed here so the table is whole.
DEFAULTS: Mapping[str, Any] = MappingProxyType({
    "objective": "emissions",
    "carbon_price": DEFAULT_CARBON_PRICE,
    "dt_min_k": ParkConfig().dt_min_k,
    "reach_km": MappingProxyType(dict(DEFAULT_REACH_KM)),
    "min_link_quantity": MappingProxyType(DEFAULT_MIN_LINK_QUANTITY),
    "economics": MappingProxyType({}),
    "fixed_tco2e": MappingProxyType(DEFAULT_FIXED_TCO2E),
    "electricity_cny_per_kwh": None,
    "detour_factor": 1.0,
    "gap": DEFAULT_GAP,
    "time_limit": DEFAULT_TIME_LIMIT,
    "solver": "highs",
    "threads": None,
    "include_scope2": False,
    "forced": (),
    "forbidden": (),
    "max_links_per_enterprise": None,
    "epsilon_cost": None,
    "budget_capex_cny": None,
    "target_tco2e": None,
    "factor_overrides": MappingProxyType({}),
    "min_link_tco2e": DEFAULT_MIN_LINK_TCO2E,
    "disabled_rules": False,
    "decompose": True,
    "warm_start": True,
    "solver_log": False,
    "heat_direct_km": HEAT_DIRECT_KM,
    "heat_loop_factor": MappingProxyType(HEAT_LOOP_FACTOR),
    "heat_drop_k_per_km": MappingProxyType(HEAT_DROP_K_PER_KM),
})

# Which stage each setting feeds. Candidate links (matching.candidates.prepare_streams / build_links: reach, dTmin,
# minimum sizes, costs, factors, Scope 2 in the net per unit) depend on CANDIDATE_FIELDS only; the model (objective
# coefficients, pruning, forced/forbidden, decomposition) on MODEL_FIELDS too; the solver on SOLVE_FIELDS.
CANDIDATE_FIELDS: tuple[str, ...] = (
    "dt_min_k", "reach_km", "min_link_quantity", "economics", "fixed_tco2e", "electricity_cny_per_kwh",
    "detour_factor", "include_scope2", "factor_overrides", "min_link_tco2e", "disabled_rules", "heat_direct_km",
    "heat_loop_factor", "heat_drop_k_per_km")
MODEL_FIELDS: tuple[str, ...] = ("objective", "carbon_price", "forced", "forbidden", "max_links_per_enterprise",
                                 "epsilon_cost", "budget_capex_cny", "target_tco2e", "decompose")
SOLVE_FIELDS: tuple[str, ...] = ("gap", "time_limit", "solver", "threads", "warm_start", "solver_log")

# Option -> (where park.toml sets it, the command-line flag, what it means). docs/options.md is made from this.
OPTION_DOCS: Mapping[str, tuple[str, str, str]] = MappingProxyType({
    "objective": ("[options] objective", "--objective", "`emissions`: maximise net avoided tCO2e/a; `cost`: "
                  "maximise carbon value − annual net cost (CNY/a); `least_cost`: minimise the annual net cost "
                  "(with `target_tco2e`: of reaching that target); `npv`: maximise the net present value with the "
                  "carbon value counted as income (CNY; docs/economics.md)"),
    "carbon_price": ("[options] carbon_price", "--carbon-price", "CNY/tCO2e, used by `cost` and `npv` only; an "
                     "explicit 0 stays 0 (a pure-cost run)"),
    "dt_min_k": ("dt_min_k", "--dt-min", "minimum temperature difference between a hot and a cold stream, K"),
    "reach_km": ("[reach_km]", "--reach MODE=KM", "longest route per mode, km"),
    "min_link_quantity": ("[options.min_link_quantity]", "--min-quantity CATEGORY=Q",
                          "smallest link worth building, by category of the supplier's output (t/a, m³/a, GJ/a)"),
    "economics": ("[economics]", "--economics ID=VALUE", "replace rows of datasets/economics.csv by id: what a "
                  "link costs and earns, one rule for the model and the economics (docs/economics.md)"),
    "fixed_tco2e": ("[options.fixed_tco2e]", "—", "embodied emissions of building a link, annualised, tCO2e/a"),
    "electricity_cny_per_kwh": ("[options] electricity_cny_per_kwh", "—",
                                "pumping and pre-treatment electricity, CNY/kWh (none: the economics row "
                                "`electricity_cny_per_kwh`)"),
    "detour_factor": ("[options] detour_factor", "—", "route length / straight line"),
    "gap": ("[options] gap", "--gap", "relative MIP gap at which the solver may stop"),
    "time_limit": ("[options] time_limit", "--time-limit", "seconds for the whole solve; `inf` means no clock"),
    "solver": ("[options] solver", "--solver", "`highs` or `cbc`"),
    "threads": ("[options] threads", "—", "solver threads (none: the solver's own choice)"),
    "include_scope2": ("[options] include_scope2", "--include-scope2",
                       "count avoided Scope 2 in the objective and the ranking"),
    "forced": ("— (scenario [[forced]])", "--force LINK", "links that must be built"),
    "forbidden": ("— (scenario [[forbidden]])", "--forbid LINK", "links that must not be built"),
    "max_links_per_enterprise": ("[options] max_links_per_enterprise", "--max-links-per-enterprise",
                                 "cap on the links touching one enterprise (none: no cap)"),
    "epsilon_cost": ("[options] epsilon_cost", "--epsilon-cost", "cap on the plan's annual net cost, CNY/a (none: "
                     "no cap)"),
    "budget_capex_cny": ("[options] budget_capex_cny", "--budget-capex", "cap on the total investment (CAPEX) of "
                         "the plan's links, CNY (none: no cap); with `emissions`: most tonnes within a budget"),
    "target_tco2e": ("[options] target_tco2e", "--target-tco2e", "net avoided tCO2e/a the plan must reach (none: "
                     "no target); with `least_cost`: the cheapest plan reaching it"),
    "factor_overrides": ("[factor_overrides]", "--factor ID=VALUE", "replace emission factor values by id"),
    "min_link_tco2e": ("[options] min_link_tco2e", "--min-tco2e T", "smallest net avoided emissions a proposed link "
                       "must reach, tCO2e/a (no dust links; 0: any size; water links by quantity; a forced link by quantity only)"),
    "disabled_rules": ("[options] disabled_rules", "--disabled-rules", "also use the substitution rules switched off "
                       "by default for want of a source (substitutions.csv enabled=false, off_reason)"),
    "decompose": ("—", "—", "solve independent sub-problems separately"),
    "warm_start": ("—", "—", "start from a rounded LP relaxation (off only to measure what it saves)"),
    "solver_log": ("—", "--verbose", "let the solver print its log (on stderr)"),
    "heat_direct_km": ("[options] heat_direct_km", "—", "heat links whose route is at most this long exchange "
                       "directly at dt_min_k; longer ones go through a steam main or a hot-water loop (docs/heat.md; "
                       "datasets/heat_transfer.csv)"),
    "heat_loop_factor": ("[options.heat_loop_factor]", "—", "approach of a plant-to-plant heat link in multiples of "
                         "dt_min_k, by carrier: `steam` (the steam is piped) and `hot_water` (an intermediate "
                         "loop, two exchangers)"),
    "heat_drop_k_per_km": ("[options.heat_drop_k_per_km]", "—", "temperature lost along the pipe, K per km of "
                           "route, by carrier (added to the approach of a plant-to-plant heat link)"),
})


def _default_text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Mapping):
        return "; ".join(f"{k} {v:g}" for k, v in value.items()) if value else "none"
    if isinstance(value, tuple):
        return "none" if not value else ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return f"`{value}`" if isinstance(value, str) else str(value)


def options_markdown() -> str:
    """docs/options.md: every option, its one default, where park.toml and the command set it, its stage."""
    stage = {**dict.fromkeys(CANDIDATE_FIELDS, "candidates"), **dict.fromkeys(MODEL_FIELDS, "model"),
             **dict.fromkeys(SOLVE_FIELDS, "solve")}
    lines = [
        "# Matching options: one table of defaults",
        "",
        "Generated from `matching/options.py` (`DEFAULTS`, `OPTION_DOCS`) by `matching.options.options_markdown()`: "
        "`.venv/bin/python -c 'import matching.options as o; print(o.options_markdown(), end=\"\")' > "
        "docs/options.md`. `tests/test_session.py` keeps this file equal to it.",
        "",
        "Every setting is resolved once, by `matching.resolve(park, options)`: an explicit value (the command line, "
        "the app's widgets, a scenario file's `[options]`) > park.toml > the default below. The command "
        "(`symbiosis match`, `symbiosis report`), the report (`symbiosis.reporting.analyse`) and the app all call it, "
        "and a scenario's `[options]` table becomes `MatchOptions` in one place, `matching.options.scenario_options`; "
        "so the same park.toml and scenario give the same settings in all three.",
        "",
        f"The carbon price defaults to {DEFAULT_CARBON_PRICE:g} CNY/tCO2e (about the Chinese national ETS price in "
        "2024-2025) in all three. It is used by the objectives `cost` and `npv` only; at 0 they would ignore "
        "emissions altogether, which is not what a planner choosing \"most value at a carbon price\" means. An "
        "explicit `carbon_price = 0` stays 0.",
        "",
        "What a link costs and earns is one rule, `symbiosis.core.economics.cost_terms`, for the model and the "
        "economics of a plan alike (docs/economics.md, \"Objectives and the trade-off curve\"); its rows are "
        "`datasets/economics.csv`, replaced by park.toml `[economics]` and the option `economics`. The former cost "
        "options `fixed_cost_cny`, `pipe_cost_cny_per_km` and `transport_cny_per_tkm` are refused with the rows that "
        "replaced them.",
        "",
        "The stage column says what a change of the option rebuilds in a prepared session (`symbiosis.session`): "
        "`candidates` — the candidate links (and everything after); `model` — the objective, pruning and the MILP; "
        "`solve` — only the solve.",
        "",
        "| option | default | park.toml | command line | stage | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for name, default in DEFAULTS.items():
        where, flag, meaning = OPTION_DOCS[name]
        lines.append(f"| `{name}` | {_default_text(default)} | {where} | {flag} | {stage[name]} | {meaning} |")
    return "\n".join(lines) + "\n"


def candidate_key(settings: Settings) -> str:
    """What the candidate links of a park depend on, as one string: settings with the same key share candidates."""
    values = {name: getattr(settings, name) for name in CANDIDATE_FIELDS}
    return json.dumps(values, sort_keys=True, default=str)


def model_key(settings: Settings) -> str:
    """What the prepared model (candidates, objective, pruning, components) depends on, as one string. The carbon
    price enters only with the objectives 'cost' and 'npv'."""
    values: dict[str, Any] = {name: getattr(settings, name) for name in (*CANDIDATE_FIELDS, *MODEL_FIELDS)}
    values["forced"] = [asdict(s) for s in settings.forced]
    values["forbidden"] = [asdict(s) for s in settings.forbidden]
    if settings.objective not in ("cost", "npv"):
        values.pop("carbon_price")
    return json.dumps(values, sort_keys=True, default=str)


# MatchOptions fields a scenario's [options] table may set (the links have their own [[forced]]/[[forbidden]]).
SCENARIO_OPTION_KEYS: tuple[str, ...] = tuple(f.name for f in fields(MatchOptions)
                                              if f.name not in ("forced", "forbidden"))


def scenario_options(scenario: Scenario) -> MatchOptions:
    """The matching options a scenario stands for: its [options] table plus its forced and forbidden links.

    Keys are MatchOptions field names; a key the scenario leaves out stays None, so `resolve` takes it from
    park.toml, then `DEFAULTS` — exactly as `symbiosis match` does. The app saves every option explicitly, so a
    scenario saved by the app solves the same everywhere. An unknown key is an error (ScenarioError), never
    ignored: a typo would otherwise silently change the plan.
    """
    from symbiosis.core.scenario import ScenarioError

    unknown = sorted(set(scenario.options) - set(SCENARIO_OPTION_KEYS))
    if unknown:
        raise ScenarioError(_unknown_keys("scenario [options]", unknown, SCENARIO_OPTION_KEYS))
    values = {k: v for k, v in scenario.options.items() if not (isinstance(v, str) and v == "nan")}
    for flag in ("decompose", "warm_start", "solver_log"):
        if flag in values and not isinstance(values[flag], bool):
            raise ScenarioError(f"scenario [options]: {flag} must be true or false")
    return MatchOptions(**values, forced=tuple(LinkSelector(supplier_stream_id=s, receiver_stream_id=r)
                                               for s, r in scenario.forced),
                        forbidden=tuple(LinkSelector(supplier_stream_id=s, receiver_stream_id=r)
                                        for s, r in scenario.forbidden))


PARK_OPTION_KEYS: tuple[str, ...] = (
    "objective", "solver", "max_links_per_enterprise", "epsilon_cost", "budget_capex_cny", "target_tco2e",
    "threads", "carbon_price", "min_link_quantity", "fixed_tco2e", "electricity_cny_per_kwh", "detour_factor",
    "gap", "time_limit", "include_scope2", "min_link_tco2e", "disabled_rules", "heat_direct_km", "heat_loop_factor",
    "heat_drop_k_per_km")


def _unknown_keys(where: str, unknown: list[str], accepted: tuple[str, ...]) -> str:
    """The message for unknown option keys; a retired cost option names the economics row that replaced it."""
    retired = [f"{k} (now the economics rows {RETIRED_OPTIONS[k]}: park.toml [economics] or --economics ID=VALUE)"
               for k in unknown if k in RETIRED_OPTIONS]
    hint = f"; {'; '.join(retired)}" if retired else ""
    return f"{where}: unknown key(s) {', '.join(unknown)} (accepted: {', '.join(accepted)}){hint}"


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):  # "false" as text would read as True: refuse it
        raise OptionsError(f"option {name} must be true or false, got {value!r}")
    return value


def _number(name: str, value: Any, minimum: float = 0.0) -> float:
    if (isinstance(value, bool) or not isinstance(value, int | float) or (not math.isfinite(value)
            and not (value == -math.inf and minimum == -math.inf)) or value < minimum):
        raise OptionsError(f"option {name} must be a number >= {minimum:g}, got {value!r}")
    return float(value)


def _time_limit(value: Any) -> float:
    """Seconds for the whole solve; infinity (`inf`, `--time-limit inf`) means no clock at all: the solver runs
    until it proves the gap (what tests that must not depend on the machine's speed ask for)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value == math.inf:
        return math.inf
    return _number("time_limit", value, minimum=0.001)


def _table(name: str, base: Mapping[str, float], *layers: Mapping[str, Any] | None,
           keys: tuple[str, ...]) -> dict[str, float]:
    out = dict(base)
    for layer in layers:
        if not layer:
            continue
        if not isinstance(layer, Mapping):
            raise OptionsError(f"option {name} must be a table of {', '.join(keys)}")
        for key, value in layer.items():
            if key not in keys:
                raise OptionsError(f"option {name}: '{key}' is not one of {', '.join(keys)}")
            out[key] = _number(f"{name}.{key}", value)
    return out


def _economics_rows(park_rows: Mapping[str, float], run_rows: Mapping[str, Any] | None) -> dict[str, float]:
    """park.toml [economics] with the run's rows on top; every id a row of datasets/economics.csv, every value a
    finite number (OptionsError naming the accepted ids otherwise)."""
    from symbiosis.core.economics import EconomicsTable

    known = EconomicsTable().params
    out = dict(park_rows)
    if run_rows is not None and not isinstance(run_rows, Mapping):
        raise OptionsError("option economics must be a table of economics row ids (datasets/economics.csv) and "
                           "numbers, e.g. pipe_capex_hot_water = 2500000")
    for key, value in (run_rows or {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise OptionsError(f"option economics.{key} must be a finite number, got {value!r}")
        out[str(key)] = float(value)
    unknown = sorted(set(out) - set(known))
    if unknown:
        raise OptionsError(f"economics: unknown row id(s) {', '.join(unknown)} (park.toml [economics] or the "
                           f"option economics; accepted: the param_id of datasets/economics.csv: "
                           f"{', '.join(known)})")
    return out


# The explicit "no value" of a cap or target (epsilon_cost, budget_capex_cny, target_tco2e): None in MatchOptions
# means "take park.toml's", and TOML has no null, so a scenario or a run that must drop the park's cap says "none".
UNSET = "none"


def _pick(explicit: Any, park_options: Mapping[str, Any], key: str, default: Any) -> Any:
    if explicit is not None:
        return explicit
    return park_options.get(key, default)


def _unset(value: Any) -> Any:
    """None for the explicit UNSET, else the value as given."""
    return None if isinstance(value, str) and value.strip().lower() == UNSET else value


def resolve(park: Park, options: MatchOptions | None = None) -> Settings:
    """Explicit option > park.toml > default, for every setting; raises OptionsError on a bad value."""
    from symbiosis.core.taxonomy import CATEGORIES

    o = options or MatchOptions()
    p: Mapping[str, Any] = park.config.options or {}
    unknown = sorted(set(p) - set(PARK_OPTION_KEYS))
    if unknown:  # a misspelt key would otherwise be ignored and silently change nothing
        raise OptionsError(_unknown_keys("park.toml [options]", unknown, PARK_OPTION_KEYS))
    objective = _pick(o.objective, p, "objective", DEFAULTS["objective"])
    if objective not in OBJECTIVES:
        raise OptionsError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    solver = _pick(o.solver, p, "solver", DEFAULTS["solver"])
    if solver not in ("highs", "cbc"):
        raise OptionsError(f"solver must be 'highs' or 'cbc', got {solver!r}")
    dt = o.dt_min_k if o.dt_min_k is not None else park.config.dt_min_k
    max_links = _pick(o.max_links_per_enterprise, p, "max_links_per_enterprise", DEFAULTS["max_links_per_enterprise"])
    if max_links is not None and (isinstance(max_links, bool) or not isinstance(max_links, int) or max_links < 1):
        raise OptionsError(f"max_links_per_enterprise must be a whole number >= 1, got {max_links!r}")
    eps = _unset(_pick(o.epsilon_cost, p, "epsilon_cost", DEFAULTS["epsilon_cost"]))
    threads = _pick(o.threads, p, "threads", DEFAULTS["threads"])
    overrides = dict(park.config.factor_overrides)
    overrides.update(o.factor_overrides or {})
    economics = _economics_rows(park.config.economics, o.economics)
    budget = _unset(_pick(o.budget_capex_cny, p, "budget_capex_cny", DEFAULTS["budget_capex_cny"]))
    target = _unset(_pick(o.target_tco2e, p, "target_tco2e", DEFAULTS["target_tco2e"]))
    electricity = _pick(o.electricity_cny_per_kwh, p, "electricity_cny_per_kwh", DEFAULTS["electricity_cny_per_kwh"])
    if electricity is None:  # the economics row (park.toml [economics], the run's rows): one price for both layers
        from symbiosis.core.economics import EconomicsTable

        electricity = EconomicsTable(economics).value("electricity_cny_per_kwh")
    return Settings(
        objective=objective,
        carbon_price=_number("carbon_price", _pick(o.carbon_price, p, "carbon_price", DEFAULTS["carbon_price"])),
        dt_min_k=_number("dt_min_k", dt),
        reach_km=_table("reach_km", DEFAULTS["reach_km"], park.config.reach_km, o.reach_km, keys=MODES),
        min_link_quantity=_table("min_link_quantity", DEFAULTS["min_link_quantity"], p.get("min_link_quantity"),
                                 o.min_link_quantity, keys=CATEGORIES),
        economics=economics,
        fixed_tco2e=_table("fixed_tco2e", DEFAULTS["fixed_tco2e"], p.get("fixed_tco2e"), o.fixed_tco2e, keys=MODES),
        electricity_cny_per_kwh=_number("electricity_cny_per_kwh", electricity),
        detour_factor=_number("detour_factor", _pick(o.detour_factor, p, "detour_factor", DEFAULTS["detour_factor"]), minimum=1.0),
        gap=_number("gap", _pick(o.gap, p, "gap", DEFAULTS["gap"])),
        time_limit=_time_limit(_pick(o.time_limit, p, "time_limit", DEFAULTS["time_limit"])),
        solver=solver,
        threads=None if threads is None else int(_number("threads", threads, minimum=1)),
        include_scope2=_flag("include_scope2", _pick(o.include_scope2, p, "include_scope2", DEFAULTS["include_scope2"])),
        forced=tuple(o.forced), forbidden=tuple(o.forbidden),
        max_links_per_enterprise=max_links,
        epsilon_cost=None if eps is None else float(_number("epsilon_cost", eps, minimum=-math.inf)),
        budget_capex_cny=None if budget is None else _number("budget_capex_cny", budget),
        target_tco2e=None if target is None else _number("target_tco2e", target),
        factor_overrides=overrides,
        min_link_tco2e=_number("min_link_tco2e", _pick(o.min_link_tco2e, p, "min_link_tco2e",
                                                       DEFAULTS["min_link_tco2e"])),
        disabled_rules=_flag("disabled_rules", _pick(o.disabled_rules, p, "disabled_rules",
                                                     DEFAULTS["disabled_rules"])),
        decompose=o.decompose,
        warm_start=o.warm_start,
        solver_log=bool(o.solver_log),
        heat_direct_km=_number("heat_direct_km", _pick(o.heat_direct_km, p, "heat_direct_km",
                                                       DEFAULTS["heat_direct_km"])),
        heat_loop_factor=_table("heat_loop_factor", DEFAULTS["heat_loop_factor"], p.get("heat_loop_factor"),
                                o.heat_loop_factor, keys=CARRIERS),
        heat_drop_k_per_km=_table("heat_drop_k_per_km", DEFAULTS["heat_drop_k_per_km"], p.get("heat_drop_k_per_km"),
                                  o.heat_drop_k_per_km, keys=CARRIERS),
    )
