"""Heat rows as temperature–enthalpy profiles (issue 13, item 1): steam by IAPWS-IF97, latent heat at T_sat.

Enthalpies quoted in the comments are IAPWS-IF97 values (the `iapws` package; the same as steam tables to 0.1 kJ/kg).
"""

from __future__ import annotations

import pytest
from park_builders import csv_text
from test_matching_support import ENT_HEADER, STREAM_HEADER, any_size, park_of, s

import matching
from matching import MatchOptions
from matching.heat import heat_levels
from symbiosis.core.errors import ParkError
from symbiosis.core.heat_profiles import row_profile, saturation_temperature_c, steam_segments
from symbiosis.core.loader import load_files

ZERO = MatchOptions(min_link_quantity={"heat": 0.0}, dt_min_k=10.0)

# Saturated at 175 °C (p_sat = 0.8924 MPa): h' = 741.15, h'' = 2772.70 kJ/kg; feed water at 20 °C and that pressure
# h = 84.76 kJ/kg. Feed-water preheat 656.39 of 2687.95 kJ/kg: share 0.24420; evaporation 2031.55: share 0.75580.
PREHEAT_175 = (741.15 - 84.76) / (2772.70 - 84.76)
# Saturated at 150 °C (0.4762 MPa): h' = 632.18, h'' = 2745.9; condensate at 100 °C and that pressure h = 419.4.
LATENT_150 = (2745.9 - 632.18) / (2745.9 - 419.4)


def test_process_steam_profile_is_feed_water_then_evaporation() -> None:
    segs = steam_segments(175.0, 20.0)
    assert [(s.kind, s.t_high, s.t_low) for s in segs] == [("latent", 175.0, 175.0), ("liquid", 175.0, 20.0)]
    prof = row_profile("process_steam", "heat", "input", 175.0, 20.0, 1000.0)
    assert [s.kind for s in prof.segments] == ["latent", "feed_water"]
    assert prof.shares[1] == pytest.approx(PREHEAT_175, abs=1e-4)
    assert sum(prof.shares) == pytest.approx(1.0)
    assert prof.quantity == 1000.0  # the row's GJ is split, never changed


def test_pressure_gives_saturation_and_superheat() -> None:
    # 1.0 MPa absolute: T_sat = 179.88 °C. Steam at 250 °C and 1.0 MPa is superheated: h = 2943.1 kJ/kg,
    # h'' = 2777.1 -> 166.0 kJ/kg of superheat above the evaporation (2014.6) and the feed water from 20 °C (678.9).
    assert saturation_temperature_c(1.0) == pytest.approx(179.88, abs=0.01)
    segs = steam_segments(250.0, 20.0, 1.0)
    assert [s.kind for s in segs] == ["superheat", "latent", "liquid"]
    assert segs[0].dh_kj_per_kg == pytest.approx(2943.1 - 2777.1, abs=0.5)
    assert segs[1].t_high == pytest.approx(179.88, abs=0.01)
    assert segs[1].dh_kj_per_kg == pytest.approx(2014.6, abs=0.5)
    with pytest.raises(ValueError, match="below the saturation temperature"):
        steam_segments(150.0, 20.0, 1.0)


def test_acid_dew_point_raises_lowest_temperature() -> None:
    prof = row_profile("flue_gas_heat", "heat", "output", 180.0, 90.0, 900.0, acid_dew_point_c=120.0)
    assert (prof.segments[0].t_high, prof.segments[0].t_low) == (180.0, 120.0)
    assert prof.quantity == pytest.approx(600.0)  # (180 - 120) / (180 - 90) of 900
    assert "acid dew point 120" in prof.note


def _steam_sink_park(source_t: float, source_tr: float) -> object:
    return park_of([["H", "source", 0, 0], ["C", "steam user", 0, 0]],
                   [s("h", "H", "output", "hot_water_heat", 1_000_000, "GJ/a", source_t, source_tr,
                      baseline="discharge"),
                    s("c", "C", "input", "process_steam", 100_000, "GJ/a", 175, 20, baseline="natural_gas_boiler")])


def test_55c_water_serves_a_steam_sink_only_up_to_part_of_the_feed_water_preheat() -> None:
    """The issue's case: process steam at 175 °C from 20 °C feed water, a plentiful 55 °C source, dTmin 10 K. The
    source can heat feed water from 20 to 45 °C only: 25/155 of the preheat share of the heat (the feed-water segment
    is linear in temperature), 100000 x 0.24420 x 25/155 = 3938.7 GJ/a. A straight line 175->20 would have given
    25/155 of everything, 16129 GJ/a."""
    plan = matching.propose(_steam_sink_park(55, 25), ZERO)
    expected = 100_000 * PREHEAT_175 * 25 / 155
    assert expected == pytest.approx(3938.7, abs=0.5)
    assert plan.heat_recovered_gj == pytest.approx(expected, rel=1e-4)


