"""Follow-ups of the demo-park review: same-material matching, no back-and-forth, Chinese texts in Chinese,
explanations from a model already built, and the factor rows and material flags the accounting needed.

Each test computes what it expects from the factor rows and the rules, read here, not from the matcher's code.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from test_matching_support import (
    link,
    no_wall_clock,  # noqa: F401  (autouse: no clock)
    park_of,
    rule,
    s,
)

import matching
import symbiosis
from matching import MatchOptions
from matching.options import MODES
from symbiosis.core.accounting import Note, unit_coefficients
from symbiosis.core.datasets import demo_park_path
from symbiosis.core.factors import FactorTable
from symbiosis.core.park import Park, ParkConfig
from symbiosis.core.plan import Plan

F = FactorTable(ParkConfig())
TRUCK = F.get("transport_truck").value
GRID_KWH = F.grid().value / 1000
NO_FIXED = MatchOptions(min_link_quantity={"solid": 100.0, "water": 1000.0, "heat": 100.0, "liquid": 1.0,
                                           "gas": 1.0})
DATASETS = Path(__file__).resolve().parent.parent / "datasets"


# --- 1. same-material matching -------------------------------------------------------------------------------------
def test_scrap_from_a_recycler_feeds_an_eafs_scrap_input() -> None:
    """An output of M may feed another enterprise's input of M: ratio 1, no share cap, by truck for a solid. Virgin
    scrap has no cradle-to-gate factor, so only the supplier's landfill avoided counts (and the note says why)."""
    assert F.find("scope3_cat1", "steel_scrap") is None
    park = park_of([["R", "recycler", 0, 0], ["E", "EAF", 3, 4]],
                   [s("R1", "R", "output", "steel_scrap", 5_000, "t/a", baseline="landfill"),
                    s("E1", "E", "input", "steel_scrap", 20_000, "t/a", baseline="virgin")])
    plan = matching.propose(park, NO_FIXED)
    assert plan.status == "optimal"
    x = link(plan, "R1", "E1")
    assert x.rule_id == "same:steel_scrap" and x.mode == "truck" and x.distance_km == pytest.approx(5.0)
    assert x.quantity == pytest.approx(5_000) and x.quantity_in == pytest.approx(5_000)
    assert x.avoided_scope3_cat1_tco2e == 0
    assert x.avoided_scope3_cat5_tco2e == pytest.approx(5_000 * F.get("disposal_landfill_inert").value)
    assert x.added_transport_tco2e == pytest.approx(5_000 * 5.0 * TRUCK) and x.added_energy_tco2e == 0
    assert x.net_tco2e() == pytest.approx(x.avoided_scope3_cat5_tco2e - x.added_transport_tco2e)
    assert any("virgin steel_scrap" in n for n in x.notes) and any("废钢" in n for n in x.notes_zh)


