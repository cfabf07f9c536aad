"""Solve one component model and report what the solver really found.

PuLP 3.3 turns a time-limited HiGHS run into LpStatusOptimal (its status table maps kTimeLimit to optimal), so
the status, the objective bound and the gap are read from the highspy model PuLP keeps in `prob.solverModel`
(getModelStatus(), getInfo().mip_dual_bound). PuLP hands HiGHS the negated objective for a maximisation, so the
bound is negated back. For CBC the bound and the result line are read from its log file.

A part is 'optimal' only when the bound and the objective agree within OPTIMALITY_TOLERANCE; a solver that
stopped at a requested gap above that is reported 'feasible' with its gap, one stopped by the clock 'time_limit'.
"""

from __future__ import annotations

import math
import re
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pulp

from matching.model import ComponentModel
from matching.options import Settings
from symbiosis.core.plan import SolveStatus

OPTIMALITY_TOLERANCE = 1e-6  # relative (and absolute, in objective units) gap still called optimal
# The statuses a part can end in, best first (a Plan's status is its worst part's; symbiosis.core.plan.SolveStatus
# adds 'empty' and 'not_solved' for a plan with no part).
STATUS_ORDER: tuple[SolveStatus, ...] = ("optimal", "feasible", "time_limit", "infeasible", "error")
# What one solver run reports: status, objective, bound, whether values exist, the solver's own words.
RunResult = tuple[SolveStatus, float | None, float | None, bool, str]


@dataclass(frozen=True)
class PartResult:
    """Outcome of one component: status, objective (of the values read), bound, and whether values exist."""

    component: int
    status: SolveStatus
    objective: float | None
    bound: float | None
    seconds: float
    has_solution: bool
    solver_status: str = ""


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|bound - objective| / max(|objective|, 1e-9), the Plan's definition; None when either is unknown."""
    if objective is None or bound is None:
        return None
    return abs(bound - objective) / max(abs(objective), 1e-9)


def proven(objective: float, bound: float) -> bool:
    """Bound and objective agree within the tolerance (1 % slack: the solver measures its gap on its own
    objective value, we on the values read back)."""
    diff = abs(bound - objective)
    return diff <= OPTIMALITY_TOLERANCE or diff <= 1.01 * OPTIMALITY_TOLERANCE * abs(objective)


def worst(statuses: Sequence[SolveStatus]) -> SolveStatus:
    return max(statuses, key=STATUS_ORDER.index) if statuses else "optimal"


def model_objective(part: ComponentModel) -> float:
    """Objective of the current variable values, computed from our own tables (not from the solver)."""
    expr = part.problem.objective
    return float(sum(c * (v.varValue or 0.0) for v, c in expr.items()))


def solve_part(part: ComponentModel, settings: Settings, time_limit: float) -> PartResult:
    t0 = time.perf_counter()
    try:
        if settings.solver == "cbc":
            result = _solve_cbc(part, settings, time_limit)
        else:
            result = _solve_highs(part, settings, time_limit)
    except pulp.PulpSolverError as exc:
        return PartResult(part.component, "error", None, None, time.perf_counter() - t0, False, str(exc))
    return PartResult(part.component, result[0], result[1], result[2], time.perf_counter() - t0, result[3],
                      result[4])


