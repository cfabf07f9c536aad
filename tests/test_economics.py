"""What a link costs and earns (issue 16; docs/economics.md): a hot-water pipe link and a truck link computed by hand
from the datasets/economics.csv rows they cite and asserted exactly; the sign of the abatement cost; the MACC's
order and widths on the demo park."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math

import pytest
from park_builders import csv_text

import matching
from matching import MatchOptions
from matching.options import DEFAULT_CARBON_PRICE
from symbiosis.core.datasets import demo_park_path
from symbiosis.core.economics import (
    EconomicsTable,
    capital_recovery_factor,
    economics_table,
    link_economics,
    macc,
    macc_from,
    plan_economics,
)
from symbiosis.core.errors import DatasetError
from symbiosis.core.factors import FactorTable
from symbiosis.core.loader import load_files, load_park
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan

REL = 1e-12
ENT = ["enterprise_id", "name", "x_km", "y_km"]
ENTERPRISES = [["S", "供方 Supplier", 0, 0], ["R", "需方 Receiver", 0.6, 0.8]]  # 1 km apart
HEADER = ["stream_id", "enterprise_id", "direction", "material", "quantity", "unit", "temperature_c",
          "temperature_return_c", "baseline", "price_cny_per_unit"]
NO_DUST = MatchOptions(time_limit=math.inf, min_link_tco2e=0.0)

# the rows the hand computations cite (datasets/economics.csv); a change of a row must be a change of this test
ROWS = {
    "pipe_capex_hot_water": 5_446_000.0,  # CNY/km for 4.25 MW (DN200 pair); DEA energy transport, derived
    "pipe_size_exponent": 0.3828,  # ln(1185/640)/ln 5, DEA district-heating bands
    "hx_capex_per_kw": 697.33,  # DEA exchanger station 100 EUR/kW x 6.9733 CNY/EUR (ECB 2015)
    "maintenance_share_pipe": 0.03,  # Vesta MAIS outdoor infrastructure 3 %/a
    "maintenance_share_equipment": 0.03,
    "contract_pipe": 10_000.0,
    "operating_hours": 8000.0,
    "pretreatment_capex_per_t_a": 366.7,  # one slag-grinding line: 2.2e8 CNY / 6e5 t/a (2010)
    "truck_cny_per_tkm": 0.424,  # Ministry of Transport 2015, upper end of 0.233-0.424
    "handling_truck": 20_000.0,
    "discount_rate": 0.08,
    "lifetime_years": 25.0,
}
CRF = 0.08 * 1.08 ** 25 / (1.08 ** 25 - 1)


def park(rows: list[list[object]]) -> Park:
    return load_files({"enterprises.csv": csv_text(ENT, ENTERPRISES).encode("utf-8"),
                       "streams.csv": csv_text(HEADER, rows).encode("utf-8")}, source="test")


def solve(p: Park, **options: object) -> Plan:
    plan = matching.propose(p, NO_DUST.replace(**options))
    assert plan.status == "optimal"
    assert len(plan.links) == 1, [x.link_id for x in plan.links]
    return plan


def test_the_cited_rows() -> None:
    table = EconomicsTable()
    assert {k: table.value(k) for k in ROWS} == ROWS
    assert table.get("pipe_capex_hot_water").basis_value == 4.25
    assert capital_recovery_factor(0.08, 25) == pytest.approx(CRF, rel=REL)
    assert capital_recovery_factor(0.0, 20) == 0.05


def test_every_row_is_tagged_and_sourced() -> None:
    table = EconomicsTable()
    for p in table.params.values():
        assert p.reliability in {"A", "B", "C", "derived", "R"}, p.param_id
        assert p.source, p.param_id
        if p.reliability == "R":
            assert "no source found" in p.source.lower(), p.param_id
    assert {"discount_rate", "lifetime_years"}.isdisjoint(table.placeholders())


def test_overrides_like_factors() -> None:
    table = EconomicsTable({"discount_rate": 0.05})
    assert table.value("discount_rate") == 0.05 and table.get("discount_rate").overridden
    with pytest.raises(DatasetError):
        EconomicsTable({"no_such_row": 1.0})


def test_a_hot_water_pipe_link_by_hand() -> None:
    """80 000 GJ/a of hot water heat, discharged today, 1 km to a receiver that raises it in a gas boiler and pays
    110 CNY/GJ in its ledger. Sized on the delivered heat (quantity_in, after the pipe loss) over 8 000 h."""
    p = park([["S1", "S", "output", "hot_water_heat", 100000, "GJ/a", 90, 40, "discharge", ""],
              ["R1", "R", "input", "space_heating", 80000, "GJ/a", 60, 40, "natural_gas_boiler", 110]])
    # the two plants exchange directly (heat_direct_km): this test is about the economics of the link, not the
    # extra approach of a hot-water loop between plants (issue 13; tests/test_heat_transfer.py), which would leave
    # 90 °C water only part of a 40 -> 60 °C demand
    plan = solve(p, heat_direct_km=1.0)
    link = plan.links[0]
    assert (link.mode, link.distance_km, link.quantity) == ("pipe_heat", 1.0, 80000.0)
    e = plan_economics(plan, p)[0]
    q_in = link.quantity_in
    mw = q_in / 3.6 / 8000
    pipe = 5_446_000 * 1.0 * (mw / 4.25) ** 0.3828
    hx = 697.33 * 1000 * mw
    capex = pipe + hx
    opex = 0.03 * pipe + 0.03 * hx + 10_000
    savings = 110 * q_in
    cash = savings - opex
    net_saving = cash - capex * CRF
    assert e.size == pytest.approx(mw, rel=REL) and e.size_unit == "MW"
    assert e.capex_pipe_cny == pytest.approx(pipe, rel=REL)
    assert e.capex_hx_cny == pytest.approx(hx, rel=REL)
    assert e.capex_pump_cny == 0.0  # heat pipes have no pumping row (only water pipes do)
    assert e.capex_cny == pytest.approx(capex, rel=REL)
    assert e.opex_cny == pytest.approx(opex, rel=REL)
    assert e.purchase_price_source == "ledger" and e.disposal_fee_source == "none"
    assert e.savings_cny == pytest.approx(savings, rel=REL)
    assert e.npv_cny == pytest.approx(-capex + cash / CRF, rel=REL)
    assert e.payback_years == pytest.approx(capex / cash, rel=REL)
    assert e.abatement_cost_cny_per_tco2e == pytest.approx(-net_saving / link.net_tco2e(), rel=REL)
    # the supplier neither pays nor gains (discharge costs nothing); no transfer is needed
    assert e.supplier_annual_cny == 0.0
    assert e.receiver_annual_cny == pytest.approx(net_saving, rel=REL)
    assert (e.payer, e.gainer, e.transfer_price) == ("none", "receiver", None)
    assert e.transfer_price_max == pytest.approx(net_saving / link.quantity, rel=REL)


def test_the_same_heat_link_without_a_ledger_price_uses_the_tagged_default() -> None:
    p = park([["S1", "S", "output", "hot_water_heat", 100000, "GJ/a", 90, 40, "discharge", ""],
              ["R1", "R", "input", "space_heating", 80000, "GJ/a", 60, 40, "natural_gas_boiler", ""]])
    plan = solve(p, heat_direct_km=1.0)  # as above: the economics, not the loop's approach
    e = plan_economics(plan, p)[0]
    assert e.purchase_price_source == "price_heat_natural_gas_boiler"
    # the row: 86.29 CNY/GJ of gas (NBS LNG 4443.6 CNY/t / 51.498 GJ/t) / 0.92 boiler efficiency = 93.79 CNY/GJ
    assert EconomicsTable().value("price_heat_natural_gas_boiler") == 93.79
    assert e.savings_cny == pytest.approx(93.79 * plan.links[0].quantity_in, rel=REL)
    assert "price_heat_natural_gas_boiler" in e.param_ids


def test_a_truck_link_by_hand() -> None:
    """10 000 t/a carbide slag, landfilled today at a 30 CNY/t fee, trucked 1 km to replace limestone bought at
    60 CNY/t (sub_014: 0.85 t limestone per t, 10 kWh/t pre-treatment by the supplier). The run's electricity
    price (0.9 CNY/kWh) is used, not the table's."""
    p = park([["S1", "S", "output", "carbide_slag", 10000, "t/a", "", "", "landfill", 30],
              ["R1", "R", "input", "limestone", 100000, "t/a", "", "", "virgin", 60]])
    plan = solve(p, electricity_cny_per_kwh=0.9)
    link = plan.links[0]
    assert (link.mode, link.rule_id, link.distance_km, link.quantity, link.quantity_in) == \
        ("truck", "sub_014", 1.0, 10000.0, 8500.0)
    e = plan_economics(plan, p)[0]
    capex = 366.7 * 10000  # pre-treatment per t/a of capacity
    electricity = 0.9 * 10 * 10000
    maintenance = 0.03 * capex
    transport = 0.424 * 10000 * 1.0
    opex = electricity + maintenance + transport + 20_000
    savings = 60 * 8500 + 30 * 10000
    cash = savings - opex
    net_saving = cash - capex * CRF
    assert e.electricity_cny_per_kwh == 0.9
    assert e.capex_cny == pytest.approx(capex, rel=REL) and e.capex_pretreatment_cny == capex
    assert e.opex_transport_cny == pytest.approx(transport, rel=REL)
    assert e.opex_cny == pytest.approx(opex, rel=REL)
    assert e.saving_purchase_cny == pytest.approx(60 * 8500, rel=REL)
    assert e.saving_disposal_cny == pytest.approx(30 * 10000, rel=REL)
    assert e.savings_cny == pytest.approx(savings, rel=REL)
    assert e.npv_cny == pytest.approx(-capex + cash / CRF, rel=REL)
    assert e.payback_years == pytest.approx(capex / cash, rel=REL)
    assert e.abatement_cost_cny_per_tco2e == pytest.approx(-net_saving / link.net_tco2e(), rel=REL)
    # who pays: the supplier keeps the landfill fee but pays the pre-treatment
    supplier = 30 * 10000 - electricity - maintenance - capex * CRF
    assert e.supplier_annual_cny == pytest.approx(supplier, rel=REL)
    assert e.receiver_annual_cny == pytest.approx(net_saving - supplier, rel=REL)


