"""symbiosis.core.scenario: the small TOML file the app and the command share, and applying ledger edits."""

from __future__ import annotations

from pathlib import Path

import pytest
from park_builders import write_park

from symbiosis import ParkError, load_park
from symbiosis.core.scenario import (
    Edit,
    Scenario,
    ScenarioError,
    apply_edits,
    park_files,
    read_scenario_bytes,
)


def test_scenario_round_trips_through_toml(tmp_path: Path) -> None:
    scenario = Scenario(
        name="group A / 甲组", options={"objective": "cost", "carbon_price_cny_per_t": 80.0, "reach_km": {"truck": 30.0}},
        forced=(("E1-2", "E2-6"),), forbidden=(("E1-3", "E3-8"),),
        edits=(Edit("E1-2", "quantity", 2.5), Edit("E1-3", "baseline", "vent")), park="Demo", park_hash="abc",
        result={"status": "optimal", "links": ["E1-2 -> E2-6"]})
    path = scenario.save(tmp_path / "a.toml")
    assert Scenario.load(path) == scenario
    assert read_scenario_bytes(path.read_bytes()) == scenario
    assert 'name = "group A / 甲组"' in path.read_text(encoding="utf-8")


def test_scenario_file_without_optional_parts_and_none_options() -> None:
    scenario = Scenario.from_toml('name = "x"\n')
    assert scenario == Scenario(name="x")
    text = Scenario(name="y", options={"time_limit_s": None, "gap": 0.01}).to_toml()
    assert "time_limit_s" not in text and Scenario.from_toml(text).options == {"gap": 0.01}


@pytest.mark.parametrize(("text", "message"), [
    ("name = ", "not valid TOML"),
    ('name = "x"\nsurprise = 1\n', "unknown key"),
    ('[[forced]]\nsupplier_stream_id = "a"\n', "needs supplier_stream_id and receiver_stream_id"),
    ('[[edits]]\nstream_id = "a"\ncolumn = "quantity"\n', "needs stream_id, column and value"),
])
def test_bad_scenario_files_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        Scenario.from_toml(text)


def test_force_forbid_release_and_later_edits_win() -> None:
    s = Scenario().force(("a", "b")).forbid(("c", "d"))
    assert s.forced == (("a", "b"),) and s.forbidden == (("c", "d"),)
    s = s.forbid(("a", "b"))
    assert s.forced == () and s.forbidden == (("c", "d"), ("a", "b"))
    assert s.release(("a", "b")).forbidden == (("c", "d"),)
    s = Scenario().with_edits([Edit("E1-2", "quantity", 1.0)]).with_edits([Edit("E1-2", "quantity", 2.0)])
    assert s.edits == (Edit("E1-2", "quantity", 2.0),)


def test_apply_edits_reloads_through_the_loader(tmp_path: Path) -> None:
    park = load_park(write_park(tmp_path / "p"))
    edited = apply_edits(park, [Edit("E1-2", "quantity", 5.0), Edit("E1-2", "unit", "t/a")])
    row = edited.streams.set_index("stream_id").loc["E1-2"]
    assert row["quantity"] == pytest.approx(5.0) and row["unit_entered"] == "t/a"
    assert len(edited.streams) == len(park.streams)
    # no edits: the written files reload to an equal park
    assert apply_edits(park, []).equals(park)
    assert set(park_files(park)) == {"enterprises.csv", "streams.csv", "park.toml"}


def test_an_edit_that_breaks_the_ledger_is_reported_like_an_upload(tmp_path: Path) -> None:
    park = load_park(write_park(tmp_path / "p"))
    with pytest.raises(ParkError) as info:
        apply_edits(park, [Edit("E1-3", "temperature_c", 50.0)])  # waste steam below its return temperature
    assert any(p.code == "heat_return_above_supply" and p.row == 3 for p in info.value.problems)
    with pytest.raises(ScenarioError, match="not in the park"):
        apply_edits(park, [Edit("nope", "quantity", 1.0)])
    with pytest.raises(ScenarioError, match="cannot be edited"):
        apply_edits(park, [Edit("E1-2", "material", "slag")])


def test_a_scenario_saved_by_the_app_solves_the_same_in_the_report_command(tmp_path: Path) -> None:
    """The contract with `symbiosis report --scenario`: the app writes every option under its MatchOptions name."""
    from app import options as opts
    from app.scenarios import save_preview
    from app.state import Workspace
    from symbiosis.reporting import scenario_options

    park = load_park(write_park(tmp_path / "p"))
    ws = Workspace(base_park=park, park=park)
    widgets = opts.to_widgets(opts.defaults(park))
    widgets["opt_reach_truck"] = 7.5
    widgets["opt_objective"] = "cost"
    ws.scenario = Scenario(options=opts.from_widgets(widgets, park), forced=(("E1-2", "E2-6"),))
    text = save_preview(ws, "group").to_toml()
    from_file = scenario_options(Scenario.from_toml(text))
    in_app = opts.match_options(opts.solve_request(ws.scenario, park))
    assert from_file == in_app


def test_a_scenario_file_with_wrong_types_changes_nothing() -> None:
    from symbiosis.core.scenario import Scenario, ScenarioError

    with pytest.raises(ScenarioError):
        Scenario.from_toml("edits = 5\n")


def test_an_explicit_zero_carbon_price_in_park_toml_stays_zero_in_the_app_and_its_saved_scenario(
        tmp_path: Path) -> None:
    from app import options as opts
    from app.scenarios import save_preview
    from app.state import Workspace
    from matching import resolve
    from symbiosis.reporting import scenario_options

    park = load_park(write_park(tmp_path / "p", park_toml='[options]\nobjective = "cost"\ncarbon_price = 0\n'))
    assert opts.defaults(park).carbon_price == 0.0  # it used to become 100 (`float(p.get(...) or DEFAULT)`)
    ws = Workspace(base_park=park, park=park, scenario=Scenario(options=opts.from_widgets({}, park).table()))
    saved = Scenario.from_toml(save_preview(ws, "zero").to_toml())
    assert saved.options["carbon_price"] == 0.0
    assert resolve(park, scenario_options(saved)) == resolve(park) == resolve(
        park, opts.SolveRequest.of(ws.scenario, park).match_options())
