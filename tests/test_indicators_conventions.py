"""Indicators as the zero-carbon park notice and HJ 274 define them (issue 12, item 4), each figure with its
convention in English and Chinese: product unit energy consumption per enterprise, water reuse with and without
recirculating cooling water (only the first judged), new eco-industrial chain projects (new links only, one per
project), natural gas not clean (stated, with the share it would give), after-state Scope 2 with the grid
electricity the plan's links add.

The park (canonical units, so the hand numbers are easy to follow):

  P  power plant  in : P1 coal 100,000 GJ (virgin), P2 industrial water 10,000 m3 (cooling make-up)
                  out: P3 cooling-water heat 41,860 GJ 35/25 °C (discharge), P4 fly ash 1,000 t (landfill),
                       P5 FGD gypsum 800 t (landfill), P6 waste steam 5,000 GJ 200/100 °C (vent)
  C  cement works in : C1 electricity 3,600 GJ (grid), C2 natural gas 10,000 GJ (virgin), C3 PV electricity 400 GJ
                       (own), C4 clinker 1,500 t (virgin), C5 natural gypsum 600 t (virgin), C6 tap water 1,000 m3,
                       C7 process heat 3,000 GJ 150/60 °C (natural-gas boiler: its gas is in C2)
                  out: C8 cement 2,000 t (sold)
  exchange X1: P -> C waste steam 1,000 GJ (today's chain)
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from park_builders import write_park

import flows
import matching
from flows.indicators import PRODUCT_ENERGY_ID, product_energy, recirculating_cooling_water
from matching import MatchOptions
from symbiosis import load_park
from symbiosis.core.factors import FactorTable
from symbiosis.core.park import Park
from symbiosis.core.plan import Link, Plan

ROOT = Path(__file__).resolve().parent.parent
TCE = 29.3076
HEADER = ["stream_id", "enterprise_id", "direction", "material", "quantity", "unit", "temperature_c",
          "temperature_return_c", "quality", "baseline"]
ENTERPRISES: list[list[object]] = [["P", "电厂 Power plant", 0, 0], ["C", "水泥厂 Cement works", 1, 0]]
STREAMS: list[list[object]] = [
    ["P1", "P", "input", "coal", 100000, "GJ/a", "", "", "", "virgin"],
    ["P2", "P", "input", "industrial_water", 10000, "m3/a", "", "", "cooling", "tap_water"],
    ["P3", "P", "output", "cooling_water_heat", 41860, "GJ/a", 35, 25, "", "discharge"],
    ["P4", "P", "output", "fly_ash", 1000, "t/a", "", "", "", "landfill"],
    ["P5", "P", "output", "fgd_gypsum", 800, "t/a", "", "", "", "landfill"],
    ["P6", "P", "output", "waste_steam", 5000, "GJ/a", 200, 100, "", "vent"],
    ["C1", "C", "input", "electricity", 3600, "GJ/a", "", "", "", "grid_electricity"],
    ["C2", "C", "input", "natural_gas", 10000, "GJ/a", "", "", "", "virgin"],
    ["C3", "C", "input", "pv_electricity", 400, "GJ/a", "", "", "", "self_supplied"],
    ["C4", "C", "input", "clinker", 1500, "t/a", "", "", "", "virgin"],
    ["C5", "C", "input", "natural_gypsum", 600, "t/a", "", "", "", "virgin"],
    ["C6", "C", "input", "tap_water", 1000, "m3/a", "", "", "potable", "tap_water"],
    ["C7", "C", "input", "process_heat", 3000, "GJ/a", 150, 60, "", "natural_gas_boiler"],
    ["C8", "C", "output", "cement", 2000, "t/a", "", "", "", "sold"],
]
EXCHANGES = "exchange_id,supplier_id,receiver_id,material,quantity,unit\nX1,P,C,waste_steam,1000,GJ/a\n"
RECIRCULATED = 41_860 * 1000 / (4.186 * 10)  # GJ -> MJ / (MJ/(m3·K) x 10 K) = 1,000,000 m3/a


def link(link_id: str, s_stream: str, r_stream: str, material_out: str, material_in: str, category: str,
         quantity: float, unit: str, **extra: float) -> Link:
    return Link(link_id=link_id, supplier_id="P", receiver_id="C", supplier_stream_id=s_stream,
                receiver_stream_id=r_stream, material_out=material_out, material_in=material_in, category=category,
                quantity=quantity, unit=unit, quantity_in=quantity, unit_in=unit, distance_km=1.0,
                mode="truck" if category == "solid" else "pipe_steam", **extra)


# L1 and L2 are one new project (P -> C, solid); L3 extends today's chain X1 (P -> C, heat): 1 new project
PLAN = Plan(status="optimal", include_scope2=True, links=(
    link("L1", "P4", "C4", "fly_ash", "clinker", "solid", 500, "t/a", avoided_scope3_cat1_tco2e=450.0),
    link("L2", "P5", "C5", "fgd_gypsum", "natural_gypsum", "solid", 400, "t/a", avoided_scope3_cat1_tco2e=10.0),
    link("L3", "P6", "C7", "waste_steam", "process_heat", "heat", 1000, "GJ/a", temperature_supply_c=200.0,
         added_energy_tco2e=5.0),
))


@pytest.fixture
def park(tmp_path: Path) -> Park:
    return load_park(write_park(tmp_path / "park", ENTERPRISES, STREAMS, streams_header=HEADER, exchanges=EXCHANGES))


def by_id(park: Park, plan: Plan | None = None):  # type: ignore[no-untyped-def]
    return flows.indicators(park, plan).set_index("indicator_id")


# --- every figure carries its convention ------------------------------------------------------------------------
def test_every_figure_has_its_convention_in_both_languages(park: Park) -> None:
    table = flows.indicators(park, PLAN)
    assert list(table.columns[-2:]) == ["convention", "convention_zh"]
    for r in table.to_dict("records"):
        assert r["convention"] and r["convention_zh"], r["indicator_id"]
        assert r["convention"] != r["convention_zh"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r["convention_zh"]), r["indicator_id"]


# --- product unit energy consumption ------------------------------------------------------------------------------
def test_product_energy_per_enterprise_by_hand(park: Park) -> None:
    # C's energy, counted where it enters the park: grid 3,600 + gas 10,000 + own PV 400 GJ (boiler heat C7 is not
    # counted again: its gas is in C2); its product: 2,000 t of cement
    expected = (3_600 + 10_000 + 400) / TCE / 2_000
    per = product_energy(park).set_index("enterprise_id")
    assert per.loc["C", "given"] and per.loc["C", "value"] == pytest.approx(expected)
    assert per.loc["C", "product_t"] == 2_000 and per.loc["C", "unit"] == "tce/t"
    assert per.loc["C", "energy_tce"] == pytest.approx(14_000 / TCE)
    assert not per.loc["P", "given"] and math.isnan(per.loc["P", "value"])  # fly ash is no product: "not given"
    assert (per.loc["P", "shown"], per.loc["P", "shown_zh"]) == ("not given", "未给出")
    assert set(per.loc["C", "rows"]) == {"C1", "C2", "C3", "C8"}
    t = by_id(park)
    row = t.loc[f"{PRODUCT_ENERGY_ID}:C"]
    assert row["value"] == pytest.approx(expected) and row["unit"] == "tce/t"
    assert row["passed"] is None and math.isnan(row["threshold"])  # no national limit in datasets/: not judged
    assert "cement 2,000 t/a" in row["note"] and "水泥 2,000 吨/年" in row["note_zh"]
    assert "GB 21256" in row["note"]
    assert row["name_en"].endswith(": 水泥厂 Cement works")
    assert f"{PRODUCT_ENERGY_ID}:P" not in t.index
    assert "not given" in row["convention"] and "未给出" in row["convention_zh"]
    assert flows.format_value(row, "en") == "0.239 tce/t" == per.loc["C", "shown"]


def test_no_products_is_not_a_number(tmp_path: Path) -> None:
    streams = [["A1", "A", "input", "coal", 1000, "GJ/a", "", "", "", "virgin"],
               ["A2", "A", "output", "fly_ash", 10, "t/a", "", "", "", "landfill"]]
    park = load_park(write_park(tmp_path / "bare", [["A", "甲 A", 0, 0]], streams, streams_header=HEADER))
    t = by_id(park)
    row = t.loc[PRODUCT_ENERGY_ID]
    assert not row["computable"] and math.isnan(row["value"]) and row["passed"] is None
    assert flows.format_value(row, "en").startswith("not computable: needs product output rows")
    assert flows.format_value(row, "zh").startswith("无法计算：需要产品产出行")


# --- water reuse with and without recirculation -------------------------------------------------------------------
def test_water_reuse_with_and_without_recirculation(park: Park) -> None:
    volume, rows, missing = recirculating_cooling_water(flows.build_graph(park))
    assert volume == {"P": pytest.approx(1_000_000)} and rows == ["P3"] and missing == []
    t = by_id(park)
    use = 10_000 + 1_000  # P's cooling make-up, C's tap water; nothing reused between enterprises
    for iid in ("zc_industrial_water_reuse", "hj_industrial_water_reuse"):
        assert t.loc[iid, "value"] == pytest.approx(RECIRCULATED / (use + RECIRCULATED))
        assert t.loc[iid, "passed"] is True  # 98.9 % >= 80 % / 75 %: the rate the thresholds are set on
        assert "GB/T 7119" in t.loc[iid, "convention"] and "循环冷却水" in t.loc[iid, "convention_zh"]
    assert "1,000,000 m³/a" in t.loc["zc_industrial_water_reuse", "note"]
    excl = t.loc["park_water_reuse_excl_recirculation"]
    assert excl["value"] == 0.0 and excl["denominator"] == use
    assert excl["direction"] == "report" and excl["passed"] is None and math.isnan(excl["threshold"])
    assert "not comparable" in excl["convention"] and "不可与含循环水" in excl["convention_zh"]


def test_unlisted_recirculation_makes_a_lower_bound(tmp_path: Path) -> None:
    """W takes cooling make-up water but lists no cooling-water heat: the rate is a lower bound, judged only if it
    passes."""
    streams = [*STREAMS, ["W1", "W", "input", "industrial_water", 500_000, "m3/a", "", "", "cooling", "tap_water"]]
    park = load_park(write_park(tmp_path / "low", [*ENTERPRISES, ["W", "化工 W", 2, 0]], streams,
                                streams_header=HEADER, exchanges=EXCHANGES))
    t = by_id(park)
    use = 10_000 + 1_000 + 500_000
    row = t.loc["zc_industrial_water_reuse"]
    assert row["value"] == pytest.approx(RECIRCULATED / (use + RECIRCULATED))  # 66.2 % < 80 %, but a lower bound
    assert row["passed"] is None and "lower bound" in row["note"] and "化工 W" in row["note"]
    assert t.loc["hj_industrial_water_reuse", "passed"] is None  # 66.2 % < 75 % too
    streams = [*STREAMS, ["W1", "W", "input", "industrial_water", 50_000, "m3/a", "", "", "cooling", "tap_water"]]
    park = load_park(write_park(tmp_path / "high", [*ENTERPRISES, ["W", "化工 W", 2, 0]], streams,
                                streams_header=HEADER, exchanges=EXCHANGES))
    assert by_id(park).loc["zc_industrial_water_reuse", "passed"] is True  # a lower bound that passes, passes


# --- HJ 274 chain projects ------------------------------------------------------------------------------------------
def test_chain_projects_count_new_links_only_one_per_project(park: Park) -> None:
    before, after = by_id(park), by_id(park, PLAN)
    assert before.loc["hj_eco_chain_projects", "value"] == 0  # X1 is today's chain, not a new project
    assert before.loc["hj_eco_chain_projects", "passed"] is False
    assert "1 existing exchange(s)" in before.loc["hj_eco_chain_projects", "note"]
    chain = after.loc["hj_eco_chain_projects"]
    assert chain["value"] == 1  # L1 + L2: one solid project P -> C; L3 extends X1 (P -> C, heat)
    assert set(chain["rows"]) == {"L1", "L2"}
    assert chain["note"].startswith("3 plan link(s) in 1 new project(s); 1 link(s) extend")
    assert "现有交换不计" in chain["convention_zh"] and "HJ 274-2015" in chain["convention"]


# --- clean energy: natural gas stated -------------------------------------------------------------------------------
def test_clean_share_states_natural_gas(park: Park) -> None:
    t = by_id(park)
    energy = 100_000 + 3_600 + 10_000 + 400
    row = t.loc["zc_clean_energy_share"]
    assert row["value"] == pytest.approx(400 / energy)
    assert "Natural gas is NOT counted as clean" in row["convention"] and "天然气不计为清洁能源" in row["convention_zh"]
    assert row["note"].endswith(f"would give {(400 + 10_000) / energy:.1%}")
    assert row["note_zh"].endswith(f"占比为 {(400 + 10_000) / energy:.1%}")


# --- after-state Scope 2 holds the plan's added electricity -----------------------------------------------------
def test_after_scope2_includes_added_electricity(park: Park) -> None:
    f = FactorTable(park.config)
    grid = f.get("grid_national_2023").value
    before, after = by_id(park), by_id(park, PLAN)
    graph = flows.build_graph(park, PLAN)
    added = [d for _, _, k, d in graph.edges(keys=True, data=True) if k.startswith("e:")]
    assert [d["link_id"] for d in added] == ["L3"]
    added_tco2e = added[0]["quantity"] / 3.6 * grid
    # C's boiler gas is listed, so L3's heat saves gas (Scope 1), not Scope 2: Scope 2 rises by the pumping only
    assert after.loc["park_scope2_emissions", "value"] == pytest.approx(
        before.loc["park_scope2_emissions", "value"] + added_tco2e)
    assert "L3" in after.loc["park_scope2_emissions", "rows"]
    assert after.loc["park_scope2_emissions", "note"].startswith("includes the grid electricity 1 plan link(s) add")
    assert before.loc["park_scope2_emissions", "note"] == ""
    assert "links add" in after.loc["park_scope2_emissions", "convention"]


@pytest.fixture(scope="module")
def demo() -> Park:
    return load_park(ROOT / "datasets" / "demo_park")


@pytest.mark.parametrize("include_scope2", [False, True])
def test_demo_after_scope2_holds_every_links_electricity(demo: Park, include_scope2: bool) -> None:
    """With Scope 2 ranked or not, the after-state Scope 2 is today's less what the links avoid plus what they add
    (the consistency law, read off the indicator), and names every link that adds electricity."""
    plan = matching.propose(demo, MatchOptions(include_scope2=include_scope2, time_limit=float("inf")))
    before, after = by_id(demo), by_id(demo, plan)
    avoided = sum(line.tco2e for link in plan.links for line in link.accounting
                  if line.scope == "scope2" and line.item.startswith("avoided"))
    added = sum(line.tco2e for link in plan.links for line in link.accounting
                if line.scope == "scope2" and not line.item.startswith("avoided"))
    assert added > 0
    s2_before, s2_after = before.loc["park_scope2_emissions", "value"], after.loc["park_scope2_emissions", "value"]
    assert s2_after == pytest.approx(s2_before - avoided + added, rel=1e-9)
    graph = flows.build_graph(demo, plan)
    adders = {d["link_id"] for _, _, k, d in graph.edges(keys=True, data=True) if k.startswith("e:")}
    assert adders and adders <= set(after.loc["park_scope2_emissions", "rows"])
    assert f"{len(adders)} plan link(s) add" in after.loc["park_scope2_emissions", "note"]


# --- the demo park --------------------------------------------------------------------------------------------------
def test_demo_park_values(demo: Park) -> None:
    t = by_id(demo)
    assert t.loc["hj_eco_chain_projects", "value"] == 0  # today's 7 exchanges are not new projects
    assert "7 existing exchange(s)" in t.loc["hj_eco_chain_projects", "note"]
    # recirculating cooling water: E01's condenser (1,800,000 MWh at 33/25 °C) and E47's servers (15 MW x 8,760 h
    # at 35/25 °C); E16's effluent heat is no cooling circuit (it takes no cooling make-up water)
    volume, _, missing = recirculating_cooling_water(flows.build_graph(demo))
    assert volume == {"E01": pytest.approx(1_800_000 * 3_600 / (4.186 * 8)),
                      "E47": pytest.approx(15 * 8_760 * 3_600 / (4.186 * 10))}
    assert missing  # other enterprises take cooling make-up water without listing the heat: a lower bound
    with_r, without = t.loc["zc_industrial_water_reuse"], t.loc["park_water_reuse_excl_recirculation"]
    r = sum(volume.values())
    assert with_r["value"] == pytest.approx((without["numerator"] + r) / (without["denominator"] + r))
    assert without["value"] < with_r["value"]
    products = product_energy(demo)
    given = products[products["given"]].set_index("enterprise_id")
    assert list(given.index) == ["E15"] and given.loc["E15", "product_t"] == 21_000  # re-refined base oil
    assert list(t.filter(like=PRODUCT_ENERGY_ID, axis=0).index) == [f"{PRODUCT_ENERGY_ID}:E15"]
    assert (products[~products["given"]]["shown"] == "not given").all()


# --- shown next to the figure: the app and the report -------------------------------------------------------------
def test_app_shows_the_convention_beside_the_figure(park: Park) -> None:
    from app.indicators import indicator_export, indicator_table, product_energy_view

    before, after = flows.indicators(park), flows.indicators(park, PLAN)
    for lang, column, gas in (("en", "how it is counted", "Natural gas is NOT counted as clean"),
                              ("zh", "统计口径", "天然气不计为清洁能源")):
        table = indicator_table(before, after, lang)  # type: ignore[arg-type]
        assert column in table.columns and table[column].astype(bool).all()
        assert any(gas in text for text in table[column])
    en = indicator_table(before, after, "en").set_index("indicator")
    assert en.loc["New eco-industrial chain projects", "note"].startswith("today: ")
    assert "with the plan: 3 plan link(s) in 1 new project(s)" in en.loc["New eco-industrial chain projects", "note"]
    exported = indicator_export(before, after).set_index("indicator_id")
    assert exported.loc["hj_eco_chain_projects", "convention_zh"].startswith("方案新增生态工业链项目")
    view = product_energy_view(before, after, park.enterprises, "zh")
    assert list(view.iloc[:, 1]) == ["未给出", "0.239 tce/t"]  # P lists no product: not given, never 0


def test_report_tables_carry_the_convention(park: Park) -> None:
    from types import SimpleNamespace

    from symbiosis.reporting import tables

    a = SimpleNamespace(indicators_before=flows.indicators(park), indicators_after=flows.indicators(park, PLAN))
    for lang in ("en", "zh"):
        frame = tables.indicators(a, lang)  # type: ignore[arg-type]
        assert frame["convention"].astype(bool).all()
        chain = frame.set_index("indicator_id").loc["hj_eco_chain_projects"]
        assert chain["value_before"] == 0 and chain["value_after"] == 1
        assert ("3 plan link(s)" if lang == "en" else "方案链接 3 条") in chain["note"]
