"""Forced links that say what they carry, unknown ids named, and the reach a "too far" explanation quotes.

Tiny hand-built parks: each solve takes milliseconds and no test relies on the clock.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from park_builders import write_park
from test_matching_support import (
    link,
    no_wall_clock,  # noqa: F401  (autouse: no clock)
    park_of,
    s,
)

import matching
from matching import LinkSelector, MatchOptions, OptionsError
from symbiosis.core.loader import load_park

NO_CLOCK = MatchOptions(min_link_quantity={"solid": 100.0, "heat": 100.0})


def _fly_ash_park() -> object:
    """Fly ash F1 (1 000 t/a) can replace clinker at the cement works R (0.3 x 10 000 t = 3 000 t: all of it)
    or clay at the brick works B; clinker avoids far more, so the optimiser sends everything to R."""
    return park_of([["F", "power", 0, 0], ["R", "cement", 1, 0], ["B", "bricks", 2, 0]],
                   [s("F1", "F", "output", "fly_ash", 1_000, "t/a", baseline="landfill"),
                    s("R1", "R", "input", "clinker", 10_000, "t/a", baseline="virgin"),
                    s("B1", "B", "input", "clay", 5_000, "t/a", baseline="virgin")])


def test_a_forced_link_at_its_minimum_says_so_and_why() -> None:
    park = _fly_ash_park()
    free = matching.propose(park, NO_CLOCK)
    assert [x.link_id for x in free.links] == ["F1->R1"]
    plan = matching.propose(park, NO_CLOCK.replace(forced=(LinkSelector.parse("F->B:clay"),)))
    assert plan.status == "optimal"
    clay = link(plan, "F1", "B1")
    assert clay.forced and clay.quantity == pytest.approx(100.0)  # the minimum link size, nothing more
    note, note_zh = clay.notes[0], clay.notes_zh[0]
    assert note.startswith("forced but nearly empty") and "minimum link size" in note
    assert "F1->R1" in note and "supplier's fly_ash is better used" in note  # why: the better link, named
    assert "F->B:clay@QUANTITY" in note  # how to state a quantity
    assert note_zh.startswith("强制链接但几乎为空") and "F1->R1" in note_zh and "粉煤灰" in note_zh
    assert any("nearly empty" in m for m in plan.messages)
    assert any("几乎为空" in m for m in plan.messages_zh)
    # unforced links carry no such note
    assert not any("nearly empty" in n for n in link(plan, "F1", "R1").notes)


def test_a_forced_link_with_a_stated_quantity_carries_it() -> None:
    park = _fly_ash_park()
    plan = matching.propose(park, NO_CLOCK.replace(forced=(LinkSelector.parse("F->B:clay@600"),)))
    assert plan.status == "optimal"
    clay = link(plan, "F1", "B1")
    assert clay.quantity == pytest.approx(600.0)
    assert link(plan, "F1", "R1").quantity == pytest.approx(400.0)
    assert not any("nearly empty" in n for n in clay.notes)
    assert plan.options["forced"] == ["supplier_id=F, receiver_id=B, material=clay, quantity=600"]
    keyed = matching.propose(park, NO_CLOCK.replace(
        forced=(LinkSelector.parse("supplier=F,receiver=B,quantity=750"),)))
    assert link(keyed, "F1", "B1").quantity == pytest.approx(750.0)


def test_a_stated_quantity_beyond_reach_is_infeasible_with_the_reason() -> None:
    park = _fly_ash_park()
    plan = matching.propose(park, NO_CLOCK.replace(forced=(LinkSelector.parse("F->B:clay@1500"),)))
    assert plan.status == "infeasible"
    assert "cannot carry the stated 1500 t/a" in plan.messages[-1] and "at most 1000 t/a" in plan.messages[-1]
    assert "无法输送指定的 1500 t/a" in plan.messages_zh[-1]


@pytest.mark.parametrize("text", ["F->B@", "F->B@-5", "F->B@lots", "supplier=F,quantity=0"])
def test_a_bad_quantity_is_refused(text: str) -> None:
    with pytest.raises(OptionsError, match="quantity"):
        LinkSelector.parse(text)


def test_the_old_force_syntax_still_works() -> None:
    assert LinkSelector.parse("F->B:clay") == LinkSelector("F", "B", "clay")
    assert LinkSelector.parse("supplier=F,receiver=B,out=F1,in=B1") == LinkSelector(
        "F", "B", None, "F1", "B1")


def test_an_unknown_enterprise_is_named_with_the_nearest_ids() -> None:
    park = _fly_ash_park()
    plan = matching.propose(park, NO_CLOCK.replace(forced=(LinkSelector.parse("F9->B:clay"),)))
    assert plan.status == "infeasible"
    en, zh = plan.messages[-1], plan.messages_zh[-1]
    assert "matches no candidate" not in en
    assert "supplier enterprise 'F9' is unknown" in en and "nearest known ids: F, B, R" in en
    assert "供方企业 'F9' 不存在" in zh and "最接近的已知编号：F、B、R" in zh
    receiver = matching.propose(park, NO_CLOCK.replace(forced=(LinkSelector.parse("F->BB"),)))
    assert "receiver enterprise 'BB' is unknown" in receiver.messages[-1]
    stream = matching.propose(park, NO_CLOCK.replace(forced=(LinkSelector.parse("out=F2,in=B1"),)))
    assert "supplier stream 'F2' is unknown" in stream.messages[-1] and "F1" in stream.messages[-1]


def test_too_far_quotes_the_reach_of_the_sinks_own_carrier(tmp_path: Path) -> None:
    """A hot-water sink H: a steam source 3.5 km away (steam reach 3 km) and a hot-water source 5.2 km away
    (hot-water reach 5 km). Neither reaches; the hot-water source misses its reach by less, and the explanation
    quotes the hot-water reach, not the steam reach of the nearer source."""
    enterprises = [["H", "sink", 0, 0], ["S", "steam", 3.5, 0], ["W", "hot water", 0, 5.2]]
    streams = [["H", "input", "hot_water_demand", 5000, "GJ/a", 60, 40, "", "natural_gas_boiler", "", ""],
               ["S", "output", "waste_steam", 5000, "GJ/a", 150, 100, "", "vent", "", ""],
               ["W", "output", "hot_water_heat", 5000, "GJ/a", 90, 50, "", "vent", "", ""]]
    park = load_park(write_park(tmp_path / "park", enterprises, streams))
    plan = matching.propose(park, NO_CLOCK)
    assert not plan.links
    why = matching.explain_unmatched(park, plan, NO_CLOCK).set_index("enterprise_id")
    sink = why.loc["H"]
    assert sink["reason"] == "too_far"
    assert sink["reach_km"] == 5.0 and sink["partner_id"] == "W"
    assert sink["distance_km"] == pytest.approx(5.2)
    assert "5 km reach by pipe_heat" in sink["reason_en"] and "热水管道" in sink["reason_zh"]
    # each source is explained with its own carrier's reach
    assert why.loc["S", "reach_km"] == 3.0 and why.loc["W", "reach_km"] == 5.0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
