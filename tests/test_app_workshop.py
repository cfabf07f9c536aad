"""The workshop in the app (app/workshop.py, app/pages/workshop.py) driven through AppTest, with a real SQLite store
in tmp_path: create, join, save (the Scenarios page's save writes to the store), a reload restores the group, the
facilitator's comparison, wrong codes, no store; and 20 groups saving and solving at once (benchmarks.workshop_load).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

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
    assert {"Group A", "Group B"} <= set(indicators.columns) and len(indicators) >= 5
    assert indicators["Group A"].str.contains("✓|✗").any() and indicators["today"].str.contains("✓|✗").any()
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
