"""Energy use and emissions attributed to the edges of a metabolism graph: the park inventory.

Emissions: every number is an edge's quantity times the per-unit rule of symbiosis.core.rulebook — the very rule a
plan link's accounting uses — so that the inventory before minus after a plan equals the plan's link accounting,
scope by scope and enterprise by enterprise (docs/accounting-rules.md, tests/test_consistency_law.py):
  * an input row's remainder (a supply edge) emits what its baseline says (`receiver_side`): Scope 1 for a fuel
    bought in and burned or an own boiler's fuel (heat / efficiency), Scope 2 for grid electricity, purchased heat
    and electric boilers, Scope 3 cat. 1 for virgin material and tap water;
  * an output row's remainder (a fate or sewer edge) emits its disposal (`supplier_side`, Scope 3 cat. 5);
  * a fuel another enterprise passes on (an exchange or a plan link into a fuel input) emits its own combustion at
    the receiver (`substitute_combustion`; nothing for an off-gas or other energy carrier, whose carbon was counted
    where the fuel it was made from entered the park);
  * a plan link carried by road emits its transport (Scope 3 cat. 4) and, when the plan counts it, its construction
    (Scope 3 cat. 2) at the receiver; the grid electricity it adds is a supply edge like any other.

Energy use (tce), park-level, so that nothing is counted twice: a fuel or energy carrier counts where it enters the
park from outside (a "supply" edge). Energy made inside the park from counted fuels — an off-gas, electricity or
steam passed on by an exchange, electricity of own generation ("self_supplied") — is not counted again; a clean
carrier made inside the park (own PV, biogas from sludge) is counted, as no counted fuel stands behind it.

Both follow the boiler-fuel convention of the rule-book (`BOILER_FUEL`): a heat input raised in an own boiler stands
for the boiler's fuel only when the enterprise lists no input of that fuel (edge attribute boiler_fuel_listed);
where it does, the fuel row already holds the boiler's fuel and the heat row is not counted again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import networkx as nx

from flows.graph import RowRef
from symbiosis.core.factors import FactorTable
from symbiosis.core.i18n import pair, register
from symbiosis.core.rulebook import (
    BOILER_FUEL,
    DISPLACED_SCOPE,
    OWN_PRODUCTION,
    ReceiverSide,
    SupplierSide,
    boiler_efficiency,
    own_production_side,
    receiver_side,
    substitute_combustion,
    supplier_side,
    transport_factor,
    transport_per_unit,
)
from symbiosis.core.taxonomy import materials
from symbiosis.core.units import TCE_GJ

EdgeId = tuple[str, str, str]
SCOPES: tuple[str, ...] = ("scope1", "scope2", "scope3_cat1", "scope3_cat2", "scope3_cat4", "scope3_cat5")
# Not a scope of the park's inventory: what the present buyers of outputs sold today emit more once plan links take
# them (the plan's reference scenario, rulebook.DISPLACED_SCOPE). Listed after the after-state's scopes, never in them.
OUTSIDE_SCOPES: tuple[str, ...] = (DISPLACED_SCOPE,)
# What a number that could not be computed lacks (codes "flows.missing.<key>"; Missing.what_en / what_zh). The keys
# are shown as the ledger has them, in both languages, except a material given with its Chinese name (material_zh).
MISSING_TEXTS = register("flows.missing", {
    "boiler_efficiency": ("boiler efficiency for {baseline}", "{baseline} 的锅炉效率"),
    "scope1_factor": ("Scope 1 factor for {material}", "{material}的范围一排放因子"),
    "cradle_to_gate_factor": ("cradle-to-gate factor for {material}", "{material} 的上游排放因子"),
    "disposal_factor": ("disposal factor for {baseline}", "{baseline} 的处置排放因子"),
})


@dataclass(frozen=True)
class EnergyItem:
    """Energy use counted on one edge, in GJ/a (tce = GJ / 29.3076)."""

    edge: EdgeId
    gj: float
    clean: bool
    carrier: str  # the material burnt or bought (for boiler heat: the boiler's fuel)
    rows: tuple[RowRef, ...]
    factor_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmissionItem:
    """Emissions attributed to one edge, tCO2e/a."""

    edge: EdgeId
    scope: str  # one of SCOPES
    tco2e: float
    rows: tuple[RowRef, ...]
    factor_ids: tuple[str, ...]
    enterprise_id: str = ""  # whose books it falls in: the receiver of a supply/exchange/link edge, the sender of a fate


@dataclass(frozen=True)
class Missing:
    """A number that could not be computed for lack of a factor."""

    scope: str
    what_en: str
    what_zh: str
    rows: tuple[RowRef, ...]


def _pair(key: str, /, **params: str) -> tuple[str, str]:
    """Message "flows.missing.<key>" in English and Chinese (a Missing's what_en, what_zh)."""
    return pair(MISSING_TEXTS.code(key), **params)


def is_energy_carrier(category: str, dimension: str) -> bool:
    return category == "energy" or (category == "gas" and dimension == "energy")


def factor_table(graph: nx.MultiDiGraph, factors: FactorTable | None) -> FactorTable:
    return factors if factors is not None else FactorTable(graph.graph.get("config"))


def energy_items(graph: nx.MultiDiGraph, factors: FactorTable) -> tuple[list[EnergyItem], list[Missing]]:
    """Every edge's contribution to the park's energy use (see the module docstring for the rule)."""
    items: list[EnergyItem] = []
    missing: list[Missing] = []
    mats = materials()
    for u, v, k, d in graph.edges(keys=True, data=True):
        if graph.nodes[v].get("kind") != "enterprise":
            continue
        edge, rows = (u, v, k), tuple(d["rows"])
        mat = mats.get(d["material"])
        clean = bool(mat and mat.is_clean_energy)
        if is_energy_carrier(d["category"], d["dimension"]):
            from_outside = d["kind"] == "supply" and graph.nodes[u].get("boundary") != "self_supply"
            if from_outside or clean:
                items.append(EnergyItem(edge, float(d["quantity"]), clean, d["material"], rows))
        elif d["category"] == "heat" and d["kind"] == "supply":
            if d["baseline"] == "purchased_steam":
                items.append(EnergyItem(edge, float(d["quantity"]), False, "purchased_steam", rows))
            elif d["baseline"] in BOILER_FUEL and not d.get("boiler_fuel_listed"):
                eff = boiler_efficiency(d["baseline"], factors)
                if eff is None:
                    missing.append(Missing("energy", *_pair("boiler_efficiency", baseline=d["baseline"]), rows))
                    continue
                items.append(EnergyItem(edge, float(d["quantity"]) / eff.value, False, BOILER_FUEL[d["baseline"]],
                                        rows, (eff.factor_id,)))
        elif d["kind"] == "supply" and d["baseline"] == OWN_PRODUCTION and not d.get("boiler_fuel_listed"):
            side = own_production_side(d["material"], d["unit"], factors)  # the row stands for its kiln's fuel
            if side.production_fuel_gj:
                items.append(EnergyItem(edge, float(d["quantity"]) * side.production_fuel_gj, False,
                                        side.production_fuel, rows, side.factor_ids))
    return items, missing


class _Sides:
    """The rule-book's per-unit numbers, looked up once per distinct (material, baseline, unit) of a graph."""

    def __init__(self, factors: FactorTable):
        self.factors = factors
        self.receiver: dict[tuple[str, str, str], ReceiverSide] = {}
        self.supplier: dict[tuple[str, str, str], SupplierSide] = {}

    def of_input(self, material: str, baseline: str, unit: str) -> ReceiverSide:
        key = (material, baseline, unit)
        if key not in self.receiver:
            self.receiver[key] = receiver_side(material, baseline, unit, self.factors)
        return self.receiver[key]

    def of_output(self, material: str, baseline: str, unit: str) -> SupplierSide:
        key = (material, baseline, unit)
        if key not in self.supplier:
            self.supplier[key] = supplier_side(material, baseline, unit, self.factors)
        return self.supplier[key]


def _counted_input(graph: nx.MultiDiGraph, v: str, d: dict) -> bool:
    """A supply edge into an enterprise that the inventory counts: not a boiler's heat whose fuel row is listed."""
    if d["kind"] != "supply" or graph.nodes[v].get("kind") != "enterprise":
        return False
    return not (d["baseline"] in BOILER_FUEL and d.get("boiler_fuel_listed"))


def scope12_items(graph: nx.MultiDiGraph, factors: FactorTable) -> tuple[list[EmissionItem], list[Missing]]:
    """Scope 1 (fuels bought in and burned, own boilers' fuel, fuels passed on by another enterprise and burned) and
    Scope 2 (grid electricity, purchased steam/heat, electric boilers) by edge."""
    _, missing = energy_items(graph, factors)
    out: list[EmissionItem] = []
    sides = _Sides(factors)
    mats = materials()
    for u, v, k, d in graph.edges(keys=True, data=True):
        edge, rows = (u, v, k), tuple(d["rows"])
        if _counted_input(graph, v, d):
            side = sides.of_input(d["material"], str(d["baseline"]), d["unit"])
            q = float(d["quantity"])
            # an intermediate made in-house whose fuel row is listed: that row holds the fuel, this one the process
            scope1 = side.scope1 - (side.production_fuel_scope1 if d.get("boiler_fuel_listed") else 0.0) \
                - (side.process_scope1 if d.get("calcination_held") else 0.0)  # calcination held by own clinker
            for scope, per_unit in (("scope1", scope1), ("scope2", side.scope2)):
                if per_unit:
                    out.append(EmissionItem(edge, scope, q * per_unit, rows, side.factor_ids, v))
            mat = mats.get(d["material"])
            if (side.fuel_factor is None and mat is not None and mat.is_fossil_fuel and d["category"] == "energy"
                    and str(d["baseline"]) != "self_supplied" and graph.nodes[u].get("boundary") != "self_supply"):
                missing.append(Missing("scope1", *_pair("scope1_factor", material=d["material"],
                                                        material_zh=mat.name_zh), rows))
        elif d["kind"] in ("exchange", "link"):
            for material_in, unit_in, baseline_in, q_in in d.get("inputs", ()):
                replaced = sides.of_input(material_in, baseline_in, unit_in).fuel_factor
                if replaced is None:
                    continue  # the receiver does not burn what it is fed
                per_gj, ids, _ = substitute_combustion(d["material"], replaced, factors)
                if per_gj:
                    out.append(EmissionItem(edge, "scope1", q_in * per_gj, rows, ids, v))
    return out, missing


def scope3_items(graph: nx.MultiDiGraph, factors: FactorTable) -> tuple[list[EmissionItem], list[Missing]]:
    """Scope 3 by edge: category 1 of virgin material and tap water bought, category 5 of disposal, and of plan
    links category 4 (transport by road) and category 2 (construction, when the plan counts it)."""
    out: list[EmissionItem] = []
    missing: list[Missing] = []
    sides = _Sides(factors)
    for u, v, k, d in graph.edges(keys=True, data=True):
        edge, rows, q = (u, v, k), tuple(d["rows"]), float(d["quantity"])
        if _counted_input(graph, v, d):
            side = sides.of_input(d["material"], str(d["baseline"]), d["unit"])
            if side.scope3_cat1:
                out.append(EmissionItem(edge, "scope3_cat1", q * side.scope3_cat1, rows, side.factor_ids, v))
            if any(n.code == "no_virgin_factor" for n in side.notes):
                missing.append(Missing("scope3_cat1", *_pair("cradle_to_gate_factor", material=d["material"]), rows))
        elif d["kind"] in ("fate", "sewer"):  # sewer: sent to the park's own treatment plant
            out_side = sides.of_output(d["material"], str(d["baseline"]), d["unit"])
            if out_side.scope3_cat5:
                out.append(EmissionItem(edge, "scope3_cat5", q * out_side.scope3_cat5, rows, out_side.factor_ids, u))
            if any(n.code == "no_disposal_factor" for n in out_side.notes):
                missing.append(Missing("scope3_cat5", *_pair("disposal_factor", baseline=d["baseline"]), rows))
        elif d["kind"] == "link":
            mode = str(d.get("mode", ""))
            per_unit = transport_per_unit(d["material"], d["unit"], mode, float(d.get("distance_km") or 0.0), factors)
            carrier = transport_factor(mode, factors)
            if per_unit and carrier is not None:
                out.append(EmissionItem(edge, "scope3_cat4", q * per_unit, rows, (carrier.factor_id,), v))
            if d.get("construction_tco2e"):
                out.append(EmissionItem(edge, "scope3_cat2", float(d["construction_tco2e"]), rows, (), v))
            if d.get("displaced_tco2e"):  # the reference scenario of an output sold today: outside the park
                out.append(EmissionItem(edge, DISPLACED_SCOPE, float(d["displaced_tco2e"]), rows, (), u))
    return out, missing


def emissions_by_enterprise(graph: nx.MultiDiGraph, factors: FactorTable) -> dict[tuple[str, str], float]:
    """The inventory as (scope, enterprise_id) -> tCO2e/a, every scope of SCOPES (what the consistency law
    compares with a plan's link accounting)."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for item in scope12_items(graph, factors)[0] + scope3_items(graph, factors)[0]:
        totals[(item.scope, item.enterprise_id)] += item.tco2e
    return dict(totals)


def tce(gj: float) -> float:
    return gj / TCE_GJ
