"""Issue 16, the model: one cost rule for the MILP and the economics, and the objectives a planner asks for.

Tiny hand-computed parks where each objective picks a different, predictable set of links: three carbide-slag
suppliers 1, 2 and 3 km from one lime user (pre-treatment investment 100 CNY per t/a, no other investment), whose
landfill fees differ. Their net avoided emissions per tonne are nearly equal (transport differs), their costs are
not: the budget picks by tonnes (the nearest first), the least cost for a target by cost (the highest fee first),
the NPV at a carbon price the links whose carbon value exceeds their cost. Every economic row the hand figures use
is set by the run's option `economics`, so a change of datasets/economics.csv does not change these tests.
"""

from __future__ import annotations

import itertools
import math

import pytest
from park_builders import csv_text

import matching
from matching import MatchOptions
from matching.options import DEFAULTS, MODEL_FIELDS, OBJECTIVES, OPTION_DOCS, model_key, resolve
from symbiosis.core.datasets import demo_park_path
from symbiosis.core.economics import annuity_factor, capital_recovery_factor, plan_economics
from symbiosis.core.loader import load_files, load_park
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan

REL = 1e-9
ENT = ["enterprise_id", "name", "x_km", "y_km"]
HEADER = ["stream_id", "enterprise_id", "direction", "material", "quantity", "unit", "baseline", "price_cny_per_unit"]
# the rows the hand figures use, set for the run (not read from datasets/economics.csv)
ROWS = {"discount_rate": 0.08, "lifetime_years": 25.0, "pretreatment_capex_per_t_a": 100.0,
        "maintenance_share_equipment": 0.03, "truck_cny_per_tkm": 0.5, "handling_truck": 20_000.0,
        "electricity_cny_per_kwh": 0.7}
CRF = 0.08 * 1.08 ** 25 / (1.08 ** 25 - 1)
AF = 1 / CRF
KWH_PER_T = 10.0  # sub_014 carbide slag -> limestone: pre-treatment by the supplier, substitutions.csv
DISTANCE = {"A1": 1.0, "B1": 3.0, "C1": 2.0}
FEE = {"A1": 0.0, "B1": 15.0, "C1": 8.0}  # landfill fee saved, CNY/t (the suppliers' ledger)
Q = 10_000.0  # t/a of carbide slag at each supplier
BASE = MatchOptions(time_limit=math.inf, min_link_tco2e=0.0, economics=ROWS)


def slag_park() -> Park:
    """A lime user R (limestone bought at 0 CNY/t in its ledger: no purchase saved, so every link costs money) and
    three carbide-slag suppliers A (1 km, no fee), B (3 km, 15 CNY/t), C (2 km, 8 CNY/t)."""
    ents = [["R", "lime user", 0, 0], ["A", "near", 1, 0], ["B", "far", 0, 3], ["C", "middle", -2, 0]]
    rows = [["R1", "R", "input", "limestone", 1_000_000, "t/a", "virgin", 0],
            *[[sid, sid[0], "output", "carbide_slag", Q, "t/a", "landfill", FEE[sid]] for sid in FEE]]
    return load_files({"enterprises.csv": csv_text(ENT, ents).encode("utf-8"),
                       "streams.csv": csv_text(HEADER, rows).encode("utf-8")}, source="test")


def per_tonne(sid: str) -> float:
    """The hand figure: annual net cost per t of slag = pre-treatment investment x CRF + its maintenance + its
    electricity + freight - the landfill fee (no limestone purchase saved at a ledger price of 0)."""
    return 100 * CRF + 0.03 * 100 + 0.7 * KWH_PER_T + 0.5 * DISTANCE[sid] - FEE[sid]


def hand_cost(sid: str, q: float) -> float:
    return 20_000 + per_tonne(sid) * q


def flows(plan: Plan) -> dict[str, float]:
    return {x.supplier_stream_id: x.quantity for x in plan.links}


def net_per_t(plan: Plan) -> dict[str, float]:
    return {x.supplier_stream_id: x.net_tco2e() / x.quantity for x in plan.links}


