"""The objectives a planner asks for (issue 16 item 5) on the Opportunities page, driven through AppTest by widget
keys: each of the four objectives reaches the plan's options; the investment budget (million CNY in the widget, CNY
in the options) binds on a small park whose steam pipe is quoted dear; a target no plan can reach shows the model's
"at most X tCO2e/a" message as an error box; a scenario saved with a budget and a target reopens with them; both
languages render.

The small park (tests/park_builders.py, every link size allowed): fly ash by truck E1-2 -> E2-6 (17,945.5 tCO2e/a
net, no investment, saves 11.9 M CNY/a) and waste steam by pipe E1-3 -> E3-8 (869.4 tCO2e/a more); with
`pipe_capex_steam = 2e9` the pipe costs 860.7 M CNY to build (matching.propose on this park, checked below through
the plan's own figures)."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_driver import go, ws_of
from park_builders import write_park
from streamlit.testing.v1 import AppTest
from test_matching_support import any_size

from app import options as opts
from app import scenarios as sc
from app.i18n import t
from symbiosis.core.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app_streamlit.py"
TRUCK, PIPE = "E1-2->E2-6", "E1-3->E3-8"
BUDGET, TARGET = "opt_budget", "opt_target"


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=120)


@pytest.fixture
def dear_steam(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The small park with the steam pipe's investment quoted dear (park.toml [economics]), on Opportunities."""
    toml = any_size("[economics]\npipe_capex_steam = 2e9\n")
    monkeypatch.setenv("SYMBIOSIS_APP_PARK", str(write_park(tmp_path / "small", park_toml=toml)))
    return go(new_app().run(), "opportunities")


def run(at: AppTest) -> AppTest:
    at.button(key="run_matching").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def link_ids(at: AppTest) -> list[str]:
    plan = ws_of(at).plan
    assert plan is not None
    return sorted(x.link_id for x in plan.links)


def metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


def test_the_widgets_offer_every_objective_with_an_empty_budget_and_target(dear_steam: AppTest) -> None:
    at = dear_steam
    assert at.radio(key="opt_objective").options == [t(f"objective_{o}", "en") for o in opts.OBJECTIVES]
    assert list(opts.OBJECTIVES) == ["emissions", "cost", "least_cost", "npv"]
    assert at.number_input(key=BUDGET).value is None and at.number_input(key=TARGET).value is None
    assert at.number_input(key="opt_carbon_price").disabled  # emissions: no price
    for objective, priced in (("cost", True), ("least_cost", False), ("npv", True)):
        at.radio(key="opt_objective").set_value(objective).run()
        assert at.number_input(key="opt_carbon_price").disabled is not priced
    assert not any(t("opt_target_least_cost_none", "en") == c.value for c in at.caption)  # npv now
    assert not at.warning and not at.exception  # no widget-state warning from the empty inputs
    at.radio(key="opt_objective").set_value("least_cost").run()
    assert any(t("opt_target_least_cost_none", "en") == c.value for c in at.caption)


@pytest.mark.slow
@pytest.mark.parametrize("objective", ["emissions", "cost", "least_cost", "npv"])
def test_each_objective_reaches_the_plan(dear_steam: AppTest, objective: str) -> None:
    at = dear_steam
    at.radio(key="opt_objective").set_value(objective).run()
    run(at)
    plan = ws_of(at).plan
    assert plan is not None and plan.status == "optimal" and plan.options["objective"] == objective
    assert ws_of(at).scenario.options["objective"] == objective
    # the greenest plan builds the dear pipe too; every money objective leaves it out (it costs more than it saves)
    assert link_ids(at) == (sorted([TRUCK, PIPE]) if objective == "emissions" else [TRUCK])
    assert plan.objective_unit == {"emissions": "tCO2e/a", "cost": "CNY/a", "least_cost": "CNY/a", "npv": "CNY"}[
        objective]
    assert any(m.value.startswith(t("plan_solved_for", "en", objective=f"**{t(f'objective_{objective}', 'en')}"))
               for m in at.markdown)
    assert len(at.success) == 1 and not at.error  # proven optimal, said so


