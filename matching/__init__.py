"""Matching: candidate symbiosis links -> MILP (PuLP, HiGHS by default) -> a ranked, explained Plan.

The steps are separate and also available as one call:
    model = build_model(park, options)     # candidates, pruning, decomposition, PuLP models
    solution = solve_model(model)          # HiGHS (or CBC) per independent sub-problem, honest status
    plan = read_plan(model, solution)      # links with accounting by scope, ranked; objective, bound, gap
    plan = propose(park, options)          # the three above
"""

from matching.alternatives import alternatives, tradeoff_curve
from matching.explain import explain_unmatched
from matching.model import MatchModel, build_model
from matching.options import LinkSelector, MatchOptions, OptionsError, Settings, resolve
from matching.propose import propose, read_plan, solve_model

__all__ = ["LinkSelector", "MatchModel", "MatchOptions", "OptionsError", "Settings", "alternatives",
           "build_model", "explain_unmatched", "propose", "read_plan", "resolve", "solve_model", "tradeoff_curve"]