def test_a_losing_side_gets_a_transfer_price_that_makes_both_gain() -> None:
    """With a landfill fee of 1 CNY/t the supplier loses on its pre-treatment while the receiver gains: the
    midpoint transfer price leaves both with half the surplus. Limestone at 80 CNY/t keeps the link gaining overall
    with the sourced pre-treatment row (366.7 CNY per t/a: the supplier loses about 0.51 million CNY/a, the
    receiver gains 80 x 8,500 - 0.424 x 10,000 - 20,000 = 655,760 CNY/a); at 60 CNY/t the link would lose."""
    p = park([["S1", "S", "output", "carbide_slag", 10000, "t/a", "", "", "landfill", 1],
              ["R1", "R", "input", "limestone", 100000, "t/a", "", "", "virgin", 80]])
    plan = solve(p)
    e = plan_economics(plan, p)[0]
    q = plan.links[0].quantity
    assert e.receiver_annual_cny == pytest.approx(80 * 8500 - 0.424 * 10000 - 20_000, rel=REL)
    assert e.supplier_annual_cny < 0 < e.receiver_annual_cny and e.annual_net_saving_cny > 0
    assert (e.payer, e.gainer) == ("supplier", "receiver")
    assert e.transfer_price is not None
    supplier_after = e.supplier_annual_cny + e.transfer_price * q
    receiver_after = e.receiver_annual_cny - e.transfer_price * q
    assert supplier_after == pytest.approx(receiver_after, rel=1e-9) and supplier_after > 0
    assert supplier_after + receiver_after == pytest.approx(e.annual_net_saving_cny, rel=1e-9)