def _solve_highs(part: ComponentModel, settings: Settings,
                 time_limit: float) -> RunResult:
    import highspy

    t0 = time.perf_counter()
    solver = pulp.HiGHS(msg=settings.solver_log, timeLimit=max(time_limit, 1e-3), gapRel=settings.gap, threads=settings.threads)
    prob = part.problem
    solver.createAndConfigureSolver(prob)
    solver.buildSolverModel(prob)
    h = prob.solverModel
    sign = -1.0 if prob.sense == pulp.LpMaximize else 1.0  # PuLP gave HiGHS sign x objective to minimise
    if settings.warm_start:
        shortcut = _rounded_relaxation(part, h, sign, settings.gap, time_limit)
        if shortcut is not None:
            _read_back(solver, prob)
            return shortcut
        h.setOptionValue("time_limit", max(time_limit - (time.perf_counter() - t0), 1e-3))
    h.run()
    _read_back(solver, prob)
    if settings.warm_start and _values_disagree(part, h, sign):
        # HiGHS 1.16 with a MIP start that presolve maps to a better point ("MIP start solution is feasible in
        # the reduced space") can report that point's objective as optimal while handing back the start's own
        # values (seen on small random parks). Solve again without the start; the values then match.
        h.clearSolver()
        h.setOptionValue("time_limit", max(time_limit - (time.perf_counter() - t0), 1e-3))
        h.run()
        _read_back(solver, prob)
    ms = h.getModelStatus()
    info = h.getInfo()
    text = h.modelStatusToString(ms)
    s = highspy.HighsModelStatus
    has_solution = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
    if ms in (s.kInfeasible, s.kUnboundedOrInfeasible):
        return "infeasible", None, None, False, text
    if not has_solution and ms != s.kTimeLimit:
        return "error", None, None, False, text
    objective = model_objective(part) if has_solution else None
    raw_bound = float(info.mip_dual_bound)
    bound = sign * raw_bound if math.isfinite(raw_bound) else None
    if bound is None and ms == s.kOptimal and objective is not None:
        bound = objective  # a model HiGHS solved as an LP (presolve removed every integer): the LP is exact
    if bound is not None and objective is not None:
        bound = max(bound, objective)  # tolerances can put the dual bound a hair under the incumbent
    if ms == s.kOptimal:
        assert objective is not None
        return ("optimal" if bound is None or proven(objective, bound) else "feasible"), objective, bound, True, text
    if ms in (s.kTimeLimit, s.kIterationLimit, s.kSolutionLimit, s.kInterrupt, s.kObjectiveBound,
              s.kObjectiveTarget):
        return "time_limit", objective, bound, has_solution, text
    return "error", objective, bound, has_solution, text


def _values_disagree(part: ComponentModel, h: object, sign: float) -> bool:
    """The solver's objective and the objective of the values it returned differ beyond the tolerance."""
    info = h.getInfo()  # type: ignore[attr-defined]
    if int(info.primal_solution_status) != 2:
        return False
    reported = sign * float(info.objective_function_value)
    return not proven(model_objective(part), reported) and math.isfinite(reported)


def _read_back(solver: pulp.HiGHS, prob: pulp.LpProblem) -> None:
    """What PuLP's actualSolve does after the run: values and statuses into the PuLP objects."""
    status, sol_status = solver.findSolutionValues(prob)
    for var in prob.variables():
        var.modified = False
    prob.assignStatus(status, sol_status)


