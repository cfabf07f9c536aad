"""Operating periods (issue 13, item 2): the heat balance holds per period, a heat link is built once and carries
heat per period, space heating defaults to the region's heating season. Hand-computed parks, real solver."""

from __future__ import annotations

import json

import numpy as np
import pytest
from park_builders import csv_text
from test_matching_support import ENT_HEADER, any_size, no_wall_clock  # noqa: F401 (autouse fixture)

import matching
from matching import MatchOptions
from matching.periods import heat_periods
from symbiosis import load_files
from symbiosis.core.datasets import read_table
from symbiosis.core.errors import ParkError
from symbiosis.core.park import Park
from symbiosis.core.periods import MONTH_DAYS, heating_seasons, parse_months, period_shares
from symbiosis.core.plan import Plan

ZERO = MatchOptions(min_link_quantity={"heat": 0.0}, dt_min_k=10.0)
HEADER = ["stream_id", "enterprise_id", "direction", "material", "quantity", "unit", "temperature_c",
          "temperature_return_c", "baseline", "months"]
SOURCE_GJ, SINK_GJ = 815_000.0, 447_000.0  # the example: 815 TJ offered, 447 TJ (45 MW over ~115 days)


def _park(source_months: str = "", sink_months: str = "", kind: str = "year", region: str = "north",
          sink_material: str = "space_heating", season: str = "") -> Park:
    """A waste-heat source (120 -> 70 °C, all above the sink) and a heating sink (40 -> 60 °C) at one place."""
    toml = f'region = "{region}"\n[periods]\nkind = "{kind}"\n' + (f'heating_season = "{season}"\n' if season else "")
    streams = [["h", "H", "output", "hot_water_heat", SOURCE_GJ, "GJ/a", 120, 70, "discharge", source_months],
               ["c", "C", "input", sink_material, SINK_GJ, "GJ/a", 60, 40, "natural_gas_boiler", sink_months]]
    files = {"enterprises.csv": csv_text(ENT_HEADER, [["H", "source", 0, 0], ["C", "sink", 0, 0]]).encode(),
             "streams.csv": csv_text(HEADER, streams).encode(), "park.toml": any_size(toml).encode()}
    return load_files(files, source="test")


def _beijing_delivered() -> float:
    """By hand, month by month: Beijing heats 15 Nov - 15 Mar (121 days: 16 in Nov, 15 in Mar). The sink needs
    447 TJ x heated days / 121 in a month; the source offers 815 TJ x days / 365; a month delivers the smaller."""
    heated = {11: 16, 12: 31, 1: 31, 2: 28, 3: 15}
    return sum(min(SOURCE_GJ * MONTH_DAYS[m - 1] / 365, SINK_GJ * d / 121) for m, d in heated.items())


def test_heating_sink_limited_by_its_season() -> None:
    """One period: the link delivers the sink's annual 447 TJ. Twelve months: the year-round source offers only
    what falls in the heating months; Nov and Mar are limited by the sink's part month, Dec-Feb by the source:
    59 107 + 69 219 + 69 219 + 62 521 + 55 413 = 315 480 GJ. Seasons (Nov-Mar one period): the source's 151/365."""
    year = matching.propose(_park(kind="year"), ZERO)
    assert year.heat_recovered_gj == pytest.approx(SINK_GJ, rel=1e-6)
    assert year.heat_by_period == ()
    months = matching.propose(_park(kind="months"), ZERO)
    assert _beijing_delivered() == pytest.approx(315_480, abs=1)
    assert months.heat_recovered_gj == pytest.approx(_beijing_delivered(), rel=1e-6)
    assert months.heat_recovered_gj < SINK_GJ
    assert any("heating season of Beijing" in m for m in months.messages)  # the visible default
    seasons = matching.propose(_park(kind="seasons"), ZERO)
    assert seasons.heat_recovered_gj == pytest.approx(SOURCE_GJ * 151 / 365, rel=1e-6)


