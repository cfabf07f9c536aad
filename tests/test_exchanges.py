"""Existing exchanges: the one rule (symbiosis.core.exchanges.allocate_exchanges) for which ledger rows they come from
and feed, and that the metabolism graph (flows/) and the matcher (matching/) both subtract exactly that.

Each small park is checked three ways: the allocation by hand, the graph's boundary edges (ledger quantity less
what goes to or comes from the boundary = what the exchanges took) and the matcher's `available` column.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_matching_support import park_of, rule, s

import flows
import matching
from matching.candidates import prepare_streams
from symbiosis import load_park
from symbiosis.core.datasets import demo_park_path
from symbiosis.core.exchanges import RECEIVER, SUPPLIER, ExchangeAllocation, allocate_exchanges
from symbiosis.core.park import Park

HEADER = "exchange_id,supplier_id,receiver_id,material,quantity,unit\n"
TO_CLINKER, TO_CLAY = rule("fly_ash", "clinker"), rule("fly_ash", "clay")


def cement_park(clinker: float, fly_ash_given: float, fly_ash_listed: float = 10_000) -> Park:
    """P gives C fly ash; C buys clay (listed first) and clinker, both of which a rule lets fly ash replace."""
    return park_of([["P", "power", 0, 0], ["C", "cement", 3, 4]],
                   [s("P1", "P", "output", "fly_ash", fly_ash_listed, "t/a", baseline="landfill"),
                    s("C1", "C", "input", "clay", 20_000, "t/a", baseline="virgin"),
                    s("C2", "C", "input", "clinker", clinker, "t/a", baseline="virgin")],
                   exchanges=HEADER + f"X1,P,C,fly_ash,{fly_ash_given},t/a\n")


def heat_park(first_target_c: float) -> Park:
    """S gives H 30 000 GJ of 200 °C waste steam; H lists a heat input at `first_target_c` first, then one at 150 °C."""
    return park_of([["S", "power", 0, 0], ["H", "chemicals", 1, 1]],
                   [s("S1", "S", "output", "waste_steam", 100_000, "GJ/a", t=200, tr=100, baseline="vent"),
                    s("H1", "H", "input", "process_heat", 50_000, "GJ/a", t=first_target_c, tr=60,
                      baseline="purchased_steam"),
                    s("H2", "H", "input", "process_steam", 50_000, "GJ/a", t=150, tr=60,
                      baseline="purchased_steam")],
                   exchanges=HEADER + "X1,S,H,waste_steam,30000,GJ/a\n")


def taken(allocation: ExchangeAllocation, side: str | None = None) -> dict[str, float]:
    rows = allocation.rows if side is None else allocation.rows[allocation.rows["side"] == side]
    return {str(k): float(v) for k, v in rows.groupby("stream_id")["quantity"].sum().items()}


def taken_by_flows(park: Park) -> dict[str, float]:
    """What the graph shows the exchanges took: each row's quantity less its boundary edge (if any)."""
    graph = flows.build_graph(park)
    boundary = dict.fromkeys(park.streams["stream_id"].astype(str), 0.0)
    for _, _, d in graph.edges(data=True):
        if d["kind"] in ("supply", "fate"):
            boundary[d["stream_ids"][0]] += d["quantity"]
        elif d["kind"] == "sewer":  # wastewater to the park's treatment plant: not an exchange, on both rows
            for sid in d["stream_ids"]:
                boundary[sid] += d["quantity"]
    ledger = park.streams.set_index("stream_id")["quantity"].fillna(0.0)
    return {sid: float(ledger[sid] - q) for sid, q in boundary.items() if abs(ledger[sid] - q) > 1e-6}


def taken_by_matching(park: Park) -> dict[str, float]:
    streams = prepare_streams(park, matching.resolve(park)).streams
    diff = streams["quantity"] - streams["available"]
    return {str(k): float(v) for k, v in diff[diff.abs() > 1e-6].items()}


