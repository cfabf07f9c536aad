"""The boiler-fuel ledger convention in the matcher: a receiver's fuel is saved at most once.

A heat input raised in an own boiler (natural_gas_boiler, coal_boiler, electric_boiler) stands for fuel that the
enterprise's own row of natural gas, coal or electricity already holds, when it lists one (docs/metabolism.md). A
link replacing that fuel and a link replacing the boiler's heat then save the same fuel: together they may save at
most what the fuel rows hold (docs/matching.md). Expected values come from the factor rows, read here.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from test_matching_support import (
    no_wall_clock,  # noqa: F401  (autouse: no clock)
    park_of,
    random_park,
    s,
)

import matching
from flows.graph import build_graph
from matching import MatchOptions
from symbiosis.core.datasets import demo_park_path
from symbiosis.core.exchanges import allocate_exchanges
from symbiosis.core.factors import FactorTable
from symbiosis.core.loader import load_park
from symbiosis.core.park import Park, ParkConfig
from symbiosis.core.plan import Plan

F = FactorTable(ParkConfig())
NG = F.get("fuel_natural_gas").value  # tCO2/GJ
COAL = F.get("fuel_coal").value
EFF = {"natural_gas_boiler": F.get("eff_natural_gas_boiler").value, "coal_boiler": F.get("eff_coal_boiler").value,
       "electric_boiler": F.get("eff_electric_boiler").value}
FUEL_OF = {"natural_gas_boiler": "natural_gas", "coal_boiler": "coal", "electric_boiler": "electricity"}
ENT = [["S", "coke plant", 0, 0], ["R", "boiler user", 1, 0]]
# These parks test the fuel rows, not the approach of heat sent between plants through a loop (issue 13,
# tests/test_heat_transfer.py): their plants exchange heat directly.
DIRECT = "[options]\nheat_direct_km = 10\n"
GAS_BOUGHT = 10_000.0  # GJ/a natural gas R buys ...
HEAT = GAS_BOUGHT * EFF["natural_gas_boiler"]  # ... all burned in the boiler that raises this process heat


def boiler_park(heat_baseline: str = "natural_gas_boiler", gas_row: float | None = GAS_BOUGHT,
                heat_supply: float = 20_000.0, gas_supply: float = 20_000.0) -> Park:
    """The review's park: coke-oven gas (flared) that could replace R's natural gas, and waste heat that could
    replace the heat of R's boiler."""
    rows = [s("S1", "S", "output", "coke_oven_gas", gas_supply, "GJ/a", baseline="flare"),
            s("S2", "S", "output", "hot_water_heat", heat_supply, "GJ/a", 150, 60, baseline="discharge"),
            s("R2", "R", "input", "process_heat", HEAT, "GJ/a", 80, 40, baseline=heat_baseline)]
    if gas_row is not None:
        rows.append(s("R1", "R", "input", "natural_gas", gas_row, "GJ/a", baseline="virgin"))
    return park_of(ENT, rows, park_toml=DIRECT)


def avoided_scope1_at(plan: Plan, enterprise: str) -> float:
    return sum(line.tco2e for x in plan.links for line in x.accounting
               if line.item == "avoided_scope1" and line.enterprise_id == enterprise)


def fuel_saved(park: Park, plan: Plan) -> dict[tuple[str, str], float]:
    """Per (receiver, fuel) with a fuel row: fuel replaced by material links plus boiler heat replaced / efficiency."""
    st = park.streams.set_index("stream_id")
    listed = {(e, m) for e, m, d in zip(park.streams["enterprise_id"], park.streams["material"],
                                         park.streams["direction"], strict=True) if d == "input"}
    saved: dict[tuple[str, str], float] = defaultdict(float)
    for x in plan.links:
        row = st.loc[x.receiver_stream_id]
        if x.category == "heat" and row["baseline"] in FUEL_OF:
            key = (x.receiver_id, FUEL_OF[row["baseline"]])
            if key in listed:
                saved[key] += x.quantity_in / EFF[row["baseline"]]
        elif x.material_in in FUEL_OF.values():
            saved[(x.receiver_id, x.material_in)] += x.quantity_in
    return dict(saved)


def fuel_rows(park: Park) -> dict[tuple[str, str], float]:
    """Each enterprise's fuel input rows, summed, after existing exchanges (the shared allocation rule)."""
    taken = allocate_exchanges(park, F).taken()
    st = park.streams
    rows: dict[tuple[str, str], float] = defaultdict(float)
    for r in st[(st["direction"] == "input") & st["material"].isin(list(FUEL_OF.values()))].itertuples():
        rows[(r.enterprise_id, r.material)] += max(r.quantity - taken.get(r.stream_id, 0.0), 0.0)
    return dict(rows)


