"""The economics' trace (issue 16 review): the rows table a report shows is the table the figures used (park.toml,
the run's option `economics`, the call's overrides, the electricity price among them), and a gas pipe is sized from
its material's calorific value or says why it is not."""

from __future__ import annotations

import dataclasses

import pytest
from test_economics import CRF, REL, park, solve, water_park

from symbiosis.core.economics import EconomicsTable, link_economics, plan_economics, plan_table
from symbiosis.core.factors import FactorTable
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan
from symbiosis.reporting.macc import plan_costs, rows_frame

HOT = [["S1", "S", "output", "hot_water_heat", 100000, "GJ/a", 90, 40, "discharge", ""],
       ["R1", "R", "input", "space_heating", 80000, "GJ/a", 60, 40, "natural_gas_boiler", 110]]


def hot_plan(**options: object) -> tuple[Park, Plan]:
    p = park(HOT)
    return p, solve(p, heat_direct_km=1.0, **options)


def row(frame: object, pid: str) -> dict[str, object]:
    rows = frame.set_index("param_id")  # type: ignore[attr-defined]
    assert pid in rows.index, list(rows.index)
    return dict(rows.loc[pid])


def test_the_rows_table_shows_the_run_s_economics_rows() -> None:
    """The review's repro: rows set by the run's option `economics` are the rows the figures and the table use."""
    p, plan = hot_plan(economics={"contract_pipe": 50000.0, "pipe_capex_hot_water": 8e6})
    pe = plan_costs(plan, p, 100.0)
    e = pe.economics[0]
    assert e.opex_contract_cny == 50000.0
    shown = row(rows_frame(pe, "en"), "contract_pipe")
    assert shown["value"] == 50000.0 and shown["overridden"] == "yes"
    assert row(rows_frame(pe, "en"), "pipe_capex_hot_water")["value"] == 8e6
    assert "contract_pipe" not in pe.placeholders and "contract_pipe" not in pe.placeholder_rows(e)
    # the call's overrides come last, in the figures and the table alike
    over = plan_costs(plan, p, 100.0, overrides={"contract_pipe": 1234.0})
    assert over.economics[0].opex_contract_cny == 1234.0 and over.table.value("contract_pipe") == 1234.0
    assert plan_table(plan, p).value("contract_pipe") == 50000.0


def test_the_electricity_price_is_a_traced_row_and_an_override_takes_effect() -> None:
    p = water_park([["S1", "S", "output", "reclaimed_water", 500000, "m3/a", "cooling", "discharge", "", ""],
                    ["R1", "R", "input", "industrial_water", 400000, "m3/a", "cooling", "tap_water", 3.5, ""]])
    plan = solve(p)
    kwh = FactorTable(p.config).get("water_pipe_pumping").value * 400000 * 1.0
    e = plan_economics(plan, p)[0]
    assert "electricity_cny_per_kwh" in e.param_ids
    assert e.opex_electricity_pumping_cny == pytest.approx(0.633 * kwh, rel=REL)
    shown = row(rows_frame(plan_costs(plan, p, 100.0), "en"), "electricity_cny_per_kwh")
    assert shown["value"] == 0.633 and shown["overridden"] == "no"
    # an override of the row is the price the links pay, and the table says so
    pe = plan_costs(plan, p, 100.0, overrides={"electricity_cny_per_kwh": 1.0})
    assert pe.economics[0].opex_electricity_pumping_cny == pytest.approx(1.0 * kwh, rel=REL)
    assert pe.economics[0].electricity_cny_per_kwh == 1.0
    shown = row(rows_frame(pe, "en"), "electricity_cny_per_kwh")
    assert shown["value"] == 1.0 and shown["overridden"] == "yes"
    # the run's own price (option electricity_cny_per_kwh) is the row in force, marked overridden
    priced = solve(p, electricity_cny_per_kwh=0.9)
    pe = plan_costs(priced, p, 100.0)
    assert pe.economics[0].opex_electricity_pumping_cny == pytest.approx(0.9 * kwh, rel=REL)
    shown = row(rows_frame(pe, "en"), "electricity_cny_per_kwh")
    assert shown["value"] == 0.9 and shown["overridden"] == "yes"
    # the call's price beats both
    assert plan_economics(priced, p, overrides={"electricity_cny_per_kwh": 1.0}, electricity_cny_per_kwh=1.5)[
        0].opex_electricity_pumping_cny == pytest.approx(1.5 * kwh, rel=REL)


def gas_link(material: str) -> tuple[Park, object]:
    """The hot-water link of test_economics recast as a 2 km gas pipe carrying 1 000 t/a of `material`."""
    p, plan = hot_plan()
    link = dataclasses.replace(plan.links[0], mode="pipe_gas", material_out=material, material_in=material,
                               unit="t/a", unit_in="t/a", quantity=1000.0, quantity_in=1000.0, distance_km=2.0,
                               design_quantity=1000.0)
    return p, link


def test_a_mass_gas_pipe_is_sized_by_its_calorific_value() -> None:
    p, link = gas_link("hydrogen")
    e = link_economics(link, p)  # type: ignore[arg-type]
    table = EconomicsTable()
    mw = 1000.0 * 120.1 / 3.6 / 8000.0  # hydrogen: 120.1 GJ/t (materials.csv)
    assert e.size == pytest.approx(mw, rel=REL) and e.size_unit == "MW"
    basis = table.get("pipe_capex_gas").basis_value or 1.0
    sized = table.value("pipe_capex_gas") * 2.0 * (mw / basis) ** table.value("pipe_size_exponent")
    assert e.capex_pipe_cny == pytest.approx(sized, rel=REL)
    assert "pipe_size_exponent" in e.param_ids and e.notes == ()
    assert e.annualised_capex_cny == pytest.approx(e.capex_cny * CRF, rel=REL)


def test_a_gas_without_a_calorific_value_says_its_pipe_is_not_sized() -> None:
    p, link = gas_link("co2")
    e = link_economics(link, p)  # type: ignore[arg-type]
    assert e.size == 0.0
    assert e.capex_pipe_cny == pytest.approx(EconomicsTable().value("pipe_capex_gas") * 2.0, rel=REL)
    assert "pipe_capex_gas" in e.param_ids and "pipe_size_exponent" not in e.param_ids
    assert len(e.notes) == 1
    en, zh = e.notes[0]
    assert "co2" in en and "not sized" in en and "t/a" in en
    assert "未按规模" in zh and "co2" in zh
    assert e.to_record()["notes"] == [[en, zh]]