def test_a_rich_source_serves_the_whole_season_but_no_more() -> None:
    """A source far larger than the sink: with 12 months the sink takes its full 447 TJ, all in Nov-Mar."""
    park = _park(kind="months")
    rich = park.with_streams(park.streams.assign(quantity=[10 * SOURCE_GJ, SINK_GJ]))
    plan = matching.propose(rich, ZERO)
    assert plan.heat_recovered_gj == pytest.approx(SINK_GJ, rel=1e-6)
    table = plan.heat_period_frame().set_index("period")["gj"]
    assert table[["04", "05", "06", "07", "08", "09", "10"]].sum() == pytest.approx(0.0, abs=1e-6)
    assert table["12"] == pytest.approx(SINK_GJ * 31 / 121, rel=1e-6)
    assert table["11"] == pytest.approx(SINK_GJ * 16 / 121, rel=1e-6)


def test_summer_source_cannot_serve_winter_sink() -> None:
    park = _park(source_months="6-8", sink_months="11-3", kind="months")
    assert matching.propose(park, ZERO).heat_recovered_gj == pytest.approx(0.0, abs=1e-6)
    assert matching.propose(_park(source_months="6-8", sink_months="11-3", kind="seasons"),
                            ZERO).heat_recovered_gj == pytest.approx(0.0, abs=1e-6)
    # the same rows on the annual balance: the months mean nothing, the sink is served
    assert matching.propose(_park(source_months="6-8", sink_months="11-3", kind="year"),
                            ZERO).heat_recovered_gj == pytest.approx(SINK_GJ, rel=1e-6)


def test_flat_streams_give_the_annual_model_exactly() -> None:
    """Twelve months but no profile (a process heat sink, no months): one block, the annual answer."""
    year = matching.propose(_park(kind="year", sink_material="hot_water_demand"), ZERO)
    months = matching.propose(_park(kind="months", sink_material="hot_water_demand"), ZERO)
    assert months.heat_recovered_gj == pytest.approx(year.heat_recovered_gj, rel=1e-9)
    assert months.objective_tco2e == pytest.approx(year.objective_tco2e, rel=1e-9)
    # the per-period table splits the annual heat by hours
    table = months.heat_period_frame().set_index("period")["gj"]
    assert table["02"] == pytest.approx(SINK_GJ * 28 / 365, rel=1e-6)


def test_per_period_table_sums_to_the_link_and_round_trips() -> None:
    plan = matching.propose(_park(kind="months"), ZERO)
    frame = plan.heat_period_frame()
    assert len(frame) == 12
    (link,) = plan.links
    assert frame["gj"].sum() == pytest.approx(link.quantity_in, rel=1e-9)
    back = Plan.from_json_dict(json.loads(plan.to_json()))
    assert [r[:2] for r in back.heat_by_period] == [r[:2] for r in plan.heat_by_period]
    assert [r[2] for r in back.heat_by_period] == pytest.approx([r[2] for r in plan.heat_by_period])


def test_region_without_season_says_so_and_runs_all_year() -> None:
    plan = matching.propose(_park(kind="months", region="south"), ZERO)
    assert any("no heating season is known" in m for m in plan.messages)
    assert plan.heat_recovered_gj == pytest.approx(SINK_GJ, rel=1e-6)  # 815 year-round vs 447 year-round


def test_heating_season_chosen_in_park_toml() -> None:
    """Harbin heats 20 Oct - 20 Apr: the seasons' heating period (Nov-Mar) holds 151 of its 183 days."""
    park = _park(kind="seasons", region="national", season="harbin")
    hp = heat_periods(park.streams, "seasons", "national", "harbin")
    assert hp.share("c")[0] == pytest.approx(151 / 183, rel=1e-9)
    plan = matching.propose(park, ZERO)
    assert plan.heat_recovered_gj == pytest.approx(
        min(SOURCE_GJ * 151 / 365, SINK_GJ * 151 / 183) + min(SOURCE_GJ * 61 / 365, SINK_GJ * 32 / 183), rel=1e-6)


