"""One tiny park per feature, its plan computed by hand from the factor rows and the rules read in the test."""

from __future__ import annotations

import math

import pytest
from test_matching_support import (
    check_balances,
    check_gap,
    link,
    no_wall_clock,  # noqa: F401  (autouse: no clock)
    park_of,
    rule,
    s,
)

import matching
from matching import LinkSelector, MatchOptions
from symbiosis.core.factors import FactorTable
from symbiosis.core.park import ParkConfig
from symbiosis.core.plan import Plan
from symbiosis.core.receiving import receiving_processes

F = FactorTable(ParkConfig())  # national, 2023: what a park without park.toml gets
TRUCK = F.get("transport_truck").value
GRID_KWH = F.grid().value / 1000
NO_FIXED = MatchOptions(min_link_quantity={"solid": 100.0, "water": 1000.0, "heat": 100.0, "liquid": 1.0})


def test_substitution_with_a_share_cap() -> None:
    fa = rule("fly_ash", "clinker")
    park = park_of([["P", "power", 0, 0], ["C", "cement", 3, 4]],
                   [s("P1", "P", "output", "fly_ash", 10_000, "t/a", baseline="landfill"),
                    s("C1", "C", "input", "clinker", 20_000, "t/a", baseline="virgin")])
    plan = matching.propose(park, NO_FIXED)
    assert plan.status == "optimal" and len(plan.links) == 1
    x = plan.links[0]
    q = min(10_000, fa["max_share"] * 20_000 / fa["ratio"])  # 6000 t: the cap binds, not the supply
    assert x.quantity == pytest.approx(q)
    assert x.quantity_in == pytest.approx(q * fa["ratio"])
    assert x.distance_km == pytest.approx(5.0) and x.mode == "truck" and x.rule_id == fa["rule_id"]
    assert x.avoided_scope3_cat1_tco2e == pytest.approx(q * F.get("virgin_clinker").value)
    assert x.avoided_scope3_cat5_tco2e == pytest.approx(q * F.get("disposal_landfill_inert").value)
    assert x.added_transport_tco2e == pytest.approx(q * 5.0 * TRUCK)
    assert x.added_energy_tco2e == pytest.approx(q * fa["kwh"] * GRID_KWH)
    net = x.avoided_scope3_cat1_tco2e + x.avoided_scope3_cat5_tco2e - x.added_transport_tco2e - x.added_energy_tco2e
    assert x.net_tco2e() == pytest.approx(net)
    assert plan.objective_tco2e == pytest.approx(net) and plan.bound_tco2e == pytest.approx(net)
    assert plan.gap == pytest.approx(0.0, abs=1e-9)
    owners = {(line.item, line.enterprise_id) for line in x.accounting}
    assert ("avoided_scope3_cat1", "C") in owners and ("avoided_scope3_cat5", "P") in owners
    assert x.rank == 1 and x.link_id == "P1->C1"
    unmatched = matching.explain_unmatched(park, plan, NO_FIXED).set_index("stream_id")
    assert unmatched.loc["P1", "reason"] == "share_cap" and unmatched.loc["P1", "unmatched"] == pytest.approx(
        10_000 - q)
    assert unmatched.loc["C1", "reason"] == "share_cap"
    cap = f"{fa['max_share']:.0%}"
    assert cap in unmatched.loc["P1", "reason_en"] and cap in unmatched.loc["P1", "reason_zh"]


