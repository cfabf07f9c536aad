"""The convenient call over build -> solve -> read, and the explanation of infeasible forced links."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import pandas as pd

from matching.candidates import Context, build_links, prepare_streams, selector_mask
from matching.heat import HeatLevels
from matching.model import ComponentModel, MatchModel, build_component, build_model, classify_links
from matching.options import LinkSelector, MatchOptions, Settings, candidate_key
from matching.read import Solution, combine, part_messages, read_values
from matching.solve import PartResult, solve_part
from symbiosis.core.exchanges import ExchangeAllocation
from symbiosis.core.i18n import pair, register, render
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan

DIAGNOSIS_TIME_LIMIT = 10.0  # seconds per feasibility check while isolating conflicting forced links

# Why forced links cannot be met (codes "matching.propose.<key>"; a plan carries them in both languages).
MESSAGES = register("matching.propose", {
    "infeasible_without_forced": ("sub-problem {component} is infeasible even without forced links: check {causes}",
                                  "子问题 {component} 即使不强制任何链接也无可行解：请检查{causes}"),
    "cause_cost_cap": ("the cost cap (epsilon) of {epsilon:g} CNY/a", "成本上限 {epsilon:g} 元/年"),
    "cause_budget": ("the investment budget of {budget:,.0f} CNY", "投资预算 {budget:,.0f} 元"),
    "cause_target": ("the target of {target:,.1f} tCO2e/a", "减排目标 {target:,.1f} tCO2e/a"),
    "target_unreachable": ("the target of {target:,.1f} tCO2e/a net avoided cannot be reached: at most "
                           "{most:,.1f} tCO2e/a can be avoided with these options ({status}, objective emissions"
                           "{budget}); lower the target or widen the options",
                           "减排目标 {target:,.1f} tCO2e/a 无法达到：在当前选项下最多可净减排 {most:,.1f} tCO2e/a"
                           "（{status}，以减排为目标{budget}）；请降低目标或放宽选项"),
    "target_budget": (", within the investment budget", "，在投资预算内"),
    "most_proven": ("proven", "已证明最优"),
    "most_unproven": ("solver status {status}, not proven", "求解状态 {status}，未证明最优"),
    "cause_options": ("the options", "选项"),
    "cause_firm_cap": (", the cap of {cap} links per enterprise", "、每家企业最多 {cap} 条链接"),
    "forced_beyond_capacity": ("forced link [{name}] cannot carry the stated {quantity:.6g} {unit}: the links it "
                               "picks can carry at most {most:.6g} {unit} (the supplier's output left, the "
                               "receiver's demand, the share cap)",
                               "强制链接 [{name}] 无法输送指定的 {quantity:.6g} {unit}：所选链接最多只能输送 "
                               "{most:.6g} {unit}（受供方剩余产出、需方需求和替代比例上限限制）"),
    "forced_beyond_limits": ("forced link [{name}] cannot carry the stated {quantity:.6g} {unit} together with the "
                             "other limits (supply and demand shared with other forced links, share caps, fuel rows, "
                             "the cost cap)",
                             "强制链接 [{name}] 在其他约束下（与其他强制链接共用的供给和需求、替代比例上限、"
                             "燃料平衡、成本上限）无法输送指定的 {quantity:.6g} {unit}"),
    "forced_below_minimum": ("forced link [{name}] cannot be built: its largest possible flow {capacity:.6g} {unit} "
                             "is below the minimum link size {minimum:.6g}",
                             "强制链接 [{name}] 无法建立：其最大可能流量 {capacity:.6g} {unit} "
                             "低于最小链接规模 {minimum:.6g}"),
    "forced_conflict": ("these forced links conflict: {links}. They cannot all be built together (dropping any one "
                        "of them makes the rest feasible); they compete for the same supply or demand, the minimum "
                        "link size{cap}",
                        "以下强制链接相互冲突：{links}。它们无法同时建立（去掉其中任意一条其余即可行）；"
                        "原因在于争用同一供给或需求、最小链接规模{cap}"),
    "forced_forbidden": ("forced link [{name}] is also forbidden", "强制链接 [{name}] 同时被禁止"),
    "forced_no_candidate": ("forced link [{name}] matches no candidate link: {reason}",
                            "强制链接 [{name}] 没有对应的候选链接：{reason}"),
    "unknown_id": ("forced link [{name}]: the {role} {kind} '{value}' is unknown: the park has no {kind} with this "
                   "id (nearest known ids: {near})",
                   "强制链接 [{name}]：{role}{kind} '{value}' 不存在：园区内没有该编号的{kind}（最接近的已知编号：{near}）"),
})
# What a forced selector names (its `role` and `kind` in unknown_id).
SELECTOR_WORDS = register("matching.selector", {
    "supplier": ("supplier", "供方"), "receiver": ("receiver", "需方"),
    "enterprise": ("enterprise", "企业"), "stream": ("stream", "物料流"),
})


def _message(key: str, **params: object) -> tuple[str, str]:
    """Message `key` of MESSAGES in English and Chinese."""
    return pair(MESSAGES.code(key), **params)


def solve_model(model: MatchModel) -> Solution:
    """Solve every component within the run's time budget and read the values.

    Components go smallest first, each allowed a share of the time left in proportion to its size: the many small
    ones finish in milliseconds and hand their unused time on to the large ones, so no component is left unsolved
    because a large one took the whole budget.
    """
    settings = model.settings
    start = time.perf_counter()
    parts: list[PartResult] = []
    ordered = sorted(model.components, key=lambda c: len(c.links))
    size_left = sum(len(c.links) for c in ordered)
    for comp in ordered:
        remaining = settings.time_limit - (time.perf_counter() - start)
        share = remaining if math.isinf(remaining) else remaining * len(comp.links) / max(size_left, 1)
        size_left -= len(comp.links)
        if remaining <= 0:
            parts.append(PartResult(comp.component, "time_limit", None, None, 0.0, False, "not started: no time left"))
        else:
            parts.append(solve_part(comp, settings, share))
    # A part stopped by its share gets a second try with whatever the others left unused.
    for i, comp in enumerate(ordered):
        remaining = settings.time_limit - (time.perf_counter() - start)
        if parts[i].status != "time_limit" or remaining <= 0.05:
            continue
        again = solve_part(comp, settings, remaining)
        # The model's variables now hold this solve's values, so this is the result that describes them.
        parts[i] = replace(again, seconds=again.seconds + parts[i].seconds)
    for i, comp in enumerate(ordered):
        result = parts[i]
        nothing_feasible = not comp.forced and (settings.epsilon_cost is None or settings.epsilon_cost >= 0) \
            and (settings.target_tco2e is None or settings.target_tco2e <= 0)
        if result.status == "time_limit" and result.objective is None and nothing_feasible:
            # Nothing found in time, but building nothing is always feasible here: report that, with a bound.
            bound = result.bound if result.bound is not None else comp.trivial_bound
            parts[i] = replace(result, objective=0.0, bound=max(bound, 0.0))
    return read_values(model, parts)


def read_plan(model: MatchModel, solution: Solution, extra: list[tuple[str, str]] | None = None) -> Plan:
    """The Plan of a solved model (links, accounting, ranks, status, objective, bound, gap, times)."""
    return combine(model, solution, [*model.ctx.messages, *_part_messages(model, solution), *(extra or [])])


@dataclass(frozen=True)
class Candidates:
    """The candidate links of one park under one set of candidate settings (options.CANDIDATE_FIELDS): built once,
    shared by every model over them (any objective, carbon price, forced/forbidden links, gap or time limit).
    Read-only: `prepare_model` copies what it changes."""

    ctx: Context  # streams after existing exchanges (ctx.allocation), factors, messages
    links: pd.DataFrame  # matching.candidates.build_links: every candidate with accounting, costs, capacity
    levels: HeatLevels
    seconds: float = 0.0


def build_candidates(park: Park, settings: Settings, *, allocation: ExchangeAllocation | None = None) -> Candidates:
    """Streams after existing exchanges and every candidate link, for these (resolved) settings. `allocation`: the
    existing exchanges already allocated with these settings' factors and Scope 2 setting (None: allocate here)."""
    t0 = time.perf_counter()
    ctx = prepare_streams(park, settings, allocation=allocation)
    links, levels = build_links(ctx)
    return Candidates(ctx=ctx, links=links, levels=levels, seconds=time.perf_counter() - t0)


