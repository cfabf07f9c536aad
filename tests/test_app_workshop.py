"""The workshop in the app (app/workshop.py, app/pages/workshop.py) driven through AppTest, with a real SQLite store
in tmp_path: create, join, save (the Scenarios page's save writes to the store), a reload restores the group, the
facilitator's comparison, wrong codes, no store; and 20 groups saving and solving at once (benchmarks.workshop_load).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from app_driver import go, ws_of
from park_builders import write_park
from streamlit.testing.v1 import AppTest

from app import workshop as wk
from app.opportunities import link_key
from symbiosis.core.plan import Plan
from symbiosis.core.scenario import Scenario
from symbiosis.workshop.store import Store

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app_streamlit.py"


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's store: SQLite in tmp_path (the app reads SYMBIOSIS_WORKSPACE)."""
    monkeypatch.setenv("SYMBIOSIS_WORKSPACE", str(tmp_path))
    monkeypatch.delenv("SYMBIOSIS_STORE_URL", raising=False)
    monkeypatch.delenv("SYMBIOSIS_STORE", raising=False)
    return tmp_path


def new_app(**params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params.update(params)
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [i.value for i in at.info] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with {column!r}: {[list(f.value.columns) for f in at.dataframe]}")


def create_workshop(at: AppTest, name: str = "Morning") -> tuple[str, str]:
    """The facilitator creates a workshop on the open park: (join code, facilitator code), both shown."""
    go(at, "workshop")
    at.text_input(key="ws_create_name").set_value(name).run()
    at.button(key="ws_create_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    code, fcode, _ = ws_of(at).ui["_ws_created"]
    shown = texts(at)
    assert f"`{code}`" in shown and f"`{fcode}`" in shown
    return code, fcode


def join(at: AppTest, code: str, group: str) -> AppTest:
    go(at, "workshop")
    at.text_input(key="ws_join_code").set_value(code).run()
    at.text_input(key="ws_join_group").set_value(group).run()
    at.button(key="ws_join_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def solve_and_save(at: AppTest, name: str, reach_truck: float | None = None) -> None:
    go(at, "opportunities")
    if reach_truck is not None:
        at.number_input(key="opt_reach_truck").set_value(reach_truck).run()
    at.button(key="run_matching").click().run()
    assert ws_of(at).plan is not None
    go(at, "scenarios")
    at.text_input(key="scenario_name").set_value(name).run()
    at.button(key="save_scenario").click().run()
    assert not at.exception, [e.value for e in at.exception]


def choose(at: AppTest, name: str) -> None:
    go(at, "workshop")
    at.selectbox(key="ws_choose_pick").set_value(name).run()
    at.button(key="ws_choose_button").click().run()
    assert not at.exception


@pytest.mark.slow
def test_create_join_save_and_a_reload_restores_the_group(store_dir: Path) -> None:
    facilitator = new_app().run()
    code, fcode = create_workshop(facilitator)
    assert re.fullmatch(r"[A-Z0-9]{6}", code) and len(fcode) == 12

    group = join(new_app().run(), code, "Group A")
    ws = ws_of(group)
    assert isinstance(ws.workshop, wk.Membership) and ws.workshop.group_name == "Group A"
    assert group.query_params["workshop"] == code and group.query_params["group"] == "Group A"
    key = group.query_params["key"]
    assert key == ws.workshop.key and len(key) == 8  # the group's key, issued at its first join, in the link
    assert any(f"key={key}" in c.value for c in group.code)  # the group's link, shown to copy
    assert ws.source_label == "Morning" and ws.saved == {}
    solve_and_save(group, "short trucks", reach_truck=5.0)
    plan = ws.plan
    assert plan is not None and plan.links

    # the store holds the scenario file and the solve's result (status, gap, plan JSON, seconds)
    store = Store.open(workspace=store_dir)
    workshop = store.facilitated(fcode)
    assert workshop is not None
    rows = store.scenarios(workshop, facilitator_code=fcode)
    assert [(r.group_name, r.name) for r in rows] == [("Group A", "short trucks")]
    assert Scenario.from_toml(rows[0].scenario_toml.decode()).options["reach_km"]["truck"] == 5.0
    result = store.result(rows[0].id)
    assert result is not None and result.status == plan.status and result.seconds > 0
    assert result.plan_json is not None and len(json.loads(result.plan_json)["links"]) == len(plan.links)
    assert group.query_params["scenario"] == "short trucks"

    # a reload (a new session with the same link): the group's park, scenario, options and plan are back
    again = new_app(**{k: str(v) for k, v in group.query_params.items()}).run()
    assert not again.exception
    ws2 = ws_of(again)
    assert isinstance(ws2.workshop, wk.Membership) and ws2.workshop.code == code
    assert set(ws2.saved) == {"short trucks"} and ws2.park_key == ws.park_key
    assert ws2.scenario.name == "short trucks" and ws2.scenario.options["reach_km"]["truck"] == 5.0
    assert ws2.plan is not None and [link_key(x) for x in ws2.plan.links] == [link_key(x) for x in plan.links]
    # the same link without the key: the group exists, so the name alone is refused, and the sidebar says why
    without = {k: str(v) for k, v in group.query_params.items() if k != "key"}
    stranger = new_app(**without).run()
    assert not stranger.exception and ws_of(stranger).workshop is None
    assert any("already exists" in w.value and "ask its members for the group's link" in w.value
               for w in stranger.sidebar.warning)
    join(stranger, code, "group a")  # the join form without the key: refused too, with the same message
    assert ws_of(stranger).workshop is None and any("already exists" in e.value for e in stranger.error)
    stranger.text_input(key="ws_join_key").set_value(key.lower()).run()
    stranger.button(key="ws_join_button").click().run()
    assert isinstance(ws_of(stranger).workshop, wk.Membership) and set(ws_of(stranger).saved) == {"short trucks"}
    go(again, "opportunities")
    assert again.number_input(key="opt_reach_truck").value == 5.0
    assert not any("changed since this plan" in i.value for i in again.info)  # the restored plan is current
    assert "Group A" in "\n".join(m.value for m in again.sidebar.markdown)


@pytest.mark.slow
def test_the_facilitator_compares_the_groups_chosen_scenarios(store_dir: Path) -> None:
    facilitator = new_app().run()
    code, fcode = create_workshop(facilitator)
    a = join(new_app().run(), code, "Group A")
    solve_and_save(a, "short", reach_truck=5.0)
    choose(a, "short")
    b = join(new_app().run(), code, "Group B")
    solve_and_save(b, "free")
    solve_and_save(b, "free again", reach_truck=20.0)
    choose(b, "free")
    assert "free" in texts(b)

    # B does not see A's scenario until the facilitator opens them to each other
    assert not any(name.startswith("Group A") for name in ws_of(b).saved)
    go(facilitator, "workshop")
    facilitator.text_input(key="ws_facilitator_code").set_value(fcode).run()
    assert not facilitator.exception, [e.value for e in facilitator.exception]
    totals = table_with(facilitator, "group")
    assert totals["group"].tolist() == ["Group A", "Group B"]
    assert totals["name"].tolist() == ["short", "free"]
    plans = {"Group A": ws_of(a).saved["short"].plan, "Group B": ws_of(b).saved["free"].plan}
    for g, plan in plans.items():
        assert plan is not None
        row = totals[totals["group"] == g].iloc[0]
        assert int(row["links"]) == len(plan.links)
    indicators = table_with(facilitator, "today")
    assert {"plan: Group A", "plan: Group B"} <= set(indicators.columns) and len(indicators) >= 5
    assert indicators["plan: Group A"].str.contains("✓|✗").any() and indicators["today"].str.contains("✓|✗").any()
    overlap = table_with(facilitator, "only this group")
    keys = {g: {link_key(x) for x in p.links} for g, p in plans.items() if p is not None}
    common = keys["Group A"] & keys["Group B"]
    assert overlap.set_index("group").loc["Group A", "in common with all"] == len(common)
    assert overlap.set_index("group").loc["Group B", "only this group"] == len(keys["Group B"] - keys["Group A"])
    every = table_with(facilitator, "groups")
    assert len(every) == len(keys["Group A"] | keys["Group B"])
    assert (every["groups"] == "all groups").sum() == len(common)
    assert every["groups"].tolist()[:len(common)] == ["all groups"] * len(common)  # shared links first
    assert (every["groups"] == "only Group B").sum() == len(keys["Group B"] - keys["Group A"])
    assert facilitator.get("plotly_chart")  # the difference between the two chosen scenarios
    assert facilitator.get("download_button")  # the comparison as one HTML report

    facilitator.toggle(key=f"ws_shared_{code}").set_value(True).run()
    assert any("see each other's" in s.value for s in facilitator.success)
    go(b, "workshop")
    b.button(key="ws_refresh").click().run()
    assert "Group A · short" in ws_of(b).saved


def test_wrong_codes_get_a_clear_message(store_dir: Path) -> None:
    at = new_app().run()
    join(at, "ZZZZZZ", "Group A")
    assert any("no workshop with the code “ZZZZZZ”" in e.value for e in at.error)
    assert ws_of(at).workshop is None
    at.text_input(key="ws_facilitator_code").set_value("NOTAFACILITATOR").run()
    assert any("opens no workshop" in e.value for e in at.error)
    # a link with a code that names no workshop: the demo park, and the sidebar says why
    other = new_app(workshop="QQQQQQ", group="Group A").run()
    assert not other.exception
    assert ws_of(other).workshop is None and ws_of(other).park is not None
    assert any("QQQQQQ" in w.value for w in other.sidebar.warning)
    other.radio(key="lang").set_value("zh").run()  # the same in Chinese
    go(other, "workshop")
    assert other.title[0].value == "研讨会"
    assert any("没有代码为“QQQQQQ”的研讨会" in w.value for w in other.sidebar.warning)


def test_without_a_store_the_app_works_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYMBIOSIS_STORE", "off")
    at = new_app().run()
    go(at, "workshop")
    assert any("workshop features are off" in w.value for w in at.warning)
    assert ws_of(at).park is not None


def test_a_failed_solve_is_stored_as_failed_and_a_plan_with_its_json() -> None:
    assert wk.result_fields(None) is None
    failed = wk.result_fields(Plan(status="infeasible", messages=("forced and forbidden",), solve_seconds=0.5))
    assert failed == {"status": "failed", "gap": None, "plan_json": None, "seconds": 0.5,
                      "error": "infeasible: forced and forbidden"}
    ok = wk.result_fields(Plan(status="time_limit", gap=0.02, solve_seconds=1.0, build_seconds=0.5))
    assert ok is not None and ok["status"] == "time_limit" and ok["gap"] == 0.02 and ok["seconds"] == 1.5
    assert json.loads(ok["plan_json"])["status"] == "time_limit" and ok["error"] is None


def test_the_store_url_is_shown_without_its_password() -> None:
    assert wk._where("postgresql+psycopg://me:secret@db:5432/ws", None) == "postgresql+psycopg://…@db:5432/ws"
    assert wk.store_settings({"SYMBIOSIS_STORE": "off"})[2]
    assert wk.store_settings({})[:2] == (None, "workspace")


def test_twenty_groups_save_and_solve_at_once_and_nothing_is_lost(tmp_path: Path) -> None:
    """benchmarks/workshop_load.py on a three-enterprise park: 20 threads, 2 saves each, every row counted."""
    from benchmarks.workshop_load import run

    park = write_park(tmp_path / "park")
    out = run(workers=20, iterations=2, folder=str(tmp_path / "store"), park_dir=park)
    assert out["errors"] == []
    assert out["rows"] == out["expected"] == 40 and out["results"] == 40 and out["groups"] == 20


def test_the_comparison_report_is_one_html_file_with_tables_and_figure() -> None:
    import plotly.graph_objects as go

    table = pd.DataFrame({"group": ["<A>", "B"], "links": [3, 4]})
    out = wk.report_html("Workshop “X”", [("Totals", table), ("Note", "a < b")], go.Figure(go.Bar(x=[1], y=[2])),
                         "en").decode()
    assert out.startswith("<!DOCTYPE html>") and "<table>" in out and "&lt;A&gt;" in out and "a &lt; b" in out
    assert "plotly" in out and "<script" in out and '<script src="http' not in out  # plotly.js inline: works offline


@pytest.mark.slow
def test_a_store_that_stops_answering_is_said_and_the_session_kept(store_dir: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from symbiosis.workshop.store import StoreError

    facilitator = new_app().run()
    code, _ = create_workshop(facilitator)
    group = join(new_app().run(), code, "Group A")
    member = ws_of(group).workshop
    assert isinstance(member, wk.Membership)

    def down(*args: object, **kwargs: object) -> None:
        raise StoreError("cannot_connect", url="sqlite:///workshops.sqlite", reason="disk I/O error")

    monkeypatch.setattr(member.store, "scenarios", down)  # the server's one store: every session sees it down
    monkeypatch.setattr(member.store, "workshop", down)
    go(group, "workshop")
    assert any("does not answer now" in w.value and "disk I/O error" in w.value for w in group.warning)
    assert ws_of(group).park is not None and ws_of(group).workshop is member
    again = new_app(workshop=code, group="Group A").run()  # a reload while it is down: the demo, and why
    assert not again.exception
    assert any("does not answer now" in w.value for w in again.sidebar.warning)


# --- review fixes: no cached half-written entry, no traceback, bilingual messages, unique columns -----------------
class _FakeStore:
    """The store calls `restore`/`chosen_entries` make, over fixed records."""

    def __init__(self, records: list[Any], results: dict[int, Any]) -> None:
        self.records, self.results, self.reads = records, results, 0

    def result(self, scenario_id: int) -> Any:
        self.reads += 1
        return self.results.get(scenario_id)

    def chosen_scenarios(self, workshop: Any, **_: Any) -> list[Any]:
        return self.records

    def scenarios(self, workshop: Any, **_: Any) -> list[Any]:
        return self.records


def _record(rid: int, name: str, group: str = "Group A", group_id: int = 1) -> Any:
    from types import SimpleNamespace

    from symbiosis.core.scenario import scenario_bytes

    return SimpleNamespace(id=rid, name=name, group_name=group, group_id=group_id,
                           scenario_toml=scenario_bytes(Scenario(name=name, options={"objective": "emissions"})))


def _result(plan_json: str | None, status: str = "optimal") -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(status=status, plan_json=plan_json)


@pytest.fixture
def park(tmp_path: Path) -> Any:
    from symbiosis.core.loader import load_park

    return load_park(write_park(tmp_path / "park"))


def test_an_entry_read_before_its_result_is_read_again(park: Any) -> None:
    rec = _record(7, "s")
    store = _FakeStore([rec], {})
    cache: dict[int, Any] = {}
    first = wk.chosen_entries(store, None, "F" * 12, park, cache)
    assert [e.saved.plan for e in first] == [None] and 7 not in cache  # not kept without its result
    store.results[7] = _result(Plan(status="optimal").to_json())
    second = wk.chosen_entries(store, None, "F" * 12, park, cache)
    assert second[0].saved.plan is not None and second[0].status == "optimal" and 7 in cache
    reads = store.reads
    wk.chosen_entries(store, None, "F" * 12, park, cache)
    assert store.reads == reads  # now cached


def test_a_group_reads_a_scenario_again_until_its_result_is_there(park: Any) -> None:
    from app.state import Workspace

    rec = _record(3, "s")
    store = _FakeStore([rec], {})
    ws = Workspace()
    ws.base_park = park
    group = type("G", (), {"id": 1, "name": "Group A", "key": "ABCDEFGH"})()
    ws.workshop = wk.Membership(store=store, workshop=None, group=group)
    assert wk.refresh(ws) == 1 and ws.saved["s"].plan is None and 3 not in ws.workshop.known
    store.results[3] = _result(Plan(status="optimal").to_json())
    assert wk.refresh(ws) == 0 and ws.saved["s"].plan is not None and 3 in ws.workshop.known


def test_a_stored_plan_this_program_cannot_read_is_said_not_raised(park: Any) -> None:
    store = _FakeStore([_record(5, "odd", "Group B", 2)], {5: _result("{}")})
    problems: list[tuple[str, str]] = []
    entries = wk.chosen_entries(store, None, "F" * 12, park, {}, problems)
    assert [e.name for e in entries] == ["odd"] and entries[0].saved.plan is None
    ((en, zh),) = problems
    assert "“odd” (Group B) cannot be read" in en and "not a plan" in en and "无法被本程序读取" in zh
    broken = _record(6, "broken")
    broken.scenario_toml = b"colour = 'red'\n"
    saved, _, problem = wk.restore(store, broken, park)
    assert saved is None and problem is not None and "cannot be read here" in problem[0]


def test_a_failed_write_is_said_in_both_languages(park: Any) -> None:
    from app.state import Saved
    from symbiosis.workshop.store import StoreError

    class Refusing:
        def save_scenario(self, *args: Any, **kwargs: Any) -> Any:
            raise StoreError("wrong_group_key", group="Group A")

    class Broken:
        def save_scenario(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("disk full")

    saved = Saved(scenario=Scenario(name="s", park_hash="other"), park=park, park_key="k", plan=None,
                  options_key="o")
    group = type("G", (), {"id": 1, "name": "Group A", "key": ""})()
    member = wk.Membership(store=Refusing(), workshop=None, group=group, park_key="mine")
    member.record(saved)
    assert "another park" in member.error_text("en") and "不同的园区" in member.error_text("zh")
    member.park_key = ""
    member.record(saved)
    assert "not the key" in member.error_text("en") and "密钥" in member.error_text("zh")
    member.store = Broken()
    member.record(saved)
    assert "RuntimeError: disk full" in member.error_text("en") and "存储无法写入" in member.error_text("zh")


def test_a_group_named_like_a_column_does_not_overwrite_it(park: Any) -> None:
    import flows

    before = flows.indicators(park, None)
    table = wk.indicators_table(before, [("today", before), ("Indicator", before)], "en")
    assert len(set(table.columns)) == len(table.columns) == 5  # indicator, threshold, today and two groups
    assert {"plan: today", "plan: Indicator", "today"} <= set(table.columns)
    assert table["today"].tolist() == table["plan: today"].tolist()  # the same plan: the same cells


@pytest.mark.slow
def test_the_facilitator_is_told_when_the_workshop_park_does_not_load(store_dir: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from symbiosis.core.errors import ParkError

    facilitator = new_app().run()
    _, fcode = create_workshop(facilitator)

    def broken(*args: object) -> None:
        raise ParkError([])

    monkeypatch.setattr(wk, "workshop_park", broken)
    facilitator.text_input(key="ws_facilitator_code").set_value(fcode).run()
    assert not facilitator.exception, [e.value for e in facilitator.exception]
    assert any("park does not load here" in e.value for e in facilitator.error)
