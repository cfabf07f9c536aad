"""Properties of every plan over random parks, and the honesty of the reported status, bound and gap."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from test_matching_support import (
    MILP_PHASES,
    RULES,
    check_balances,
    check_gap,
    check_heat,
    no_wall_clock,  # noqa: F401  (autouse: no clock)
    random_park,
)

import matching
from matching import MatchOptions
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan
from symbiosis.core.taxonomy import water_grades

RANKS = {g.grade: g.rank for g in water_grades().values()}
LOWEST, HIGHEST = min(RANKS.values()), max(RANKS.values())


def check_links_against_ledger(park: Park, plan: Plan, options: MatchOptions) -> None:
    """Each link: a rule (or heat) allows it, water grades suffice, hazardous only where allowed, within reach,
    at least the minimum size; and the plan's objective is the sum of the links' net."""
    st_ = park.streams.set_index("stream_id")
    ent = park.enterprises.set_index("enterprise_id")
    settings_ = matching.resolve(park, options)
    rules = RULES.set_index("rule_id")
    for x in plan.links:
        out, inp = st_.loc[x.supplier_stream_id], st_.loc[x.receiver_stream_id]
        assert out["enterprise_id"] == x.supplier_id != x.receiver_id == inp["enterprise_id"]
        km = math.hypot(ent.loc[x.supplier_id, "x_km"] - ent.loc[x.receiver_id, "x_km"],
                        ent.loc[x.supplier_id, "y_km"] - ent.loc[x.receiver_id, "y_km"])
        assert x.distance_km == pytest.approx(km) and km <= settings_.reach_km[x.mode] + 1e-9
        assert x.quantity >= settings_.min_link_quantity[x.category] * (1 - 1e-7)
        if x.category == "heat":
            assert out["category"] == inp["category"] == "heat"
            continue
        r = rules.loc[x.rule_id]
        assert (r["output_material"], r["input_material"]) == (out["material"], inp["material"])
        assert x.quantity_in == pytest.approx(x.quantity * float(r["ratio"]))
        if out["hazardous_code"]:
            assert r["hazardous_allowed"] == "true" and x.hazardous_code == out["hazardous_code"]
        if out["category"] == "water":
            supply = RANKS[out["quality"]] if out["quality"] else LOWEST
            need = RANKS[inp["quality"]] if inp["quality"] else HIGHEST
            assert supply >= need
            if r["min_quality_rank"]:
                assert supply >= int(r["min_quality_rank"])
    if plan.objective_sense == "emissions" and plan.objective_value is not None:
        assert plan.objective_value == pytest.approx(plan.net_tco2e, rel=1e-9, abs=1e-6)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, phases=[Phase[p] for p in MILP_PHASES],
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), dt=st.sampled_from([5.0, 10.0, 20.0]), include2=st.booleans(),
       firm_cap=st.sampled_from([None, 1, 2]))
@example(seed=21, dt=5.0, include2=False, firm_cap=None)  # HiGHS handed back its MIP start's values (solve.py)
def test_random_parks_respect_every_limit(seed: int, dt: float, include2: bool, firm_cap: int | None) -> None:
    park = random_park(seed, enterprises=7, streams=18)
    options = MatchOptions(dt_min_k=dt, include_scope2=include2, max_links_per_enterprise=firm_cap,
                           min_link_quantity={"solid": 300.0, "water": 3000.0, "heat": 300.0})
    plan = matching.propose(park, options)
    assert plan.status in ("optimal", "empty")
    check_balances(park, plan)
    check_heat(park, plan, dt)
    check_gap(plan)
    check_links_against_ledger(park, plan, options)
    if firm_cap is not None:
        counts: dict[str, int] = {}
        for x in plan.links:
            for e in (x.supplier_id, x.receiver_id):
                counts[e] = counts.get(e, 0) + 1
        assert max(counts.values(), default=0) <= firm_cap
    nets = [x.net_tco2e(include2) for x in plan.links]
    assert nets == sorted(nets, reverse=True) and [x.rank for x in plan.links] == list(range(1, len(nets) + 1))
    assert all(x > 0 for x in nets)  # a link that avoids nothing net is never proposed
    why = matching.explain_unmatched(park, plan, options)
    assert why["reason_en"].str.len().gt(0).all() and why["reason_zh"].str.len().gt(0).all()


# --- honest status -------------------------------------------------------------------------------------------------
HARD_OUT = [("fly_ash", "t/a", ("landfill",)), ("bf_slag", "t/a", ("landfill",)), ("steel_slag", "t/a", ("landfill",))]
HARD_IN = [("clinker", "t/a", ("virgin",)), ("cement", "t/a", ("virgin",)), ("aggregate", "t/a", ("virgin",))]
# Lumpy links (fixed embodied emissions, large minimum sizes, two links per enterprise) in one crowded component:
# HiGHS needs about two seconds to prove this one optimal.
HARD = MatchOptions(fixed_tco2e={"truck": 300.0}, min_link_quantity={"solid": 3000.0},
                    max_links_per_enterprise=2)


@pytest.fixture(scope="module")
def hard_park() -> Park:
    return random_park(7, enterprises=60, streams=120, size_km=30, outputs=HARD_OUT, inputs=HARD_IN)


def test_a_time_limited_solve_is_not_reported_optimal(hard_park: Park) -> None:
    """The time-limit path: a 0.05 s limit on a problem that needs about two seconds on a fast machine (a slower
    machine only makes it further from finishing). Only the non-optimal reporting is asserted."""
    plan = matching.propose(hard_park, HARD.replace(time_limit=0.05))
    assert plan.status == "time_limit"
    assert plan.gap is None or plan.gap > 1e-6
    check_gap(plan)
    check_balances(hard_park, plan)
    assert any("time limit" in m for m in plan.messages)


def test_a_gapped_solve_is_reported_feasible_with_its_gap(hard_park: Park) -> None:
    plan = matching.propose(hard_park, HARD.replace(gap=0.05))  # no clock: only the gap stops it
    assert plan.status == "feasible"
    assert plan.gap is not None and 1e-6 < plan.gap <= 0.05 * 1.01
    check_gap(plan)
    assert any("gap" in m for m in plan.messages)


def test_cbc_reports_a_time_limit_too(hard_park: Park) -> None:
    plan = matching.propose(hard_park, HARD.replace(time_limit=0.05, solver="cbc"))
    assert plan.status in ("time_limit", "feasible")
    check_gap(plan)