@pytest.fixture(scope="module")
def park() -> Park:
    return slag_park()


@pytest.fixture(scope="module")
def greenest(park: Park) -> Plan:
    plan = matching.propose(park, BASE)
    assert plan.status == "optimal" and flows(plan) == {"A1": Q, "B1": Q, "C1": Q}
    return plan


# --- one cost rule --------------------------------------------------------------------------------------------------
def test_the_models_annual_cost_is_the_economics_and_the_hand_figure(park: Park, greenest: Plan) -> None:
    rows = plan_economics(greenest, park)
    for link, e in zip(greenest.links, rows, strict=True):
        sid = link.supplier_stream_id
        assert link.annual_cost_cny == pytest.approx(e.annual_net_cost_cny, rel=REL)
        assert link.annual_cost_cny == pytest.approx(hand_cost(sid, Q), rel=REL)
        assert e.capex_cny == pytest.approx(100 * Q, rel=REL)
    assert greenest.annual_cost_cny == pytest.approx(sum(hand_cost(s, Q) for s in FEE), rel=REL)


def test_a_pipe_below_its_capacity_costs_the_tangent_at_its_capacity_in_both_layers() -> None:
    """A hot-water pipe held below its capacity by a budget: the pipe's sized cost f(D) = row x km x (MW(D) /
    basis) ^ 0.6 at the capacity D, as fixed (1 - 0.6) f(D) plus 0.6 f(D) / D per GJ; the exchanger per MW of the
    flow. The model's annual cost of the link equals the economics', which equals this hand figure."""
    header = ["stream_id", "enterprise_id", "direction", "material", "quantity", "unit", "temperature_c",
              "temperature_return_c", "baseline", "price_cny_per_unit"]
    rows = [["S1", "S", "output", "hot_water_heat", 100000, "GJ/a", 90, 40, "discharge", ""],
            ["R1", "R", "input", "space_heating", 80000, "GJ/a", 60, 40, "natural_gas_boiler", 110]]
    p = load_files({"enterprises.csv": csv_text(ENT, [["S", "s", 0, 0], ["R", "r", 0.6, 0.8]]).encode("utf-8"),
                    "streams.csv": csv_text(header, rows).encode("utf-8")}, source="test")
    pipe_rows = {"pipe_capex_hot_water": 3_000_000.0, "pipe_size_exponent": 0.6, "hx_capex_per_kw": 300.0,
                 "maintenance_share_pipe": 0.01, "maintenance_share_equipment": 0.03, "contract_pipe": 10_000.0,
                 "operating_hours": 8000.0, "discount_rate": 0.08, "lifetime_years": 25.0}
    options = MatchOptions(time_limit=math.inf, min_link_tco2e=0.0, economics=pipe_rows)
    full = matching.propose(p, options)
    design = full.links[0].quantity  # at full flow the link carries its capacity
    assert full.links[0].design_quantity == pytest.approx(design, rel=REL)
    delivered = full.links[0].quantity_in / design
    mw_per_gj = delivered / 3.6 / 8000
    f_design = 3_000_000 * 1.0 * (mw_per_gj * design / 4.25) ** 0.6
    hx_per_gj = 300 * 1000 * mw_per_gj
    budget = 0.8 * (f_design + hx_per_gj * design)
    plan = matching.propose(p, options.replace(budget_capex_cny=budget))
    assert plan.status == "optimal"
    link = plan.links[0]
    q = (budget - 0.4 * f_design) / (0.6 * f_design / design + hx_per_gj)  # the budget binds
    assert link.quantity == pytest.approx(q, rel=1e-7) and link.quantity < design
    assert link.design_quantity == pytest.approx(design, rel=REL)
    e = plan_economics(plan, p)[0]
    pipe = 0.4 * f_design + 0.6 * f_design * q / design
    assert e.capex_pipe_cny == pytest.approx(pipe, rel=1e-7)
    assert e.capex_cny == pytest.approx(budget, rel=1e-7)
    cost = (pipe + hx_per_gj * q) * CRF + 0.01 * pipe + 0.03 * hx_per_gj * q + 10_000 - 110 * delivered * q
    assert link.annual_cost_cny == pytest.approx(e.annual_net_cost_cny, rel=REL)
    assert e.annual_net_cost_cny == pytest.approx(cost, rel=1e-7)