def test_two_suppliers_never_replace_more_than_the_receiver_buys() -> None:
    """Nothing counted twice: fly ash from two plants and slag share one clinker demand; each rule keeps its cap
    and together they replace at most the clinker bought (so its Scope 3 cat. 1 is avoided at most once)."""
    fa, slag = rule("fly_ash", "clinker"), rule("bf_slag", "clinker")
    park = park_of([["P", "power", 0, 0], ["Q", "power 2", 3, 0], ["S", "steel", 0, 3], ["C", "cement", 3, 4]],
                   [s("P1", "P", "output", "fly_ash", 10_000, "t/a", baseline="landfill"),
                    s("Q1", "Q", "output", "fly_ash", 5_000, "t/a", baseline="landfill"),
                    s("S1", "S", "output", "bf_slag", 30_000, "t/a", baseline="landfill"),
                    s("C1", "C", "input", "clinker", 20_000, "t/a", baseline="virgin")])
    plan = matching.propose(park, NO_FIXED)
    assert plan.status == "optimal"
    check_balances(park, plan)
    # the caps do not stack: fly ash and slag lie on the line between their caps (each cap holds for its material
    # alone), and GB 175 holds all supplementary materials together (receiving_processes.csv, docs/accounting.md)
    fly = sum(x.quantity_in for x in plan.links if x.material_out == "fly_ash")
    slag_in = sum(x.quantity_in for x in plan.links if x.material_out == "bf_slag")
    assert fly / fa["max_share"] + slag_in / slag["max_share"] <= 20_000 * (1 + 1e-9)
    total = receiving_processes()["clinker"].joint_max_share * 20_000
    assert fly + slag_in == pytest.approx(min(total, max(fa["max_share"], slag["max_share"]) * 20_000))
    # Q is 4 km away, P 5 km: the nearer plant gives its fly ash first
    if fly > 0:
        assert link(plan, "Q1", "C1").quantity == pytest.approx(min(5_000, fly))
    cat1 = sum(x.avoided_scope3_cat1_tco2e for x in plan.links)
    assert cat1 == pytest.approx((fly + slag_in) * F.get("virgin_clinker").value)


def test_water_grade_mismatch() -> None:
    """Reclaimed water of washing grade (rank 3) may not feed cooling make-up (needs rank 4; the rule too), but may
    replace tap water for washing; process-grade water may feed the cooling make-up."""
    to_industrial, to_tap = rule("reclaimed_water", "industrial_water"), rule("reclaimed_water", "tap_water")
    park = park_of([["W", "WWTP", 0, 0], ["V", "WWTP 2", 0, 2], ["F", "factory", 2, 0], ["H", "hotel", 0, 1]],
                   [s("W1", "W", "output", "reclaimed_water", 100_000, "m3/a", quality="washing", baseline="discharge"),
                    s("V1", "V", "output", "reclaimed_water", 40_000, "m3/a", quality="process", baseline="discharge"),
                    s("F1", "F", "input", "industrial_water", 50_000, "m3/a", quality="cooling", baseline="tap_water"),
                    s("H1", "H", "input", "tap_water", 20_000, "m3/a", quality="washing", baseline="tap_water")])
    plan = matching.propose(park, NO_FIXED)
    assert plan.status == "optimal"
    assert {x.link_id for x in plan.links} == {"W1->H1", "V1->F1"}
    wh, vf = link(plan, "W1", "H1"), link(plan, "V1", "F1")
    assert wh.quantity == pytest.approx(20_000) and vf.quantity == pytest.approx(40_000)
    assert wh.mode == "pipe_water" and wh.distance_km == pytest.approx(1.0)
    tap = F.get("water_tap_supply").value
    pumping = F.get("water_pipe_pumping").value
    assert wh.avoided_scope3_cat1_tco2e == pytest.approx(20_000 * tap)
    assert wh.added_energy_tco2e == pytest.approx(20_000 * (to_tap["kwh"] + pumping * 1.0) * GRID_KWH)
    assert vf.added_energy_tco2e == pytest.approx(40_000 * (to_industrial["kwh"] + pumping * math.hypot(2, 2))
                                                  * GRID_KWH)
    assert wh.avoided_scope3_cat5_tco2e == 0 and any("discharge" in n for n in wh.notes)
    why = matching.explain_unmatched(park, plan, NO_FIXED).set_index("stream_id")
    assert why.loc["F1", "unmatched"] == pytest.approx(10_000)
    # washing-grade W1 could not have served F1: the grade was the reason, not the distance
    washing_only = park_of([["W", "WWTP", 0, 0], ["F", "factory", 2, 0]],
                           [s("W1", "W", "output", "reclaimed_water", 100_000, "m3/a", quality="washing"),
                            s("F1", "F", "input", "industrial_water", 50_000, "m3/a", quality="cooling",
                              baseline="tap_water")])
    empty = matching.propose(washing_only, NO_FIXED)
    assert empty.status == "empty" and not empty.links
    reasons = matching.explain_unmatched(washing_only, empty, NO_FIXED).set_index("stream_id")
    assert reasons.loc["W1", "reason"] == "quality_too_low" and reasons.loc["F1", "reason"] == "quality_needed"
    assert "rank 3" in reasons.loc["W1", "reason_en"] and "等级" in reasons.loc["W1", "reason_zh"]


