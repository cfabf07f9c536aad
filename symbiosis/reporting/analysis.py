"""Run the whole pipeline once — validate, metabolism, match, explain, indicators — into one `Analysis`.

Both languages of a report, the workbook, the HTML and the CSVs are rendered from the same `Analysis`, so the
Chinese and the English report of one run can never disagree on a number. The reporting package is an entry
point (like the commands): it is the one place besides the CLI and the app that calls both flows/ and matching/.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from typing import Any

import networkx as nx
import pandas as pd

import flows
from flows.labels import fmt_quantity
from matching import MatchOptions, Settings
from matching.options import SCENARIO_OPTION_KEYS as SCENARIO_OPTION_KEYS
from matching.options import scenario_options as scenario_options
from symbiosis.core.errors import DatasetError, Problem
from symbiosis.core.factors import Factor, FactorTable
from symbiosis.core.i18n import LANGS, lang_column, pick, word
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan
from symbiosis.core.scenario import Scenario, apply_edits
from symbiosis.core.taxonomy import DIMENSION_NAMES
from symbiosis.core.uncertainty import DEFAULT_SAMPLES, PlanUncertainty, plan_uncertainty
from symbiosis.reporting.macc import PlanEconomics, plan_costs
from symbiosis.reporting.texts import t
from symbiosis.session import Session

# Steps of a report run, in order; the CLI prints each with its elapsed time.
STEPS: tuple[str, ...] = ("load", "validate", "metabolism", "match", "explain", "indicators", "write")
# scenario_options (imported above) is matching.options', the one mapping of a scenario to MatchOptions; the
# scenario [options] keys it accepts are SCENARIO_OPTION_KEYS.

ProgressCallback = Callable[[str, str, float, float], None]  # (event 'start'|'done', step, seconds, total)


class Stopwatch:
    """Times the pipeline's steps and tells a callback when each starts and ends (the CLI prints them)."""

    def __init__(self, callback: ProgressCallback | None = None) -> None:
        self.callback = callback
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self.callback is not None:
            self.callback("start", name, 0.0, time.perf_counter() - self.started)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            seconds = time.perf_counter() - t0
            self.timings[name] = self.timings.get(name, 0.0) + seconds
            if self.callback is not None:
                self.callback("done", name, seconds, time.perf_counter() - self.started)


@dataclass(frozen=True)
class Finding:
    """One data-quality warning shown in the report, in both languages, with where it comes from."""

    origin: str  # validation, metabolism_before, metabolism_after, assumption, balance, scenario
    message_en: str
    message_zh: str
    severity: str = "warning"
    file: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    ref: str = ""
    accepted: str = ""

    def message(self, lang: str) -> str:
        return pick(self.message_en, self.message_zh, lang)


@dataclass(frozen=True)
class FactorUse:
    """An emission factor the report relies on, and who used it. `factor` is None if the id is not in datasets/."""

    factor_id: str
    factor: Factor | None
    links: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()


@dataclass(frozen=True)
class Analysis:
    """Everything a report shows, computed once."""

    park: Park  # with the scenario's edits applied
    scenario: Scenario
    options: MatchOptions
    settings: Settings
    factors: FactorTable
    plan: Plan
    graph_before: nx.MultiDiGraph
    graph_after: nx.MultiDiGraph
    balances_before: pd.DataFrame
    balances_after: pd.DataFrame
    indicators_before: pd.DataFrame
    indicators_after: pd.DataFrame
    network_before: pd.DataFrame
    network_after: pd.DataFrame
    unmatched: pd.DataFrame
    findings: tuple[Finding, ...]
    factor_uses: tuple[FactorUse, ...]
    timings: dict[str, float] = field(default_factory=dict)
    generated_at: str = ""
    version: str = ""
    from_scenario: bool = True  # False when plain MatchOptions were given: there is no scenario file to write
    uncertainty: PlanUncertainty | None = None  # the plan's Monte Carlo (docs/uncertainty.md); None: not drawn
    economics: PlanEconomics | None = None  # what the links cost and earn, and the MACC (docs/economics.md)

    def scenario_title(self, lang: str) -> str:
        """The scenario's name; the default scenario and bare options get a name in the report's language."""
        if not self.from_scenario:
            return t("options_scenario", lang)
        return t("default_scenario", lang) if self.scenario == Scenario() else self.scenario.name

    def park_title(self, lang: str) -> str:
        return pick(self.park.name, self.park.config.name_zh, lang)

    def enterprise_names(self, lang: str) -> dict[str, str]:
        """enterprise_id -> name, the ledger's name_zh/name_en column when it has one for the language."""
        e = self.park.enterprises
        column = lang_column("name_en", "name_zh", lang)
        column = column if column in e.columns else "name"
        out: dict[str, str] = {}
        for eid, name, fallback in zip(e["enterprise_id"], e[column], e["name"], strict=True):
            text = "" if name is None or (isinstance(name, float) and math.isnan(name)) else str(name)
            out[str(eid)] = text or str(fallback)
        return out


