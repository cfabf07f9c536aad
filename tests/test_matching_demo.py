"""The bundled demo park through the matcher: honest optimum, every limit kept, the planted (non-)opportunities."""

from __future__ import annotations

import pandas as pd
import pytest
from test_matching_properties import check_links_against_ledger
from test_matching_support import (
    check_balances,
    check_gap,
    check_heat,
    no_wall_clock,  # noqa: F401  (autouse: no clock)
)

import matching
import symbiosis
from matching import MatchOptions
from symbiosis.core.datasets import demo_park_path
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan


@pytest.fixture(scope="module")
def park() -> Park:
    return symbiosis.load_park(demo_park_path())


@pytest.fixture(scope="module")
def plan(park: Park) -> Plan:
    return matching.propose(park)


def test_demo_plan_is_optimal_and_fast(plan: Plan) -> None:
    assert plan.status == "optimal"
    assert plan.gap is not None and plan.gap <= 1.02e-6
    assert len(plan.links) >= 20 and plan.subproblems >= 2
    assert plan.objective_tco2e == pytest.approx(plan.net_tco2e)
    assert plan.build_seconds < 10 and plan.solve_seconds < 20
    assert plan.heat_recovered_gj > 0
    check_gap(plan)


def test_demo_plan_keeps_every_limit(park: Park, plan: Plan) -> None:
    check_balances(park, plan)
    check_heat(park, plan, park.config.dt_min_k)
    check_links_against_ledger(park, plan, MatchOptions())
    # with the existing exchanges: what an enterprise already gives plus what the plan adds fits its output
    out = park.outputs().groupby(["enterprise_id", "material"])["quantity"].sum()
    given = park.exchanges.groupby(["supplier_id", "material"])["quantity"].sum()
    added = pd.Series({(x.supplier_id, x.material_out): 0.0 for x in plan.links})
    for x in plan.links:
        added[(x.supplier_id, x.material_out)] += x.quantity
    for key, q in added.items():
        assert q + given.get(key, 0.0) <= out[key] * (1 + 1e-7), key


def test_demo_planted_non_opportunities(park: Park, plan: Plan) -> None:
    pairs = {(x.supplier_id, x.receiver_id, x.category) for x in plan.links}
    # CHP to the block plant is 3.2 km, beyond the 3 km steam reach; the MSW plant 1.5 km away serves it (a link
    # below the default minimum size: shown with links of any size)
    assert not any(x.supplier_id == "E01" and x.receiver_id == "E06" and x.mode == "pipe_steam" for x in plan.links)
    any_size = matching.propose(park, MatchOptions(min_link_tco2e=0.0))
    assert ("E38", "E06", "heat") in {(x.supplier_id, x.receiver_id, x.category) for x in any_size.links}
    # the hot-water reach of the greenhouses is 5 km: glass, cement and CHP are too far
    for far in ("E18", "E04", "E01"):
        assert (far, "E29", "heat") not in pairs
    # the data centre's 35 °C return water cannot heat district heating at 70/40 °C
    assert ("E47", "E17", "heat") not in pairs


def test_demo_explanations(park: Park, plan: Plan) -> None:
    why = matching.explain_unmatched(park, plan)
    assert {"too_far", "quality_needed", "no_rule"} <= set(why["reason"])
    assert why["reason_en"].str.len().gt(0).all() and why["reason_zh"].str.len().gt(0).all()
    far = why[why["reason"] == "too_far"]
    assert (far["distance_km"] > far["reach_km"]).all()