def test_two_sink_heat_cascade() -> None:
    """Steam 200->100 °C (10 000 GJ, CP 100 GJ/K) serves process heat 120->140 °C (8 000 GJ) and a greenhouse
    40->80 °C (4 000 GJ) at dTmin 10 K. Only the 7 000 GJ released above 135 °C can reach the process heat; the
    rest cascades down. The greenhouse (coal boiler) is worth more per GJ than the process heat (gas boiler), so it
    is filled first (4 000), the process heat takes the remaining 6 000. A sink needing 190->195 °C is out of reach
    of 200 °C steam after dTmin."""
    enterprises = [["S", "steel", 0, 0], ["A", "chemicals", 0, 0], ["B", "greenhouse", 0, 0], ["C", "pharma", 0, 0]]
    streams = [s("S1", "S", "output", "waste_steam", 10_000, "GJ/a", 200, 100, baseline="vent"),
               s("A1", "A", "input", "process_heat", 8_000, "GJ/a", 140, 120, baseline="natural_gas_boiler"),
               s("B1", "B", "input", "greenhouse_heat", 4_000, "GJ/a", 80, 40, baseline="coal_boiler"),
               s("C1", "C", "input", "process_heat", 1_000, "GJ/a", 195, 190, baseline="natural_gas_boiler")]
    park = park_of(enterprises, streams)
    options = NO_FIXED.replace(dt_min_k=10.0)
    plan = matching.propose(park, options)
    assert plan.status == "optimal"
    gas = F.get("fuel_natural_gas").value / F.get("eff_natural_gas_boiler").value
    coal = F.get("fuel_coal").value / F.get("eff_coal_boiler").value
    a, b = link(plan, "S1", "A1"), link(plan, "S1", "B1")
    assert b.quantity == pytest.approx(4_000) and a.quantity == pytest.approx(6_000)
    assert a.avoided_scope1_tco2e == pytest.approx(6_000 * gas)
    assert b.avoided_scope1_tco2e == pytest.approx(4_000 * coal)
    assert a.temperature_supply_c == 200 and a.temperature_sink_c == 140 and a.mode == "pipe_steam"
    assert plan.heat_recovered_gj == pytest.approx(10_000)
    assert plan.objective_tco2e == pytest.approx(6_000 * gas + 4_000 * coal)
    first = "S1->B1" if 4_000 * coal > 6_000 * gas else "S1->A1"
    assert [x.rank for x in plan.links] == [1, 2] and plan.links[0].link_id == first
    why = matching.explain_unmatched(park, plan, options).set_index("stream_id")
    assert why.loc["C1", "reason"] == "temperature_too_high"
    assert "190" in why.loc["C1", "reason_en"]

    # With the process plant 1 km away, 3 %/km of the steam's heat is lost on the way.
    far = park_of([["S", "steel", 0, 0], ["A", "chemicals", 1, 0], ["B", "greenhouse", 0, 0]], streams[:3])
    lossy = matching.propose(far, options)
    delivered = 1 - 1.0 * F.get("heat_pipe_loss_steam").value
    a = link(lossy, "S1", "A1")
    assert a.quantity == pytest.approx(6_000) and a.quantity_in == pytest.approx(6_000 * delivered)
    assert a.avoided_scope1_tco2e == pytest.approx(6_000 * delivered * gas)
    assert lossy.heat_recovered_gj == pytest.approx(4_000 + 6_000 * delivered)