@pytest.fixture(scope="module")
def demo() -> tuple[Park, Plan]:
    p = load_park(demo_park_path())
    return p, matching.propose(p)


@pytest.mark.parametrize("overrides", [{}, {"pipe_capex_hot_water": 3e8, "pipe_capex_steam": 4e8,
                                            "truck_cny_per_tkm": 200.0, "pipe_capex_gas": 2.5e9}])
def test_a_link_that_saves_money_has_a_negative_abatement_cost(demo: tuple[Park, Plan],
                                                               overrides: dict[str, float]) -> None:
    p, plan = demo
    rows = plan_economics(plan, p, overrides=overrides)
    signs = set()
    for e in rows:
        if e.net_tco2e > 0:
            assert e.abatement_cost_cny_per_tco2e is not None
            assert (e.annual_net_saving_cny > 0) == (e.abatement_cost_cny_per_tco2e < 0), e.link_id
            signs.add(e.abatement_cost_cny_per_tco2e < 0)
            if e.annual_cash_cny > 0:
                assert e.payback_years == pytest.approx(e.capex_cny / e.annual_cash_cny, rel=REL)
            else:
                assert e.payback_years is None
        else:
            assert e.abatement_cost_cny_per_tco2e is None
    if overrides:
        assert signs == {True, False}  # dear pipes and freight: some links now cost money