def prepare_model(candidates: Candidates, settings: Settings, *, together: bool = False) -> MatchModel:
    """matching.model.prepare from prebuilt candidates: the objective, the pruning status of every candidate and the
    independent components for `settings`, without building the candidates again. `settings` must have the
    candidates' CANDIDATE_FIELDS (ValueError otherwise). Equal to `prepare(park, options)` (tests/test_session.py).
    """
    if candidate_key(settings) != candidate_key(candidates.ctx.settings):
        raise ValueError("prepare_model: the candidates were built with other candidate settings")
    t0 = time.perf_counter()
    ctx = replace(candidates.ctx, settings=settings, messages=list(candidates.ctx.messages))
    links = candidates.links.copy()
    forced_unmatched = classify_links(links, settings, together=together)
    seconds = time.perf_counter() - t0
    return MatchModel(ctx=ctx, settings=settings, links=links, levels=candidates.levels,
                      forced_unmatched=forced_unmatched, candidate_seconds=seconds, build_seconds=seconds)


def with_settings(model: MatchModel, settings: Settings) -> MatchModel:
    """A prepared model (no PuLP components yet) under settings that differ only where the model does not depend
    on them (options.SOLVE_FIELDS, the carbon price of an 'emissions' run): a new object, the tables shared."""
    return replace(model, settings=settings, ctx=replace(model.ctx, settings=settings,
                                                         messages=list(model.ctx.messages)), components=[])