def test_rank_follows_net_emissions() -> None:
    park = park_of([["S", "steel", 0, 0], ["A", "chemicals", 0, 0], ["B", "greenhouse", 0, 0]],
                   [s("S1", "S", "output", "waste_steam", 10_000, "GJ/a", 200, 100, baseline="vent"),
                    s("A1", "A", "input", "process_heat", 8_000, "GJ/a", 140, 120, baseline="natural_gas_boiler"),
                    s("B1", "B", "input", "greenhouse_heat", 4_000, "GJ/a", 80, 40, baseline="coal_boiler")])
    plan = matching.propose(park, NO_FIXED.replace(dt_min_k=10.0))
    nets = [x.net_tco2e() for x in plan.links]
    assert nets == sorted(nets, reverse=True)


def _three_fly_ash_suppliers(fa_q: float = 3_000) -> tuple[object, MatchOptions]:
    park = park_of([["R", "cement", 0, 0], ["F1", "near", 2, 0], ["F2", "middle", 10, 0], ["F3", "far", 20, 0]],
                   [s("R1", "R", "input", "clinker", 10_000, "t/a", baseline="virgin"),
                    s("A1", "F1", "output", "fly_ash", fa_q, "t/a", baseline="landfill"),
                    s("A2", "F2", "output", "fly_ash", fa_q, "t/a", baseline="landfill"),
                    s("A3", "F3", "output", "fly_ash", fa_q, "t/a", baseline="landfill")])
    return park, NO_FIXED


def test_forced_and_forbidden_links() -> None:
    park, options = _three_fly_ash_suppliers()
    cap = rule("fly_ash", "clinker")["max_share"] * 10_000  # 3000 t: one supplier fills it
    best = matching.propose(park, options)
    assert [x.link_id for x in best.links] == ["A1->R1"] and best.links[0].quantity == pytest.approx(cap)

    no_near = matching.propose(park, options.replace(forbidden=(LinkSelector.parse("F1->R"),)))
    assert [x.link_id for x in no_near.links] == ["A2->R1"]
    assert matching.explain_unmatched(park, no_near, options.replace(
        forbidden=(LinkSelector.parse("F1->R"),))).set_index("stream_id").loc["A1", "reason"] == "forbidden"

    forced = matching.propose(park, options.replace(forced=(LinkSelector.parse("F3->R:fly_ash"),)))
    assert forced.status == "optimal"
    far = link(forced, "A3", "R1")
    assert far.forced and far.quantity == pytest.approx(100.0)  # the minimum link size, no more: it is the worst
    assert link(forced, "A1", "R1").quantity == pytest.approx(cap - 100.0)
    check_balances(park, forced)


def test_conflicting_forced_links_are_named() -> None:
    """F1 has 150 t; forcing it to two cement plants at >= 100 t each is impossible. A third forced link that
    is fine on its own is not blamed."""
    park = park_of([["R", "cement", 0, 0], ["T", "cement 2", 1, 0], ["F1", "small", 2, 0], ["F2", "other", 3, 0]],
                   [s("R1", "R", "input", "clinker", 10_000, "t/a", baseline="virgin"),
                    s("T1", "T", "input", "clinker", 10_000, "t/a", baseline="virgin"),
                    s("A1", "F1", "output", "fly_ash", 150, "t/a", baseline="landfill"),
                    s("A2", "F2", "output", "fly_ash", 3_000, "t/a", baseline="landfill")])
    forced = tuple(LinkSelector.parse(t) for t in ("F1->R", "F1->T", "F2->R"))
    plan = matching.propose(park, NO_FIXED.replace(forced=forced))
    assert plan.status == "infeasible" and not plan.links
    text = " ".join(plan.messages)
    assert "supplier_id=F1, receiver_id=R" in text and "supplier_id=F1, receiver_id=T" in text
    assert "supplier_id=F2" not in text
    assert "冲突" in " ".join(plan.messages_zh)