def test_hot_water_below_t_sat_gets_at_most_the_feed_water_preheat() -> None:
    """A 170 °C water source (shifted 165) reaches feed water up to 160 °C but none of the evaporation at 175 °C:
    100000 x 0.24420 x 140/155 = 22057 GJ/a, below the whole preheat 24420 GJ/a."""
    plan = matching.propose(_steam_sink_park(170, 30), ZERO)
    assert plan.heat_recovered_gj == pytest.approx(100_000 * PREHEAT_175 * 140 / 155, rel=1e-4)
    assert plan.heat_recovered_gj < 100_000 * PREHEAT_175


def test_steam_source_against_a_hand_problem_table() -> None:
    """Waste steam saturated at 150 °C condensed and cooled to 100 °C, 10000 GJ/a: latent share 0.90853 (9085 GJ/a
    at 150 °C), condensate 915 GJ/a over 150->100. Sink: hot water 120 -> 140 °C, 8000 GJ/a (CP 400 per K).
    Problem Table at dTmin 10 (hot shifted -5, cold +5):
        shifted 165.. no heat; point 145: hot latent +9085              cascade  9085
        145 -> 125: hot condensate 915 x 20/50 = 366, cold 400 x 20 = 8000    9085 + 366 - 8000 = 1451
        125 -> 95:  hot 549                                                   2000
    never negative: no hot utility, the whole sink (8000 GJ/a) is recovered. As a straight line 150 -> 100 (CP 200)
    the steam would give only 200 x 20 = 4000 GJ/a above 125 (shifted) and the sink would get 4000."""
    park = park_of([["H", "steam", 0, 0], ["C", "water", 0, 0]],
                   [s("h", "H", "output", "waste_steam", 10_000, "GJ/a", 150, 100, baseline="vent"),
                    s("c", "C", "input", "hot_water_demand", 8_000, "GJ/a", 140, 120, baseline="natural_gas_boiler")])
    assert pytest.approx(0.90853, abs=1e-4) == LATENT_150
    plan = matching.propose(park, ZERO)
    assert plan.heat_recovered_gj == pytest.approx(8000.0, rel=1e-6)
    # the same sink asking 12000 GJ/a (CP 600): 145 -> 125: 9085 + 366 - 12000 = -2549 -> utility 2549,
    # recovered 12000 - 2549 = 9451 = the latent heat and the condensate above 125 (shifted)
    park2 = park_of([["H", "steam", 0, 0], ["C", "water", 0, 0]],
                    [s("h", "H", "output", "waste_steam", 10_000, "GJ/a", 150, 100, baseline="vent"),
                     s("c", "C", "input", "hot_water_demand", 12_000, "GJ/a", 140, 120,
                       baseline="natural_gas_boiler")])
    plan2 = matching.propose(park2, ZERO)
    assert plan2.heat_recovered_gj == pytest.approx(10_000 * LATENT_150 + 10_000 * (1 - LATENT_150) * 20 / 50,
                                                    rel=1e-4)


def test_levels_sum_segments_per_stream() -> None:
    import pandas as pd
    hot = pd.DataFrame({"stream_id": ["h"], "t_high": [100.0], "t_low": [50.0], "quantity": [50.0]})
    cold = pd.DataFrame({"stream_id": ["c", "c"], "t_high": [80.0, 80.0], "t_low": [80.0, 20.0],
                         "quantity": [30.0, 60.0]})
    lv = heat_levels(hot, cold, 0.0)
    assert lv.cold.groupby("stream_id")["q"].sum()["c"] == pytest.approx(90.0)
    assert lv.cold.duplicated(["stream_id", "level"]).sum() == 0
    point = lv.levels[lv.levels["point"].astype(bool)]
    assert point["hi"].tolist() == [80.0]


def _load(extra_header: list[str], extra: list[object], material: str = "process_steam",
          direction: str = "input", t: float = 175, tr: float = 20) -> object:
    row = s("c", "C", direction, material, 1000, "GJ/a", t, tr, baseline="natural_gas_boiler"
            if direction == "input" else "vent")
    files = {"enterprises.csv": csv_text(ENT_HEADER, [["C", "c", 0, 0]]).encode(),
             "streams.csv": csv_text(STREAM_HEADER + extra_header, [row + extra]).encode(),
             "park.toml": any_size(None).encode()}
    return load_files(files, source="test")


def test_loader_reads_pressure_and_names_a_bad_one() -> None:
    park = _load(["压力(MPa)"], [0.9])
    assert park.streams["pressure_mpa"].iloc[0] == pytest.approx(0.9)
    with pytest.raises(ParkError) as err:
        _load(["pressure_mpa"], [1.6])  # T_sat 201 °C above the 175 °C target
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.column, problem.code) == ("streams.csv", 2, "pressure_mpa",
                                                                         "steam_pressure_range")
    assert "below the saturation temperature" in problem.text()


def test_loader_refuses_acid_dew_point_above_supply() -> None:
    with pytest.raises(ParkError) as err:
        _load(["acid_dew_point_c"], [200], material="flue_gas_heat", direction="output", t=180, tr=90)
    problem = err.value.problems[0]
    assert (problem.column, problem.code, problem.value) == ("acid_dew_point_c", "acid_dew_point_range", "200")
