"""The Economics page (issue 16) driven through AppTest by widget keys: the MACC of the current plan (one bar per
link that avoids something, in order of abatement cost, widths the tonnes, heights the core's CNY/tCO2e, the
carbon price line at the input's value, each bar's hover facts), the per-link table with units, both languages,
and the trade-off curve computed on a button press on a small park, one of its points opened as the plan."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from app_driver import go, ws_of
from park_builders import write_park
from streamlit.testing.v1 import AppTest
from test_matching_support import any_size

from app.economics import CappedRequest
from app.i18n import t
from symbiosis.core.economics import economics_table, macc
from symbiosis.reporting import macc as mc
from symbiosis.reporting import texts as tx

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app_streamlit.py"


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=120)


def solved(at: AppTest) -> AppTest:
    go(at, "opportunities")
    at.button(key="run_matching").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return go(at, "economics")


def figure(at: AppTest, index: int = 0) -> dict[str, Any]:
    charts = at.get("plotly_chart")
    assert len(charts) > index, f"{len(charts)} chart(s) on the page"
    return json.loads(charts[index].proto.spec)  # type: ignore[attr-defined]


def bars(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every bar of the MACC (both colours), left to right: x_from, width, height, customdata, trace name."""
    out = []
    for trace in spec["data"]:
        assert trace["type"] == "bar"
        for x, w, y, c in zip(trace["x"], trace["width"], trace["y"], trace["customdata"], strict=True):
            out.append({"x": x, "width": w, "y": y, "custom": c, "trace": trace["name"]})
    return sorted(out, key=lambda b: b["x"])


@pytest.fixture(scope="module")
def demo() -> AppTest:
    """The demo park matched with the default options, on the Economics page."""
    return solved(new_app().run())


# --- the MACC on the demo park ------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_renders_in_both_languages(demo: AppTest, lang: str) -> None:
    demo.radio(key="lang").set_value(lang).run()
    go(demo, "economics")
    assert demo.title[0].value == t("page_economics", lang)
    spec = figure(demo)
    assert spec["layout"]["xaxis"]["title"]["text"] == tx.t("macc_x", lang)
    assert tx.t("h_capex", lang, value="%{customdata[5]}") in spec["data"][0]["hovertemplate"]
    columns = list(demo.dataframe[0].value.columns)
    assert tx.col("capex_cny", lang) in columns and tx.col("abatement_cost_cny_per_tco2e", lang) in columns
    assert ("元" in tx.col("capex_cny", lang)) == (lang == "zh")
    demo.radio(key="lang").set_value("en").run()


@pytest.mark.slow
def test_one_bar_per_link_ordered_by_abatement_cost_with_the_core_figures(demo: AppTest) -> None:
    ws = ws_of(demo)
    assert ws.plan is not None and ws.park is not None
    avoiding = {x.link_id: x.net_tco2e(ws.plan.include_scope2) for x in ws.plan.links
                if x.net_tco2e(ws.plan.include_scope2) > 0}
    shown = bars(figure(demo))
    assert len(shown) == len(avoiding) > 50
    assert sorted(b["custom"][0] for b in shown) == sorted(avoiding)
    heights = [b["y"] for b in shown]
    assert heights == sorted(heights)  # cheapest per tonne first
    for left, right in pairwise(shown):  # bars touch: x_from of one is x_to of the one before
        assert left["x"] + left["width"] == pytest.approx(right["x"], rel=1e-9)
    core = macc(ws.plan, ws.park, 100.0).to_frame().set_index("link_id")
    for b in shown:
        assert b["width"] == pytest.approx(avoiding[b["custom"][0]], rel=1e-9)
        assert b["y"] == pytest.approx(core.loc[b["custom"][0], "height"], rel=1e-9)
    assert shown[0]["x"] == 0 and shown[-1]["x"] + shown[-1]["width"] == pytest.approx(sum(avoiding.values()))


@pytest.mark.slow
def test_the_carbon_price_line_follows_the_input_and_colours_the_bars(demo: AppTest) -> None:
    spec = figure(demo)
    assert demo.number_input(key="econ_carbon_price").value == 100.0  # the options' carbon price
    assert [(s["y0"], s["y1"]) for s in spec["layout"]["shapes"]] == [(100.0, 100.0)]
    demo.number_input(key="econ_carbon_price").set_value(-5000.0).run()
    spec = figure(demo)
    assert [(s["y0"], s["y1"]) for s in spec["layout"]["shapes"]] == [(-5000.0, -5000.0)]
    shown = bars(spec)
    below = tx.t("macc_below", "en", price="-5000")
    assert {b["trace"] for b in shown} == {below, tx.t("macc_above", "en", price="-5000")}
    assert all((b["y"] <= -5000) == (b["trace"] == below) for b in shown)
    demo.number_input(key="econ_carbon_price").set_value(100.0).run()


