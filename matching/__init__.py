"""Matching: candidate symbiosis links -> MILP (PuLP, HiGHS by default) -> a ranked, explained Plan.

The steps are separate and also available as one call:
    model = build_model(park, options)     # candidates, pruning, decomposition, PuLP models
    solution = solve_model(model)          # HiGHS (or CBC) per independent sub-problem, honest status
    plan = read_plan(model, solution)      # links with accounting by scope, ranked; objective, bound, gap
    plan = propose(park, options)          # the three above
Prepared once, solved many times (symbiosis.session.Session does this):
    candidates = build_candidates(park, resolve(park, options))   # depends on options.CANDIDATE_FIELDS only
    model = prepare_model(candidates, settings)                   # objective, pruning, components
    plan = propose_model(build_components(model))                 # PuLP models, solve, read
"""

from matching.alternatives import alternatives, tradeoff_curve
from matching.explain import explain_unmatched
from matching.model import MatchModel, build_model
from matching.options import (
    DEFAULTS,
    LinkSelector,
    MatchOptions,
    OptionsError,
    Settings,
    candidate_key,
    model_key,
    resolve,
    scenario_options,
)
from matching.propose import (
    Candidates,
    build_candidates,
    build_components,
    prepare_model,
    propose,
    propose_model,
    read_plan,
    solve_model,
    with_settings,
)

__all__ = ["DEFAULTS", "Candidates", "LinkSelector", "MatchModel", "MatchOptions", "OptionsError", "Settings",
           "alternatives", "build_candidates", "build_components", "build_model", "candidate_key",
           "explain_unmatched", "model_key", "prepare_model", "propose", "propose_model", "read_plan", "resolve",
           "scenario_options", "solve_model", "tradeoff_curve", "with_settings"]
