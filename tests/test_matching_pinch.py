"""Pinch cross-check: with one heat commodity, no distances and no fixed costs, the heat the MILP recovers equals the
Problem Table Algorithm's maximum heat recovery at the same dTmin — checked against the `pina` package and
against a small PTA written in the test (tests/test_matching_support.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pina import PinchAnalyzer, make_stream
from test_matching_support import (
    MILP_PHASES,
    check_heat,
    no_wall_clock,  # noqa: F401  (autouse: no clock)
    park_of,
    pta_max_recovery,
    s,
)

import matching
from matching import MatchOptions

ZERO = MatchOptions(min_link_quantity={"heat": 0.0})


def pina_recovery(hot: list[tuple[float, float, float]], cold: list[tuple[float, float, float]], dt: float) -> float:
    # pina shifts hot streams down and cold streams up by its temp_shift: dTmin/2 gives dTmin between them.
    analyzer = PinchAnalyzer(dt / 2)
    analyzer.add_streams(*(make_stream(q, ts, tt) for q, ts, tt in hot),
                         *(make_stream(-q, ts, tt) for q, ts, tt in cold))
    return float(analyzer.heat_recovery_target)


def heat_park(hot: list[tuple[float, float, float]], cold: list[tuple[float, float, float]]) -> object:
    """Every stream its own enterprise (no enterprise may link to itself), all at one place: distance 0."""
    ents, rows = [], []
    for k, (q, ts, tt) in enumerate(hot):
        ents.append([f"H{k}", f"hot {k}", 0, 0])
        rows.append(s(f"h{k}", f"H{k}", "output", "hot_water_heat", q, "GJ/a", ts, tt, baseline="discharge"))
    for k, (q, ts, tt) in enumerate(cold):
        ents.append([f"C{k}", f"cold {k}", 0, 0])
        rows.append(s(f"c{k}", f"C{k}", "input", "process_heat", q, "GJ/a", tt, ts, baseline="natural_gas_boiler"))
    return park_of(ents, rows)


@st.composite
def streams(draw: st.DrawFn, hot: bool) -> tuple[float, float, float]:
    """(Q GJ/a, supply °C, target °C): hot streams cool down, cold streams heat up."""
    a = draw(st.integers(20, 300))
    b = draw(st.integers(20, 300).filter(lambda t: t != a))
    q = draw(st.integers(100, 20_000))
    high, low = max(a, b), min(a, b)
    return (float(q), float(high), float(low)) if hot else (float(q), float(low), float(high))


@pytest.mark.slow
@settings(max_examples=40, deadline=None, phases=[Phase[p] for p in MILP_PHASES],
          suppress_health_check=[HealthCheck.too_slow])
@given(hot=st.lists(streams(hot=True), min_size=1, max_size=4), cold=st.lists(streams(hot=False), min_size=1, max_size=4),
       dt=st.sampled_from([0.0, 5.0, 10.0, 20.0]))
def test_heat_recovered_equals_pinch_target(hot: list[tuple[float, float, float]],
                                            cold: list[tuple[float, float, float]], dt: float) -> None:
    target_pina = pina_recovery(hot, cold, dt)
    target_own = pta_max_recovery(hot, cold, dt)
    assert target_own == pytest.approx(target_pina, rel=1e-9, abs=1e-6)
    park = heat_park(hot, cold)
    plan = matching.propose(park, ZERO.replace(dt_min_k=dt))
    assert plan.status in ("optimal", "empty")
    assert plan.heat_recovered_gj == pytest.approx(target_pina, rel=1e-5, abs=1e-3)
    check_heat(park, plan, dt)


def test_textbook_four_stream_problem() -> None:
    """The four-stream example of Kemp, Pinch Analysis and Process Integration (2007), ch. 2 (CP in kW/K; here
    GJ/a): hot 170->60 (CP 3), hot 150->30 (CP 1.5), cold 20->135 (CP 2), cold 80->140 (CP 4); at dTmin 10 K the
    targets are 20 hot utility and 60 cold utility, so 470 - 20 = 450 is recovered."""
    hot = [(3.0 * 110, 170.0, 60.0), (1.5 * 120, 150.0, 30.0)]
    cold = [(2.0 * 115, 20.0, 135.0), (4.0 * 60, 80.0, 140.0)]
    recovery = 230 + 240 - 20
    assert pina_recovery(hot, cold, 10.0) == pytest.approx(recovery)
    assert pta_max_recovery(hot, cold, 10.0) == pytest.approx(recovery)
    plan = matching.propose(heat_park(hot, cold), ZERO.replace(dt_min_k=10.0))
    assert plan.heat_recovered_gj == pytest.approx(recovery, rel=1e-6)
