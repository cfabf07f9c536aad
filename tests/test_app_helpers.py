"""The plain functions behind the Metabolism, Opportunities, Indicators and Scenarios pages (no browser)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from park_builders import write_park

import flows
from app import metabolism as mb
from app import opportunities as opp
from app import options as opts
from app import scenarios as sc
from app.indicators import indicator_table, summary_counts
from app.keys import options_key, park_key, plan_key
from app.state import Saved
from symbiosis import load_park
from symbiosis.core.datasets import demo_park_path
from symbiosis.core.park import Park
from symbiosis.core.plan import Link, Plan
from symbiosis.core.scenario import Scenario


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> Park:
    return load_park(write_park(tmp_path_factory.mktemp("p") / "p"))


def a_link(rank: int, supplier: str = "E1-2", receiver: str = "E2-6", quantity: float = 100.0) -> Link:
    return Link(link_id=f"{supplier}->{receiver}", supplier_id=supplier.split("-")[0],
                receiver_id=receiver.split("-")[0], supplier_stream_id=supplier, receiver_stream_id=receiver,
                material_out="fly_ash", material_in="cement", category="solid", quantity=quantity, unit="t/a",
                quantity_in=quantity, unit_in="t/a", distance_km=5.0, mode="truck", avoided_scope3_cat1_tco2e=80.0,
                added_transport_tco2e=2.0, rank=rank, factor_ids=("virgin_cement", "transport_truck"))


def test_options_round_trip_through_widgets_and_match_options(park: Park) -> None:
    options = opts.defaults(park)
    assert options["reach_km"]["truck"] == 50.0 and options["objective"] == "emissions"
    widgets = opts.to_widgets(options)
    assert set(widgets) == set(opts.option_keys())
    widgets["opt_reach_truck"] = 12.0
    back = opts.from_widgets(widgets, park)
    assert back["reach_km"]["truck"] == 12.0 and back["reach_km"]["pipe_heat"] == options["reach_km"]["pipe_heat"]
    request = opts.solve_request(Scenario(options=back, forced=(("E1-2", "E2-6"),)), park)
    match = opts.match_options(request)
    assert match.reach_km is not None and match.reach_km["truck"] == 12.0
    assert match.forced[0].supplier_stream_id == "E1-2" and match.forced[0].receiver_stream_id == "E2-6"
    assert options_key(request) == options_key(dict(reversed(list(request.items()))))  # order does not matter
    assert opts.complete({"reach_km": {"truck": 3.0}}, park)["reach_km"]["pipe_water"] == 10.0


@pytest.mark.parametrize("status", ["feasible", "time_limit", "infeasible", "error", "not_solved", "empty"])
def test_a_non_optimal_status_is_never_shown_as_optimal(status: str) -> None:
    plan = Plan(status=status, gap=0.05 if status in ("feasible", "time_limit") else None)  # type: ignore[arg-type]
    for lang in ("en", "zh"):
        kind, text = opp.status_view(plan, lang)  # type: ignore[arg-type]
        assert kind != "success"
        assert not text.startswith(("OPTIMAL", "最优"))
    kind, text = opp.status_view(Plan(status="optimal", gap=0.0), "en")
    assert kind == "success" and text.startswith("OPTIMAL") and "gap 0.000%" in text


def test_links_table_scope_breakdown_and_factor_sources(park: Park) -> None:
    plan = Plan(status="optimal", links=(a_link(2, "E1-3", "E3-8"), a_link(1)))
    table = opp.links_table(plan, park, "en")
    assert table["rank"].tolist() == [1, 2]
    assert table.loc[0, "net tCO2e/a"] == pytest.approx(78.0) and table.loc[0, "avoided Scope 3"] == 80.0
    zh = opp.links_table(plan, park, "zh")
    assert "净减排 tCO2e/a" in zh.columns and zh.loc[0, "运输方式"] == "汽车运输"
    sources = opp.factor_sources(plan.links[0].factor_ids, park, "en")
    assert len(sources) == 2 and sources["source"].str.len().min() > 0
    scopes = opp.scope_table(plan.links[0], "en")
    assert set(scopes["scope"]) == {"scope3_cat1", "scope3_cat4"}
    exported = opp.link_export(plan)
    assert exported["rank"].tolist() == [1, 2] and exported["factor_ids"][0] == "virgin_cement; transport_truck"
    figure = opp.map_figure(park, plan, "en", highlight=("E1-2", "E2-6"))
    assert any(trace.name == "selected link" for trace in figure.data)


def test_choices_encode_decode() -> None:
    key = ("E1-2", "E2-6")
    assert opp.decode(opp.encode(key)) == key
    candidates = pd.DataFrame([{"supplier_stream_id": "E1-2", "receiver_stream_id": "E2-6", "supplier_id": "E1",
                                "receiver_id": "E2", "material_out": "fly_ash", "material_in": "cement"}])
    choices = opp.candidate_choices(candidates, load_park(demo_park_path()), "en", extra=[("X-1", "Y-2")])
    assert set(choices) == {"E1-2 -> E2-6", "X-1 -> Y-2"} and "fly ash" in choices["E1-2 -> E2-6"].lower()


def test_sankey_filters_and_the_network_without_lone_enterprises() -> None:
    demo = load_park(demo_park_path())
    links = flows.sankey_links(demo, basis="mass", level="category")
    assert len(mb.filter_links(links)) == len(links)
    solid = mb.filter_links(links, categories=["solid"])
    assert set(solid["category"]) == {"solid"}
    inner = mb.filter_links(links, boundary=False)
    assert not inner["source"].str.startswith("boundary:").any()
    assert mb.filter_links(links, enterprises=["E01"]).apply(
        lambda r: "E01" in (r["source"], r["target"]), axis=1).all()
    big = mb.filter_links(links, min_share=0.1)
    assert big["value"].min() >= 0.1 * links["value"].max()
    dot, dropped = mb.linked_only(flows.network_dot(demo))
    assert dropped > 0 and dot.count("->") == flows.network_dot(demo).count("->")


def test_indicators_say_what_they_need(tmp_path: Path) -> None:
    park = load_park(write_park(tmp_path / "p", streams=[["E1", "output", "fly_ash", 3, "万t/a", "", "", "",
                                                           "landfill", "", ""]]))
    before = flows.indicators(park)
    table = indicator_table(before, None, "en")
    assert table["today"].str.startswith("not computable: needs").sum() >= 3
    assert {"threshold", "where the threshold comes from", "framework"} <= set(table.columns)
    zh = indicator_table(before, None, "zh")
    assert zh["现状"].str.startswith("无法计算：需要").sum() >= 3
    assert summary_counts(before, None)["not_computable"] >= 3


def test_scenario_comparison_links_added_removed_changed(park: Park) -> None:
    one = Plan(status="optimal", links=(a_link(1), a_link(2, "E1-3", "E3-8")))
    two = Plan(status="optimal", links=(a_link(1, quantity=50.0), a_link(2, "E3-9", "E1-4")))
    key = park_key(park)
    a = Saved(Scenario(name="a", options={"objective": "emissions"}), park, key, one, options_key({}))
    b = Saved(Scenario(name="b", options={"objective": "cost"}, forced=(("E3-9", "E1-4"),)), park, key, two,
              options_key({"x": 1}))
    changes = sc.link_changes(a, b, "en")
    assert dict(zip(changes["link (streams)"], changes["change"], strict=True)) == {
        "E1-2 -> E2-6": "quantity changed", "E1-3 -> E3-8": "removed in B", "E3-9 -> E1-4": "added in B"}
    assert sc.change_counts(a, b) == {"added": 1, "removed": 1, "both": 1}
    diff = sc.differences(a, b, "zh")
    assert "优化目标" in set(diff["设置项"]) and "强制" in set(diff["设置项"])
    assert plan_key(one) != plan_key(replace(one, status="time_limit")) and plan_key(None) == ""
