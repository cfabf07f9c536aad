"""The naive baseline of issue 7: one monolithic fixed-charge MILP, loose big-M, solved by PuLP's CBC.

It has the same candidate links and the same feasible set as the optimiser's model, built as a single problem
(no decomposition), with the link constraint written the textbook way, flow <= M y with one large M for every link
(instead of each link's own capacity), and no warm start. The variables keep their bounds, which also stand for
the supply and demand rows of single-link streams, so only the LP relaxation is weakened, not the problem.
"""

from __future__ import annotations

import time
from typing import Any

import pulp

from matching import MatchOptions, build_model, read_plan, solve_model
from symbiosis.core.generate import generate_park

CARBON_PRICE_CNY = 100.0  # per tCO2e, for the cost objective (fixed costs of links then matter)


def objective_options(objective: str) -> dict[str, Any]:
    return {"objective": "cost", "carbon_price": CARBON_PRICE_CNY} if objective == "cost" else {}


def naive_case(enterprises: int, seed: int = 1, time_limit: float = 600.0, gap: float = 0.005,
               objective: str = "emissions") -> dict[str, Any]:
    park = generate_park(enterprises, seed=seed)
    t0 = time.perf_counter()
    model = build_model(park, MatchOptions(decompose=False, solver="cbc", gap=gap, time_limit=time_limit,
                                           warm_start=False, **objective_options(objective)))
    big_m = 0.0
    for comp in model.components:
        big_m = max(big_m, 10.0 * float(comp.links["capacity"].max()))
    for comp in model.components:
        for name, constraint in comp.problem.constraints.items():
            if name.startswith("linkmax"):
                for var, coef in list(constraint.items()):
                    if coef < 0:  # the binary's coefficient: -capacity becomes -M
                        constraint.expr[var] = -big_m
    t1 = time.perf_counter()
    plan = read_plan(model, solve_model(model))
    t2 = time.perf_counter()
    binaries = sum(1 for c in model.components for v in c.problem.variables() if v.cat == pulp.LpInteger)
    return {"case": f"naive monolithic CBC n={enterprises} {objective}", "enterprises": enterprises, "match_s": t2 - t0,
            "build_s": t1 - t0, "solve_s": t2 - t1, "status": plan.status, "gap": plan.gap,
            "objective_t": plan.objective_tco2e, "bound_t": plan.bound_tco2e, "objective_value": plan.objective_value, "binaries": binaries,
            "time_limit_s": time_limit}