def test_the_macc_is_ordered_and_its_widths_add_up(demo: tuple[Park, Plan]) -> None:
    p, plan = demo
    curve = macc(plan, p, DEFAULT_CARBON_PRICE)
    bars = curve.bars
    assert len(bars) + len(curve.excluded) == len(plan.links)
    heights = [b.height for b in bars]
    assert heights == sorted(heights)
    assert bars[0].x_from == 0.0
    for before, after in itertools.pairwise(bars):
        assert after.x_from == before.x_to
    for b in bars:
        assert b.width > 0 and b.x_to == pytest.approx(b.x_from + b.width, rel=REL)
        assert b.below_carbon_price == (b.height <= DEFAULT_CARBON_PRICE)
    nets = {link.link_id: link.net_tco2e() for link in plan.links}
    assert curve.total_tco2e == pytest.approx(sum(v for v in nets.values() if v > 0), rel=1e-9)
    assert {b.link_id: b.width for b in bars} == pytest.approx({k: v for k, v in nets.items() if v > 0}, rel=REL)
    frame = curve.to_frame()
    assert list(frame["link_id"]) == [b.link_id for b in bars]
    record = curve.to_record()
    assert record["carbon_price"] == DEFAULT_CARBON_PRICE and len(record["bars"]) == len(bars)


def test_macc_from_orders_ties_by_link_id_and_leaves_out_links_avoiding_nothing(demo: tuple[Park, Plan]) -> None:
    p, plan = demo
    base = plan_economics(plan, p)[0]
    a = dataclasses.replace(base, link_id="b", net_tco2e=10.0, abatement_cost_cny_per_tco2e=50.0)
    b = dataclasses.replace(base, link_id="a", net_tco2e=5.0, abatement_cost_cny_per_tco2e=50.0)
    c = dataclasses.replace(base, link_id="c", net_tco2e=2.0, abatement_cost_cny_per_tco2e=-20.0)
    d = dataclasses.replace(base, link_id="d", net_tco2e=-1.0, abatement_cost_cny_per_tco2e=None)
    curve = macc_from([a, b, c, d], carbon_price=40.0)
    assert [(x.link_id, x.x_from, x.x_to) for x in curve.bars] == [("c", 0.0, 2.0), ("a", 2.0, 7.0),
                                                                  ("b", 7.0, 17.0)]
    assert curve.excluded == ("d",)
    assert curve.below_price_tco2e == 2.0


def test_the_economics_table_is_json_safe(demo: tuple[Park, Plan]) -> None:
    p, plan = demo
    frame = economics_table(plan, p)
    assert len(frame) == len(plan.links)
    record = link_economics(plan.links[0], p).to_record()
    json.dumps(record, allow_nan=False)


def test_every_default_is_in_the_docs_with_its_tag() -> None:
    """docs/economic-sources.md lists every row with its value and tag (the sources page of the defaults)."""
    from pathlib import Path
    doc = (Path(__file__).resolve().parent.parent / "docs" / "economic-sources.md").read_text(encoding="utf-8")
    table = doc.split("## Every default", 1)[1].split("\n## ", 1)[0]
    lines = {line.split("`")[1]: line for line in table.splitlines() if line.startswith("| `")}
    assert len(lines) == len(EconomicsTable().params)
    for p in EconomicsTable().params.values():
        assert p.param_id in lines, p.param_id
        assert f"| {format(p.value, ',.10g')} |" in lines[p.param_id], p.param_id
        assert f"**{p.reliability}**" in lines[p.param_id], p.param_id


WATER_HEADER = ["stream_id", "enterprise_id", "direction", "material", "quantity", "unit", "quality", "baseline",
                "price_cny_per_unit", "displaced_use"]


def water_park(rows: list[list[object]]) -> Park:
    return load_files({"enterprises.csv": csv_text(ENT, ENTERPRISES).encode("utf-8"),
                       "streams.csv": csv_text(WATER_HEADER, rows).encode("utf-8")}, source="test")