def test_same_material_for_hazardous_waste_types_and_virgin_purchases() -> None:
    """Waste oil (HW08) to a re-refiner's waste-oil input: allowed (the receiver is its licensed user), flagged,
    the hazardous treatment avoided. Lubricating oil to a lubricating-oil input: the virgin purchase avoided. Fly ash
    that carries a hazardous code is not taken by another's fly-ash input."""
    park = park_of([["A", "workshop", 0, 0], ["B", "re-refiner", 1, 0], ["C", "blender", 0, 1], ["D", "mill", 1, 1],
                    ["P", "incinerator", 2, 0], ["Q", "brickworks", 2, 1]],
                   [s("A1", "A", "output", "waste_oil", 100, "t/a", baseline="hazardous_treatment", hw="HW08"),
                    s("B1", "B", "input", "waste_oil", 1_000, "t/a", baseline="virgin"),
                    s("C1", "C", "output", "lubricating_oil", 500, "t/a", baseline="stored"),
                    s("D1", "D", "input", "lubricating_oil", 300, "t/a", baseline="virgin"),
                    s("P1", "P", "output", "fly_ash", 1_000, "t/a", baseline="landfill", hw="HW18"),
                    s("Q1", "Q", "input", "fly_ash", 5_000, "t/a", baseline="virgin")])
    plan = matching.propose(park, NO_FIXED)
    oil = link(plan, "A1", "B1")
    assert oil.rule_id == "same:waste_oil" and oil.hazardous_code == "HW08"
    assert oil.avoided_scope3_cat5_tco2e == pytest.approx(100 * F.get("disposal_hazardous_treatment").value)
    assert "licensed" in oil.notes[0] and "HW08" in oil.notes_zh[0]
    lube = link(plan, "C1", "D1")
    assert lube.rule_id == "same:lubricating_oil" and lube.quantity == pytest.approx(300)
    assert lube.avoided_scope3_cat1_tco2e == pytest.approx(300 * F.get("virgin_lubricating_oil").value)
    assert lube.avoided_scope3_cat5_tco2e == 0  # stored: no disposal to avoid (sold would credit nothing net)
    assert all(x.supplier_stream_id != "P1" for x in plan.links)
    why = matching.explain_unmatched(park, plan, NO_FIXED).set_index("stream_id")
    assert why.loc["P1", "reason"] == "hazardous"


def test_same_material_modes_by_category_and_heat_excluded() -> None:
    """Gases go by gas pipe, water by water pipe, organic residues by truck; heat (matched by temperature), energy
    carriers and wastewater get no same-material rule."""
    park = park_of([["H", "chlor-alkali", 0, 0], ["G", "hydrogenation", 8, 0], ["W", "WWTP", 0, 1],
                    ["V", "laundry", 0, 3], ["S", "WWTP 2", 5, 5], ["T", "farm", 5, 9]],
                   [s("H1", "H", "output", "hydrogen", 500, "t/a", baseline="vent"),
                    s("G1", "G", "input", "hydrogen", 800, "t/a", baseline="virgin"),
                    s("W1", "W", "output", "reclaimed_water", 50_000, "m3/a", quality="washing", baseline="discharge"),
                    s("V1", "V", "input", "reclaimed_water", 20_000, "m3/a", quality="washing"),
                    s("S1", "S", "output", "sewage_sludge", 3_000, "t/a", baseline="landfill"),
                    s("T1", "T", "input", "sewage_sludge", 1_000, "t/a", baseline="virgin")])
    links = matching.build_model(park, NO_FIXED).links.set_index("rule_id")
    assert links.loc["same:hydrogen", "mode"] == "pipe_gas" and links.loc["same:hydrogen", "distance_km"] == 8.0
    assert links.loc["same:hydrogen", "status"] == "no_benefit"  # vented, and no virgin hydrogen factor yet
    assert links.loc["same:reclaimed_water", "mode"] == "pipe_water"
    assert links.loc["same:sewage_sludge", "mode"] == "truck"
    assert links.loc["same:sewage_sludge", "status"] == "model"  # its landfill (organic) is avoided
    ids = set(matching.candidates.substitution_rules()["rule_id"])
    assert {"same:steel_scrap", "same:waste_paper", "same:waste_oil", "same:waste_glass", "same:hydrogen"} <= ids
    assert not {"same:waste_steam", "same:hot_water_heat", "same:coal", "same:electricity", "same:wastewater"} & ids
    # the shipped table has no such rows: the identity rules live in the code only
    shipped = pd.read_csv(DATASETS / "substitutions.csv", dtype=str, keep_default_na=False)
    assert not (shipped["output_material"] == shipped["input_material"]).any()