def test_forced_link_with_no_candidate_is_explained() -> None:
    park, options = _three_fly_ash_suppliers()
    plan = matching.propose(park, options.replace(forced=(LinkSelector.parse("R->F1"),)))
    assert plan.status == "infeasible"
    assert "matches no candidate" in plan.messages[-1]
    small = matching.propose(park, options.replace(forced=(LinkSelector.parse("F2->R"),),
                                                   min_link_quantity={"solid": 5_000.0}))
    assert small.status == "infeasible" and "below the minimum link size" in small.messages[-1]


def test_distance_cut_and_reach_override() -> None:
    park = park_of([["P", "power", 0, 0], ["C", "cement", 36, 48]],
                   [s("P1", "P", "output", "fly_ash", 1_000, "t/a", baseline="landfill"),
                    s("C1", "C", "input", "clinker", 20_000, "t/a", baseline="virgin")])
    plan = matching.propose(park, NO_FIXED)
    assert plan.status == "empty" and not plan.links
    why = matching.explain_unmatched(park, plan, NO_FIXED).set_index("stream_id")
    assert why.loc["P1", "reason"] == "too_far"
    assert why.loc["P1", "distance_km"] == pytest.approx(60.0) and why.loc["P1", "reach_km"] == 50.0
    assert "60.00 km" in why.loc["P1", "reason_en"] and "50 km" in why.loc["P1", "reason_en"]
    farther = NO_FIXED.replace(reach_km={"truck": 70.0})
    plan = matching.propose(park, farther)
    x = link(plan, "P1", "C1")
    assert x.distance_km == pytest.approx(60.0)
    assert x.added_transport_tco2e == pytest.approx(1_000 * 60.0 * TRUCK)
    # park.toml sets the reach too, and the option still wins over it
    toml = 'name = "t"\n[reach_km]\ntruck = 65\n'
    in_toml = park_of([["P", "power", 0, 0], ["C", "cement", 36, 48]],
                      [s("P1", "P", "output", "fly_ash", 1_000, "t/a", baseline="landfill"),
                       s("C1", "C", "input", "clinker", 20_000, "t/a", baseline="virgin")], park_toml=toml)
    assert len(matching.propose(in_toml, NO_FIXED).links) == 1
    assert not matching.propose(in_toml, NO_FIXED.replace(reach_km={"truck": 55.0})).links


def test_hazardous_waste_only_where_a_rule_allows_it_and_always_flagged() -> None:
    park = park_of([["A", "workshop", 0, 0], ["B", "lube blender", 1, 0], ["C", "cement", 0, 1]],
                   [s("A1", "A", "output", "waste_oil", 100, "t/a", baseline="hazardous_treatment", hw="HW08"),
                    s("B1", "B", "input", "lubricating_oil", 500, "t/a", baseline="virgin"),
                    s("A2", "A", "output", "fly_ash", 1_000, "t/a", baseline="landfill", hw="HW18"),
                    s("C1", "C", "input", "clinker", 20_000, "t/a", baseline="virgin")])
    plan = matching.propose(park, NO_FIXED)
    oil = link(plan, "A1", "B1")
    assert oil.hazardous_code == "HW08" and oil.rule_id == rule("waste_oil", "lubricating_oil")["rule_id"]
    assert oil.avoided_scope3_cat5_tco2e == pytest.approx(100 * F.get("disposal_hazardous_treatment").value)
    assert all(x.supplier_stream_id != "A2" for x in plan.links)
    why = matching.explain_unmatched(park, plan, NO_FIXED).set_index("stream_id")
    assert why.loc["A2", "reason"] == "hazardous"