def build_components(model: MatchModel) -> MatchModel:
    """One PuLP model per independent component of a prepared model (what build_model adds to prepare): a new
    MatchModel, the prepared one left as it is so it can be built again under other solve settings."""
    t0 = time.perf_counter()
    built = replace(model, components=[])
    links = built.links
    for cid, group in links[links["component"] >= 0].groupby("component"):
        built.components.append(build_component(int(str(cid)), group, built.levels, built.settings))
    built.build_seconds = model.build_seconds + time.perf_counter() - t0
    return built


def propose(park: Park, options: MatchOptions | None = None) -> Plan:
    """Candidate links -> MILP -> Plan: build, solve and read in one call."""
    return propose_model(build_model(park, options))


def propose_model(model: MatchModel) -> Plan:
    """Solve a built model (build_model, or build_components of a prepared one) and read its Plan, explaining
    forced links that pick nothing and infeasible sub-problems."""
    if model.forced_unmatched:
        messages = [forced_unmatched_message(model, k) for k in model.forced_unmatched]
        return combine(model, Solution(flows=_no_flows(), heat_levels=_no_flows(), parts=[]),
                       [*model.ctx.messages, *messages], status_override="infeasible")
    target = model.settings.target_tco2e
    if target is not None and target > 0 and not model.components:  # nothing left to build: no tonne avoided
        return combine(model, Solution(flows=_no_flows(), heat_levels=_no_flows(), parts=[]),
                       [*model.ctx.messages, target_message(model, 0.0, "optimal")], status_override="infeasible")
    solution = solve_model(model)
    extra: list[tuple[str, str]] = []
    for part in solution.parts:
        if part.status == "infeasible":
            if target is not None and target > 0:
                most = most_avoided(model)
                if most.net_tco2e < target * (1 - 1e-9):
                    extra.append(target_message(model, most.net_tco2e, most.status))
                    continue
            comp = next(c for c in model.components if c.component == part.component)
            extra.append(explain_infeasible(model, comp))
    return read_plan(model, solution, extra)


