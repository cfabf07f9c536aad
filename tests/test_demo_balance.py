"""The demo park balances, or says why not; the rules behind it on tiny hand-built parks; the electricity a plan
adds in the after-state; the explanation of an intensity that moves against the plan's total.

  * The bundled demo park has no unexplained balance flag: every enterprise whose total mass (water included)
    out exceeds in declares in its notes the inputs the ledger leaves out, and datasets/demo_park/README.md
    explains it in both languages.
  * Total mass counts water at its density, so wet sludge made of wastewater is no flag; the park's treatment
    plant receives the wastewater others send to treatment through the sewer.
  * A plan link's pumping/pre-treatment electricity (added_energy, Scope 2 of its owner) is grid electricity in
    the after-state's energy use and Scope 2.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from test_flows_park import ENTERPRISES, EXCHANGES, STREAMS, TCE, edge, ends, link, write_package

import flows
from flows.accounting import scope3_items
from flows.indicators import intensity_explanation
from symbiosis import load_park
from symbiosis.core.datasets import demo_park_path
from symbiosis.core.factors import FactorTable
from symbiosis.core.park import Park
from symbiosis.core.plan import AccountingLine, Plan

README = demo_park_path() / "README.md"


@pytest.fixture(scope="module")
def demo() -> Park:
    return load_park(demo_park_path())


@pytest.fixture(scope="module")
def demo_balances(demo: Park) -> pd.DataFrame:
    return flows.balances(demo)


# --- the demo park ---------------------------------------------------------------------------------------------
def test_demo_park_has_no_unexplained_flag(demo_balances: pd.DataFrame) -> None:
    assert flows.unbalanced(demo_balances).empty, flows.unbalanced(demo_balances)[["enterprise_id", "note"]]


def test_demo_park_explained_rows_are_documented(demo_balances: pd.DataFrame) -> None:
    explained = demo_balances[demo_balances["explained"]]
    assert set(explained["enterprise_id"]) == {"E37", "E39", "E45"}
    assert (explained["key"] == "total_mass").all() and not explained["flagged"].any()
    assert explained["note"].str.contains("explained").all() and explained["note_zh"].str.contains("已说明").all()
    text = README.read_text(encoding="utf-8")
    zh, en = text.split("## English")
    # every enterprise the old rule flagged is explained per enterprise, in both languages
    for eid in ("E07", "E08", "E11", "E16", "E22", "E23", "E24", "E27", "E28", "E31", "E37", "E38", "E39", "E41",
                "E42", "E44", "E45"):
        assert f"| {eid} " in zh.split("### 物料平衡")[1], eid
        assert f"| {eid} " in en.split("### Balances")[1], eid


def test_demo_wastewater_plant_receives_the_park_wastewater(demo: Park, demo_balances: pd.DataFrame) -> None:
    g = flows.build_graph(demo)
    sewer = [(u, v, d["quantity"]) for u, v, d in g.edges(data=True) if d["kind"] == "sewer"]
    sent = demo.streams[(demo.streams["baseline"] == "wastewater_treatment")
                        & (demo.streams["direction"] == "output")]["quantity"].sum()
    assert {v for _, v, _ in sewer} == {"E16"}
    assert sum(q for *_, q in sewer) == pytest.approx(sent)  # all of it: the plant takes 36.5 Mm3/a
    e16 = demo_balances[(demo_balances["enterprise_id"] == "E16")
                        & (demo_balances["level"] == "dimension")].set_index("key")
    assert e16.loc["volume", "inflow"] == pytest.approx(36_500_000)
    assert e16.loc["total_mass", "status"] == "balanced"


# --- the rules on tiny parks ------------------------------------------------------------------------------------
def test_balance_declared_unlisted_inputs_are_explained_not_flagged(tmp_path: Path) -> None:
    """An enterprise whose notes declare inputs the ledger leaves out is explained, not flagged."""
    enterprises = ENTERPRISES.replace("水泥厂 Cement works,3,4", "水泥厂 Cement works,3,4,石灰石等原料未逐项列出").replace(
        "x_km,y_km\n", "x_km,y_km,notes\n")
    park = load_park(write_package(tmp_path / "declared", enterprises, STREAMS, EXCHANGES))
    table = flows.balances(park)
    c_total = table[(table["enterprise_id"] == "C") & (table["key"] == "total_mass")].iloc[0]
    assert c_total["status"] == "out_exceeds_in" and not c_total["flagged"] and c_total["explained"]
    assert "石灰石等原料未逐项列出" in c_total["note"] and "已说明" in c_total["note_zh"]
    assert flows.unbalanced(table).empty


def test_wastewater_reaches_the_park_treatment_plant_through_the_sewer(tmp_path: Path) -> None:
    """A plant that lists wastewater as an input receives what others send to treatment; the rest of its input
    comes from outside the park, and its water balance closes."""
    enterprises = ENTERPRISES + "T,污水厂 WWTP,2,2\n"
    streams = STREAMS + ("T1,T,input,wastewater,50000,m3/a,,,,\n"
                         "T2,T,output,treated_effluent,48000,m3/a,,,landscape,discharge\n"
                         "T3,T,output,sewage_sludge,1500,t/a,,,,landfill\n")
    park = load_park(write_package(tmp_path / "sewer", enterprises, streams, EXCHANGES))
    g = flows.build_graph(park)
    assert ends(g, "w:P5") == ("P", "T") and edge(g, "w:P5")["quantity"] == 20_000
    assert edge(g, "w:P5")["kind"] == "sewer"
    assert ends(g, "s:T1") == ("boundary:unspecified_supply", "T") and edge(g, "s:T1")["quantity"] == 30_000
    assert not [k for *_, k in g.edges(keys=True) if k == "s:P5"]  # all of P's wastewater reaches T
    table = flows.balances(g)
    dims = table[table["level"] == "dimension"].set_index(["enterprise_id", "key"])
    assert dims.loc[("T", "volume"), "inflow"] == 50_000
    assert dims.loc[("T", "mass"), "status"] == "out_exceeds_in"  # sludge out, no mass in: reported only
    assert dims.loc[("T", "total_mass"), "status"] == "balanced" and not dims.loc[("T", "total_mass"), "flagged"]
    # Scope 3 of P's wastewater treatment is still counted on the sewer edge
    s3, _ = scope3_items(g, FactorTable(park.config))
    assert any(i.edge[2] == "w:P5" for i in s3)


# --- the electricity a plan adds -------------------------------------------------------------------------------
# A two-enterprise park: S gives treated effluent to H through a water pipe; the link pumps 200 MWh/a (its
# accounting line says 200 MWh x the east grid factor, owned by the supplier S).
ELEC_ENTERPRISES = "enterprise_id,name,x_km,y_km\nS,供方 supplier,0,0\nH,需方 receiver,2,0\n"
ELEC_STREAMS = """stream_id,enterprise_id,direction,material,quantity,unit,quality,baseline
S1,S,output,treated_effluent,100000,m3/a,washing,discharge
S2,S,input,electricity,7200,GJ/a,,grid_electricity
H1,H,input,industrial_water,80000,m3/a,washing,tap_water
H2,H,input,natural_gas,36000,GJ/a,,
"""


def elec_plan(factor_id: str, tco2e: float) -> Plan:
    pipe = link("L", "S", "H", "S1", "H1", "treated_effluent", "industrial_water", "water", 60000, 60000, "m3/a",
                avoided_scope3_cat1_tco2e=10.0, added_energy_tco2e=tco2e)
    lines = (AccountingLine("avoided_scope3_cat1", "scope3_cat1", "H", 10.0, ("tap_water",)),
             AccountingLine("added_energy", "scope2", "S", tco2e, (factor_id,)))
    return Plan(status="optimal", links=(replace(pipe, mode="pipe_water", accounting=lines),))


def test_plan_electricity_is_in_the_after_state_energy_and_scope2(tmp_path: Path) -> None:
    park = load_park(write_package(tmp_path / "elec", ELEC_ENTERPRISES, ELEC_STREAMS))
    f = FactorTable(park.config)
    grid = f.grid()
    gas = f.get("fuel_natural_gas").value
    added_mwh = 200.0
    plan = elec_plan(grid.factor_id, added_mwh * grid.value)
    before, after = flows.indicators(park).set_index("indicator_id"), flows.indicators(park, plan).set_index(
        "indicator_id")
    core = "zc_co2_per_tce_200k_1m"
    # before: S's 7,200 GJ (2,000 MWh) of grid electricity and H's 36,000 GJ of gas
    assert before.loc["park_scope2_emissions", "value"] == pytest.approx(2_000 * grid.value)
    assert before.loc[core, "denominator"] == pytest.approx((7_200 + 36_000) / TCE)
    # after: + 200 MWh = 720 GJ of grid electricity at S, in energy use and in Scope 2
    assert after.loc["park_scope2_emissions", "value"] == pytest.approx(2_200 * grid.value)
    assert after.loc["park_scope1_emissions", "value"] == pytest.approx(36_000 * gas)
    assert after.loc[core, "denominator"] == pytest.approx((7_200 + 720 + 36_000) / TCE)
    assert after.loc[core, "numerator"] == pytest.approx(2_200 * grid.value + 36_000 * gas)
    assert "L" in after.loc["park_scope2_emissions", "rows"]
    g = flows.build_graph(park, plan)
    assert ends(g, "e:L") == ("boundary:grid", "S")
    assert edge(g, "e:L")["quantity"] == pytest.approx(720.0) and edge(g, "e:L")["kind"] == "supply"
    table = flows.balances(g)
    s_energy = table[(table["level"] == "dimension") & (table["enterprise_id"] == "S")].set_index("key").loc["energy"]
    assert s_energy["inflow"] == pytest.approx(7_920)


def test_plan_electricity_is_recovered_with_the_factor_the_link_used(tmp_path: Path) -> None:
    """The link names the grid factor it was priced with; the electricity is that tCO2e / that factor, and the
    after-state counts it at the park's own grid factor."""
    park = load_park(write_package(tmp_path / "elec2", ELEC_ENTERPRISES, ELEC_STREAMS))
    f = FactorTable(park.config)
    other = next(x for x in f.factors.values() if x.scope_role == "scope2_electricity" and x.value != f.grid().value)
    plan = elec_plan(other.factor_id, 100.0 * other.value)  # 100 MWh priced at another grid factor
    g = flows.build_graph(park, plan)
    assert edge(g, "e:L")["quantity"] == pytest.approx(360.0)
    after = flows.indicators(g).set_index("indicator_id")
    assert after.loc["park_scope2_emissions", "value"] == pytest.approx(2_100 * f.grid().value)