def _rounded_relaxation(part: ComponentModel, h: object, sign: float, gap: float,
                        time_limit: float) -> RunResult | None:
    """Solve the LP relaxation (its optimum bounds the MILP), build every link whose LP flow reaches its minimum,
    and solve the flows again with those binaries fixed: a feasible plan. If it is within `gap` of the LP bound
    the result is returned, certified by that bound; otherwise the plan is handed to the MIP as its start.

    Why: with per-link minimum quantities but no fixed charges (the emissions objective) the relaxation is nearly
    integral, and the MIP's own heuristics were seen to take seconds to find what this finds in two LPs.
    """
    import highspy

    hs: highspy.Highs = h  # type: ignore[assignment]
    ok = highspy.HighsModelStatus.kOptimal
    y_cols = np.array([v.index for v in part.links["y"]], dtype=np.int32)
    if len(y_cols) == 0:
        return None
    hs.setOptionValue("solve_relaxation", True)
    fixed_bounds = False
    try:
        hs.run()
        if hs.getModelStatus() != ok:
            return None
        lp_bound = sign * float(hs.getInfo().objective_function_value)
        values = np.asarray(hs.getSolution().col_value)
        flow_cols = np.array([v.index for v in part.flows["var"]], dtype=np.int64)
        flow = pd.Series(values[flow_cols], index=part.flows["lid"].to_numpy()).groupby(level=0).sum()
        by_lid = part.links.set_index("lid")
        flow = flow.reindex(by_lid.index, fill_value=0.0)
        minimum = by_lid["min_quantity"].to_numpy(dtype=float)
        build = (flow.to_numpy() > 1e-9) & (flow.to_numpy() >= minimum * (1 - 1e-7))
        fixed = build.astype(float)
        hs.changeColsBounds(len(y_cols), y_cols, fixed, fixed)
        fixed_bounds = True
        hs.run()
        if hs.getModelStatus() != ok:
            return None  # the rounding broke a forced link, a cap or a no-good cut: let the MIP search
        incumbent = hs.getSolution()
        objective = sign * float(hs.getInfo().objective_function_value)
        bound = max(lp_bound, objective)
        if relative_gap(objective, bound) is not None and (proven(objective, bound)
                                                            or (relative_gap(objective, bound) or 0.0) <= gap):
            status: SolveStatus = "optimal" if proven(objective, bound) else "feasible"
            fixed_bounds = False  # keep the model as solved: its solution is read back next
            return status, objective, bound, True, f"LP relaxation rounded: certified gap {relative_gap(objective, bound):.2e}"
        # not close enough: start the MIP from this plan (the binaries are freed again below)
        hs.changeColsBounds(len(y_cols), y_cols, np.zeros(len(y_cols)), np.ones(len(y_cols)))
        fixed_bounds = False
        hs.setSolution(incumbent)
        return None
    finally:
        hs.setOptionValue("solve_relaxation", False)
        if fixed_bounds:  # every path that hands the model to the MIP frees the binaries
            hs.changeColsBounds(len(y_cols), y_cols, np.zeros(len(y_cols)), np.ones(len(y_cols)))


_CBC_RESULT = re.compile(r"^Result - (.+)$", re.MULTILINE)
_CBC_OBJ = re.compile(r"^Objective value:\s+(\S+)", re.MULTILINE)
_CBC_BOUND = re.compile(r"^(?:Upper|Lower) bound:\s+(\S+)", re.MULTILINE)


def _solve_cbc(part: ComponentModel, settings: Settings,
               time_limit: float) -> RunResult:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "cbc.log"
        solver = _cbc(msg=settings.solver_log, timeLimit=max(time_limit, 1e-3) if math.isfinite(time_limit) else None,
                      gapRel=settings.gap, threads=settings.threads,
                      logPath=str(log))
        part.problem.solve(solver)
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    found = _CBC_RESULT.search(text)
    result = found.group(1).strip() if found else pulp.LpStatus[part.problem.status]
    lowered = result.lower()
    has_solution = part.problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    if "infeasible" in lowered or part.problem.status == pulp.LpStatusInfeasible:
        return "infeasible", None, None, False, result
    objective = model_objective(part) if has_solution else None
    bound_match = _CBC_BOUND.search(text)
    bound = _float(bound_match.group(1)) if bound_match else None
    if bound is not None and objective is not None:
        bound = max(bound, objective)
    if "optimal solution found" in lowered:
        if bound is None:
            bound = objective
        assert objective is not None
        assert bound is not None
        return ("optimal" if proven(objective, bound) else "feasible"), objective, bound, True, result
    if "stopped" in lowered:
        return "time_limit", objective, bound, has_solution, result
    return "error", objective, bound, has_solution, result


def _cbc(**kwargs: object) -> pulp.LpSolver:
    """A CBC installed on the machine (COIN_CMD), else the binary bundled with PuLP 3 (PULP_CBC_CMD). PuLP 3.3 warns
    that the bundled one goes away in PuLP 4; it is the fallback the project asks for, so the warning is muted."""
    installed = pulp.COIN_CMD(**kwargs)
    if installed.available():
        return installed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(**kwargs)


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None