def assert_flows_and_matching_agree(park: Park) -> ExchangeAllocation:
    allocation = allocate_exchanges(park)
    expected = taken(allocation)
    assert taken_by_flows(park) == pytest.approx(expected)
    assert taken_by_matching(park) == pytest.approx(expected)
    # the graph's exchange edges name exactly the rows the allocation took, in that order
    graph = flows.build_graph(park)
    for _, _, key, d in graph.edges(keys=True, data=True):
        if d["kind"] == "exchange":
            xid = key.removeprefix("x:")
            assert list(d["stream_ids"]) == list(dict.fromkeys(allocation.of(xid)["stream_id"]))
            assert [(r.stream_id, r.role) for r in d["rows"][1:]] == list(
                zip(allocation.of(xid)["stream_id"], allocation.of(xid)["side"], strict=True))
    return allocation


def test_fly_ash_goes_to_the_clinker_not_the_clay_listed_first() -> None:
    """Replacing clinker avoids far more per tonne than replacing clay: the exchange feeds the clinker."""
    park = cement_park(clinker=20_000, fly_ash_given=4_000)
    allocation = assert_flows_and_matching_agree(park)
    rec = allocation.of("X1", RECEIVER)
    assert rec[["stream_id", "quantity", "ratio", "rule_id"]].to_dict("records") == [
        {"stream_id": "C2", "quantity": pytest.approx(4_000 * TO_CLINKER["ratio"]), "ratio": TO_CLINKER["ratio"],
         "rule_id": TO_CLINKER["rule_id"]}]
    assert taken(allocation, SUPPLIER) == {"P1": pytest.approx(4_000)}
    assert allocation.messages == () and allocation.shortfalls.empty
    assert allocation.rule_use() == {("C2", TO_CLINKER["rule_id"]): pytest.approx(4_000)}
    edge = next(d for _, _, k, d in flows.build_graph(park).edges(keys=True, data=True) if k == "x:X1")
    assert (edge["ratio"], edge["rule_id"]) == (TO_CLINKER["ratio"], TO_CLINKER["rule_id"])


def test_a_heat_exchange_goes_to_a_heat_input_the_supply_reaches() -> None:
    """200 °C steam cannot serve the 300 °C demand listed first; it feeds the 150 °C one."""
    allocation = assert_flows_and_matching_agree(heat_park(first_target_c=300))
    assert allocation.of("X1", RECEIVER)[["stream_id", "quantity", "rule_id"]].to_dict("records") == [
        {"stream_id": "H2", "quantity": pytest.approx(30_000), "rule_id": "heat"}]
    assert allocation.rule_use() == {}  # heat has no share cap
    # a reachable first input is used first (ledger order)
    reachable = assert_flows_and_matching_agree(heat_park(first_target_c=180))
    assert taken(reachable, RECEIVER) == {"H1": pytest.approx(30_000)}


def test_no_heat_input_within_reach_is_a_shortfall() -> None:
    park = park_of([["S", "power", 0, 0], ["H", "chemicals", 1, 1]],
                   [s("S1", "S", "output", "waste_steam", 100_000, "GJ/a", t=200, tr=100, baseline="vent"),
                    s("H1", "H", "input", "process_heat", 50_000, "GJ/a", t=300, tr=60, baseline="purchased_steam")],
                   exchanges=HEADER + "X1,S,H,waste_steam,30000,GJ/a\n")
    allocation = assert_flows_and_matching_agree(park)
    assert taken(allocation) == {"S1": pytest.approx(30_000)}
    assert [(m.code, m.exchange_id) for m in allocation.messages] == [("no_receiver_stream", "X1")]
    assert "200 °C" in allocation.messages[0].en and "200 °C" in allocation.messages[0].zh


def test_what_the_best_input_cannot_hold_spills_to_the_next() -> None:
    """Only 3 000 t of clinker: 3 000 t of the 4 000 t exchange come off it, the other 1 000 t off the clay."""
    allocation = assert_flows_and_matching_agree(cement_park(clinker=3_000, fly_ash_given=4_000))
    rec = allocation.of("X1", RECEIVER)
    assert rec[["stream_id", "quantity", "rule_id"]].to_dict("records") == [
        {"stream_id": "C2", "quantity": pytest.approx(3_000), "rule_id": TO_CLINKER["rule_id"]},
        {"stream_id": "C1", "quantity": pytest.approx(1_000 * TO_CLAY["ratio"]), "rule_id": TO_CLAY["rule_id"]}]
    assert allocation.messages == ()


