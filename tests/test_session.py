"""The prepared session (symbiosis.session) and the one options function (matching.options).

- one table of defaults, documented once (docs/options.md is generated from it);
- the app, the report and the command resolve the same park.toml / scenario to the same Settings;
- the candidate links depend on CANDIDATE_FIELDS only, and a Session builds them once per those;
- one analysis of the demo park builds the candidate links once (it built them twice) and allocates the existing
  exchanges once (it did four times): the session hands its one allocation to the candidates and to the graphs
  before and after; a re-solve after an option change builds and allocates nothing.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from park_builders import write_park

import flows
import flows.graph
import matching
import matching.candidates
import matching.model
import symbiosis.session
from matching import LinkSelector, MatchOptions, resolve
from matching.model import prepare
from matching.options import (
    CANDIDATE_FIELDS,
    DEFAULT_CARBON_PRICE,
    DEFAULTS,
    MODEL_FIELDS,
    OPTION_DOCS,
    SOLVE_FIELDS,
    Settings,
    options_markdown,
)
from symbiosis import load_park
from symbiosis.core.datasets import demo_park_path
from symbiosis.core.park import Park
from symbiosis.core.scenario import Scenario
from symbiosis.session import Session

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo() -> Park:
    return load_park(demo_park_path())


# --- one table of defaults, documented once ------------------------------------------------------------------------
def test_docs_options_md_is_the_generated_table() -> None:
    assert (ROOT / "docs" / "options.md").read_text(encoding="utf-8") == options_markdown(), (
        "regenerate: .venv/bin/python -c 'import matching.options as o; print(o.options_markdown(), end=\"\")' "
        "> docs/options.md")


def test_every_option_has_one_default_one_description_and_one_stage() -> None:
    names = [f.name for f in dataclasses.fields(MatchOptions)]
    assert sorted(DEFAULTS) == sorted(names) == sorted(f.name for f in dataclasses.fields(Settings))
    assert sorted(OPTION_DOCS) == sorted(names)
    stages = [*CANDIDATE_FIELDS, *MODEL_FIELDS, *SOLVE_FIELDS]
    assert sorted(stages) == sorted(names) and len(set(stages)) == len(stages)
    for f in dataclasses.fields(MatchOptions):  # the few MatchOptions fields with a value of their own agree
        if f.default is not None and f.default != ():
            assert f.default == DEFAULTS[f.name], f.name
    assert DEFAULTS["carbon_price"] == DEFAULT_CARBON_PRICE == 100.0


# --- the same options through the app, the report and the command --------------------------------------------------
def _three_paths(park: Park, park_path: Path, scenario: Scenario) -> dict[str, Settings]:
    from app import options as opts
    from symbiosis.cli import build_parser
    from symbiosis.commands.match import options_from_args
    from symbiosis.reporting.analysis import as_scenario

    parser, _ = build_parser()
    command = options_from_args(parser.parse_args(["match", str(park_path)]))
    if scenario.options or scenario.forced:  # `symbiosis report --scenario FILE`
        _, command = as_scenario(Scenario.from_toml(scenario.to_toml()))
    _, report = as_scenario(scenario)
    app_request = opts.SolveRequest.of(scenario, park)
    return {"command": resolve(park, command), "report": resolve(park, report),
            "app": resolve(park, app_request.match_options()),
            "app widgets": resolve(park, opts.SolveRequest(opts.from_widgets({}, park), scenario.forced,
                                                           scenario.forbidden).match_options())}


@pytest.mark.parametrize(("park_toml", "carbon_price"), [
    (None, DEFAULT_CARBON_PRICE),
    ('[options]\nobjective = "cost"\ncarbon_price = 0\ngap = 0.01\n', 0.0),
    ("dt_min_k = 15\n[reach_km]\ntruck = 7\n[options]\ncarbon_price = 250.5\ninclude_scope2 = true\n"
     "time_limit = 30\n[options.min_link_quantity]\nsolid = 5\n", 250.5),
])
def test_app_report_and_command_resolve_the_same_settings(tmp_path: Path, park_toml: str | None,
                                                          carbon_price: float) -> None:
    path = write_park(tmp_path / "p", park_toml=park_toml)
    park = load_park(path)
    settings = _three_paths(park, path, Scenario())
    assert settings["command"] == settings["report"] == settings["app"] == settings["app widgets"]
    assert settings["app"].carbon_price == carbon_price  # an explicit 0 stays 0 (it used to become 100 in the app)


def test_a_scenario_saved_by_the_app_resolves_alike_everywhere(tmp_path: Path) -> None:
    from app import options as opts

    path = write_park(tmp_path / "p", park_toml='[options]\ncarbon_price = 0\nobjective = "cost"\n')
    park = load_park(path)
    saved = Scenario(options=opts.complete({"gap": 0.001, "reach_km": {"truck": 9.0}}, park).table(),
                     forced=(("E1-2", "E2-6"),))
    settings = _three_paths(park, path, saved)
    assert settings["command"] == settings["report"] == settings["app"]
    assert settings["app"].carbon_price == 0.0 and settings["app"].reach_km["truck"] == 9.0
    assert settings["app"].forced == (LinkSelector(supplier_stream_id="E1-2", receiver_stream_id="E2-6"),)


def test_typed_workshop_options_round_trip_as_the_scenario_table(tmp_path: Path) -> None:
    from app import options as opts

    park = load_park(write_park(tmp_path / "p"))
    options = opts.defaults(park)
    assert isinstance(options, opts.WorkshopOptions) and options.carbon_price == DEFAULT_CARBON_PRICE
    table = options.table()
    assert Scenario.from_toml(Scenario(options=table).to_toml()).options == table
    assert opts.complete(table, park) == options
    request = opts.SolveRequest.of(Scenario(options=table, forced=(("a", "b"),)), park)
    assert opts.SolveRequest.from_record(request.record()) == request
    assert request.free().forced == () and request.key() != request.free().key()


# --- candidates depend on CANDIDATE_FIELDS only --------------------------------------------------------------------
MODEL_AND_SOLVE_CHANGES: list[dict[str, Any]] = [
    {"objective": "cost", "carbon_price": 0.0}, {"carbon_price": 500.0}, {"gap": 0.05, "time_limit": 5.0},
    {"forced": (LinkSelector(supplier_id="E01"),), "forbidden": (LinkSelector(receiver_id="E04"),)},
    {"max_links_per_enterprise": 2, "epsilon_cost": 1e6, "decompose": False},
]


@pytest.mark.parametrize("change", MODEL_AND_SOLVE_CHANGES)
def test_the_candidate_links_do_not_depend_on_model_or_solve_settings(demo: Park, change: dict[str, Any]) -> None:
    base = resolve(demo)
    other = dataclasses.replace(base, **change)
    assert matching.candidate_key(base) == matching.candidate_key(other)
    a, b = matching.build_candidates(demo, base), matching.build_candidates(demo, other)
    pd.testing.assert_frame_equal(a.links, b.links)


@pytest.mark.parametrize("change", [{}, *MODEL_AND_SOLVE_CHANGES,
                                    {"forced": (LinkSelector(supplier_id="nope"),)}])
def test_prepare_model_from_prebuilt_candidates_equals_prepare(demo: Park, change: dict[str, Any]) -> None:
    options = MatchOptions(**change)
    settings = resolve(demo, options)
    candidates = matching.build_candidates(demo, resolve(demo))
    mine, theirs = matching.prepare_model(candidates, settings), prepare(demo, options)
    pd.testing.assert_frame_equal(mine.links, theirs.links)
    assert mine.forced_unmatched == theirs.forced_unmatched and mine.settings == theirs.settings
    assert mine.ctx.messages == theirs.ctx.messages


def test_prepare_model_refuses_candidates_of_other_candidate_settings(demo: Park) -> None:
    candidates = matching.build_candidates(demo, resolve(demo))
    with pytest.raises(ValueError, match="candidate settings"):
        matching.prepare_model(candidates, resolve(demo, MatchOptions(dt_min_k=20.0)))


def test_the_session_plans_and_explains_as_propose_does(demo: Park) -> None:
    session = Session(demo)
    for options in (MatchOptions(), MatchOptions(objective="cost", carbon_price=0.0)):
        mine, theirs = session.plan(options), matching.propose(demo, options)
        assert mine.status == theirs.status == "optimal"
        assert [(x.link_id, round(x.quantity, 6)) for x in mine.links] == \
            [(x.link_id, round(x.quantity, 6)) for x in theirs.links]
        assert mine.options == theirs.options
        pd.testing.assert_frame_equal(session.explain(mine, options),
                                      matching.explain_unmatched(demo, theirs, options))
    assert session.counts()["candidates"] == 1


# --- counting what one analysis builds -----------------------------------------------------------------------------
class Counter:
    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return fn(*args, **kwargs)
        return counted

    def take(self) -> dict[str, int]:
        out = {"allocate_exchanges": self.calls.get("allocate_exchanges", 0),
               "build_links": self.calls.get("build_links", 0)}
        self.calls.clear()
        return out


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts allocate_exchanges and build_links wherever they are called from (every module that imported them)."""
    c = Counter()
    from symbiosis.core.exchanges import allocate_exchanges

    for module in (flows.graph, matching.candidates, symbiosis.session):
        monkeypatch.setattr(module, "allocate_exchanges", c.wrap("allocate_exchanges", allocate_exchanges))
    for module in (matching.model, importlib.import_module("matching.propose")):  # the package's `propose` is
        # the function of that name
        monkeypatch.setattr(module, "build_links", c.wrap("build_links", matching.candidates.build_links))
    return c