def test_existing_exchanges_are_subtracted_first() -> None:
    """4 000 t of P's 10 000 t fly ash already go to C's clinker under the fly-ash rule: P has 6 000 t left, and
    the rule's cap on C's 40 000 t leaves room for cap x 40 000 - 4 000 t more."""
    exchanges = "supplier_id,receiver_id,material,quantity,unit\nP,C,fly_ash,4000,t/a\n"
    park = park_of([["P", "power", 0, 0], ["C", "cement", 3, 4]],
                   [s("P1", "P", "output", "fly_ash", 10_000, "t/a", baseline="landfill"),
                    s("C1", "C", "input", "clinker", 40_000, "t/a", baseline="virgin")], exchanges=exchanges)
    plan = matching.propose(park, NO_FIXED)
    room = rule("fly_ash", "clinker")["max_share"] * 40_000 - 4_000
    assert 0 < room < 6_000
    assert link(plan, "P1", "C1").quantity == pytest.approx(room)


def test_an_existing_exchange_comes_off_the_input_it_replaces_best() -> None:
    """C buys clay (listed first) and clinker; P already gives it 4 000 t fly ash. Fly ash replacing clinker avoids
    far more per tonne than replacing clay, so the exchange is taken off the clinker (not the first input in ledger
    order): the clinker cap has 30 % x 20 000 - 4 000 = 2 000 t left, the clay cap all its 50 % x 20 000."""
    to_clinker, to_clay = rule("fly_ash", "clinker"), rule("fly_ash", "clay")
    assert F.get("virgin_clinker").value * to_clinker["ratio"] > F.get("virgin_clay").value * to_clay["ratio"]
    exchanges = "supplier_id,receiver_id,material,quantity,unit\nP,C,fly_ash,4000,t/a\n"
    park = park_of([["P", "power", 0, 0], ["Q", "power 2", 0, 3], ["C", "cement", 3, 4]],
                   [s("P1", "P", "output", "fly_ash", 10_000, "t/a", baseline="landfill"),
                    s("Q1", "Q", "output", "fly_ash", 100_000, "t/a", baseline="landfill"),
                    s("C1", "C", "input", "clay", 20_000, "t/a", baseline="virgin"),
                    s("C2", "C", "input", "clinker", 20_000, "t/a", baseline="virgin")], exchanges=exchanges)
    model = matching.build_model(park, NO_FIXED)
    available = model.ctx.streams["available"]
    assert available["C2"] == pytest.approx(16_000) and available["C1"] == pytest.approx(20_000)
    assert available["P1"] == pytest.approx(6_000)
    assert model.ctx.existing_rule_use == {("C2", to_clinker["rule_id"]): pytest.approx(4_000)}
    plan = matching.propose(park, NO_FIXED)
    into = {sid: sum(x.quantity_in for x in plan.links if x.receiver_stream_id == sid) for sid in ("C1", "C2")}
    assert into["C2"] == pytest.approx(to_clinker["max_share"] * 20_000 - 4_000)
    assert into["C1"] == pytest.approx(to_clay["max_share"] * 20_000)


def test_an_existing_exchange_larger_than_the_best_input_spills_to_the_next() -> None:
    """Only 3 000 t of clinker: 3 000 t of the 4 000 t exchange come off it, the other 1 000 t off the clay."""
    to_clinker, to_clay = rule("fly_ash", "clinker"), rule("fly_ash", "clay")
    exchanges = "supplier_id,receiver_id,material,quantity,unit\nP,C,fly_ash,4000,t/a\n"
    park = park_of([["P", "power", 0, 0], ["C", "cement", 3, 4]],
                   [s("P1", "P", "output", "fly_ash", 10_000, "t/a", baseline="landfill"),
                    s("C1", "C", "input", "clay", 20_000, "t/a", baseline="virgin"),
                    s("C2", "C", "input", "clinker", 3_000, "t/a", baseline="virgin")], exchanges=exchanges)
    ctx = matching.build_model(park, NO_FIXED).ctx
    assert ctx.streams["available"]["C2"] == pytest.approx(0.0)
    assert ctx.streams["available"]["C1"] == pytest.approx(20_000 - 1_000 * to_clay["ratio"])
    assert ctx.existing_rule_use == {("C2", to_clinker["rule_id"]): pytest.approx(3_000),
                                     ("C1", to_clay["rule_id"]): pytest.approx(1_000 * to_clay["ratio"])}