def check_fuel(park: Park, plan: Plan) -> None:
    rows = fuel_rows(park)
    for key, amount in fuel_saved(park, plan).items():
        assert amount <= rows[key] * (1 + 1e-7) + 1e-6, f"{key}: {amount} GJ saved, rows hold {rows[key]}"
    warnings = [w for w in build_graph(park, plan).graph["warnings"]
                if w.code in ("link_exceeds_fuel", "link_exceeds_stream")]
    assert not warnings, [w.message_en for w in warnings]


def test_the_gas_r_buys_is_avoided_once() -> None:
    """The review's case: coke-oven gas for R's natural gas and waste heat for its gas-boiler heat each replace all
    of the gas R buys; together they may not avoid more than that gas emits."""
    park = boiler_park()
    plan = matching.propose(park)
    assert plan.status == "optimal"
    all_gas = GAS_BOUGHT * NG  # 555.39 tCO2e/a: every GJ of gas R buys, burnt
    assert all_gas == pytest.approx(555.39)
    assert avoided_scope1_at(plan, "R") <= all_gas * (1 + 1e-7)
    # both uses save natural gas at the same rate (the flaring avoided and the coke-oven gas burnt cancel), so
    # the best plan saves all the gas once, whichever link carries it
    assert plan.objective_tco2e == pytest.approx(all_gas, rel=1e-6)
    assert sum(fuel_saved(park, plan).values()) == pytest.approx(GAS_BOUGHT, rel=1e-6)
    check_fuel(park, plan)
    # one fuel row ties the two links: one sub-problem, with a fuel constraint
    model = matching.build_model(park)
    assert len(model.components) == 1 and len(model.components[0].links) == 2
    assert any(c.name.startswith("fuel") for c in model.components[0].problem.constraints())


@pytest.mark.parametrize(("fixed", "winner"), [({"pipe_heat": 100.0}, "S1->R1"), ({"pipe_gas": 100.0}, "S2->R2")])
def test_the_better_use_of_the_gas_wins(fixed: dict[str, float], winner: str) -> None:
    """With embodied emissions on one of the two pipes, the gas is saved by the other link alone."""
    plan = matching.propose(boiler_park(), MatchOptions(fixed_tco2e=fixed))
    assert plan.status == "optimal"
    assert [x.link_id for x in plan.links] == [winner]
    x = plan.links[0]
    if winner == "S1->R1":
        assert x.quantity_in == pytest.approx(GAS_BOUGHT)
    else:
        assert x.quantity_in == pytest.approx(HEAT)  # 9 000 GJ of heat = 10 000 GJ of gas at 0.9
    assert plan.objective_tco2e == pytest.approx(GAS_BOUGHT * NG, rel=1e-6)
    assert avoided_scope1_at(plan, "R") == pytest.approx(GAS_BOUGHT * NG, rel=1e-6)


def test_heat_and_gas_share_the_fuel_row() -> None:
    """Neither the waste heat (4 000 GJ: at most 4 400 GJ of gas) nor the coke-oven gas (6 000 GJ) can replace all
    the gas alone: both are built, and together they save exactly the gas R buys."""
    park = boiler_park(heat_supply=4_000.0, gas_supply=6_000.0)
    plan = matching.propose(park)
    assert plan.status == "optimal"
    by_id = {x.link_id: x for x in plan.links}
    assert set(by_id) == {"S1->R1", "S2->R2"}
    saved = fuel_saved(park, plan)[("R", "natural_gas")]
    assert saved == pytest.approx(GAS_BOUGHT, rel=1e-6)
    assert by_id["S1->R1"].quantity_in == pytest.approx(GAS_BOUGHT - by_id["S2->R2"].quantity_in
                                                        / EFF["natural_gas_boiler"], rel=1e-6)
    assert plan.objective_tco2e == pytest.approx(GAS_BOUGHT * NG, rel=1e-6)
    check_fuel(park, plan)


def test_boiler_heat_alone_saves_at_most_the_fuel_row() -> None:
    """A gas row smaller than the boiler needs (a ledger that lists only part of the boiler's gas): heat replaced /
    efficiency is held to the row, as flows/ takes it off the row."""
    park = boiler_park(gas_row=5_000.0, gas_supply=0.0)
    plan = matching.propose(park)
    assert [x.link_id for x in plan.links] == ["S2->R2"]
    x = plan.links[0]
    assert x.quantity_in == pytest.approx(5_000.0 * EFF["natural_gas_boiler"], rel=1e-6)
    assert plan.objective_tco2e == pytest.approx(5_000.0 * NG, rel=1e-6)
    check_fuel(park, plan)