def test_the_demo_plan_costs_the_same_in_the_model_and_the_economics() -> None:
    demo = load_park(demo_park_path())
    plan = matching.propose(demo)
    assert plan.status == "optimal" and plan.links
    rows = plan_economics(plan, demo)
    for link, e in zip(plan.links, rows, strict=True):
        assert link.annual_cost_cny == pytest.approx(e.annual_net_cost_cny, rel=1e-9, abs=1e-6), link.link_id
        assert link.design_quantity is not None and link.quantity <= link.design_quantity * (1 + 1e-9)
    assert plan.annual_cost_cny == pytest.approx(sum(e.annual_net_cost_cny for e in rows), rel=1e-9)


# --- the objectives -----------------------------------------------------------------------------------------------
def test_most_tonnes_within_a_budget_takes_the_nearest_first(park: Park, greenest: Plan) -> None:
    """Budget 1.5 M CNY = 15 000 t/a of pre-treatment: the nearest supplier A in full (least freight emissions),
    then C (2 km) for the 5 000 t left; B (3 km) not at all."""
    plan = matching.propose(park, BASE.replace(budget_capex_cny=1_500_000.0))
    assert plan.status == "optimal" and plan.gap is not None and plan.gap <= 1e-6
    assert flows(plan) == pytest.approx({"A1": Q, "C1": 5_000.0}, rel=1e-7)
    assert sum(e.capex_cny for e in plan_economics(plan, park)) == pytest.approx(1_500_000.0, rel=1e-7)
    per_t = net_per_t(greenest)
    assert plan.net_tco2e == pytest.approx(Q * per_t["A1"] + 5_000 * per_t["C1"], rel=1e-7)
    assert plan.objective_unit == "tCO2e/a" and plan.objective_value == pytest.approx(plan.net_tco2e, rel=1e-7)
    assert plan.options["budget_capex_cny"] == 1_500_000.0


def test_least_cost_for_a_target_takes_the_cheapest_first(park: Park, greenest: Plan) -> None:
    """5 000 tCO2e/a at least cost: B in full (the highest fee saved: cheapest per tonne), then C for the rest; A
    (no fee) not at all. The plan's objective is its annual net cost, reported as a cost (CNY/a)."""
    per_t = net_per_t(greenest)
    assert per_tonne("B1") < per_tonne("C1") < per_tonne("A1")
    plan = matching.propose(park, BASE.replace(objective="least_cost", target_tco2e=5_000.0))
    assert plan.status == "optimal" and plan.gap is not None and plan.gap <= 1e-6
    c_flow = (5_000.0 - Q * per_t["B1"]) / per_t["C1"]
    assert flows(plan) == pytest.approx({"B1": Q, "C1": c_flow}, rel=1e-7)
    assert plan.net_tco2e == pytest.approx(5_000.0, rel=1e-7)
    cost = hand_cost("B1", Q) + hand_cost("C1", c_flow)
    assert plan.objective_unit == "CNY/a" and plan.objective_sense == "least_cost"
    assert plan.objective_value == pytest.approx(cost, rel=1e-7) and plan.annual_cost_cny == pytest.approx(cost, rel=1e-7)
    assert plan.bound_value is not None and plan.bound_value <= plan.objective_value * (1 + 1e-6)