def most_avoided(model: MatchModel) -> Plan:
    """The plan avoiding the most under the model's options without its tonnes target (objective emissions, the
    investment budget, forced and forbidden links and every other option kept): what a target can ask at most."""
    settings = replace(model.settings, objective="emissions", target_tco2e=None)
    candidates = Candidates(ctx=model.ctx, links=model.links, levels=model.levels)
    return propose_model(build_components(prepare_model(candidates, settings)))


def target_message(model: MatchModel, most: float, status: str) -> tuple[str, str]:
    """Why the tonnes target cannot be met: the most that can be avoided, in English and Chinese."""
    budget = pair(MESSAGES.code("target_budget")) if model.settings.budget_capex_cny is not None else ("", "")
    proven = pair(MESSAGES.code("most_proven")) if status == "optimal" else \
        pair(MESSAGES.code("most_unproven"), status=status)
    return _message("target_unreachable", target=model.settings.target_tco2e, most=most, status=proven[0],
                    status_zh=proven[1], budget=budget[0], budget_zh=budget[1])


def _no_flows() -> pd.DataFrame:
    return pd.DataFrame({"lid": pd.Series(dtype=int), "flow": pd.Series(dtype=float),
                         "built": pd.Series(dtype=bool), "level": pd.Series(dtype=int), "q": pd.Series(dtype=float)})


def _part_messages(model: MatchModel, solution: Solution) -> list[tuple[str, str]]:
    """Per sub-problem notes (time limit, gap, solver error) in both languages; see matching.read."""
    return part_messages(model, solution)


def _feasible(model: MatchModel, comp: ComponentModel, forced: list[int], sized: bool = True) -> bool:
    """Is the part feasible with only these forced selectors (without their stated quantities: sized=False)?"""
    chosen = [model.settings.forced[k] for k in forced]
    if not sized:
        chosen = [replace(sel, quantity=None) for sel in chosen]
    settings = replace(model.settings, forced=tuple(chosen))
    part = build_component(comp.component, comp.links, model.levels, settings)
    # no clock for the diagnosis either when the run has none (a time-limited check would read as 'feasible')
    limit = model.settings.time_limit if math.isinf(model.settings.time_limit) else min(
        DIAGNOSIS_TIME_LIMIT, model.settings.time_limit)
    result = solve_part(part, settings, limit)
    return result.status != "infeasible"


def conflicting_forced(model: MatchModel, comp: ComponentModel) -> list[int] | None:
    """A minimal set of forced selectors that cannot hold together (deletion filter): removing any one of them
    makes the rest feasible. None when the part is infeasible even without forced links."""
    if not _feasible(model, comp, []):
        return None
    conflict = list(comp.forced)
    for k in list(conflict):
        trial = [j for j in conflict if j != k]
        if not _feasible(model, comp, trial):
            conflict = trial
    return conflict


def explain_infeasible(model: MatchModel, comp: ComponentModel) -> tuple[str, str]:
    """Why a sub-problem has no feasible plan, in English and Chinese: the options alone, one forced selector that
    cannot be met (its stated size, its minimum size), or a minimal set of forced selectors in conflict."""
    conflict = conflicting_forced(model, comp)
    settings = model.settings
    if conflict is None:
        causes = [pair(MESSAGES.code("cause_cost_cap"), epsilon=settings.epsilon_cost)] \
            if settings.epsilon_cost is not None else []
        if settings.budget_capex_cny is not None:
            causes.append(pair(MESSAGES.code("cause_budget"), budget=settings.budget_capex_cny))
        if settings.target_tco2e is not None:
            causes.append(pair(MESSAGES.code("cause_target"), target=settings.target_tco2e))
        return _message("infeasible_without_forced", component=comp.component,
                        causes=", ".join(en for en, _ in causes) or render(MESSAGES.code("cause_options"), "en"),
                        causes_zh="、".join(zh for _, zh in causes) or render(MESSAGES.code("cause_options"), "zh"))
    names = [settings.forced[k].describe() for k in conflict]
    if len(conflict) == 1:
        single = _single_forced_infeasible(model, comp, conflict, names[0])
        if single is not None:
            return single
    cap = settings.max_links_per_enterprise
    cap_en, cap_zh = pair(MESSAGES.code("cause_firm_cap"), cap=cap) if cap is not None else ("", "")
    return _message("forced_conflict", links="; ".join(f"[{n}]" for n in names), cap=cap_en, cap_zh=cap_zh)