def test_without_a_row_of_the_boilers_fuel_both_links_stay() -> None:
    """R's boiler burns coal and R lists no coal: the heat row stands for the boiler's coal, which no other link
    replaces, so the coke-oven gas (for R's natural gas) and the waste heat are both built in full."""
    park = boiler_park(heat_baseline="coal_boiler")
    plan = matching.propose(park)
    assert plan.status == "optimal"
    by_id = {x.link_id: x for x in plan.links}
    assert set(by_id) == {"S1->R1", "S2->R2"}
    assert by_id["S1->R1"].quantity_in == pytest.approx(GAS_BOUGHT)
    assert by_id["S2->R2"].quantity_in == pytest.approx(HEAT)
    expected = GAS_BOUGHT * NG + HEAT / EFF["coal_boiler"] * COAL
    assert avoided_scope1_at(plan, "R") == pytest.approx(expected, rel=1e-6)
    assert plan.objective_tco2e == pytest.approx(expected, rel=1e-6)
    model = matching.build_model(park)
    assert not any(c.name.startswith("fuel") for comp in model.components for c in comp.problem.constraints())
    assert (model.links["fuel"] == "").sum() == 1  # the heat link saves no listed fuel; the gas link does
    check_fuel(park, plan)


def test_without_a_gas_row_two_heat_sources_fill_the_boiler() -> None:
    """Gas-boiler heat, no gas row: only the heat demand bounds the heat links (no fuel row couples them)."""
    park = park_of([*ENT, ["T", "second plant", 0, 1]],
                   [s("S2", "S", "output", "hot_water_heat", 6_000.0, "GJ/a", 150, 60, baseline="discharge"),
                    s("T2", "T", "output", "hot_water_heat", 6_000.0, "GJ/a", 150, 60, baseline="discharge"),
                    s("R2", "R", "input", "process_heat", HEAT, "GJ/a", 80, 40, baseline="natural_gas_boiler")],
                   park_toml=DIRECT)
    plan = matching.propose(park)
    assert plan.status == "optimal"
    assert sum(x.quantity_in for x in plan.links) == pytest.approx(HEAT, rel=1e-6)
    assert plan.objective_tco2e == pytest.approx(HEAT / EFF["natural_gas_boiler"] * NG, rel=1e-6)


def test_demo_park_saves_no_fuel_twice() -> None:
    """On the demo park no enterprise is credited with more fuel saved (material links + boiler heat / efficiency)
    than its fuel rows hold, and the after-state graph takes every link's fuel off the ledger without a warning."""
    park = load_park(demo_park_path())
    plan = matching.propose(park)
    assert plan.status == "optimal"
    saved = fuel_saved(park, plan)
    assert saved[("E10", "natural_gas")] > 0 and saved[("E29", "natural_gas")] > 0  # the review's two cases
    check_fuel(park, plan)
    rows = fuel_rows(park)
    for enterprise, fuel in saved:
        if fuel == "natural_gas":  # avoided Scope 1 of natural gas at the receiver <= its gas, burnt
            gas = sum(line.tco2e for x in plan.links if x.receiver_id == enterprise for line in x.accounting
                      if line.item == "avoided_scope1" and line.enterprise_id == enterprise
                      and "fuel_natural_gas" in line.factor_ids)
            assert gas <= rows[(enterprise, fuel)] * NG * (1 + 1e-7) + 1e-6


# Random parks of fuels, off-gases and heat only, crowded on few enterprises, so that an enterprise often lists
# natural gas or coal next to heat from a gas or coal boiler (about half of the seeds get a fuel constraint).
FUEL_OUTPUTS = [("coke_oven_gas", "GJ/a", ("flare",)), ("hot_water_heat", "GJ/a", ("discharge",)),
                ("waste_steam", "GJ/a", ("vent",)), ("wood_waste", "t/a", ("landfill",))]
FUEL_INPUTS = [("natural_gas", "GJ/a", ("virgin",)), ("coal", "GJ/a", ("virgin",)),
               ("process_steam", "GJ/a", ("natural_gas_boiler", "coal_boiler")),
               ("space_heating", "GJ/a", ("natural_gas_boiler", "coal_boiler"))]


@pytest.mark.parametrize("seed", range(12))
def test_random_parks_save_no_fuel_twice(seed: int) -> None:
    park = random_park(seed, enterprises=4, streams=16, size_km=2.0, outputs=FUEL_OUTPUTS, inputs=FUEL_INPUTS)
    plan = matching.propose(park)
    assert plan.status in ("optimal", "empty")
    check_fuel(park, plan)
    # a fuel row ties its links into one sub-problem: solving the whole park as one model gives the same optimum
    whole = matching.propose(park, MatchOptions(decompose=False))
    assert (whole.objective_tco2e or 0.0) == pytest.approx(plan.objective_tco2e or 0.0, rel=1e-6, abs=1e-6)
