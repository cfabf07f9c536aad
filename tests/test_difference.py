"""The difference view (flows.difference): a hand-computed case, totals per basis, and the Scenarios page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import flows
from app import scenarios as sc
from app.state import Workspace
from flows.difference import KIND_COLOURS, KINDS
from flows.sankey import LINK_COLUMNS
from symbiosis.core.loader import load_park
from symbiosis.core.park import Park

ROOT = Path(__file__).resolve().parent.parent


def links(*rows: tuple[str, str, str, float]) -> pd.DataFrame:
    return pd.DataFrame.from_records(
        [{"source": s, "target": t, "source_label": s, "target_label": t, "category": c, "material": "m_" + c,
          "value": v, "unit": "t/a", "kinds": "exchange", "rows": [], "edges": []} for s, t, c, v in rows],
        columns=list(LINK_COLUMNS))


def test_one_link_added_one_removed_one_grown_one_shrunk() -> None:
    a = links(("X", "Y", "solid", 100.0), ("X", "Z", "solid", 50.0), ("Y", "Z", "water", 30.0),
              ("Y", "Z", "solid", 7.0))
    b = links(("X", "Y", "solid", 120.0), ("Y", "Z", "water", 10.0), ("Z", "X", "heat", 40.0),
              ("Y", "Z", "solid", 7.0))
    diff = flows.difference(a, b, level="category")
    got = {(r["source"], r["target"], r["category"]): (r["value_a"], r["value_b"], r["change"], r["kind"])
           for r in diff.to_dict("records")}
    assert got == {("X", "Y", "solid"): (100.0, 120.0, 20.0, "grown"),
                   ("X", "Z", "solid"): (50.0, 0.0, -50.0, "removed"),
                   ("Y", "Z", "water"): (30.0, 10.0, -20.0, "shrunk"),
                   ("Z", "X", "heat"): (0.0, 40.0, 40.0, "added"),
                   ("Y", "Z", "solid"): (7.0, 7.0, 0.0, "unchanged")}
    assert list(diff["change"].abs()) == sorted(diff["change"].abs(), reverse=True)  # largest first
    assert diff["change"].sum() == pytest.approx(b["value"].sum() - a["value"].sum())
    # the enterprise level joins on the pair only (its tables hold one link per pair)
    whole = flows.difference(links(("Y", "Z", "water", 37.0)), links(("Y", "Z", "solid", 17.0)), level="enterprise")
    assert whole[["value_a", "value_b", "kind"]].values.tolist() == [[37.0, 17.0, "shrunk"]]
    # the figure: one bar per changed flow, the unchanged one hidden, coloured by sign
    fig = flows.difference_figure(diff, level="category")
    bars = fig.data[0]
    assert list(bars.x) == [-50.0, 40.0, 20.0, -20.0]
    assert list(bars.marker.color) == [KIND_COLOURS[k]
                                       for k in ("removed", "added", "grown", "shrunk")]
    # the table: unchanged hidden by default, shown on request, in both languages
    assert len(sc.difference_table(diff, "mass", "category", "en")) == 4
    assert len(sc.difference_table(diff, "mass", "category", "en", show_unchanged=True)) == 5
    zh = sc.difference_table(diff, "mass", "category", "zh")
    assert "变化类型" in zh.columns and set(zh["变化类型"]) == {"新增", "取消", "增加", "减少"}


@pytest.fixture(scope="module")
def demo() -> tuple[Park, object]:
    import matching

    park = load_park(ROOT / "datasets/demo_park")
    return park, matching.propose(park)


@pytest.mark.parametrize("basis", ["mass", "water", "heat", "energy", "co2e"])
@pytest.mark.parametrize("level", ["enterprise", "category", "material"])
def test_the_changes_sum_to_b_total_minus_a_total(demo: tuple[Park, object], basis: str, level: str) -> None:
    park, plan = demo
    diff = flows.difference_links(park, None, park, plan, basis=basis, level=level)  # type: ignore[arg-type]
    total_a = flows.sankey_links(park, None, basis=basis, level=level)["value"].sum()
    total_b = flows.sankey_links(park, plan, basis=basis, level=level)["value"].sum()  # type: ignore[arg-type]
    assert diff["change"].sum() == pytest.approx(total_b - total_a, rel=1e-9, abs=1e-6)
    assert diff["value_a"].sum() == pytest.approx(total_a) and diff["value_b"].sum() == pytest.approx(total_b)
    assert set(diff["kind"]) <= set(KINDS)
    if basis == "mass":  # the plan adds links: some flows are added, and supplies from outside shrink
        assert {"added", "shrunk"} <= set(diff["kind"])


def test_the_scenarios_page_shows_the_difference_diagram_and_table() -> None:
    at = AppTest.from_file(str(ROOT / "app_streamlit.py"), default_timeout=120).run()
    assert not at.exception
    ws = at.session_state["workspace"]
    assert isinstance(ws, Workspace)
    at.switch_page("app/pages/scenarios.py").run()
    at.text_input(key="scenario_name").set_value("before").run()  # no plan yet: the park as it is
    at.button(key="save_scenario").click().run()
    at.switch_page("app/pages/opportunities.py").run()
    at.button(key="run_matching").click().run()
    assert not at.exception and ws.plan is not None and ws.plan.links
    at.switch_page("app/pages/scenarios.py").run()
    at.text_input(key="scenario_name").set_value("after").run()
    at.button(key="save_scenario").click().run()
    assert set(ws.saved) == {"before", "after"} and ws.saved["before"].plan is None
    at.selectbox(key="compare_a").set_value("before").run()
    at.selectbox(key="compare_b").set_value("after").run()
    assert not at.exception
    assert "**What changes in the park's flows (B against A)**" in [m.value for m in at.markdown]
    assert [c for c in at.get("plotly_chart") if c.proto.id and "compare_difference" in c.proto.id] or \
        len(at.get("plotly_chart")) >= 1
    tables = [f.value for f in at.dataframe if "kind of change" in f.value.columns]
    assert tables and {"added", "shrunk"} <= set(tables[0]["kind of change"])
    assert "unchanged" not in set(tables[0]["kind of change"])
    at.checkbox(key="compare_unchanged").check().run()
    tables = [f.value for f in at.dataframe if "kind of change" in f.value.columns]
    assert "unchanged" in set(tables[0]["kind of change"])
    at.radio(key="lang").set_value("zh").run()
    assert not at.exception
    tables = [f.value for f in at.dataframe if "变化类型" in f.value.columns]
    assert tables and "新增" in set(tables[0]["变化类型"])