def test_npv_at_a_carbon_price_keeps_the_links_that_earn_and_drops_the_one_that_loses(park: Park,
                                                                                    greenest: Plan) -> None:
    """At 50 CNY/tCO2e the carbon value of B and C exceeds their cost, A's does not (it needs about 58.5): the NPV
    objective builds B and C; its value is sum AF x (carbon value - annual net cost) = sum NPV + AF x carbon value."""
    price = 50.0
    per_t = net_per_t(greenest)
    value = {s: AF * (price * per_t[s] * Q - hand_cost(s, Q)) for s in FEE}
    assert value["B1"] > 0 and value["C1"] > 0 > value["A1"]
    plan = matching.propose(park, BASE.replace(objective="npv", carbon_price=price))
    assert plan.status == "optimal" and plan.gap is not None and plan.gap <= 1e-6
    assert flows(plan) == pytest.approx({"B1": Q, "C1": Q}, rel=1e-9)
    assert plan.objective_unit == "CNY" and plan.objective_value == pytest.approx(value["B1"] + value["C1"], rel=1e-7)
    rows = plan_economics(plan, park)
    assert plan.objective_value == pytest.approx(sum(e.npv_cny + AF * price * e.net_tco2e for e in rows), rel=1e-7)
    assert annuity_factor(0.08, 25) == pytest.approx(1 / capital_recovery_factor(0.08, 25), rel=REL)
    # the objective 'cost' is the same objective per year: the same links
    assert flows(matching.propose(park, BASE.replace(objective="cost", carbon_price=price))) == flows(plan)


def test_an_unreachable_target_says_how_much_can_be_avoided(park: Park, greenest: Plan) -> None:
    plan = matching.propose(park, BASE.replace(objective="least_cost", target_tco2e=20_000.0))
    assert plan.status == "infeasible" and not plan.links
    most = f"{greenest.net_tco2e:,.1f}"
    assert any("20,000.0 tCO2e/a" in m and f"at most {most} tCO2e/a" in m for m in plan.messages), plan.messages
    assert any("无法达到" in m and f"最多可净减排 {most} tCO2e/a" in m for m in plan.messages_zh), plan.messages_zh
    # with a budget the most is the budget's
    within = matching.propose(park, BASE.replace(objective="least_cost", target_tco2e=20_000.0,
                                                 budget_capex_cny=1_500_000.0))
    budget_most = matching.propose(park, BASE.replace(budget_capex_cny=1_500_000.0)).net_tco2e
    assert any(f"at most {budget_most:,.1f} tCO2e/a" in m and "within the investment budget" in m
               for m in within.messages), within.messages


def test_a_target_within_reach_of_an_emissions_plan_is_met() -> None:
    p = slag_park()
    plan = matching.propose(p, BASE.replace(target_tco2e=1_000.0))  # the objective emissions: all three anyway
    assert plan.status == "optimal" and plan.net_tco2e >= 1_000.0 and len(plan.links) == 3


# --- options: one place ---------------------------------------------------------------------------------------------
def test_the_new_options_are_in_the_one_table_and_the_model_key() -> None:
    from symbiosis.cli import build_parser
    from symbiosis.commands import match as command

    assert command.OBJECTIVES is OBJECTIVES  # one tuple, taken from matching.options
    for name in ("budget_capex_cny", "target_tco2e"):
        assert name in DEFAULTS and name in OPTION_DOCS and name in MODEL_FIELDS
    park = slag_park()
    plain = resolve(park, BASE)
    assert model_key(plain) != model_key(resolve(park, BASE.replace(budget_capex_cny=1.0)))
    assert model_key(plain) != model_key(resolve(park, BASE.replace(target_tco2e=1.0)))
    # the carbon price shapes the npv objective: a new price is a new model
    npv = BASE.replace(objective="npv")
    assert model_key(resolve(park, npv)) != model_key(resolve(park, npv.replace(carbon_price=1.0)))
    parser, _ = build_parser()
    args = parser.parse_args(["match", "x", "--objective", "least_cost", "--target-tco2e", "500",
                              "--budget-capex", "1e6", "--economics", "discount_rate=0.06"])
    options = command.options_from_args(args)
    assert (options.objective, options.target_tco2e, options.budget_capex_cny, options.economics) == \
        ("least_cost", 500.0, 1e6, {"discount_rate": 0.06})