def test_an_already_sold_output_is_explained_as_no_benefit_not_no_rule() -> None:
    park = park_of([["R", "recycler", 0, 0], ["M", "paper mill", 2, 0]],
                   [s("R1", "R", "output", "waste_paper", 2_000, "t/a", baseline="sold"),
                    s("M1", "M", "input", "waste_paper", 50_000, "t/a", baseline="virgin")])
    plan = matching.propose(park, NO_FIXED)
    assert not plan.links
    why = matching.explain_unmatched(park, plan, NO_FIXED).set_index("stream_id")
    assert why.loc["R1", "reason"] == "no_benefit" and why.loc["M1", "reason"] == "no_benefit"
    assert "外售" in why.loc["R1", "reason_zh"] and "sold" not in why.loc["R1", "reason_zh"]


# --- 3. no back-and-forth ------------------------------------------------------------------------------------------
def _solvent_park(with_third: bool) -> Park:
    enterprises = [["A", "pharma", 0, 0], ["B", "fine chemicals", 1, 0]]
    streams = [s("A1", "A", "output", "waste_solvent", 400, "t/a", baseline="hazardous_treatment", hw="HW06"),
               s("A2", "A", "input", "organic_solvent", 2_000, "t/a", baseline="virgin"),
               s("B1", "B", "output", "waste_solvent", 400, "t/a", baseline="hazardous_treatment", hw="HW06"),
               s("B2", "B", "input", "organic_solvent", 2_000, "t/a", baseline="virgin")]
    if with_third:
        enterprises.append(["C", "coatings", 2, 0])
        streams.append(s("C2", "C", "input", "organic_solvent", 2_000, "t/a", baseline="virgin"))
    return park_of(enterprises, streams)


def test_a_material_is_never_sent_both_ways_between_two_enterprises() -> None:
    """Waste solvent A->B and B->A would both avoid emissions, but sending it back and forth is pointless: at
    most one of the two is built (one model, since the row couples them)."""
    park = _solvent_park(with_third=False)
    plan = matching.propose(park, NO_FIXED)
    assert plan.status == "optimal"
    assert len(plan.links) == 1 and plan.subproblems == 1
    model = matching.build_model(park, NO_FIXED)
    names = [c.name for comp in model.components for c in comp.problem.constraints()]
    assert any(name.startswith("twoway") for name in names)


def test_with_a_third_buyer_the_solvent_goes_one_way_round() -> None:
    """With C 1 km beyond B, the best plan is A->B and B->C (2 x 1 km), not B->A and A->C (1 + 2 km)."""
    r = rule("waste_solvent", "organic_solvent")
    park = _solvent_park(with_third=True)
    plan = matching.propose(park, NO_FIXED)
    assert {x.link_id for x in plan.links} == {"A1->B2", "B1->C2"}
    per_t = (r["ratio"] * F.get("virgin_organic_solvent").value + F.get("disposal_hazardous_treatment").value
             - r["kwh"] * GRID_KWH)
    assert plan.objective_tco2e == pytest.approx(800 * per_t - 800 * 1.0 * TRUCK)


# --- 4. Chinese texts in Chinese -----------------------------------------------------------------------------------
ALLOWED = re.compile(r"tCO2e?|kWh|MWh|Nm3|GJ|km|HW\d{2}|CaO")  # units, waste codes, a chemical formula
ASCII_WORD = re.compile(r"[A-Za-z]{3,}")


def ascii_words(text: str) -> list[str]:
    """ASCII words of three letters or more left after the allowed tokens (units, hazardous-waste codes);
    enterprise and stream ids (E01, E02-28) have one letter."""
    return ASCII_WORD.findall(ALLOWED.sub(" ", text))


@pytest.fixture(scope="module")
def demo() -> tuple[Park, Plan, pd.DataFrame]:
    park = symbiosis.load_park(demo_park_path())
    model = matching.build_model(park)
    plan = matching.read_plan(model, matching.solve_model(model))
    return park, plan, matching.explain_unmatched(park, plan, model=model)