def test_a_shortfall_on_both_sides_is_reported_in_both_languages() -> None:
    """30 000 t given: P lists only 10 000 t; clinker (3 000 t) and clay (20 000 t) hold 23 000 t of it."""
    park = cement_park(clinker=3_000, fly_ash_given=30_000)
    allocation = assert_flows_and_matching_agree(park)
    shortfalls = allocation.shortfalls.set_index("code")
    assert shortfalls.loc["exceeds_supply", "short"] == pytest.approx(20_000)
    assert shortfalls.loc["exceeds_demand", "short"] == pytest.approx(30_000 - 3_000 - 20_000 / TO_CLAY["ratio"])
    supply, demand = allocation.messages
    assert (supply.code, demand.code) == ("exceeds_supply", "exceeds_demand")
    assert "X1" in supply.en and "20,000 t/a" in supply.en and supply.zh.startswith("现有交换 X1：")
    assert "粉煤灰" in supply.zh and "fly_ash" not in supply.zh
    assert "clinker, clay" in demand.en and "熟料、黏土" in demand.zh and "7,000 t/a" in demand.zh
    # both sides pass the same sentences on: the graph as warnings, the matcher as plan messages
    warnings = flows.build_graph(park).graph["warnings"]
    assert [(w.code, w.ref, w.message_en, w.message_zh) for w in warnings] == [
        (f"exchange_{m.code}", "X1", m.en, m.zh) for m in allocation.messages]
    assert prepare_streams(park, matching.resolve(park)).messages == allocation.message_pairs()


def test_an_exchange_no_input_can_take_subtracts_only_the_supplier_side() -> None:
    park = park_of([["P", "power", 0, 0], ["W", "textiles", 1, 1]],
                   [s("P1", "P", "output", "fly_ash", 10_000, "t/a", baseline="landfill"),
                    s("W1", "W", "input", "sulfuric_acid", 500, "t/a", baseline="virgin")],
                   exchanges=HEADER + "X1,P,W,fly_ash,1000,t/a\n")
    allocation = assert_flows_and_matching_agree(park)
    assert taken(allocation) == {"P1": pytest.approx(1_000)}
    assert [m.code for m in allocation.messages] == ["no_receiver_stream"]


def test_exchanges_come_off_what_earlier_exchanges_left() -> None:
    """Two exchanges to one receiver: the second sees only what the first left of the clinker."""
    park = park_of([["P", "power", 0, 0], ["Q", "power 2", 0, 3], ["C", "cement", 3, 4]],
                   [s("P1", "P", "output", "fly_ash", 10_000, "t/a", baseline="landfill"),
                    s("Q1", "Q", "output", "fly_ash", 10_000, "t/a", baseline="landfill"),
                    s("C1", "C", "input", "clay", 20_000, "t/a", baseline="virgin"),
                    s("C2", "C", "input", "clinker", 5_000, "t/a", baseline="virgin")],
                   exchanges=HEADER + "X1,P,C,fly_ash,4000,t/a\nX2,Q,C,fly_ash,4000,t/a\n")
    allocation = assert_flows_and_matching_agree(park)
    assert taken(allocation, RECEIVER) == {"C2": pytest.approx(5_000), "C1": pytest.approx(3_000 * TO_CLAY["ratio"])}


def test_the_demo_park_is_subtracted_the_same_by_flows_and_matching() -> None:
    park = load_park(demo_park_path())
    allocation = assert_flows_and_matching_agree(park)
    assert set(allocation.rows["exchange_id"]) == set(park.exchanges["exchange_id"])
    assert allocation.messages == ()
    # fly ash (X4) and slag (X6) to the cement works E04: both on its clinker, which they replace best
    receivers = allocation.rows[allocation.rows["side"] == RECEIVER].set_index("exchange_id")
    assert receivers.loc["X4", "stream_id"] == "E04-57" and receivers.loc["X6", "stream_id"] == "E04-57"
    assert park.streams.set_index("stream_id").loc["E04-57", "material"] == "clinker"
    # and the matcher's share caps count them
    ctx = prepare_streams(park, matching.resolve(park))
    assert ctx.existing_rule_use == allocation.rule_use()
    assert isinstance(ctx.allocation, ExchangeAllocation)
    assert pd.Series(taken(allocation)).sum() > 0
