"""The app driven through streamlit's AppTest by widget keys: a smoke test per page in both languages, the
workshop path (open demo → match → force/forbid → re-run → save → compare → 中文), uploads, edits, isolation.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from app_driver import go, ws_of
from park_builders import BASIC_STREAMS, STREAMS_HEADER, csv_text, write_park
from streamlit.testing.v1 import AppTest

import matching
from app.opportunities import encode, link_key
from app.options import match_options

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app_streamlit.py"
PAGES = ("data", "metabolism", "opportunities", "indicators", "scenarios", "economics", "export", "workshop")
TITLES = {"en": ("Data", "Metabolism", "Opportunities", "Indicators", "Scenarios", "Economics", "Export", "Workshop"),
          "zh": ("数据", "代谢", "机会", "指标", "情景", "经济性", "导出", "研讨会")}


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=60)


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has `column` (read-only dataframes carry no key in AppTest)."""
    for frame in at.dataframe:
        value = frame.value
        if column in value.columns:
            return value
    raise AssertionError(f"no table with a column {column!r}; tables: {[list(f.value.columns) for f in at.dataframe]}")


@pytest.fixture(scope="module")
def demo() -> AppTest:
    """One session on the demo park, shared by the smoke tests (each test only reads and switches pages)."""
    at = new_app().run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_smoke_each_page_in_both_languages(demo: AppTest, page: str, lang: str) -> None:
    demo.radio(key="lang").set_value(lang).run()
    go(demo, page)
    assert demo.title[0].value == TITLES[lang][PAGES.index(page)]
    assert ws_of(demo).park is not None


def test_first_visit_opens_the_demo_park() -> None:
    at = new_app().run()
    ws = ws_of(at)
    assert ws.park is not None and ws.park.config.name.startswith("Binjiang")
    assert len(ws.park.enterprises) >= 20
    assert "Binjiang" in " ".join(m.value for m in at.sidebar.markdown)