def test_demo_chinese_reasons_notes_and_messages_are_chinese(demo: tuple[Park, Plan, pd.DataFrame]) -> None:
    _, plan, why = demo
    assert len(why) > 100 and why["reason"].nunique() >= 8
    texts = [*why["reason_zh"], *(n for x in plan.links for n in x.notes_zh), *plan.messages_zh]
    leftovers = {w: t for t in texts for w in ascii_words(t)}
    assert not leftovers, leftovers
    # the material and baseline names come from the taxonomy
    assert why["reason_zh"].str.contains("粉煤灰|高炉渣|废钢|废矿物油").any()
    notes = " ".join(n for x in plan.links for n in x.notes_zh)
    assert "外售" in notes or "填埋" in notes


def test_note_texts_use_chinese_names() -> None:
    sold = Note("output_nothing_avoided", (("baseline", "sold"), ("why", "already sold"), ("why_zh", "已外售")))
    assert sold.text("zh") == "产出现状“外售”：不计避免排放（已外售）"
    assert sold.text("en") == "baseline 'sold' of the output: nothing avoided (already sold)"
    assert "废木材" in Note("biogenic_fuel", (("material", "wood_waste"),)).text("zh")
    assert "自备" in Note("input_nothing_avoided", (("baseline", "self_supplied"),)).text("zh")
    assert ascii_words(Note("no_virgin_factor", (("material", "steel_scrap"),)).text("zh")) == []
    assert ascii_words(Note("no_disposal_factor", (("baseline", "landfill"), ("material", "red_mud"))).text("zh")) == []


def test_reasons_name_modes_grades_and_rules_in_chinese() -> None:
    far = park_of([["P", "power", 0, 0], ["C", "cement", 36, 48]],
                  [s("P1", "P", "output", "fly_ash", 1_000, "t/a", baseline="landfill"),
                   s("C1", "C", "input", "clinker", 20_000, "t/a", baseline="virgin")])
    why = matching.explain_unmatched(far, matching.propose(far, NO_FIXED), NO_FIXED).set_index("stream_id")
    assert "汽车运输" in why.loc["P1", "reason_zh"] and ascii_words(why.loc["P1", "reason_zh"]) == []
    grades = park_of([["W", "WWTP", 0, 0], ["F", "factory", 2, 0]],
                     [s("W1", "W", "output", "reclaimed_water", 100_000, "m3/a", quality="washing"),
                      s("F1", "F", "input", "industrial_water", 50_000, "m3/a", quality="cooling", baseline="tap_water")])
    why = matching.explain_unmatched(grades, matching.propose(grades, NO_FIXED), NO_FIXED).set_index("stream_id")
    assert "洗涤用水" in why.loc["W1", "reason_zh"] and ascii_words(why.loc["W1", "reason_zh"]) == []
    capped = park_of([["P", "power", 0, 0], ["C", "cement", 3, 4]],
                     [s("P1", "P", "output", "fly_ash", 10_000, "t/a", baseline="landfill"),
                      s("C1", "C", "input", "clinker", 20_000, "t/a", baseline="virgin")])
    why = matching.explain_unmatched(capped, matching.propose(capped, NO_FIXED), NO_FIXED).set_index("stream_id")
    assert why.loc["P1", "reason"] == "share_cap"
    assert "粉煤灰替代熟料" in why.loc["P1", "reason_zh"] and ascii_words(why.loc["P1", "reason_zh"]) == []
    heat = park_of([["S", "steel", 0, 0]], [s("S1", "S", "output", "waste_steam", 10_000, "GJ/a", 200, 100,
                                               baseline="vent")])
    why = matching.explain_unmatched(heat, matching.propose(heat, NO_FIXED), NO_FIXED).set_index("stream_id")
    assert why.loc["S1", "reason"] == "no_partner" and ascii_words(why.loc["S1", "reason_zh"]) == []


