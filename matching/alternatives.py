"""Next-best plans (no-good cuts on the link binaries) and the emissions-cost trade-off curve (epsilon constraint)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from matching.model import build_model, prepare
from matching.options import UNSET, MatchOptions, Settings
from matching.propose import (
    Candidates,
    build_components,
    prepare_model,
    propose_model,
    read_plan,
    solve_model,
)
from symbiosis.core.economics import plan_economics
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


# The columns of a trade-off curve (tradeoff_curve), in order.
TRADEOFF_COLUMNS: tuple[str, ...] = ("epsilon_cost_cny", "net_tco2e", "annual_cost_cny", "capex_cny", "links",
                                     "status", "gap", "option_changes", "options")


def tradeoff_curve(park: Park, options: MatchOptions | None = None, points: int = 5) -> pd.DataFrame:
    """Points of the trade-off between net avoided emissions and annual net cost (epsilon constraint).

    The two ends: the cheapest plan (objective 'least_cost', the least annual net cost) and the plan avoiding the
    most (objective 'emissions'). Between them, the emissions are maximised with the annual net cost capped at
    evenly spaced values from the cheapest plan's cost to the greenest plan's. A tonnes target and a cost cap in
    force (given or from park.toml [options]) are dropped: a point is the most tonnes at its cost. An investment
    budget is kept (the curve within the budget). Each point is a plan; its row:

    epsilon_cost_cny  the cap on the annual net cost, CNY/a
    net_tco2e         the plan's net avoided tCO2e/a
    annual_cost_cny   its annual net cost, CNY/a (the one cost rule: symbiosis.core.economics.cost_terms)
    capex_cny         its links' investment, CNY (the same rule)
    links             how many links it builds
    status, gap       the solver's status and relative gap
    option_changes    {"objective": "emissions", "epsilon_cost": cap} and, when a target is in force,
                      "target_tco2e": "none" (matching.options.UNSET): as a scenario's [options] table on the
                      park, or on top of `options`, these reproduce the plan
    options           the whole MatchOptions of the point: matching.propose(park, row.options) is the plan
    """
    base = options or MatchOptions()
    # Settings level: None in MatchOptions means "park.toml's", so the ends clear the target and the cap here
    prepared = prepare(park, base)
    candidates = Candidates(ctx=prepared.ctx, links=prepared.links, levels=prepared.levels)

    def solve(settings: Settings) -> Plan:
        return propose_model(build_components(prepare_model(candidates, settings)))

    settings = prepared.settings
    greenest = solve(replace(settings, objective="emissions", epsilon_cost=None, target_tco2e=None))
    cheapest = solve(replace(settings, objective="least_cost", epsilon_cost=None, target_tco2e=None))
    low = cheapest.annual_cost_cny or 0.0
    high = greenest.annual_cost_cny or 0.0
    rows = []
    caps = np.linspace(low, high, max(points, 2)) if high > low else np.array([high])
    for cap in caps:
        changes: dict[str, object] = {"objective": "emissions", "epsilon_cost": float(cap)}
        if settings.target_tco2e is not None:  # a point is the most tonnes at its cost: no target
            changes["target_tco2e"] = UNSET
        plan = solve(replace(settings, objective="emissions", epsilon_cost=float(cap), target_tco2e=None))
        capex = float(sum(e.capex_cny for e in plan_economics(plan, park))) if plan.links else 0.0
        rows.append({"epsilon_cost_cny": float(cap), "net_tco2e": plan.net_tco2e,
                     "annual_cost_cny": plan.annual_cost_cny, "capex_cny": capex, "links": len(plan.links),
                     "status": plan.status, "gap": plan.gap, "option_changes": changes,
                     "options": base.replace(**changes)})
    return pd.DataFrame(rows, columns=list(TRADEOFF_COLUMNS))