# --- the explanation beside an intensity -------------------------------------------------------------------------
def _core_pair(c0: float, e0: float, c1: float, e1: float) -> dict[str, object]:
    return {"indicator_id": "zc_co2_per_tce_ge_1m", "numerator_before": c0, "denominator_before": e0,
            "numerator_after": c1, "denominator_after": e1}


def test_intensity_rising_while_co2_falls_is_explained() -> None:
    # 1,000 t CO2 on 400 tce (2.5); the plan saves 100 tce that emitted 150 t (1.5 t/tce, below the average)
    en, zh = intensity_explanation(_core_pair(1000.0, 400.0, 850.0, 300.0))
    assert "intensity rises (2.5 → 2.833 tCO2/tce)" in en and "energy use falls faster (-25.0%" in en
    assert "emits 1.5 tCO2/tce, less than the park's average 2.5" in en and "falls by 150 tCO2e/a" in en
    assert "强度上升" in zh and "减少 150 tCO2e/年" in zh
    en, zh = intensity_explanation(_core_pair(1000.0, 400.0, 1100.0, 500.0))
    assert "only because energy use rises faster" in en and "rises by 100 tCO2e/a" in en and "强度下降" in zh
    # moving with the total needs no words; nor does any other indicator
    assert intensity_explanation(_core_pair(1000.0, 400.0, 800.0, 390.0)) == ("", "")
    assert intensity_explanation(
        {**_core_pair(1000.0, 400.0, 850.0, 300.0), "indicator_id": "park_scope1_emissions"}) == ("", "")