@pytest.mark.slow
def test_the_budget_binds_and_the_plan_states_its_investment(dear_steam: AppTest) -> None:
    at = run(dear_steam)
    assert link_ids(at) == sorted([TRUCK, PIPE])
    capex = metric(at, t("plan_capex", "en"))
    assert capex == "860.69"  # million CNY: the pipe alone (the truck needs no investment)
    annual = float(metric(at, t("plan_annual_cost", "en")).replace(",", ""))
    plan = ws_of(at).plan
    assert plan is not None and plan.annual_cost_cny is not None
    assert annual == pytest.approx(plan.annual_cost_cny / 1e6, abs=0.005) and annual > 0  # the pipe's cost

    at.number_input(key=BUDGET).set_value(100.0).run()  # 100 M CNY: the pipe does not fit
    assert any(t("plan_stale_options", "en") == m.value for m in at.info)  # the budget is in the fingerprint
    run(at)
    plan = ws_of(at).plan
    assert plan is not None and plan.status == "optimal"
    assert plan.options["budget_capex_cny"] == pytest.approx(1e8)  # stored in CNY
    assert link_ids(at) == [TRUCK] and plan.net_tco2e == pytest.approx(17945.5, abs=0.1)
    assert metric(at, t("plan_capex", "en")) == "0.00"
    assert float(metric(at, t("plan_annual_cost", "en"))) < 0  # the truck saves money
    assert any(t("plan_budget", "en", budget="100") in m.value for m in at.markdown)
    assert any(m.label == t("plan_capex", "en") and m.proto.delta == t("plan_budget_used", "en", share="0%")
               for m in at.metric)

    at.number_input(key=BUDGET).set_value(1000.0).run()  # 1 billion: both fit again
    run(at)
    assert link_ids(at) == sorted([TRUCK, PIPE])


@pytest.mark.slow
def test_least_cost_for_a_target_and_an_unreachable_target(dear_steam: AppTest) -> None:
    at = dear_steam
    at.radio(key="opt_objective").set_value("least_cost").run()
    at.number_input(key=TARGET).set_value(18000.0).run()  # above the truck's 17,945.5: the dear pipe is needed
    run(at)
    plan = ws_of(at).plan
    assert plan is not None and plan.status == "optimal" and plan.options["target_tco2e"] == 18000.0
    assert link_ids(at) == sorted([TRUCK, PIPE]) and plan.net_tco2e >= 18000.0

    at.number_input(key=TARGET).set_value(1e7).run()
    run(at)
    plan = ws_of(at).plan
    assert plan is not None and plan.status == "infeasible" and not plan.links
    assert not at.success  # never shown as optimal
    boxes = [e.value for e in at.error]
    assert any("cannot be reached: at most 18,814.9 tCO2e/a can be avoided" in b for b in boxes), boxes

    at.radio(key="lang").set_value("zh").run()
    go(at, "opportunities")
    assert any("最多可净减排 18,814.9 tCO2e/a" in e.value for e in at.error)
    assert any(t("objective_least_cost", "zh") in m.value and t("plan_target", "zh", target="10,000,000.0")
               in m.value for m in at.markdown)


