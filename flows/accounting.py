"""Energy use and emissions attributed to the edges of a metabolism graph.

Park-level rule, so that nothing is counted twice: a fuel or energy carrier counts where it enters the park from
outside (a "supply" edge). Energy made inside the park from counted fuels — an off-gas, electricity or steam
passed on by an exchange, electricity of own generation ("self_supplied") — is not counted again; a clean
carrier made inside the park (own PV, biogas from sludge) is counted, as no counted fuel stands behind it.
A heat input raised in an own boiler (baseline natural_gas_boiler / coal_boiler / electric_boiler) stands for
the boiler's fuel — heat / boiler efficiency of natural gas, coal or grid electricity — only when the enterprise
lists no input of that fuel; where it does (edge attribute boiler_fuel_listed), the fuel row already holds the
boiler's fuel and the heat row is not counted again. Grid electricity a plan link adds (pumping, pre-treatment;
flows.graph draws it as a supply edge from the grid into the link's owner) counts like any grid purchase, so the
after-state energy use and Scope 2 include it.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from flows.graph import BOILER_FUEL, RowRef
from symbiosis.core.factors import Factor, FactorTable
from symbiosis.core.taxonomy import baselines, materials
from symbiosis.core.units import TCE_GJ

GJ_PER_MWH = 3.6
EdgeId = tuple[str, str, str]


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
    scope: str  # scope1, scope2, scope3_cat1, scope3_cat5
    tco2e: float
    rows: tuple[RowRef, ...]
    factor_ids: tuple[str, ...]


@dataclass(frozen=True)
class Missing:
    """A number that could not be computed for lack of a factor."""

    scope: str
    what_en: str
    what_zh: str
    rows: tuple[RowRef, ...]


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
                eff = _efficiency(d["baseline"], factors)
                if eff is None:
                    missing.append(Missing("energy", f"boiler efficiency for {d['baseline']}",
                                           f"{d['baseline']} 的锅炉效率", rows))
                    continue
                items.append(EnergyItem(edge, float(d["quantity"]) / eff.value, False, BOILER_FUEL[d["baseline"]],
                                        rows, (eff.factor_id,)))
    return items, missing


def _efficiency(baseline: str, factors: FactorTable) -> Factor | None:
    b = baselines().get(baseline)
    if b is None or not b.efficiency_factor_id:
        return None
    return factors.factors.get(b.efficiency_factor_id)


def scope12_items(graph: nx.MultiDiGraph, factors: FactorTable) -> tuple[list[EmissionItem], list[Missing]]:
    """Scope 1 (fossil fuels entering the park, own fossil boilers) and Scope 2 (grid electricity, purchased
    steam/heat, electric boilers) by edge."""
    energy, missing = energy_items(graph, factors)
    out: list[EmissionItem] = []
    mats = materials()
    for item in energy:
        d = graph.edges[item.edge]
        from_grid = graph.nodes[item.edge[0]].get("boundary") == "grid"
        if item.carrier == "purchased_steam":
            f = factors.find("scope2_heat", "purchased_steam")
            if f is None:
                missing.append(Missing("scope2", "purchased steam/heat factor (scope2_heat)", "外购热力排放因子",
                                       item.rows))
            else:
                out.append(EmissionItem(item.edge, "scope2", item.gj * f.value, item.rows, (f.factor_id,)))
        elif item.carrier == "electricity" and (from_grid or d["baseline"] == "electric_boiler"):
            grid = factors.grid()
            out.append(EmissionItem(item.edge, "scope2", item.gj / GJ_PER_MWH * grid.value, item.rows,
                                    (*item.factor_ids, grid.factor_id)))
        else:
            mat = mats.get(item.carrier)
            if mat is None or not mat.is_fossil_fuel:
                continue
            if d["kind"] != "supply" or graph.nodes[item.edge[0]].get("boundary") == "self_supply":
                continue  # made inside the park: its fuel was counted where it entered
            f = factors.find("scope1_fuel", item.carrier)
            if f is None:
                missing.append(Missing("scope1", f"Scope 1 factor for {item.carrier}",
                                       f"{mat.name_zh}的范围一排放因子", item.rows))
                continue
            out.append(EmissionItem(item.edge, "scope1", item.gj * f.value, item.rows,
                                    (*item.factor_ids, f.factor_id)))
    return out, missing


_LANDFILL_BY_MATERIAL = {"waste_paper": "landfill:paper", "paper_sludge": "landfill:paper",
                         "wood_waste": "landfill:wood"}
_INCINERATION_BY_MATERIAL = {"waste_plastics": "incineration:plastics", "waste_oil": "incineration:waste_oil",
                             "waste_solvent": "incineration:waste_oil"}


def _disposal_factor(baseline: str, material: str, category: str, factors: FactorTable) -> Factor | None:
    """The disposal row for a fate, refined by material as baselines.csv describes."""
    applies: str | None = None
    if baseline == "landfill":
        applies = _LANDFILL_BY_MATERIAL.get(material) or ("landfill:organic" if category == "organic" else None)
    elif baseline == "incineration":
        applies = _INCINERATION_BY_MATERIAL.get(material) or (
            "incineration:organic" if category == "organic" else None)
    if applies:
        found = factors.find("scope3_cat5", applies)
        if found is not None:
            return found
    b = baselines().get(baseline)
    return factors.factors.get(b.factor_id) if b is not None and b.factor_id else None


def scope3_items(graph: nx.MultiDiGraph, factors: FactorTable) -> tuple[list[EmissionItem], list[Missing]]:
    """Scope 3 by edge: category 1 of virgin material and tap water bought, category 5 of disposal."""
    out: list[EmissionItem] = []
    missing: list[Missing] = []
    for u, v, k, d in graph.edges(keys=True, data=True):
        rows = tuple(d["rows"])
        if d["kind"] == "supply" and d["baseline"] in ("virgin", "tap_water") and d["category"] != "energy":
            f = (factors.find("scope3_cat1", d["material"]) if d["baseline"] == "virgin"
                 else factors.find("scope3_cat1", "tap_water"))
            if f is None:
                missing.append(Missing("scope3_cat1", f"cradle-to-gate factor for {d['material']}",
                                       f"{d['material']} 的上游排放因子", rows))
                continue
            if _per_unit_ok(f.unit, d["unit"]):
                out.append(EmissionItem((u, v, k), "scope3_cat1", float(d["quantity"]) * f.value, rows,
                                        (f.factor_id,)))
        elif d["kind"] in ("fate", "sewer"):  # sewer: sent to the park's own treatment plant
            b = baselines().get(d["baseline"])
            if b is None or b.scope != "scope3_cat5":
                continue
            f = _disposal_factor(d["baseline"], d["material"], d["category"], factors)
            if f is None:
                missing.append(Missing("scope3_cat5", f"disposal factor for {d['baseline']}",
                                       f"{d['baseline']} 的处置排放因子", rows))
                continue
            if _per_unit_ok(f.unit, d["unit"]):
                out.append(EmissionItem((u, v, k), "scope3_cat5", float(d["quantity"]) * f.value, rows,
                                        (f.factor_id,)))
    return out, missing


def _per_unit_ok(factor_unit: str, flow_unit: str) -> bool:
    """A factor per t applies to t/a flows, per m3 to m3/a, per GJ to GJ/a (vent: 0 per t, not per GJ of heat)."""
    per = factor_unit.split("/", 1)[1] if "/" in factor_unit else ""
    return per == flow_unit.split("/", 1)[0]


def tce(gj: float) -> float:
    return gj / TCE_GJ