def _time_limited() -> tuple[matching.MatchModel, object]:
    from matching.read import Solution
    from matching.solve import PartResult

    park = _solvent_park(with_third=True)
    model = matching.build_model(park, NO_FIXED.replace(time_limit=2.0))
    flows = pd.DataFrame({"lid": pd.Series(dtype=int), "flow": pd.Series(dtype=float), "built": pd.Series(dtype=bool)})
    heat = pd.DataFrame({"lid": pd.Series(dtype=int), "level": pd.Series(dtype=int), "q": pd.Series(dtype=float)})
    parts = [PartResult(0, "time_limit", 10.0, 12.5, 2.0, True, "Time limit reached"),
             PartResult(1, "time_limit", 0.0, 7.0, 2.0, False, "Time limit reached"),
             PartResult(2, "feasible", 3.0, 3.1, 0.1, True, "Optimal")]
    return model, Solution(flows=flows, heat_levels=heat, parts=parts)


def test_time_limit_messages_are_chinese_throughout() -> None:
    from matching.read import part_messages

    model, solution = _time_limited()
    messages = part_messages(model, solution)  # type: ignore[arg-type]
    assert len(messages) == 3
    for en, zh in messages:
        assert ascii_words(zh) == [], zh
        assert "sub-problem" in en
    assert "目标值 10" in messages[0][1] and "上界 12.5" in messages[0][1] and "上界 7" in messages[1][1]


def test_a_time_limited_plan_says_so_in_chinese() -> None:
    model, solution = _time_limited()
    plan = matching.read_plan(model, solution)  # type: ignore[arg-type]
    assert plan.status == "time_limit" and plan.messages_zh
    assert all(ascii_words(m) == [] for m in plan.messages_zh), plan.messages_zh


# --- 5. explanations from a model already built --------------------------------------------------------------------
def test_explain_unmatched_reuses_a_model_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    park = _solvent_park(with_third=True)
    options = NO_FIXED.replace(min_link_quantity={"liquid": 500.0})
    model = matching.build_model(park, options)
    plan = matching.read_plan(model, matching.solve_model(model))
    rebuilt = matching.explain_unmatched(park, plan, options)

    def no_rebuild(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was built again")

    monkeypatch.setattr("matching.explain.prepare", no_rebuild)
    reused = matching.explain_unmatched(park, plan, options, model=model)
    pd.testing.assert_frame_equal(reused, rebuilt)
    pd.testing.assert_frame_equal(matching.explain_unmatched(park, plan, model=model), rebuilt)
    with pytest.raises(ValueError, match="other options"):
        matching.explain_unmatched(park, plan, options.replace(dt_min_k=25.0), model=model)


# --- 6. datasets ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "subject"), [("scope3_cat1", "fresh_catalyst"), ("scope3_cat1", "pig_iron"),
                                               ("scope3_cat1", "refractory_raw_material"),
                                               ("scope1_fuel", "waste_tyres"), ("scope1_fuel", "waste_oil")])
def test_new_factor_rows_exist_with_a_source(role: str, subject: str) -> None:
    f = F.find(role, subject)
    assert f is not None and f.value > 0 and f.source and f.reliability in {"A", "B", "C", "R", "derived"}
    assert f.unit == ("tCO2e/t" if role == "scope3_cat1" else "tCO2/GJ")
    if f.reliability == "R":
        assert "placeholder, no primary source found" in f.notes.lower()


def coefficients(**pair: object) -> pd.Series:
    base: dict[str, object] = {"material_out": "fly_ash", "unit_out": "t/a", "baseline_out": "", "material_in": "clinker",
                               "unit_in": "t/a", "baseline_in": "", "ratio": 1.0, "delivered_fraction": 1.0,
                               "distance_km": 0.0, "mode": "truck", "pretreatment_kwh_per_unit": 0.0}
    base.update(pair)
    return unit_coefficients(pd.DataFrame([base]), F).iloc[0]