def test_demo_plan_intensity_explanation_in_compare_and_app(demo: Park) -> None:
    from app.indicators import indicator_table, intensity_notes

    g = flows.build_graph(demo)
    big = max((d for *_, d in g.edges(data=True) if d["material"] == "natural_gas" and d["kind"] == "supply"),
              key=lambda d: d["quantity"])
    # a plan that replaces natural gas with coke-oven gas: gas is below the park's average CO2 per tce
    rec = big["stream_ids"][0]
    row = demo.streams.set_index("stream_id").loc[rec]
    sup = demo.streams[(demo.streams["material"] == "coke_oven_gas") & (demo.streams["direction"] == "output")]
    s = sup.iloc[0]
    plan = Plan(status="optimal", links=(link("L", str(s["enterprise_id"]), str(row["enterprise_id"]),
                                              str(s["stream_id"]), rec, "coke_oven_gas", "natural_gas", "gas",
                                              100_000.0, 100_000.0, "GJ/a"),))
    before, after = flows.indicators(demo), flows.indicators(demo, plan)
    both = flows.compare_indicators(before, after)
    core = both[both["indicator_id"].str.startswith("zc_co2_per_tce")].iloc[0]
    assert core["value_after"] > core["value_before"] and core["numerator_after"] < core["numerator_before"]
    assert core["explanation"].startswith("intensity rises") and core["explanation_zh"].startswith("强度上升")
    assert (both.loc[~both["indicator_id"].str.startswith("zc_co2_per_tce"), "explanation"] == "").all()
    notes = intensity_notes(before, after, "zh")
    assert len(notes) == 1 and "强度上升" in notes[0]
    table = indicator_table(before, after, "en")
    assert table.iloc[0]["note"].count("intensity rises") == 1
