"""Next-best plans (no-good cuts on the link binaries) and the emissions-cost trade-off curve (epsilon constraint)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.model import build_model
from matching.options import MatchOptions
from matching.propose import propose, read_plan, solve_model
from symbiosis.core.i18n import pair, register
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan

# The message an alternative plan carries (codes "matching.alternative.<key>").
TEXTS = register("matching.alternative", {
    "note": ("alternative {k} of {n}", "备选方案 {k}/{n}"),
})


def alternatives(park: Park, options: MatchOptions | None = None, n: int = 3) -> list[Plan]:
    """The best plan and up to n-1 next-best ones, each giving up at least one link of every plan before it.

    After each solve a no-good cut on the binaries of the links that plan built,  sum_{y*=1} (1 - y) >= 1,  is
    added. The textbook cut (which also counts the links not built) lets the "next" plan be the same plan plus a
    parallel link of equal value, which many parks have in numbers (degenerate optima); this one asks for a plan
    without at least one of the chosen links, which is what a planner means by an alternative. The cuts tie the
    sub-problems together, so these models are not decomposed. Stops early when no other plan exists or a solve
    is not optimal (the next one would then not be the true next-best).
    """
    plans: list[Plan] = []
    cuts: list[list[tuple[int, int]]] = []
    for k in range(max(n, 0)):
        model = build_model(park, options, no_good=cuts)
        if not model.components:
            plans.append(read_plan(model, solve_model(model)))
            break
        solution = solve_model(model)
        note = pair(TEXTS.code("note"), k=k + 1, n=n)
        plan = read_plan(model, solution, [note])
        if plan.status in ("infeasible", "error"):
            break
        plans.append(plan)
        chosen = solution.flows.loc[solution.flows["built"], "lid"]
        if chosen.empty:
            break  # the best plan builds nothing: there is no link to give up
        cuts.append([(int(lid), 1) for lid in chosen])
        if plan.status != "optimal":
            break
    return plans


def tradeoff_curve(park: Park, options: MatchOptions | None = None, points: int = 5) -> pd.DataFrame:
    """Points of the trade-off between net avoided emissions and annual net cost (epsilon constraint).

    The two ends: the most emissions avoided (objective 'emissions'), and the cheapest plan (objective 'cost' at a
    carbon price of 0). Between them, the emissions are maximised with the annual net cost capped at evenly
    spaced values. Columns: epsilon_cost_cny, net_tco2e, annual_cost_cny, links, status, gap.
    """
    base = options or MatchOptions()
    greenest = propose(park, base.replace(objective="emissions", epsilon_cost=None))
    cheapest = propose(park, base.replace(objective="cost", carbon_price=0.0, epsilon_cost=None))
    low = cheapest.annual_cost_cny or 0.0
    high = greenest.annual_cost_cny or 0.0
    rows = []
    caps = np.linspace(low, high, max(points, 2)) if high > low else np.array([high])
    for cap in caps:
        plan = propose(park, base.replace(objective="emissions", epsilon_cost=float(cap)))
        rows.append({"epsilon_cost_cny": float(cap), "net_tco2e": plan.net_tco2e,
                     "annual_cost_cny": plan.annual_cost_cny, "links": len(plan.links), "status": plan.status,
                     "gap": plan.gap})
    return pd.DataFrame(rows)
