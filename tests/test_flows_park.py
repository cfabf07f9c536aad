"""A hand-built three-enterprise park: its graph, balances and every indicator computed by hand, before and after
a plan; the boiler-fuel rule; warnings for exchanges the ledger does not cover; plan JSON round trip.

The park (all quantities already in canonical units, so the hand numbers are easy to follow):

  P  CHP plant     in : P1 coal 1,000,000 GJ (virgin), P2 tap water 100,000 m3 (tap_water)
                   out: P3 fly ash 30,000 t (landfill), P4 waste steam 200,000 GJ 200/100 °C (vent),
                        P5 wastewater 20,000 m3 (wastewater_treatment), P6 FGD gypsum 8,000 t (landfill)
  C  cement works  in : C1 clinker 100,000 t (virgin), C2 electricity 36,000 GJ (grid), C3 natural gas 100,000 GJ
                        (no baseline), C5 natural gypsum 6,000 t (virgin)
                   out: C4 cement 120,000 t (sold)
  W  chemical      in : W1 process steam 50,000 GJ 150/60 °C (natural-gas boiler, no gas row listed),
                        W2 process heat 10,000 GJ (purchased steam), W3 industrial water 40,000 m3 (tap_water),
                        W4 PV electricity 3,600 GJ (self_supplied), W5 sulphuric acid 5,000 t (virgin)
                   out: W6 steel scrap 1,000 t (sold), W7 treated effluent 30,000 m3 (discharge)
  exchanges: X1 P->C fly ash 20,000 t (replaces clinker 1:1, substitutions.csv sub_001),
             X2 P->W waste steam 40,000 GJ (heat: feeds W1, target 150 °C <= 200 °C),
             X3 W->P treated effluent 25,000 m3 (replaces tap water 1:1, sub_064)
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import flows
from flows.graph import RowRef
from symbiosis import load_park
from symbiosis.core.factors import FactorTable
from symbiosis.core.park import Park
from symbiosis.core.plan import Link, Plan

ROOT = Path(__file__).resolve().parent.parent
TCE = 29.3076
ENTERPRISES = """enterprise_id,name,x_km,y_km
P,热电厂 CHP plant,0,0
C,水泥厂 Cement works,3,4
W,化工厂 Chemical plant,1,1
"""
STREAMS = """stream_id,enterprise_id,direction,material,quantity,unit,temperature_c,temperature_return_c,quality,baseline
P1,P,input,coal,1000000,GJ/a,,,,virgin
P2,P,input,tap_water,100000,m3/a,,,potable,tap_water
P3,P,output,fly_ash,30000,t/a,,,,landfill
P4,P,output,waste_steam,200000,GJ/a,200,100,,vent
P5,P,output,wastewater,20000,m3/a,,,,wastewater_treatment
P6,P,output,fgd_gypsum,8000,t/a,,,,landfill
C1,C,input,clinker,100000,t/a,,,,virgin
C2,C,input,electricity,36000,GJ/a,,,,grid_electricity
C3,C,input,natural_gas,100000,GJ/a,,,,
C4,C,output,cement,120000,t/a,,,,sold
C5,C,input,natural_gypsum,6000,t/a,,,,virgin
W1,W,input,process_steam,50000,GJ/a,150,60,,natural_gas_boiler
W2,W,input,process_heat,10000,GJ/a,120,60,,purchased_steam
W3,W,input,industrial_water,40000,m3/a,,,cooling,tap_water
W4,W,input,pv_electricity,3600,GJ/a,,,,self_supplied
W5,W,input,sulfuric_acid,5000,t/a,,,,virgin
W6,W,output,steel_scrap,1000,t/a,,,,sold
W7,W,output,treated_effluent,30000,m3/a,,,washing,discharge
"""
EXCHANGES = """exchange_id,supplier_id,receiver_id,material,quantity,unit
X1,P,C,fly_ash,20000,t/a
X2,P,W,waste_steam,40000,GJ/a
X3,W,P,treated_effluent,25000,m3/a
"""


def write_package(folder: Path, enterprises: str, streams: str, exchanges: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "enterprises.csv").write_text(enterprises, encoding="utf-8")
    (folder / "streams.csv").write_text(streams, encoding="utf-8")
    if exchanges is not None:
        (folder / "exchanges.csv").write_text(exchanges, encoding="utf-8")
    return folder


@pytest.fixture
def park(tmp_path: Path) -> Park:
    return load_park(write_package(tmp_path / "three", ENTERPRISES, STREAMS, EXCHANGES))


def link(link_id: str, supplier: str, receiver: str, s_stream: str, r_stream: str, material_out: str,
         material_in: str, category: str, quantity: float, quantity_in: float, unit: str, **extra: float) -> Link:
    return Link(link_id=link_id, supplier_id=supplier, receiver_id=receiver, supplier_stream_id=s_stream,
                receiver_stream_id=r_stream, material_out=material_out, material_in=material_in, category=category,
                quantity=quantity, unit=unit, quantity_in=quantity_in, unit_in=unit, distance_km=5.0,
                mode="truck" if category == "solid" else "pipe_steam", **extra)


PLAN = Plan(status="optimal", include_scope2=True, links=(
    # L1 repeats the existing triple P-C-fly ash, L2 the triple P-W-waste steam; only L3 is a new chain link
    link("L1", "P", "C", "P3", "C1", "fly_ash", "clinker", "solid", 5000, 5000, "t/a",
         avoided_scope3_cat1_tco2e=4500.0, added_transport_tco2e=25.0),
    link("L2", "P", "W", "P4", "W2", "waste_steam", "process_heat", "heat", 8000, 7600, "GJ/a",
         temperature_supply_c=200.0, avoided_scope2_tco2e=836.0, added_energy_tco2e=10.0),
    link("L3", "P", "C", "P6", "C5", "fgd_gypsum", "natural_gypsum", "solid", 6000, 6000, "t/a",
         avoided_scope3_cat1_tco2e=213.0, avoided_scope3_cat5_tco2e=30.0, added_transport_tco2e=50.0),
))


def edge(graph: object, key: str) -> dict:
    found = [d for _, _, k, d in graph.edges(keys=True, data=True) if k == key]  # type: ignore[attr-defined]
    assert len(found) == 1, key
    return found[0]


def ends(graph: object, key: str) -> tuple[str, str]:
    return next((u, v) for u, v, k in graph.edges(keys=True) if k == key)  # type: ignore[attr-defined]


# --- the graph -------------------------------------------------------------------------------------------------
def test_graph_nodes_and_edges(park: Park) -> None:
    g = flows.build_graph(park)
    boundary = {n for n, d in g.nodes(data=True) if d["kind"] == "boundary"}
    assert {n for n, d in g.nodes(data=True) if d["kind"] == "enterprise"} == {"P", "C", "W"}
    assert boundary == {f"boundary:{k}" for k in (
        "fuel_supply", "water_supply", "virgin_supply", "grid", "boilers", "steam_supply", "self_supply",
        "landfill", "atmosphere", "wastewater_treatment", "market", "discharge")}
    assert g.number_of_edges() == 3 + 18  # three exchanges, one boundary edge per stream row with a remainder
    expected = {
        # key: (from, to, quantity)  — remainders after the exchanges
        "x:X1": ("P", "C", 20000), "s:P3": ("P", "boundary:landfill", 30000 - 20000),
        "s:C1": ("boundary:virgin_supply", "C", 100000 - 20000),  # fly ash replaces clinker 1:1
        "x:X2": ("P", "W", 40000), "s:P4": ("P", "boundary:atmosphere", 200000 - 40000),
        "s:W1": ("boundary:boilers", "W", 50000 - 40000),
        "x:X3": ("W", "P", 25000), "s:W7": ("W", "boundary:discharge", 30000 - 25000),
        "s:P2": ("boundary:water_supply", "P", 100000 - 25000),  # effluent replaces tap water 1:1
        "s:C3": ("boundary:fuel_supply", "C", 100000), "s:C2": ("boundary:grid", "C", 36000),
        "s:W2": ("boundary:steam_supply", "W", 10000), "s:W4": ("boundary:self_supply", "W", 3600),
        "s:C4": ("C", "boundary:market", 120000), "s:P6": ("P", "boundary:landfill", 8000),
    }
    for key, (u, v, q) in expected.items():
        assert ends(g, key) == (u, v), key
        assert edge(g, key)["quantity"] == pytest.approx(q), key
    steam = edge(g, "s:P4")
    assert (steam["temperature_c"], steam["temperature_return_c"]) == (200.0, 100.0)
    assert edge(g, "x:X2")["temperature_c"] == 200.0
    assert edge(g, "s:C1")["temperature_c"] is None
    assert edge(g, "x:X1")["rows"] == (RowRef("exchanges.csv", 2, "X1", "exchange"),
                                       RowRef("streams.csv", 4, "P3", "supplier"),
                                       RowRef("streams.csv", 8, "C1", "receiver"))
    assert edge(g, "s:P3")["rows"] == (RowRef("streams.csv", 4, "P3", "stream"),)
    assert g.graph["warnings"] == []
    assert [a["stream_id"] for a in g.graph["assumptions"]] == ["C3"]  # gas without baseline: from fuel suppliers


def test_every_ledger_row_is_on_the_graph(park: Park) -> None:
    g = flows.build_graph(park)
    on_graph: dict[str, float] = {}
    for _, _, d in g.edges(data=True):
        if d["kind"] in ("supply", "fate"):
            on_graph[d["stream_ids"][0]] = on_graph.get(d["stream_ids"][0], 0.0) + d["quantity"]
    # output rows: remainder + what the exchanges take equals the ledger number
    assert on_graph["P3"] + 20000 == pytest.approx(30000)
    assert on_graph["P4"] + 40000 == pytest.approx(200000)
    assert on_graph["W7"] + 25000 == pytest.approx(30000)
    assert set(on_graph) == set(park.streams["stream_id"])


# --- balances ----------------------------------------------------------------------------------------------------
def test_balances_by_hand(park: Park) -> None:
    table = flows.balances(park)
    dims = table[table["level"] == "dimension"].set_index(["enterprise_id", "key"])
    coal_t, gas_t = 1_000_000 / 20.908, 100_000 / 51.498  # fuels by NCV per t (materials.csv)
    p_mass = dims.loc[("P", "mass")]
    assert (p_mass["inflow"], p_mass["outflow"]) == (pytest.approx(coal_t), pytest.approx(30000 + 8000))
    assert p_mass["status"] == "in_exceeds_out" and not p_mass["flagged"]
    c_mass = dims.loc[("C", "mass")]
    assert c_mass["inflow"] == pytest.approx(80000 + 20000 + 6000 + gas_t)
    assert c_mass["outflow"] == pytest.approx(120000)
    assert c_mass["gap"] == pytest.approx(80000 + 20000 + 6000 + gas_t - 120000)
    assert c_mass["tolerance"] == pytest.approx(0.05 * 120000)
    assert c_mass["status"] == "out_exceeds_in" and not c_mass["flagged"]  # mass alone is reported
    c_total = dims.loc[("C", "total_mass")]  # C lists no water: total mass is its mass
    assert (c_total["inflow"], c_total["outflow"]) == (pytest.approx(c_mass["inflow"]), pytest.approx(120000))
    assert c_total["status"] == "out_exceeds_in" and c_total["flagged"]  # the cement works lists no limestone
    assert not c_total["explained"]
    p_total = dims.loc[("P", "total_mass")]  # water at 1 t/m3: 75,000 tap + 25,000 effluent in, 20,000 out
    assert (p_total["inflow"], p_total["outflow"]) == (pytest.approx(coal_t + 100_000), pytest.approx(38_000 + 20_000))
    w_volume = dims.loc[("W", "volume")]
    assert (w_volume["inflow"], w_volume["outflow"], w_volume["flagged"]) == (40000, 30000, False)
    w_energy = dims.loc[("W", "energy")]
    assert w_energy["inflow"] == pytest.approx(40000 + 10000 + 10000 + 3600)
    assert not w_energy["flagged"]  # energy is reported, never flagged
    cats = table[table["level"] == "category"].set_index(["enterprise_id", "key"])
    raw = cats.loc[("C", "raw_material")]
    assert (raw["inflow"], raw["outflow"], raw["status"], raw["flagged"]) == (
        80000 + 6000, 120000, "out_exceeds_in", False)
    assert list(flows.unbalanced(table)["enterprise_id"]) == ["C"]


def test_balance_tolerance_scales_with_flows(park: Park) -> None:
    loose = flows.balances(park, rel_tol=0.2)
    c_mass = loose[(loose["enterprise_id"] == "C") & (loose["key"] == "mass")].iloc[0]
    assert c_mass["status"] == "balanced" and not c_mass["flagged"]  # 12,058 t gap within 20 % of 120,000 t


# --- indicators ------------------------------------------------------------------------------------------------
def by_id(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("indicator_id")


def test_indicators_before_by_hand(park: Park) -> None:
    f = FactorTable(park.config)  # national grid, 2023 (park.toml defaults)
    coal, gas = f.get("fuel_coal").value, f.get("fuel_natural_gas").value
    grid, steam, eff = f.get("grid_national_2023").value, f.get("heat_purchased_steam").value, \
        f.get("eff_natural_gas_boiler").value
    # W lists no natural-gas row, so its boiler heat stands for boiler fuel: 10,000 GJ / efficiency
    energy_gj = 1_000_000 + 36_000 + 100_000 + 10_000 / eff + 10_000 + 3_600
    scope1 = 1_000_000 * coal + 100_000 * gas + 10_000 / eff * gas
    scope2 = 36_000 / 3.6 * grid + 10_000 * steam
    t = by_id(flows.indicators(park))
    assert list(t.columns[:14]) == ["name_zh", "name_en", "value", "unit", "threshold", "direction", "passed",
                                    "computable", "needs", "needs_zh", "source", "reliability", "framework", "rows"]
    core = t.loc["zc_co2_per_tce_200k_1m"]
    assert core["value"] == pytest.approx((scope1 + scope2) / (energy_gj / TCE))
    assert core["denominator"] == pytest.approx(energy_gj / TCE)
    assert core["threshold"] == 0.2 and core["passed"] is None  # 39,604 tce/a: below every published band
    assert "200000" in core["note"] and core["note_zh"]
    assert set(core["factor_ids"]) == {"fuel_coal", "fuel_natural_gas", "eff_natural_gas_boiler",
                                       "grid_national_2023", "heat_purchased_steam"}
    assert set(core["rows"]) == {"P1", "C2", "C3", "W1", "W2", "W4"}
    assert t.loc["zc_clean_energy_share", "value"] == pytest.approx(3_600 / energy_gj)
    assert t.loc["zc_clean_energy_share", "passed"] is False
    assert t.loc["park_scope1_emissions", "value"] == pytest.approx(scope1)
    assert set(t.loc["park_scope1_emissions", "rows"]) == {"P1", "C3", "W1"}
    assert t.loc["park_scope2_emissions", "value"] == pytest.approx(scope2)
    assert set(t.loc["park_scope2_emissions", "factor_ids"]) == {"grid_national_2023", "heat_purchased_steam"}
    assert t.loc["park_scope2_emissions", "passed"] is None  # report only
    # solid: fly ash 30,000 + gypsum 8,000 + scrap 1,000 generated; X1 20,000 and scrap sold 1,000 used
    assert t.loc["zc_solid_waste_utilisation", "value"] == pytest.approx(21_000 / 39_000)
    assert set(t.loc["zc_solid_waste_utilisation", "rows"]) == {"X1", "P3", "P6", "W6"}
    assert t.loc["hj_solid_waste_utilisation", "value"] == pytest.approx(21_000 / 39_000)
    assert (t.loc["zc_solid_waste_utilisation", "threshold"], t.loc["hj_solid_waste_utilisation", "threshold"]) == (
        0.8, 0.7)
    assert t.loc["zc_waste_heat_utilisation", "value"] == pytest.approx(40_000 / 200_000)
    assert set(t.loc["zc_waste_heat_utilisation", "rows"]) == {"X2", "P4"}
    # water use 75,000 tap + 25,000 effluent (P) + 40,000 (W); reused: the 25,000 from W
    assert t.loc["zc_industrial_water_reuse", "value"] == pytest.approx(25_000 / 140_000)
    assert set(t.loc["zc_industrial_water_reuse", "rows"]) == {"X3", "P2", "W3"}
    assert t.loc["hj_reclaimed_water_reuse", "value"] == pytest.approx(25_000 / (20_000 + 30_000))
    assert t.loc["hj_reclaimed_water_reuse", "passed"] is True
    assert t.loc["hj_eco_chain_projects", "value"] == 0  # new links only: existing exchanges are not projects
    assert set(t.loc["hj_eco_chain_projects", "rows"]) == set()
    assert t["computable"].all()
    assert t.loc["zc_industrial_water_reuse", "source"].startswith("《关于开展零碳园区建设的通知》")
    assert t.loc["hj_eco_chain_projects", "reliability"] == "R"


def test_indicators_after_plan_by_hand(park: Park) -> None:
    f = FactorTable(park.config)
    grid, steam, eff = f.get("grid_national_2023").value, f.get("heat_purchased_steam").value, \
        f.get("eff_natural_gas_boiler").value
    before, after = by_id(flows.indicators(park)), by_id(flows.indicators(park, PLAN))
    added_gj = 10.0 / grid * 3.6  # L2 adds 10 tCO2e of pumping electricity (added_energy_tco2e)
    energy_after = 1_000_000 + 36_000 + 100_000 + 10_000 / eff + (10_000 - 7_600) + 3_600 + added_gj
    assert after.loc["park_scope1_emissions", "value"] == pytest.approx(before.loc["park_scope1_emissions", "value"])
    assert after.loc["park_scope2_emissions", "value"] == pytest.approx(36_000 / 3.6 * grid + 2_400 * steam + 10.0)
    assert after.loc["zc_co2_per_tce_200k_1m", "denominator"] == pytest.approx(energy_after / TCE)
    assert after.loc["zc_solid_waste_utilisation", "value"] == pytest.approx((21_000 + 5_000 + 6_000) / 39_000)
    assert "L2" in after.loc["park_scope2_emissions", "rows"]
    assert after.loc["zc_co2_per_tce_200k_1m", "numerator"] == pytest.approx(
        after.loc["park_scope1_emissions", "value"] + after.loc["park_scope2_emissions", "value"])
    assert after.loc["zc_waste_heat_utilisation", "value"] == pytest.approx((40_000 + 8_000) / 200_000)
    # L1, L2 and L3 extend supplier-receiver pairs (and categories) that existing exchanges already serve
    assert after.loc["hj_eco_chain_projects", "value"] == 0
    assert set(after.loc["hj_eco_chain_projects", "rows"]) == set()
    both = flows.compare_indicators(flows.indicators(park), flows.indicators(park, PLAN)).set_index("indicator_id")
    assert both.loc["hj_eco_chain_projects", "change"] == 0
    assert both.loc["zc_waste_heat_utilisation", "value_after"] == pytest.approx(0.24)


def test_compare_pairs_core_bands(park: Park) -> None:
    """A plan may move a park across a threshold band: the core indicator is still one row, before and after."""
    before = flows.indicators(park)
    after = before.copy()
    after.loc[after["indicator_id"] == "zc_co2_per_tce_200k_1m", "indicator_id"] = "zc_co2_per_tce_ge_1m"
    both = flows.compare_indicators(before, after)
    core = both[both["indicator_id"].str.startswith("zc_co2_per_tce")]
    assert len(core) == 1 and len(both) == len(before)
    assert core["indicator_id_after"].tolist() == ["zc_co2_per_tce_ge_1m"]
    assert core["change"].tolist() == [0.0]


def test_plan_graph_moves_quantities(park: Park) -> None:
    g = flows.build_graph(park, PLAN)
    assert g.graph["state"] == "after" and g.graph["warnings"] == []
    assert edge(g, "s:P3")["quantity"] == pytest.approx(30_000 - 20_000 - 5_000)  # landfill shrinks by L1
    assert edge(g, "s:C1")["quantity"] == pytest.approx(100_000 - 20_000 - 5_000)  # virgin clinker by quantity_in
    assert edge(g, "s:W2")["quantity"] == pytest.approx(10_000 - 7_600)
    assert edge(g, "s:P4")["quantity"] == pytest.approx(200_000 - 40_000 - 8_000)
    assert not [k for *_, k in g.edges(keys=True) if k == "s:C5"]  # natural gypsum wholly replaced
    l2 = edge(g, "l:L2")
    assert ends(g, "l:L2") == ("P", "W")
    assert (l2["kind"], l2["quantity"], l2["quantity_in"], l2["net_tco2e"]) == ("link", 8000, 7600, 826.0)


def test_keystones_and_network_metrics(park: Park) -> None:
    k = flows.keystones(flows.build_graph(park, PLAN)).set_index("enterprise_id")
    assert list(k.index) == ["P", "C", "W"]
    assert k.loc["P", "links"] == 4 and k.loc["P", "existing_links"] == 3 and k.loc["P", "proposed_links"] == 1
    assert k.loc["P", "avoided_tco2e_lost"] == pytest.approx(4475 + 826 + 193)
    assert k.loc["C", "avoided_tco2e_lost"] == pytest.approx(4475 + 193)
    assert k.loc["W", "avoided_tco2e_lost"] == pytest.approx(826)
    assert k.loc["P", "stranded"] == 2 and k.loc["C", "stranded"] == 0
    m = flows.network_metrics(park).set_index("metric")["value"]
    assert (m["enterprises"], m["links"], m["chain_links"]) == (3, 3, 3)
    assert m["link_density"] == pytest.approx(3 / 3)
    assert m["connectance"] == pytest.approx(3 / (3 * 2))


def test_not_computable_is_never_a_number(tmp_path: Path) -> None:
    streams = ("enterprise_id,direction,material,quantity,unit,baseline\n"
               "A,output,fly_ash,100,t/a,landfill\nB,input,clinker,50,t/a,virgin\n")
    park = load_park(write_package(tmp_path / "bare", "enterprise_id,name,x_km,y_km\nA,甲,0,0\nB,乙,1,1\n",
                                   streams))
    t = by_id(flows.indicators(park))
    for ind in ("zc_co2_per_tce_200k_1m", "zc_clean_energy_share", "zc_waste_heat_utilisation",
                "zc_industrial_water_reuse", "park_scope1_emissions"):
        assert not t.loc[ind, "computable"] and math.isnan(t.loc[ind, "value"]) and t.loc[ind, "passed"] is None
        assert flows.format_value(t.loc[ind], "en").startswith("not computable: needs ")
        assert flows.format_value(t.loc[ind], "zh").startswith("无法计算：需要")
    assert t.loc["zc_solid_waste_utilisation", "value"] == 0.0  # 100 t generated, none used: a real zero
    assert t.loc["hj_eco_chain_projects", "value"] == 0


# --- the boiler-fuel rule ----------------------------------------------------------------------------------------
def test_boiler_fuel_listed_is_not_counted_twice_and_plan_saves_it(tmp_path: Path) -> None:
    streams = ("stream_id,enterprise_id,direction,material,quantity,unit,temperature_c,temperature_return_c,baseline\n"
               "S1,S,output,waste_steam,20000,GJ/a,200,100,vent\n"
               "H1,H,input,process_steam,9000,GJ/a,150,60,natural_gas_boiler\n"
               "H2,H,input,natural_gas,12000,GJ/a,,,\n")
    park = load_park(write_package(tmp_path / "boiler", "enterprise_id,name,x_km,y_km\nS,供方,0,0\nH,需方,1,0\n",
                                   streams))
    f = FactorTable(park.config)
    gas, eff = f.get("fuel_natural_gas").value, f.get("eff_natural_gas_boiler").value
    before = by_id(flows.indicators(park))
    assert before.loc["zc_co2_per_tce_200k_1m", "denominator"] == pytest.approx(12_000 / TCE)  # gas row only
    assert before.loc["park_scope1_emissions", "value"] == pytest.approx(12_000 * gas)
    plan = Plan(status="optimal", links=(link("L", "S", "H", "S1", "H1", "waste_steam", "process_steam", "heat",
                                              4500, 4500, "GJ/a", temperature_supply_c=200.0),))
    g = flows.build_graph(park, plan)
    assert edge(g, "s:H2")["quantity"] == pytest.approx(12_000 - 4_500 / eff)
    assert edge(g, "l:L")["fuel_saved"] == {"H2": pytest.approx(4_500 / eff)}
    after = by_id(flows.indicators(g))
    assert after.loc["park_scope1_emissions", "value"] == pytest.approx((12_000 - 4_500 / eff) * gas)


# --- exchanges the ledger does not cover ---------------------------------------------------------------------------
def test_unmatched_exchanges_warn_and_keep_their_edge(tmp_path: Path) -> None:
    exchanges = EXCHANGES + "X4,P,C,steel_scrap,500,t/a\nX5,W,C,treated_effluent,9000,m3/a\n"
    park = load_park(write_package(tmp_path / "odd", ENTERPRISES, STREAMS, exchanges))
    g = flows.build_graph(park)
    codes = [(w.code, w.ref) for w in g.graph["warnings"]]
    assert ("exchange_no_supplier_stream", "X4") in codes  # P lists no steel scrap output
    assert ("exchange_no_receiver_stream", "X4") in codes  # C has no input scrap could feed
    assert ("exchange_exceeds_supply", "X5") in codes  # W's effluent: 30,000 - 25,000 left, 9,000 asked
    assert ("exchange_no_receiver_stream", "X5") in codes
    assert edge(g, "x:X4")["quantity"] == 500 and edge(g, "x:X5")["quantity"] == 9000
    warning = next(w for w in g.graph["warnings"] if w.ref == "X4")
    assert warning.file == "exchanges.csv" and warning.row == 5
    assert "X4" in warning.text("en") and "交换 X4" in warning.text("zh")


# --- plan JSON ---------------------------------------------------------------------------------------------------
def test_plan_json_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(PLAN.to_json(), encoding="utf-8")
    again = flows.read_plan(path)
    assert again == PLAN
    assert flows.plan_from_json_dict(json.loads(PLAN.to_json())).links[1].net_tco2e(True) == 826.0
    with pytest.raises(ValueError, match="status"):
        flows.plan_from_json_dict({"links": []})


# --- the command -------------------------------------------------------------------------------------------------
def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "symbiosis", "metabolism", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, check=False)


def test_cli_metabolism_with_plan(park: Park, tmp_path: Path) -> None:
    folder = write_package(tmp_path / "pkg", ENTERPRISES, STREAMS, EXCHANGES)
    (tmp_path / "plan.json").write_text(PLAN.to_json(), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(str(folder), "--out", str(out), "--lang", "zh", "--plan", str(tmp_path / "plan.json"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "物料平衡" in result.stdout and "园区指标" in result.stdout and "方案后" in result.stdout
    assert "产出>投入" in result.stdout and "未达标" in result.stdout
    html = (out / "sankey.html").read_text(encoding="utf-8")
    assert "Plotly.newPlot" in html
    assert "plotly.js v" in html  # the library itself is embedded: works offline
    for label in ("热电厂 CHP plant", "原生物料供应商"):  # plotly writes labels as JSON \u escapes
        assert json.dumps(label)[1:-1] in html
    dot = (out / "network.dot").read_text(encoding="utf-8")
    assert "style=dashed" in dot and "style=solid" in dot
    raw = (out / "indicators.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese
    table = pd.read_csv(out / "indicators.csv", encoding="utf-8-sig")
    assert {"value_before", "value_after", "passed_before", "passed_after"} <= set(table.columns)
    for name in ("balances.csv", "balances_after.csv", "network_metrics.csv", "keystones.csv",
                 "flows_before.csv", "flows_after.csv", "warnings.csv", "sankey_after_mass.csv"):
        assert (out / name).exists(), name


def test_cli_metabolism_english_without_plan_and_bad_inputs(tmp_path: Path) -> None:
    folder = write_package(tmp_path / "pkg", ENTERPRISES, STREAMS, EXCHANGES)
    result = run_cli(str(folder), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "Balances" in result.stdout and "not computable" not in result.stdout
    assert "CO2 per unit energy use" in result.stdout
    missing = run_cli(str(tmp_path / "nowhere"), "--out", str(tmp_path / "o2"))
    assert missing.returncode == 1 and "Traceback" not in missing.stdout + missing.stderr
    (tmp_path / "bad.json").write_text("{\"links\": []}", encoding="utf-8")
    bad = run_cli(str(folder), "--out", str(tmp_path / "o3"), "--plan", str(tmp_path / "bad.json"))
    assert bad.returncode == 1 and "Traceback" not in bad.stdout + bad.stderr