def _old_analysis(park: Park, options: MatchOptions) -> None:
    """The analysis as it was before the session (benchmarks/session_bench.py old_analysis, without the load)."""
    before = flows.build_graph(park)
    plan = matching.propose(park, options)
    matching.explain_unmatched(park, plan, options)
    after = flows.build_graph(park, plan)
    flows.indicators(before)
    flows.indicators(after)


def test_one_analysis_builds_the_candidates_once(demo: Park, counter: Counter) -> None:
    from symbiosis.reporting import analyse

    _old_analysis(demo, MatchOptions())
    assert counter.take() == {"allocate_exchanges": 4, "build_links": 2}
    session = Session(demo)
    analyse(demo, Scenario(), session=session)
    # the candidates once, and the exchanges once: the session's allocation goes to the candidates and to
    # flows.build_graph for the graph before and after
    assert counter.take() == {"allocate_exchanges": 1, "build_links": 1}
    assert session.counts()["allocations"] == 1
    analyse(demo, Scenario(), session=session)  # the same park and options again: the plan is solved again only
    assert counter.take() == {"allocate_exchanges": 0, "build_links": 0}  # the new plan's after-graph reuses it


def test_a_resolve_after_an_option_change_reuses_the_candidates(demo: Park, counter: Counter) -> None:
    session = Session(demo)
    first = session.plan(MatchOptions())
    session.explain(first, MatchOptions())
    session.candidate_table(MatchOptions())
    assert counter.take() == {"allocate_exchanges": 1, "build_links": 1}
    for change in ({"gap": 1e-4}, {"objective": "cost", "carbon_price": 120.0}, {"time_limit": 30.0},
                   {"forbidden": (LinkSelector(supplier_id="E01"),)}):
        options = MatchOptions(**change)
        plan = session.plan(options)
        session.explain(plan, options)
        session.candidate_table(options)
        assert counter.take() == {"allocate_exchanges": 0, "build_links": 0}, change
    session.plan(MatchOptions(dt_min_k=15.0))  # a candidate setting: the candidates are built again, once, on the
    assert counter.take() == {"allocate_exchanges": 0, "build_links": 1}  # same allocation (same factors, Scope 2)
    session.graph()
    session.graph()
    assert counter.take() == {"allocate_exchanges": 0, "build_links": 0}