def test_cap_on_links_per_enterprise() -> None:
    park = park_of([["R", "cement", 0, 0], ["F1", "a", 1, 0], ["F2", "b", 2, 0], ["F3", "c", 3, 0]],
                   [s("R1", "R", "input", "clinker", 100_000, "t/a", baseline="virgin"),
                    s("A1", "F1", "output", "fly_ash", 1_000, "t/a", baseline="landfill"),
                    s("A2", "F2", "output", "fly_ash", 1_000, "t/a", baseline="landfill"),
                    s("A3", "F3", "output", "fly_ash", 1_000, "t/a", baseline="landfill")])
    assert len(matching.propose(park, NO_FIXED).links) == 3
    capped = matching.propose(park, NO_FIXED.replace(max_links_per_enterprise=2))
    assert sorted(x.link_id for x in capped.links) == ["A1->R1", "A2->R1"]
    why = matching.explain_unmatched(park, capped, NO_FIXED.replace(max_links_per_enterprise=2))
    assert why.set_index("stream_id").loc["A3", "reason"] == "link_cap"


def test_decomposition_gives_the_same_plan_as_one_model() -> None:
    park = park_of([["P", "power", 0, 0], ["C", "cement", 3, 4], ["Q", "power 2", 100, 100], ["D", "cement 2", 101, 100]],
                   [s("P1", "P", "output", "fly_ash", 10_000, "t/a", baseline="landfill"),
                    s("C1", "C", "input", "clinker", 20_000, "t/a", baseline="virgin"),
                    s("Q1", "Q", "output", "bf_slag", 10_000, "t/a", baseline="landfill"),
                    s("D1", "D", "input", "cement", 20_000, "t/a", baseline="virgin")])
    split = matching.propose(park, NO_FIXED)
    whole = matching.propose(park, NO_FIXED.replace(decompose=False))
    assert split.subproblems == 2 and whole.subproblems == 1
    assert split.objective_tco2e == pytest.approx(whole.objective_tco2e)
    assert {x.link_id for x in split.links} == {x.link_id for x in whole.links}
    check_gap(split)


def test_cbc_fallback_agrees_with_highs() -> None:
    park = park_of([["P", "power", 0, 0], ["C", "cement", 3, 4], ["S", "steel", 0, 3]],
                   [s("P1", "P", "output", "fly_ash", 10_000, "t/a", baseline="landfill"),
                    s("S1", "S", "output", "bf_slag", 30_000, "t/a", baseline="landfill"),
                    s("S2", "S", "output", "waste_steam", 10_000, "GJ/a", 200, 100, baseline="vent"),
                    s("C2", "C", "input", "process_heat", 8_000, "GJ/a", 140, 120, baseline="natural_gas_boiler"),
                    s("C1", "C", "input", "clinker", 20_000, "t/a", baseline="virgin")])
    highs = matching.propose(park, NO_FIXED)
    cbc = matching.propose(park, NO_FIXED.replace(solver="cbc"))
    assert highs.solver == "highs" and cbc.solver == "cbc"
    assert cbc.status == "optimal"
    assert cbc.objective_tco2e == pytest.approx(highs.objective_tco2e, rel=1e-6)
    check_gap(cbc)