def test_a_prepared_session_resolves_again_when_the_budget_changes() -> None:
    from symbiosis.session import Session

    session = Session(slag_park())
    free = session.plan(BASE)
    held = session.plan(BASE.replace(budget_capex_cny=1_500_000.0))
    assert len(free.links) == 3 and flows(held) == pytest.approx({"A1": Q, "C1": 5_000.0}, rel=1e-7)
    assert session.counts()["candidates"] == 1  # the candidate links are shared; only the model is new


def test_bad_economics_rows_and_retired_cost_options_are_refused_clearly() -> None:
    park = slag_park()
    with pytest.raises(matching.OptionsError, match=r"unknown row id.*pipe_capex_hot_waterr"):
        resolve(park, BASE.replace(economics={"pipe_capex_hot_waterr": 1.0}))
    with pytest.raises(matching.OptionsError, match="finite"):
        resolve(park, BASE.replace(economics={"discount_rate": math.inf}))
    toml = b'[options]\nfixed_cost_cny = { truck = 1 }\n'
    old = load_files({"enterprises.csv": csv_text(ENT, [["R", "r", 0, 0]]).encode("utf-8"),
                      "streams.csv": csv_text(HEADER, [["R1", "R", "input", "limestone", 1, "t/a", "virgin", 0]])
                      .encode("utf-8"), "park.toml": toml}, source="test")
    with pytest.raises(matching.OptionsError, match="handling_truck"):
        resolve(old, None)


def test_the_electricity_price_is_the_economics_row_unless_set() -> None:
    park = slag_park()
    assert resolve(park, MatchOptions(economics={"electricity_cny_per_kwh": 0.9})).electricity_cny_per_kwh == 0.9
    assert resolve(park, MatchOptions(electricity_cny_per_kwh=0.5)).electricity_cny_per_kwh == 0.5


# --- the trade-off curve ----------------------------------------------------------------------------------------------
def test_tradeoff_points_carry_what_a_chart_needs_and_reopen_as_their_plan(park: Park) -> None:
    curve = matching.tradeoff_curve(park, BASE, points=4)
    assert len(curve) == 4 and (curve["status"] == "optimal").all()
    assert curve["net_tco2e"].is_monotonic_increasing and curve["epsilon_cost_cny"].is_monotonic_increasing
    assert (curve["annual_cost_cny"] <= curve["epsilon_cost_cny"] + 1e-6 * curve["epsilon_cost_cny"].abs()).all()
    row = curve.iloc[2]
    again = matching.propose(park, row["options"])
    assert again.net_tco2e == pytest.approx(row["net_tco2e"], rel=1e-7)
    assert again.annual_cost_cny == pytest.approx(row["annual_cost_cny"], rel=1e-7)
    assert matching.propose(park, BASE.replace(**row["option_changes"])).net_tco2e == pytest.approx(row["net_tco2e"],
                                                                                                    rel=1e-7)
    assert row["capex_cny"] == pytest.approx(sum(e.capex_cny for e in plan_economics(again, park)), rel=1e-9)
    # the ends: the cheapest plan builds nothing (every link costs money), the last point is the greenest plan
    assert curve["links"].iloc[0] == 0 and curve["net_tco2e"].iloc[-1] == pytest.approx(
        matching.propose(park, BASE).net_tco2e, rel=1e-7)


def slag_park_with(toml: str) -> Park:
    """The slag park with a park.toml."""
    ents = [["R", "lime user", 0, 0], ["A", "near", 1, 0], ["B", "far", 0, 3], ["C", "middle", -2, 0]]
    rows = [["R1", "R", "input", "limestone", 1_000_000, "t/a", "virgin", 0],
            *[[sid, sid[0], "output", "carbide_slag", Q, "t/a", "landfill", FEE[sid]] for sid in FEE]]
    return load_files({"enterprises.csv": csv_text(ENT, ents).encode("utf-8"),
                       "streams.csv": csv_text(HEADER, rows).encode("utf-8"),
                       "park.toml": toml.encode("utf-8")}, source="test")