def test_months_parse_and_shares() -> None:
    assert parse_months("11-3") == (1, 2, 3, 11, 12)
    assert parse_months("1,2,3,11,12") == (1, 2, 3, 11, 12)
    assert parse_months("１１月至３月") == (1, 2, 3, 11, 12)
    assert parse_months("全年") == tuple(range(1, 13))
    for bad in ("13", "winter", "3-14", ""):
        with pytest.raises(ValueError, match=r"month|outside"):
            parse_months(bad)
    beijing = heating_seasons()["beijing"].month_weights()
    assert beijing[10] == pytest.approx(16 / 30) and beijing[2] == pytest.approx(15 / 31) and beijing[5] == 0
    shares = period_shares(beijing, "months")[0]
    assert shares.sum() == pytest.approx(1.0) and shares[11] == pytest.approx(31 / 121)
    blocks = heat_periods(_park(kind="months").streams, "months", "north").blocks(["h", "c"])
    assert len(blocks) == 4  # Nov, Dec-Feb, Mar, Apr-Oct: the model holds 4 blocks, not 12


def test_bad_months_name_file_row_column_value() -> None:
    with pytest.raises(ParkError) as err:
        _park(sink_months="winter")
    problem = next(p for p in err.value.problems if p.code == "months_invalid")
    assert (problem.file, problem.row, problem.column, problem.value) == ("streams.csv", 3, "months", "winter")
    assert "11-3" in problem.accepted


def test_bad_periods_kind_is_reported() -> None:
    with pytest.raises(ParkError) as err:
        _park(kind="weeks")
    assert "weeks" in str(err.value) and "seasons" in str(err.value)


def test_heating_season_rows_are_sourced() -> None:
    table = read_table("heating_seasons")
    for col in ("year", "region", "source", "tag"):
        assert (table[col].str.strip() != "").all()
    assert set(table["tag"]) <= {"A", "B", "C", "R"}
    assert np.all(table["start_month"].astype(int).between(1, 12))


def test_chart_stacks_heat_by_link_per_period_in_both_languages() -> None:
    from app.heat_periods import heat_period_figure
    from symbiosis.core.periods import period_label

    plan = matching.propose(_park(kind="months"), ZERO)
    for lang, jan in (("en", "Jan"), ("zh", "1月")):
        fig = heat_period_figure(plan, lang)  # type: ignore[arg-type]
        assert fig is not None and fig.layout.barmode == "stack"
        (bar,) = fig.data
        assert bar.x[0] == jan and len(bar.x) == 12
        assert sum(bar.y) * 1000 == pytest.approx(plan.links[0].quantity_in, rel=1e-9)  # TJ on the axis
    assert heat_period_figure(matching.propose(_park(kind="year"), ZERO), "en") is None  # type: ignore[arg-type]
    assert period_label("heating", "zh") == "采暖季" and period_label("12", "en") == "Dec"


def test_periods_round_trip_through_park_toml() -> None:
    from symbiosis.core.park import ParkConfig, config_from_toml

    config = ParkConfig(periods="seasons", heating_season="harbin")
    back, problems = config_from_toml(config.to_toml())
    assert problems == [] and (back.periods, back.heating_season) == ("seasons", "harbin")
    assert "periods" not in ParkConfig().to_toml()  # the default writes nothing new
    _, problems = config_from_toml('[periods]\nkind = "months"\nheating_season = "atlantis"\n')
    assert [p[0] for p in problems] == ["periods.heating_season"]


def test_months_on_a_material_row_are_kept_with_a_warning() -> None:
    streams = [["a", "H", "output", "fly_ash", 100, "t/a", "", "", "landfill", "11-3"]]
    files = {"enterprises.csv": csv_text(ENT_HEADER, [["H", "source", 0, 0]]).encode(),
             "streams.csv": csv_text(HEADER, streams).encode()}
    park = load_files(files, source="test")
    (warning,) = [w for w in park.warnings if w.code == "months_not_heat"]
    assert (warning.row, warning.column, warning.value) == (2, "months", "11-3")
    assert park.streams.loc[0, "months"] == "11-3"