def test_cost_objective_and_cost_per_tonne() -> None:
    park = park_of([["P", "power", 0, 0], ["C", "cement", 3, 4]],
                   [s("P1", "P", "output", "fly_ash", 10_000, "t/a", baseline="landfill", price=30),
                    s("C1", "C", "input", "clinker", 20_000, "t/a", baseline="virgin", price=300)])
    options = NO_FIXED.replace(objective="cost", carbon_price=0.0,
                               economics={"handling_truck": 50_000.0, "truck_cny_per_tkm": 0.5})
    plan = matching.propose(park, options)
    x = plan.links[0]
    q = rule("fly_ash", "clinker")["max_share"] * 20_000  # the cap binds
    # the economics rule: contract and handling + freight - disposal fee - clinker bought (no pre-treatment)
    cost = 50_000 + q * (0.5 * 5.0 - 30 - 300 * rule("fly_ash", "clinker")["ratio"])
    assert x.quantity == pytest.approx(q) and x.annual_cost_cny == pytest.approx(cost)
    assert plan.objective_unit == "CNY/a" and plan.objective_value == pytest.approx(-cost)
    assert x.cost_per_tco2e == pytest.approx(cost / x.net_tco2e())
    assert plan.objective_tco2e == pytest.approx(x.net_tco2e()) and plan.bound_tco2e is None
    # an expensive contract with no carbon price: nothing is worth doing
    dear = matching.propose(park, options.replace(economics={"handling_truck": 5e6}))
    assert dear.status == "empty" and not dear.links


def test_tradeoff_curve_runs_from_cheapest_to_greenest() -> None:
    park, options = _three_fly_ash_suppliers()
    curve = matching.tradeoff_curve(park, options.replace(economics={"handling_truck": 20_000.0}), points=4)
    assert list(curve.columns) == ["epsilon_cost_cny", "net_tco2e", "annual_cost_cny", "capex_cny", "links",
                                   "status", "gap", "option_changes", "options"]
    assert (curve["annual_cost_cny"] <= curve["epsilon_cost_cny"] + 1e-6).all()
    assert curve["net_tco2e"].is_monotonic_increasing


def test_next_best_alternatives_differ_in_their_links() -> None:
    park, options = _three_fly_ash_suppliers()
    plans = matching.alternatives(park, options, 3)
    assert len(plans) == 3
    sets = [frozenset(x.link_id for x in p.links) for p in plans]
    # each gives up a link of every plan before it: the near plant, then the middle one
    assert sets == [{"A1->R1"}, {"A2->R1"}, {"A3->R1"}]
    objectives = [p.objective_tco2e for p in plans]
    assert objectives == sorted(objectives, reverse=True) and objectives[0] > objectives[1] > objectives[2]
    assert all(p.status == "optimal" for p in plans)


def test_plan_json_round_trip() -> None:
    park, options = _three_fly_ash_suppliers()
    plan = matching.propose(park, options)
    again = Plan.from_json_dict(plan.to_json_dict())
    assert again == plan
    data = plan.to_json_dict()
    for key in ("status", "objective_tco2e", "bound_tco2e", "gap", "build_seconds", "solve_seconds",
                "heat_recovered_gj", "links"):
        assert key in data
    for key in ("supplier_id", "receiver_id", "material_out", "material_in", "quantity", "unit", "distance_km",
                "temperature_supply_c", "temperature_sink_c", "avoided_scope1_tco2e", "avoided_scope2_tco2e",
                "avoided_scope3_tco2e", "added_tco2e", "net_tco2e", "rank"):
        assert key in data["links"][0]


def test_bad_options_are_refused_with_a_clear_error() -> None:
    park, _ = _three_fly_ash_suppliers()
    with pytest.raises(matching.OptionsError, match="reach_km"):
        matching.propose(park, MatchOptions(reach_km={"rocket": 5.0}))
    with pytest.raises(matching.OptionsError, match="objective"):
        matching.propose(park, MatchOptions(objective="profit"))  # type: ignore[arg-type]
    with pytest.raises(matching.OptionsError):
        LinkSelector.parse("nonsense")