def test_a_park_toml_target_does_not_move_the_curve_and_each_point_reopens(park: Park, greenest: Plan) -> None:
    """park.toml [options] target_tco2e: the curve is still the most tonnes at each cost from the cheapest plan
    (nothing built) to the greenest; each point's option_changes unset the park's target ("none") and, on the park,
    give the point's plan, as a scenario's [options] would (matching.scenario_options)."""
    from symbiosis.core.scenario import Scenario

    target = round(greenest.net_tco2e / 2)
    targeted = slag_park_with(f"[options]\ntarget_tco2e = {target}\n")
    assert resolve(targeted, BASE).target_tco2e == target
    plain = matching.tradeoff_curve(park, BASE, points=3)
    curve = matching.tradeoff_curve(targeted, BASE, points=3)
    assert (curve["status"] == "optimal").all() and curve["links"].iloc[0] == 0
    assert curve["net_tco2e"].to_list() == pytest.approx(plain["net_tco2e"].to_list(), rel=1e-7)
    assert curve["annual_cost_cny"].to_list() == pytest.approx(plain["annual_cost_cny"].to_list(), rel=1e-7)
    for _, row in curve.iterrows():
        assert row["option_changes"]["target_tco2e"] == "none"
        for options in (row["options"], BASE.replace(**row["option_changes"]),
                        matching.scenario_options(Scenario(name="point", options={
                            **{k: getattr(BASE, k) for k in ("time_limit", "min_link_tco2e", "economics")},
                            **row["option_changes"]}))):
            again = matching.propose(targeted, options)
            assert again.status == "optimal"
            assert again.net_tco2e == pytest.approx(row["net_tco2e"], rel=1e-7, abs=1e-6)
            assert again.annual_cost_cny == pytest.approx(row["annual_cost_cny"], rel=1e-7, abs=1e-6)


def test_none_unsets_a_park_toml_cap_or_target() -> None:
    capped = slag_park_with("[options]\ntarget_tco2e = 5\nbudget_capex_cny = 7\nepsilon_cost = 9\n")
    held = resolve(capped, BASE)
    assert (held.target_tco2e, held.budget_capex_cny, held.epsilon_cost) == (5.0, 7.0, 9.0)
    cleared = resolve(capped, BASE.replace(target_tco2e="none", budget_capex_cny="none", epsilon_cost="none"))
    assert (cleared.target_tco2e, cleared.budget_capex_cny, cleared.epsilon_cost) == (None, None, None)
    in_toml = slag_park_with('[options]\ntarget_tco2e = "none"\n')
    assert resolve(in_toml, BASE).target_tco2e is None


def test_a_park_toml_budget_holds_along_the_curve_as_a_given_one(park: Park) -> None:
    budget = 1_500_000.0
    given = matching.tradeoff_curve(park, BASE.replace(budget_capex_cny=budget), points=3)
    in_toml = matching.tradeoff_curve(slag_park_with(f"[options]\nbudget_capex_cny = {budget}\n"), BASE, points=3)
    assert in_toml["net_tco2e"].to_list() == pytest.approx(given["net_tco2e"].to_list(), rel=1e-7)
    assert (in_toml["capex_cny"] <= budget * (1 + 1e-7)).all()
    assert "target_tco2e" not in in_toml["option_changes"].iloc[0]


@pytest.mark.slow  # the demo park: two ends and four capped solves of the whole park as one model
def test_the_demo_tradeoff_curve_is_monotone() -> None:
    demo = load_park(demo_park_path())
    curve = matching.tradeoff_curve(demo, MatchOptions(), points=4)
    assert (curve["status"] == "optimal").all()
    nets = curve["net_tco2e"].to_list()
    assert all(b >= a - 1e-6 * abs(a) for a, b in itertools.pairwise(nets)), nets
    assert (curve["capex_cny"] > 0).all() and (curve["links"] > 0).all()