@pytest.mark.slow
def test_each_bar_hovers_with_its_links_facts(demo: AppTest) -> None:
    ws = ws_of(demo)
    assert ws.plan is not None and ws.park is not None
    spec = figure(demo)
    template = spec["data"][0]["hovertemplate"]
    assert "%{customdata[0]}" in template and "%{customdata[11]}" in template
    table = economics_table(ws.plan, ws.park).set_index("link_id")
    for b in bars(spec):
        custom = dict(zip(mc.HOVER_FIELDS, b["custom"], strict=True))
        row = table.loc[custom["link_id"]]
        assert custom["who"].startswith(f"{row['supplier_id']} ") and f"→ {row['receiver_id']} " in custom["who"]
        assert custom["capex"] == f"{row['capex_cny']:,.0f}"
        assert custom["npv"] == f"{row['npv_cny']:,.0f}"
        assert custom["annual"] == f"{row['annual_net_cost_cny']:,.0f}"
        assert custom["sides"] == tx.t("h_sides", "en", payer=tx.word(tx.SIDE_NAMES, row["payer"], "en"),
                                       gainer=tx.word(tx.SIDE_NAMES, row["gainer"], "en"))
        assert custom["placeholders"] != ""  # every demo link rests on a placeholder row or says "none"
    # a pipe link names the pipe row it rests on; the table says the same
    pipe = next(b for b in bars(spec) if "pipe_capex_water" in b["custom"][11])
    assert table.loc[pipe["custom"][0], "mode"] == "pipe_water"
    shown = demo.dataframe[0].value.set_index(tx.col("link_id", "en"))
    assert "pipe_capex_water" in shown.loc[pipe["custom"][0], tx.col("placeholder_rows", "en")]
    assert len(shown) == len(ws.plan.links)


# --- a small park: hand-checkable bars, the trade-off button path -----------------------------------------------
@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The three-enterprise park of park_builders (fly ash by truck to cement, waste steam by pipe to process
    steam), every link size allowed; first visit opens it."""
    monkeypatch.setenv("SYMBIOSIS_APP_PARK", str(write_park(tmp_path / "small", park_toml=any_size(None))))
    return new_app().run()


def test_without_a_plan_the_page_says_to_run_matching(small: AppTest) -> None:
    go(small, "economics")
    assert any(t("econ_no_plan", "en") == m.value for m in small.info)
    assert len(small.get("plotly_chart")) == 0
    assert any(t("econ_tradeoff_none", "en") == m.value for m in small.info)


@pytest.mark.slow
def test_the_small_parks_two_links_and_a_price_between_them(small: AppTest) -> None:
    solved(small)
    shown = bars(figure(small))
    assert [b["custom"][0] for b in shown] == ["E1-3->E3-8", "E1-2->E2-6"]  # steam pipe cheaper per tonne
    assert all(b["y"] < 0 for b in shown)  # both pay for themselves even without a carbon price
    small.number_input(key="econ_carbon_price").set_value(-1000.0).run()  # between -1,618.6 and -830.6
    shown = bars(figure(small))
    assert [b["trace"] for b in shown] == [tx.t("macc_below", "en", price="-1000"),
                                           tx.t("macc_above", "en", price="-1000")]


@pytest.fixture
def small_dear_steam(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The small park with the steam pipe's investment quoted dear (park.toml [economics]): the steam link then
    costs money, so the cheapest plan (the truck alone) and the greenest (both links) differ."""
    toml = any_size("[economics]\npipe_capex_steam = 2e9\n")
    monkeypatch.setenv("SYMBIOSIS_APP_PARK", str(write_park(tmp_path / "small", park_toml=toml)))
    return new_app().run()


def test_the_tradeoff_is_computed_on_the_button_and_a_point_opens_as_the_plan(small_dear_steam: AppTest) -> None:
    small = small_dear_steam
    solved(small)
    ws = ws_of(small)
    assert len(ws.plan.links) == 2  # type: ignore[union-attr]
    assert len(small.get("plotly_chart")) == 1  # the MACC only: nothing solved for the curve yet
    small.number_input(key="econ_tradeoff_points").set_value(4).run()
    small.button(key="econ_tradeoff_run").click().run()
    assert not small.exception and not small.error, [e.value for e in small.error]
    kept = ws.ui["_econ_tradeoff"]["frame"]
    assert len(kept) == 4 and list(kept["links"]) == [1, 1, 2, 2]  # cheapest (truck) to greenest
    curve = figure(small, 1)["data"][0]
    assert curve["mode"] == "lines+markers+text"
    assert curve["x"] == pytest.approx(list(kept["annual_cost_cny"]))
    assert curve["y"] == pytest.approx(list(kept["net_tco2e"]))
    assert len(small.selectbox(key="econ_tradeoff_point").options) == 4

    small.number_input(key="econ_carbon_price").set_value(-1000.0).run()
    small.selectbox(key="econ_tradeoff_point").set_value(1).run()  # the fly-ash truck alone
    small.button(key="econ_tradeoff_open").click().run()
    assert not small.exception and not small.error
    ws = ws_of(small)
    cap = float(kept["epsilon_cost_cny"][1])
    assert ws.plan is not None and [x.link_id for x in ws.plan.links] == ["E1-2->E2-6"]
    assert ws.plan.options["epsilon_cost"] == pytest.approx(cap) and ws.plan.options["objective"] == "emissions"
    assert isinstance(ws.plan_request, CappedRequest) and ws.plan_request.epsilon_cost == pytest.approx(cap)
    assert ws.plan_options_key == ws.plan_request.key() and ws.scenario.options["epsilon_cost"] == cap
    assert ws.plan.net_tco2e == pytest.approx(float(kept["net_tco2e"][1]))
    assert ws.ui["_econ_tradeoff"]["frame"] is kept  # the curve is not solved again
    assert [b["custom"][0] for b in bars(figure(small))] == ["E1-2->E2-6"]  # the MACC of the opened plan
    assert small.number_input(key="econ_carbon_price").value == 100.0  # a new plan: its own carbon price again
    assert any("capped" in m.value for m in small.info)
    names = [tr["name"] for tr in figure(small, 1)["data"]]
    assert t("econ_tp_open", "en") in names  # the point open as the plan is marked on the curve
    # the Opportunities page knows the plan was solved for other options (the cap is not one of its widgets)
    go(small, "opportunities")
    assert small.radio(key="opt_objective").value == "emissions"
    assert any(t("plan_stale_options", "en") == m.value for m in small.info)
