"""Heat transfer between plants (issue 13, item 2): an intermediate loop needs about twice the approach, and the
pipe loses temperature along its length. Defaults from datasets/heat_transfer.csv (sourced rows)."""

from __future__ import annotations

import pytest
from test_matching_support import park_of, s

import matching
from matching import MatchOptions
from symbiosis.core.datasets import read_table
from symbiosis.core.heat_profiles import transfer_parameters

ZERO = MatchOptions(min_link_quantity={"heat": 0.0}, dt_min_k=10.0)


def _pair(distance_km: float, source: tuple[float, float, float], sink: tuple[float, float, float]) -> object:
    q_h, t_h, tr_h = source
    q_c, t_c, tr_c = sink
    return park_of([["H", "source", 0, 0], ["C", "sink", distance_km, 0]],
                   [s("h", "H", "output", "hot_water_heat", q_h, "GJ/a", t_h, tr_h, baseline="discharge"),
                    s("c", "C", "input", "hot_water_demand", q_c, "GJ/a", t_c, tr_c, baseline="natural_gas_boiler")])


def test_a_pair_feasible_in_plant_is_infeasible_through_a_loop() -> None:
    """Water 80 -> 60 °C into a demand 60 -> 70 °C at dTmin 10 K: at one place (route 0 km, a direct exchange) the
    source at 80 heats the demand to 70, all 2000 GJ/a. One km apart the heat goes through a hot-water loop: two
    exchangers (2 x 10 K) plus 0.5 K/km lost along the pipe, so the demand's inlet at 60 °C would need a source at
    80.5 °C: nothing passes."""
    direct = matching.propose(_pair(0.0, (10_000, 80, 60), (2_000, 70, 60)), ZERO)
    assert direct.heat_recovered_gj == pytest.approx(2_000.0, rel=1e-6)
    loop = matching.propose(_pair(1.0, (10_000, 80, 60), (2_000, 70, 60)), ZERO)
    assert loop.heat_recovered_gj == pytest.approx(0.0, abs=1e-6)
    # the same pair with a loop as good as a direct exchange and no drop: the option is the one place to say so
    same = ZERO.replace(heat_loop_factor={"hot_water": 1.0}, heat_drop_k_per_km={"hot_water": 0.0})
    assert matching.propose(_pair(1.0, (10_000, 80, 60), (2_000, 70, 60)), same).heat_recovered_gj > 1_900
    # adjacent plants declared as exchanging directly
    assert matching.propose(_pair(1.0, (10_000, 80, 60), (2_000, 70, 60)),
                            ZERO.replace(heat_direct_km=1.0)).heat_recovered_gj > 1_900


def test_a_loop_delivers_less_than_a_direct_exchange() -> None:
    """Water 100 -> 60 °C (4000 GJ/a, CP 100 per K) and a demand 50 -> 90 °C (4000 GJ/a, CP 100 per K). Directly
    (dTmin 10) everything passes: 4000. Through a loop one km long the approach is 20 + 0.5 = 20.5 K: the demand can
    be heated only from 50 to 100 - 20.5 = 79.5 °C, 29.5/40 x 4000 = 2950 GJ/a at most; the model draws a loop link's
    heat from levels wholly 20.5 K above (5 K wide): the sink level 55-60 (shifted) draws from 75-80, so the link
    reaches 20 of the demand's 40 K, 2000 GJ/a of which 99 % arrive (pipe loss); within two levels (1000) of the
    exact figure, never above it."""
    direct = matching.propose(_pair(0.0, (4_000, 100, 60), (4_000, 90, 50)), ZERO)
    assert direct.heat_recovered_gj == pytest.approx(4_000.0, rel=1e-6)
    loop = matching.propose(_pair(1.0, (4_000, 100, 60), (4_000, 90, 50)), ZERO)
    assert 2_950.0 - 1_000.0 - 1e-6 <= loop.heat_recovered_gj <= 2_950.0 + 1e-6
    assert loop.heat_recovered_gj < direct.heat_recovered_gj
    link = loop.links[0]
    assert link.distance_km == pytest.approx(1.0)


def test_steam_main_keeps_one_approach_but_loses_temperature() -> None:
    """Waste steam saturated at 150 °C piped 2 km as steam: one exchanger (10 K) plus 2 K/km drop = 14 K. A demand
    heated to 140 °C would need 154 °C at its top, so only the part up to 136 °C is reachable by the latent heat."""
    park = park_of([["H", "steam", 0, 0], ["C", "water", 2, 0]],
                   [s("h", "H", "output", "waste_steam", 10_000, "GJ/a", 150, 100, baseline="vent"),
                    s("c", "C", "input", "hot_water_demand", 2_000, "GJ/a", 140, 120, baseline="natural_gas_boiler")])
    near = park_of([["H", "steam", 0, 0], ["C", "water", 0, 0]],
                   [s("h", "H", "output", "waste_steam", 10_000, "GJ/a", 150, 100, baseline="vent"),
                    s("c", "C", "input", "hot_water_demand", 2_000, "GJ/a", 140, 120, baseline="natural_gas_boiler")])
    assert matching.propose(near, ZERO).heat_recovered_gj == pytest.approx(2_000.0, rel=1e-6)
    far = matching.propose(park, ZERO).heat_recovered_gj
    # 120 -> 136 °C of 120 -> 140: 16/20 x 2000 = 1600 at most, less at most two 5 K levels (1000)
    assert 1_600.0 - 1_000.0 - 1e-6 <= far <= 1_600.0 + 1e-6


def test_transfer_table_rows_are_sourced() -> None:
    table = read_table("heat_transfer")
    for column in ("value", "unit", "year", "region", "source", "tag"):
        assert (table[column].str.strip() != "").all(), column
    assert set(table["tag"]) <= {"A", "B", "C", "R"}
    rows = transfer_parameters()
    assert rows[("reach_km", "steam")].value == 10.0 and rows[("reach_km", "hot_water")].value == 20.0
    assert "热电联产管理办法" in rows[("reach_km", "hot_water")].source