def test_a_water_pipe_pays_its_pumps_and_their_electricity() -> None:
    """400 000 m3/a reclaimed water for tap water at 3.5 CNY/m3: sized in m3/h, pumps from the rule-book's pumping
    row (water_pipe_pumping, kWh per m3 and km) over 8 000 h."""
    p = water_park([["S1", "S", "output", "reclaimed_water", 500000, "m3/a", "cooling", "discharge", "", ""],
                    ["R1", "R", "input", "industrial_water", 400000, "m3/a", "cooling", "tap_water", 3.5, ""]])
    plan = solve(p)
    link = plan.links[0]
    assert (link.mode, link.quantity, link.distance_km) == ("pipe_water", 400000.0, 1.0)
    e = plan_economics(plan, p)[0]
    kwh = FactorTable(p.config).get("water_pipe_pumping").value * 400000 * 1.0
    pipe = 1_500_000 * 1.0 * (400000 / 8000 / 254) ** 0.3828
    pumps = 3000 * kwh / 8000
    assert EconomicsTable().value("pipe_capex_water") == 1_500_000 and EconomicsTable().value("pump_capex_per_kw") == 3000
    assert e.size == pytest.approx(50.0, rel=REL) and e.size_unit == "m3/h"
    assert e.capex_pipe_cny == pytest.approx(pipe, rel=REL)
    assert e.capex_pump_cny == pytest.approx(pumps, rel=REL)
    # the run's electricity price defaults to the table's row (electricity_cny_per_kwh, 0.633 CNY/kWh)
    assert EconomicsTable().value("electricity_cny_per_kwh") == 0.633
    assert e.opex_electricity_pumping_cny == pytest.approx(0.633 * kwh, rel=REL)
    assert e.opex_cny == pytest.approx(0.633 * kwh + 0.03 * pipe + 0.03 * pumps + 10_000, rel=REL)
    assert e.savings_cny == pytest.approx(3.5 * 400000, rel=REL)


def test_a_sold_output_loses_its_sale_and_the_transfer_price_pays_the_supplier() -> None:
    """1 000 t/a fly ash sold today at 20 CNY/t (its buyer needs nothing in its place) to replace cement at
    400 CNY/t: the supplier loses the sale, the receiver gains; the midpoint transfer price splits the surplus."""
    p = water_park([["S1", "S", "output", "fly_ash", 1000, "t/a", "", "sold", 20, "none"],
                    ["R1", "R", "input", "cement", 100000, "t/a", "", "virgin", 400, ""]])
    plan = solve(p)
    e = plan_economics(plan, p)[0]
    receiver = 400 * 1000 - 0.424 * 1000 * 1.0 - 20_000
    assert e.lost_sale_cny == 20_000 and e.supplier_annual_cny == -20_000
    assert e.receiver_annual_cny == pytest.approx(receiver, rel=REL)
    assert (e.payer, e.gainer) == ("supplier", "receiver")
    assert e.transfer_price == pytest.approx((20_000 / 1000 + receiver / 1000) / 2, rel=REL)
    assert e.transfer_unit == "CNY/t"


def test_park_toml_economics_sets_the_park_rows() -> None:
    """park.toml [economics] replaces rows by id (as [factor_overrides] does factors); the run's overrides win."""
    rows = [["S1", "S", "output", "carbide_slag", 10000, "t/a", "", "", "landfill", 30],
            ["R1", "R", "input", "limestone", 100000, "t/a", "", "", "virgin", 60]]
    toml = b'[economics]\ndiscount_rate = 0.05\nlifetime_years = 20\n'
    p = load_files({"enterprises.csv": csv_text(ENT, ENTERPRISES).encode("utf-8"),
                    "streams.csv": csv_text(HEADER, rows).encode("utf-8"), "park.toml": toml}, source="test")
    assert p.config.economics == {"discount_rate": 0.05, "lifetime_years": 20.0}
    assert "[economics]" in p.config.to_toml()
    plan = solve(p)
    e = plan_economics(plan, p)[0]
    assert (e.discount_rate, e.lifetime_years) == (0.05, 20.0)
    assert e.npv_cny == pytest.approx(-e.capex_cny + e.annual_cash_cny / capital_recovery_factor(0.05, 20), rel=REL)
    assert plan_economics(plan, p, overrides={"discount_rate": 0.1})[0].discount_rate == 0.1
    bad = load_files({"enterprises.csv": csv_text(ENT, ENTERPRISES).encode("utf-8"),
                      "streams.csv": csv_text(HEADER, rows).encode("utf-8"),
                      "park.toml": b"[economics]\nno_such_row = 1\n"}, source="test")
    with pytest.raises(DatasetError):
        plan_economics(plan, bad)