def test_a_slow_build_of_one_key_never_holds_up_another_key() -> None:
    """The session cache is shared by every browser session on a park: a model being prepared for one group's
    options must not block a page asking for another key, and two sessions asking for one key build it once."""
    import threading
    import time

    from symbiosis.session import _Cache

    cache = _Cache(threading.RLock())
    started, release = threading.Event(), threading.Event()
    built: list[str] = []

    def slow() -> str:
        started.set()
        release.wait(10)
        built.append("slow")
        return "slow value"

    results: list[str] = []
    first = threading.Thread(target=lambda: results.append(cache.get("a", slow)))
    twin = threading.Thread(target=lambda: results.append(cache.get("a", slow)))
    first.start()
    assert started.wait(10)
    looked: list[object] = []
    cached = cache._cached

    def spy(key: object) -> tuple[bool, object]:
        found = cached(key)
        looked.append((key, found[0]))
        return found

    cache._cached = spy  # type: ignore[method-assign]
    twin.start()
    deadline = time.perf_counter() + 10
    while ("a", False) not in looked and time.perf_counter() < deadline:  # the twin found no value: it must wait
        time.sleep(0.01)
    assert ("a", False) in looked
    t0 = time.perf_counter()
    assert cache.get("b", lambda: "fast value") == "fast value"  # not behind the slow build of "a"
    assert time.perf_counter() - t0 < 1.0
    release.set()
    first.join(10)
    twin.join(10)
    assert results == ["slow value", "slow value"] and built == ["slow"]  # "a" built once, the twin took it
    assert cache.builds == 2 and cache.get("a", slow) == "slow value" and built == ["slow"]