def test_an_environment_variable_chooses_the_first_park(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYMBIOSIS_APP_PARK", str(write_park(tmp_path / "mine")))
    at = new_app().run()
    assert ws_of(at).park is not None and ws_of(at).park.config.name == "Unnamed park"  # type: ignore[union-attr]


def test_workshop_path() -> None:
    at = new_app().run()
    at.button(key="open_demo").click().run()
    assert not at.exception
    ws = ws_of(at)
    demo_key = ws.park_key

    # run matching: a ranked table with links and an honest status
    go(at, "opportunities")
    at.button(key="run_matching").click().run()
    assert not at.exception
    plan = ws.plan
    assert plan is not None and plan.links and plan.status == "optimal"
    ranked = table_with(at, "rank")
    assert len(ranked) == len(plan.links) and ranked["rank"].tolist() == sorted(ranked["rank"])
    assert any("OPTIMAL" in s.value for s in at.success)

    # force one link that is not in the plan and forbid the best one, then re-run
    park = ws.park
    assert park is not None
    model = matching.build_model(park, match_options({**ws.plan_request, "forced": [], "forbidden": []}))
    in_plan = {link_key(x) for x in plan.links}
    pool = model.links[(model.links["status"] == "model")].copy()
    pool["key"] = list(zip(pool["supplier_stream_id"], pool["receiver_stream_id"], strict=True))
    pool = pool[~pool["key"].isin(in_plan)]
    pool["value"] = pool["obj"] * pool["capacity"]
    forced = pool.sort_values("value", ascending=False)["key"].iloc[0]
    forbidden = link_key(min(plan.links, key=lambda x: x.rank))
    at.session_state["forced_links"] = [encode(forced)]  # as the picker's Force and Forbid buttons leave them
    at.session_state["forbidden_links"] = [encode(forbidden)]
    at.run()
    assert any("changed since this plan" in i.value for i in at.info)  # the stale plan is marked
    at.button(key="run_matching").click().run()
    assert not at.exception
    replan = ws.plan
    assert replan is not None and replan is not plan
    keys = {link_key(x) for x in replan.links}
    assert forced in keys and forbidden not in keys
    assert next(x for x in replan.links if link_key(x) == forced).forced
    assert ws.scenario.forced == (forced,) and ws.scenario.forbidden == (forbidden,)
    # a link's detail and "why not matched?" for the forbidden link's supplier stream
    assert table_with(at, "tCO2e/a") is not None
    at.selectbox(key="why_stream").set_value(forbidden[0]).run()
    assert not at.exception

    # save two scenarios and compare them
    go(at, "scenarios")
    at.text_input(key="scenario_name").set_value("forced").run()
    at.button(key="save_scenario").click().run()
    assert "forced" in ws.saved and ws.saved["forced"].plan is replan
    go(at, "opportunities")
    at.session_state["forced_links"] = []
    at.session_state["forbidden_links"] = []
    at.run()
    at.button(key="run_matching").click().run()
    assert ws.plan is not None and ws.plan.links
    go(at, "scenarios")
    at.text_input(key="scenario_name").set_value("free").run()
    at.button(key="save_scenario").click().run()
    assert set(ws.saved) == {"forced", "free"}
    at.selectbox(key="compare_a").set_value("free").run()
    at.selectbox(key="compare_b").set_value("forced").run()
    assert not at.exception
    changes = table_with(at, "change")
    assert encode(forced) in set(changes["link (streams)"])
    assert "added in B" in set(changes["change"]) and "removed in B" in set(changes["change"])
    assert len(table_with(at, "B vs threshold")) >= 5
    assert ws.park_key == demo_key

    # switch to Chinese and see Chinese labels on the comparison
    at.radio(key="lang").set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == "情景"
    assert "比较两个情景" in [s.value for s in at.subheader]
    assert "变化" in table_with(at, "变化").columns
    assert "情景 A" in [s.label for s in at.selectbox]


def test_loading_a_saved_scenario_restores_options_and_plan() -> None:
    at = new_app().run()
    ws = ws_of(at)
    go(at, "opportunities")
    at.number_input(key="opt_reach_truck").set_value(5.0).run()
    at.button(key="run_matching").click().run()
    small = ws.plan
    assert small is not None
    go(at, "scenarios")
    at.text_input(key="scenario_name").set_value("short trucks").run()
    at.button(key="save_scenario").click().run()
    go(at, "opportunities")
    at.number_input(key="opt_reach_truck").set_value(50.0).run()
    at.button(key="run_matching").click().run()
    assert ws.plan is not small
    go(at, "scenarios")
    at.selectbox(key="load_choice").set_value("short trucks").run()
    at.button(key="load_scenario").click().run()
    assert ws.plan is small and ws.scenario.options["reach_km"]["truck"] == 5.0
    go(at, "opportunities")
    assert at.number_input(key="opt_reach_truck").value == 5.0
    assert not any("changed since this plan" in i.value for i in at.info)


def test_non_optimal_status_is_marked() -> None:
    """A time-limited or infeasible solve is never shown as optimal."""
    at = new_app().run()
    ws = ws_of(at)
    go(at, "opportunities")
    # force a link and forbid the same one: matching reports it infeasible
    park = ws.park
    assert park is not None
    at.button(key="run_matching").click().run()
    key = encode(link_key(ws.plan.links[0]))  # type: ignore[union-attr]
    ws.ui.clear()
    at.session_state["forced_links"] = [key]  # as a loaded scenario can name it
    at.session_state["forbidden_links"] = [key]
    at.run()
    assert any("Forced wins" in w.value for w in at.warning)
    # a plan whose status is not optimal, as the solver would give it, is shown as an error or warning
    from dataclasses import replace

    ws.plan = replace(ws.plan, status="time_limit", gap=0.05)  # type: ignore[type-var]
    at.run()
    assert not any("OPTIMAL:" in s.value for s in at.success)
    assert any("NOT PROVEN OPTIMAL" in w.value for w in at.warning)


def test_upload_problems_table_and_previous_park_kept(tmp_path: Path) -> None:
    at = new_app().run()
    ws = ws_of(at)
    before = ws.park_key
    bad = [list(r) for r in BASIC_STREAMS]
    bad[0][STREAMS_HEADER.index("quantity")] = "lots"
    folder = write_park(tmp_path / "bad", streams=bad)
    files = [(p.name, p.read_bytes(), "text/csv") for p in sorted(folder.iterdir())]
    at.file_uploader(key="upload").set_value(files).run()
    assert not at.exception
    assert ws.park_key == before  # nothing loaded half-way
    assert any("the upload was not loaded" in e.value for e in at.error)
    report = table_with(at, "accepted")
    assert "lots" in set(report["value"]) and {"file", "row", "column"} <= set(report.columns)
    # the same upload is not reloaded on every rerun; a good one replaces the park
    good = write_park(tmp_path / "good")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for p in good.iterdir():
            zf.write(p, p.name)
    at.file_uploader(key="upload").set_value(("good.zip", buffer.getvalue(), "application/zip")).run()
    assert ws.park is not None and len(ws.park.enterprises) == 3 and not ws.problems


def test_edit_in_place_revalidates_and_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYMBIOSIS_APP_PARK", str(write_park(tmp_path / "p")))
    at = new_app().run()
    ws = ws_of(at)
    base = ws.park_key
    at.session_state[ws.editor_key()] = {"edited_rows": {0: {"quantity": 4.0}}, "added_rows": [],
                                          "deleted_rows": []}
    at.button(key="apply_edits").click().run()
    assert not at.exception and ws.park_key != base
    assert [(e.stream_id, e.column, e.value) for e in ws.scenario.edits] == [("E1-2", "quantity", 4.0)]
    edited = ws.park_key
    at.session_state[ws.editor_key()] = {"edited_rows": {1: {"temperature_c": 50.0}}, "added_rows": [],
                                          "deleted_rows": []}
    at.button(key="apply_edits").click().run()
    assert ws.park_key == edited and len(ws.scenario.edits) == 1
    assert any("edited ledger" in e.value for e in at.error)
    assert "E1-3" in set(table_with(at, "stream_id")["stream_id"])
    at.button(key="undo_edits").click().run()
    assert ws.park_key == base and ws.scenario.edits == ()


def test_two_sessions_never_see_each_other(tmp_path: Path) -> None:
    a = new_app().run()
    b = new_app().run()
    folder = write_park(tmp_path / "b", park_toml='name = "Park B"\n')
    b.file_uploader(key="upload").set_value(
        [(p.name, p.read_bytes(), "text/csv") for p in sorted(folder.iterdir())]).run()
    assert ws_of(b).park.config.name == "Park B"  # type: ignore[union-attr]
    a.run()
    assert ws_of(a).park.config.name.startswith("Binjiang")  # type: ignore[union-attr]
    assert ws_of(a) is not ws_of(b)
    go(a, "opportunities")
    a.button(key="run_matching").click().run()
    assert ws_of(b).plan is None and ws_of(a).plan is not None


def test_upload_size_is_checked_in_code(tmp_path: Path) -> None:
    from app.data import MAX_UPLOAD_BYTES

    at = new_app().run()
    big = csv_text(["enterprise_id"], [["x" * 1000]] * (MAX_UPLOAD_BYTES // 1000 + 10)).encode()
    at.file_uploader(key="upload").set_value(("streams.csv", big, "text/csv")).run()
    assert any("accepts at most" in e.value for e in at.error)
    assert ws_of(at).park is not None and ws_of(at).park.config.name.startswith("Binjiang")  # type: ignore[union-attr]