def test_links_to_catalyst_pig_iron_and_refractories_now_avoid_the_virgin_purchase() -> None:
    for out, into, factor in (("spent_catalyst", "fresh_catalyst", "virgin_fresh_catalyst"),
                              ("steel_scrap", "pig_iron", "virgin_pig_iron"),
                              ("waste_refractory", "refractory_raw_material", "virgin_refractory_raw_material")):
        r = rule(out, into)
        c = coefficients(material_out=out, baseline_out="landfill", material_in=into, baseline_in="virgin",
                         ratio=r["ratio"])
        assert c["avoided_scope3_cat1"] == pytest.approx(r["ratio"] * F.get(factor).value)
        assert c["ids_avoided_scope3_cat1"] == (factor,)
    park = park_of([["A", "refinery", 0, 0], ["B", "hydrotreater", 1, 0]],
                   [s("A1", "A", "output", "spent_catalyst", 200, "t/a", baseline="hazardous_treatment", hw="HW50"),
                    s("B1", "B", "input", "fresh_catalyst", 1_000, "t/a", baseline="virgin")])
    x = link(matching.propose(park, NO_FIXED), "A1", "B1")
    cat = rule("spent_catalyst", "fresh_catalyst")
    assert x.avoided_scope3_cat1_tco2e == pytest.approx(200 * cat["ratio"] * F.get("virgin_fresh_catalyst").value)


def test_tyres_and_waste_oil_burned_have_their_own_combustion_factor() -> None:
    tyres = rule("waste_tyres", "coal")
    c = coefficients(material_out="waste_tyres", baseline_out="landfill", material_in="coal", unit_in="GJ/a",
                     baseline_in="virgin", ratio=tyres["ratio"])
    assert c["added_combustion"] == pytest.approx(tyres["ratio"] * F.get("fuel_waste_tyres").value)
    assert c["avoided_scope1"] == pytest.approx(tyres["ratio"] * F.get("fuel_coal").value)
    assert c["ids_added_combustion"] == ("fuel_waste_tyres",)
    assert not any(n.code == "substitute_fuel_assumed" for n in c["notes"])
    oil = rule("waste_oil", "fuel_oil")
    c = coefficients(material_out="waste_oil", baseline_out="hazardous_treatment", material_in="fuel_oil",
                     unit_in="GJ/a", baseline_in="virgin", ratio=oil["ratio"])
    assert c["added_combustion"] == pytest.approx(oil["ratio"] * F.get("fuel_waste_oil").value)
    assert F.get("fuel_waste_oil").value == pytest.approx(73_300 / 1e6)


def test_biogenic_materials_come_from_the_materials_table() -> None:
    from symbiosis.core.accounting import biogenic_materials

    with (DATASETS / "materials.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert all(r["is_biogenic"] in ("true", "false") for r in rows)
    flagged = {r["key"] for r in rows if r["is_biogenic"] == "true"}
    assert biogenic_materials() == flagged
    assert {r["key"] for r in rows if r["category"] == "organic"} <= flagged
    assert {"wood_waste", "straw", "waste_paper", "biogas", "biomass_fuel", "manure"} <= flagged
    assert not {"waste_tyres", "waste_plastics", "coal", "waste_oil", "bf_gas"} & flagged
    wood = coefficients(material_out="wood_waste", baseline_out="landfill", material_in="coal", unit_in="GJ/a",
                        baseline_in="virgin", ratio=rule("wood_waste", "coal")["ratio"])
    assert wood["added_combustion"] == 0 and any(n.code == "biogenic_fuel" for n in wood["notes"])


def test_shipped_rules_name_specific_modes() -> None:
    shipped = pd.read_csv(DATASETS / "substitutions.csv", dtype=str, keep_default_na=False)
    assert set(shipped["mode"]) <= set(MODES) and "pipe" not in set(shipped["mode"])
    # a generic 'pipe' in a user-supplied table is still read by category
    from matching.candidates import rule_mode

    assert rule_mode("pipe", "gas") == "pipe_gas" and rule_mode("pipe", "water") == "pipe_water"