def _single_forced_infeasible(model: MatchModel, comp: ComponentModel, conflict: list[int],
                              name: str) -> tuple[str, str] | None:
    """Why one forced selector alone cannot be met: its stated size beyond what its links carry or beyond the
    other limits, or every link it picks below the minimum size. None when neither explains it."""
    sel = model.settings.forced[conflict[0]]
    rows = comp.links[selector_mask(comp.links, sel)]
    if sel.quantity is not None:
        most = float(rows["capacity"].sum())
        unit = str(rows["unit_out"].iloc[0]) if len(rows) else ""
        if not _feasible(model, comp, conflict, sized=False):
            pass  # infeasible even at any size: the minimum-size reasons below
        elif most < sel.quantity:
            return _message("forced_beyond_capacity", name=name, quantity=sel.quantity, unit=unit, most=most)
        else:
            return _message("forced_beyond_limits", name=name, quantity=sel.quantity, unit=unit)
    if (rows["capacity"] < rows["min_quantity"]).all():
        return _below_minimum(name, rows)
    return None


def _below_minimum(name: str, rows: pd.DataFrame) -> tuple[str, str]:
    """A forced selector whose largest candidate is below the minimum link size."""
    r = rows.iloc[int(rows["capacity"].to_numpy().argmax())]
    return _message("forced_below_minimum", name=name, capacity=r["capacity"], unit=r["unit_out"],
                    minimum=r["min_quantity"])


def forced_unmatched_message(model: MatchModel, k: int) -> tuple[str, str]:
    """Why a forced selector picks no link the model can build."""
    from matching.explain import pair_reason

    sel = model.settings.forced[k]
    name = sel.describe()
    unknown = unknown_ids(model, sel)
    if unknown is not None:
        return unknown
    rows = model.links[selector_mask(model.links, sel)]
    if (rows["status"] == "forbidden").any():
        return _message("forced_forbidden", name=name)
    if len(rows):
        return _below_minimum(name, rows)
    en, zh = pair_reason(model, sel)
    return _message("forced_no_candidate", name=name, reason=en, reason_zh=zh)


def nearest_ids(name: str, known: list[str], n: int = 3) -> list[str]:
    """The known ids most like `name` (difflib's ratio, then the id's order): for 'unknown id' messages."""
    import difflib

    scored = sorted(known, key=lambda k: (-difflib.SequenceMatcher(None, name.lower(), k.lower()).ratio(), k))
    return scored[:n]


def unknown_ids(model: MatchModel, sel: LinkSelector) -> tuple[str, str] | None:
    """A forced selector that names an enterprise or a stream the park does not have: which one, and the nearest
    known ids (a typo is the usual cause), in English and Chinese. None when every id it names is known."""
    park = model.ctx.park
    enterprises = [str(e) for e in park.enterprises["enterprise_id"]]
    streams = [str(s) for s in park.streams["stream_id"]]
    checks = ((sel.supplier_id, "supplier", "enterprise", enterprises),
              (sel.receiver_id, "receiver", "enterprise", enterprises),
              (sel.supplier_stream_id, "supplier", "stream", streams),
              (sel.receiver_stream_id, "receiver", "stream", streams))
    for value, role, kind, known in checks:
        if value is None or value in known:
            continue
        near = nearest_ids(value, known)
        role_en, role_zh = pair(SELECTOR_WORDS.code(role))
        kind_en, kind_zh = pair(SELECTOR_WORDS.code(kind))
        return _message("unknown_id", name=sel.describe(), role=role_en, role_zh=role_zh, kind=kind_en,
                        kind_zh=kind_zh, value=value, near=", ".join(near), near_zh="、".join(near))
    return None


__all__ = ["Candidates", "build_candidates", "build_components", "build_model", "conflicting_forced",
           "prepare_model", "propose", "propose_model", "read_plan", "solve_model", "with_settings"]