def _tool_version() -> str:
    try:
        return metadata.version("symbiosis-analyzer")
    except metadata.PackageNotFoundError:
        return "unknown"


def as_scenario(scenario_or_options: Scenario | MatchOptions | None) -> tuple[Scenario, MatchOptions]:
    """A Scenario and the MatchOptions it stands for, from either (None: the park's own defaults)."""
    if scenario_or_options is None:
        return Scenario(), MatchOptions()
    if isinstance(scenario_or_options, Scenario):
        return scenario_or_options, scenario_options(scenario_or_options)
    return Scenario(name="—"), scenario_or_options


def analyse(park: Park, scenario_or_options: Scenario | MatchOptions | None = None, *,
            apply_scenario_edits: bool = True, plan: Plan | None = None,
            stopwatch: Stopwatch | None = None, session: Session | None = None,
            uncertainty_samples: int = DEFAULT_SAMPLES) -> Analysis:
    """Validate, build the metabolism, match, explain and compute the indicators, once.

    `park` is the park as loaded; a Scenario's ledger edits are applied to it (through the loader, so an edit that
    breaks the ledger raises ParkError with every problem) unless `apply_scenario_edits` is False because the
    caller already did (edits set values, so applying them twice gives the same park anyway). `plan`, when given,
    is the plan already solved for this park and these options (the app's current plan): it is reported as it is
    instead of being solved again, so the report shows exactly what the user saw. `session`: a prepared session
    (symbiosis.session) on the park the analysis runs on — the app's, with the scenario's edits applied — whose
    candidates, model and graphs are reused; by default one is made here, so the candidates are built once and the
    graph of the park as it is once, for the match, the explanation and the metabolism together.
    """
    sw = stopwatch or Stopwatch()
    scenario, options = as_scenario(scenario_or_options)
    findings: list[Finding] = []
    with sw.step("validate"):
        if apply_scenario_edits and scenario.edits:
            park = apply_edits(park, scenario.edits)
        if session is None or (session.park is not park and not session.park.equals(park)):
            session = Session(park)
        park = session.park
        settings = session.settings(options)
        factors = session.factors(settings)
        findings += [_from_problem(p) for p in park.warnings]
        if scenario.park and scenario.park not in (park.name, park.config.name_zh):
            findings.append(Finding("scenario", *_both("w_scenario_park", made_on=scenario.park, park=park.name)))
    with sw.step("metabolism"):
        graph_before = session.graph(None, settings)
        balances_before = flows.balances(graph_before)
    with sw.step("match"):
        if plan is None:
            plan = session.plan(settings)
        uncertainty = (plan_uncertainty(park, plan, factors, uncertainty_samples)
                       if uncertainty_samples > 0 and plan.links else None)
        economics = None
        try:  # at the run's carbon price; a park.toml [economics] naming an unknown row is a finding, not a crash
            economics = plan_costs(plan, park, settings.carbon_price)
        except DatasetError as exc:
            en, zh = (t("macc_failed", lg, error=str(exc)) for lg in LANGS)
            findings.append(Finding("validation", en, zh, severity="error", file="park.toml", column="[economics]"))
    with sw.step("explain"):
        unmatched = session.explain(plan, settings)
    with sw.step("indicators"):
        graph_after = session.graph(plan, settings)
        balances_after = flows.balances(graph_after)
        indicators_before = flows.indicators(graph_before, factors=factors)
        indicators_after = flows.indicators(graph_after, factors=factors)
        network_before = flows.network_metrics(graph_before)
        network_after = flows.network_metrics(graph_after)
    findings += _graph_findings(graph_before, "metabolism_before")
    findings += _graph_findings(graph_after, "metabolism_after")
    findings += _balance_findings(balances_before)
    recorded = scenario.result.get("links") if scenario.result else None
    if isinstance(recorded, list):
        now = [f"{x.supplier_stream_id} -> {x.receiver_stream_id}" for x in plan.links]
        if sorted(map(str, recorded)) != sorted(now):
            findings.append(Finding("scenario", *_both("w_scenario_result", before=len(recorded), after=len(now))))
    uses = factor_uses(plan, indicators_before, indicators_after, factors)
    findings += [Finding("validation", *_both("w_missing_factor", factor=u.factor_id), severity="error")
                 for u in uses if u.factor is None]
    return Analysis(
        park=park, scenario=scenario, options=options, settings=settings, factors=factors, plan=plan,
        graph_before=graph_before, graph_after=graph_after, balances_before=balances_before,
        balances_after=balances_after, indicators_before=indicators_before, indicators_after=indicators_after,
        network_before=network_before, network_after=network_after, unmatched=unmatched,
        findings=tuple(findings), factor_uses=uses, timings=dict(sw.timings),
        generated_at=datetime.now().astimezone().isoformat(timespec="seconds"), version=_tool_version(),
        from_scenario=not isinstance(scenario_or_options, MatchOptions), uncertainty=uncertainty,
        economics=economics)