def test_a_scenario_saved_with_a_budget_and_a_target_reopens_with_them(dear_steam: AppTest) -> None:
    at = dear_steam
    at.radio(key="opt_objective").set_value("least_cost").run()
    at.number_input(key=BUDGET).set_value(2.5).run()
    at.number_input(key=TARGET).set_value(1234.5).run()
    ws = ws_of(at)
    assert ws.scenario.options["budget_capex_cny"] == 2.5e6 and ws.scenario.options["target_tco2e"] == 1234.5
    text = sc.save_preview(ws, "capped").to_toml()  # what the download button gives
    saved = Scenario.from_toml(text)
    assert saved.options["budget_capex_cny"] == 2.5e6 and saved.options["target_tco2e"] == 1234.5
    assert saved.options["objective"] == "least_cost"

    go(at, "scenarios")
    at.text_input(key="scenario_name").input("capped").run()
    at.button(key="save_scenario").click().run()
    go(at, "opportunities")
    at.radio(key="opt_objective").set_value("emissions").run()
    at.number_input(key=BUDGET).set_value(None).run()
    at.number_input(key=TARGET).set_value(None).run()
    assert "budget_capex_cny" not in ws_of(at).scenario.options  # none: left out, as in the file

    go(at, "scenarios")  # the scenario kept in the session
    at.selectbox(key="load_choice").set_value("capped").run()
    at.button(key="load_scenario").click().run()
    go(at, "opportunities")
    assert at.number_input(key=BUDGET).value == 2.5 and at.number_input(key=TARGET).value == 1234.5
    assert at.radio(key="opt_objective").value == "least_cost"

    at.number_input(key=BUDGET).set_value(None).run()  # and the file, opened as the Scenarios page does
    assert sc.open_scenario_file(ws_of(at), saved, at.session_state)
    at.run()
    assert at.number_input(key=BUDGET).value == 2.5 and at.number_input(key=TARGET).value == 1234.5
    request = opts.SolveRequest.of(ws_of(at).scenario, ws_of(at).park)  # type: ignore[arg-type]
    assert request.match_options().budget_capex_cny == 2.5e6 and request.match_options().target_tco2e == 1234.5


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_options_render_in_both_languages(dear_steam: AppTest, lang: str) -> None:
    at = dear_steam
    at.radio(key="lang").set_value(lang).run()
    go(at, "opportunities")
    assert at.radio(key="opt_objective").options == [t(f"objective_{o}", lang) for o in opts.OBJECTIVES]
    assert at.number_input(key=BUDGET).label == t("opt_budget", lang)
    assert at.number_input(key=TARGET).label == t("opt_target", lang)
    assert ("百万元" in at.number_input(key=BUDGET).label) == (lang == "zh")


def test_the_budget_widget_is_million_cny_and_the_options_cny(tmp_path: Path) -> None:
    from symbiosis import load_park

    park = load_park(write_park(tmp_path / "p", park_toml='[options]\nbudget_capex_cny = 5e6\n'))
    assert opts.defaults(park).budget_capex_cny == 5e6 and opts.defaults(park).target_tco2e is None
    widgets = opts.to_widgets(opts.defaults(park))
    assert widgets[BUDGET] == 5.0 and widgets[TARGET] is None
    widgets.update({BUDGET: 12.3, TARGET: 900.0, "opt_objective": "npv"})
    options = opts.from_widgets(widgets, park)
    assert options.budget_capex_cny == 12_300_000.0 and options.target_tco2e == 900.0 and options.objective == "npv"
    assert options.table()["budget_capex_cny"] == 12_300_000.0 and dict(options) == options.table()
    cleared = opts.from_widgets({**widgets, BUDGET: None, TARGET: None}, park)
    assert cleared.budget_capex_cny is None and "budget_capex_cny" not in cleared.table()
    assert "target_tco2e" not in dict(opts.SolveRequest(cleared)) and len(opts.SolveRequest(cleared)) == len(
        opts.SolveRequest(cleared).record())
    assert opts.from_widgets({**widgets, "opt_objective": "nonsense"}, park).objective == "emissions"
    keys = {opts.SolveRequest(opts.from_widgets({**widgets, BUDGET: b}, park)).key() for b in (None, 12.3, 12.4)}
    assert len(keys) == 3  # each budget solves anew
    assert opts.SolveRequest(options).match_options().budget_capex_cny == 12_300_000.0
