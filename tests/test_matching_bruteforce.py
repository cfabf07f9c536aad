"""Against brute force: on parks small enough, enumerate every subset of links, solve the flows of each subset as an
LP with scipy.optimize.linprog (materials: supply, demand and share rows written here from the ledger and the rules;
heat: a transportation LP over temperature pieces, not the MILP's cascade), and compare the best with the MILP."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from test_matching_support import (
    MILP_PHASES,
    RULES,
    heat_pieces,
    heat_transport_lp,
    no_wall_clock,  # noqa: F401  (autouse: no clock)
    random_park,
)

import matching
from matching import MatchOptions
from symbiosis.core.park import Park

OUT = [("fly_ash", "t/a", ("landfill",)), ("bf_slag", "t/a", ("landfill", "sold")),
       ("reclaimed_water", "m3/a", ("discharge",)), ("waste_steam", "GJ/a", ("vent",)),
       ("hot_water_heat", "GJ/a", ("discharge",))]
IN = [("clinker", "t/a", ("virgin",)), ("cement", "t/a", ("virgin",)), ("tap_water", "m3/a", ("tap_water",)),
      ("process_steam", "GJ/a", ("natural_gas_boiler",)), ("space_heating", "GJ/a", ("coal_boiler",))]
# Fixed embodied emissions and minimum sizes make the choice of links a real combinatorial one. The enumeration's
# heat LP knows dTmin and the streams' profiles but not the extra approach of loops between plants (issue 13;
# tests/test_heat_transfer.py), so loops are set as good as a direct exchange here.
OPTIONS = MatchOptions(fixed_tco2e={"truck": 150.0, "pipe_heat": 60.0, "pipe_steam": 60.0, "pipe_water": 1.0},
                       min_link_quantity={"solid": 1500.0, "water": 15_000.0, "heat": 1500.0}, dt_min_k=10.0,
                       heat_loop_factor={"steam": 1.0, "hot_water": 1.0},
                       heat_drop_k_per_km={"steam": 0.0, "hot_water": 0.0})
MAX_LINKS = 7


def material_lp(links: pd.DataFrame, park: Park) -> float | None:
    """Best objective of the given material links, all built (flow >= minimum), or None if impossible."""
    if links.empty:
        return 0.0
    st_ = park.streams.set_index("stream_id")
    n = len(links)
    a_ub, b_ub = [], []
    for sid, group in links.groupby("supplier_stream_id"):
        row = np.zeros(n)
        row[[links.index.get_loc(i) for i in group.index]] = 1.0
        a_ub.append(row)
        b_ub.append(st_.loc[sid, "quantity"])
    for sid, group in links.groupby("receiver_stream_id"):
        row = np.zeros(n)
        row[[links.index.get_loc(i) for i in group.index]] = group["ratio"].to_numpy()
        a_ub.append(row)
        b_ub.append(st_.loc[sid, "quantity"])
        for rule_id, same in group.groupby("rule_id"):
            share = float(RULES.set_index("rule_id").loc[rule_id, "max_share"] or 1)
            row = np.zeros(n)
            row[[links.index.get_loc(i) for i in same.index]] = same["ratio"].to_numpy()
            a_ub.append(row)
            b_ub.append(share * st_.loc[sid, "quantity"])
    bounds = [(lo, None) for lo in links["min_quantity"]]
    res = linprog(-links["obj"].to_numpy(), A_ub=np.array(a_ub), b_ub=np.array(b_ub), bounds=bounds, method="highs")
    if res.status != 0:
        return None
    return -float(res.fun)


def brute_force(park: Park, candidates: pd.DataFrame, dt: float) -> float:
    hot, cold = heat_pieces(park, dt)
    best = 0.0
    for size in range(1, len(candidates) + 1):
        for subset in itertools.combinations(candidates.index, size):
            chosen = candidates.loc[list(subset)]
            mat = chosen[chosen["kind"] == "material"]
            heat = chosen[chosen["kind"] == "heat"]
            ends = set(zip(mat["supplier_id"], mat["receiver_id"], mat["material_out"], mat["material_in"], strict=True))
            if any((r, s_, mo, mi) in ends for s_, r, mo, mi in ends):
                continue  # a material sent both ways between two enterprises is never built (docs/matching.md)
            value = material_lp(mat, park)
            if value is None:
                continue
            if len(heat):
                pairs = pd.DataFrame({"out": heat["supplier_stream_id"].to_numpy(),
                                      "inp": heat["receiver_stream_id"].to_numpy(),
                                      "delivered": heat["delivered_fraction"].to_numpy(),
                                      "lo": heat["min_quantity"].to_numpy(), "hi": np.inf, "c": heat["obj"].to_numpy()})
                solved = heat_transport_lp(pairs, hot, cold, fixed_flow=False)
                if solved is None:
                    continue
                value += solved[0]
            best = max(best, value + float(chosen["fixed"].sum()))
    return best


@pytest.mark.slow
@settings(max_examples=25, deadline=None, phases=[Phase[p] for p in MILP_PHASES],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(seed=st.integers(0, 10**6))
def test_milp_finds_the_brute_force_optimum(seed: int) -> None:
    park = random_park(seed, enterprises=5, streams=9, size_km=6.0, outputs=OUT, inputs=IN)
    model = matching.build_model(park, OPTIONS)
    # every candidate the user has not forbidden, including those the model pruned (no benefit, too small):
    # the brute force must find that pruning lost nothing
    candidates = model.links[model.links["status"] != "forbidden"]
    assume(0 < len(candidates) <= MAX_LINKS)
    plan = matching.propose(park, OPTIONS)
    assert plan.status in ("optimal", "empty")
    expected = brute_force(park, candidates, OPTIONS.dt_min_k or 10.0)
    assert plan.objective_value == pytest.approx(expected, rel=1e-5, abs=1e-4)


def test_brute_force_on_a_fixed_park_where_the_minimum_size_matters() -> None:
    """Two plants of 2000 t compete for a 3000 t clinker share. With a 1500 t minimum per link, using both means
    1500 + 1500 (2000 + 1000 is below the minimum); that still beats one 2000 t link despite a second contract's
    fixed emission. The MILP and the enumeration agree."""
    from test_matching_support import park_of, rule, s

    clinker = 3_000 / rule("fly_ash", "clinker")["max_share"]  # the fly-ash share of it is 3000 t
    park = park_of([["R", "cement", 0, 0], ["A", "power", 1, 0], ["B", "steel", 0, 1]],
                   [s("R1", "R", "input", "clinker", clinker, "t/a", baseline="virgin"),
                    s("A1", "A", "output", "fly_ash", 2_000, "t/a", baseline="landfill"),
                    s("B1", "B", "output", "fly_ash", 2_000, "t/a", baseline="landfill")])
    model = matching.build_model(park, OPTIONS)
    plan = matching.propose(park, OPTIONS)
    expected = brute_force(park, model.links, 10.0)
    assert plan.objective_value == pytest.approx(expected, rel=1e-7)
    assert sorted(x.quantity for x in plan.links) == pytest.approx([1_500, 1_500])