def _both(key: str, **params: Any) -> tuple[str, str]:
    return t(key, "en", **params), t(key, "zh", **params)


def _from_problem(p: Problem) -> Finding:
    return Finding("validation", p.text("en"), p.text("zh"), severity=p.severity, file=p.file, row=p.row,
                   column=p.column, value=p.value, accepted=p.accepted)


def _graph_findings(graph: nx.MultiDiGraph, origin: str) -> list[Finding]:
    out = [Finding(origin, w.message_en, w.message_zh, file=w.file, row=w.row, ref=w.ref)
           for w in graph.graph.get("warnings", [])]
    if origin == "metabolism_before":  # the assumptions are the same in both states: list them once
        out += [Finding("assumption", a.get("message_en", ""), a.get("message_zh", ""), severity="info",
                        ref=str(a.get("stream_id", ""))) for a in graph.graph.get("assumptions", [])]
    return out


def _balance_findings(table: pd.DataFrame) -> list[Finding]:
    """Flagged balances (more leaves than enters): a missing input row or a wrong number, worth a look."""
    out: list[Finding] = []
    for r in flows.unbalanced(table).to_dict("records"):
        params = {"enterprise": f"{r['enterprise_id']} {r['enterprise_name']}", "unit": r["unit"],
                  "gap": fmt_quantity(abs(float(r["gap"]))), "tolerance": fmt_quantity(float(r["tolerance"]))}
        en, zh = (t("w_balance", lg, dimension=word(DIMENSION_NAMES, str(r["key"]), lg), **params) for lg in LANGS)
        out.append(Finding("balance", en, zh, ref=str(r["enterprise_id"])))
    return out


def _cited(factors: FactorTable, factor_id: str) -> Factor | None:
    """A cited row: of the table, or computed by the rule-book from its rows (landfill methane); None if neither."""
    try:
        return factors.get(factor_id)
    except DatasetError:
        return None


def factor_uses(plan: Plan, before: pd.DataFrame, after: pd.DataFrame, factors: FactorTable) -> tuple[FactorUse, ...]:
    """Every factor id referenced by a link (its factor_ids and its accounting lines) or by an indicator."""
    by_links: dict[str, list[str]] = {}
    by_indicators: dict[str, list[str]] = {}
    for link in plan.links:
        ids = [*link.factor_ids, *(f for line in link.accounting for f in line.factor_ids)]
        for fid in dict.fromkeys(ids):
            by_links.setdefault(fid, []).append(link.link_id)
    for table in (before, after):
        for iid, ids in zip(table["indicator_id"], table["factor_ids"], strict=True):
            for fid in ids or ():
                if iid not in by_indicators.setdefault(fid, []):
                    by_indicators[fid].append(iid)
    out = []
    for fid in sorted({*by_links, *by_indicators}):
        factor = _cited(factors, fid)
        out.append(FactorUse(fid, factor, tuple(by_links.get(fid, ())), tuple(by_indicators.get(fid, ()))))
    return tuple(out)
