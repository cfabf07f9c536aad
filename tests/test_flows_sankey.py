"""Sankey link tables and figures, loops included, the DOT network, and a property test over random parks."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import plotly.graph_objects as go
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_flows_park import PLAN, write_package

import flows
from flows.sankey import LEVELS
from symbiosis import load_park
from symbiosis.core.loader import load_files
from symbiosis.core.park import Park

LOOP_ENTERPRISES = "enterprise_id,name,x_km,y_km\nA,滨江热电,0,0\nB,蓝海化工,1,0\nC:1,清源水务,2,0\n"
LOOP_STREAMS = """stream_id,enterprise_id,direction,material,quantity,unit,quality,baseline
A1,A,input,industrial_water,1000,m3/a,cooling,tap_water
A2,A,output,steam_condensate,400,m3/a,demineralised,discharge
A3,A,output,treated_effluent,300,m3/a,washing,discharge
A4,A,input,tap_water,200,m3/a,potable,tap_water
B1,B,input,demineralised_water,500,m3/a,demineralised,tap_water
B2,B,output,reclaimed_water,350,m3/a,cooling,discharge
C1,C:1,input,industrial_water,100,m3/a,cooling,tap_water
"""
# water goes round: A -> B (condensate), B -> A (reclaimed water), and A re-uses its own effluent (self-loop)
LOOP_EXCHANGES = """exchange_id,supplier_id,receiver_id,material,quantity,unit
X1,A,B,steam_condensate,400,m3/a
X2,B,A,reclaimed_water,300,m3/a
X3,A,A,treated_effluent,100,m3/a
X4,B,C:1,reclaimed_water,50,m3/a
"""


@pytest.fixture
def loop_park(tmp_path: Path) -> Park:
    return load_park(write_package(tmp_path / "loop", LOOP_ENTERPRISES, LOOP_STREAMS, LOOP_EXCHANGES))


def drawn_graph(fig: go.Figure) -> nx.MultiDiGraph:
    sankey = fig.data[0]
    g = nx.MultiDiGraph()
    g.add_edges_from(zip(sankey.link.source, sankey.link.target, strict=True))
    return g


def test_loop_park_renders(loop_park: Park, tmp_path: Path) -> None:
    graph = flows.build_graph(loop_park)
    assert graph.graph["warnings"] == []
    links = flows.sankey_links(graph, basis="water", level="material", lang="zh")
    assert links["value"].sum() == pytest.approx(sum(d["quantity"] for *_, d in graph.edges(data=True)))
    self_loop = links[(links["source"] == "A") & (links["target"] == "A")]
    # the effluent feeds the input the allocation ranks first (exchanges.allocate_exchanges: net per unit, cap, order)
    assert self_loop["value"].tolist() == [100] and self_loop["rows"].tolist() == [["X3", "A3", "A4"]]
    fig = flows.sankey_figure(graph, basis="water", level="material", lang="zh")
    labels = list(fig.data[0].node.label)
    assert {"滨江热电（入）", "滨江热电（出）", "蓝海化工（入）", "蓝海化工（出）"} <= set(labels)
    assert "清源水务" in labels  # not on a cycle: drawn once
    drawn = drawn_graph(fig)
    assert nx.is_directed_acyclic_graph(drawn)  # nothing plotly has to draw backwards
    assert sum(fig.data[0].link.value) == pytest.approx(links["value"].sum())
    hover = " ".join(fig.data[0].link.customdata)
    assert "台账行" in hover and "m³/a" in hover and "X3" in hover
    english = flows.sankey_figure(graph, basis="water", level="enterprise", lang="en")
    assert "滨江热电 (in)" in english.data[0].node.label
    path = tmp_path / "loop.html"
    english.write_html(path, include_plotlyjs=True)
    assert path.stat().st_size > 1_000_000  # plotly.js embedded


def test_sankey_levels_and_units(loop_park: Park) -> None:
    graph = flows.build_graph(loop_park)
    by_level = {level: flows.sankey_links(graph, basis="water", level=level) for level in LEVELS}
    assert len(by_level["enterprise"]) <= len(by_level["category"]) <= len(by_level["material"])
    assert set(by_level["material"]["unit"]) == {"m3/a"}
    empty = flows.sankey_links(graph, basis="heat")
    assert empty.empty
    fig = flows.sankey_figure(graph, basis="heat", lang="en")
    assert "no flows measured" in fig.layout.annotations[0].text
    with pytest.raises(ValueError, match="basis"):
        flows.sankey_links(graph, basis="money")
    with pytest.raises(ValueError, match="level"):
        flows.sankey_links(graph, level="sector")


def test_co2e_sankey_matches_indicator_scopes(tmp_path: Path) -> None:
    from test_flows_park import ENTERPRISES, EXCHANGES, STREAMS

    park = load_park(write_package(tmp_path / "three", ENTERPRISES, STREAMS, EXCHANGES))
    table = flows.indicators(park).set_index("indicator_id")
    links = flows.sankey_links(park, basis="co2e", level="material")
    scope12 = table.loc["park_scope1_emissions", "value"] + table.loc["park_scope2_emissions", "value"]
    energy = links[links["source"].isin(["boundary:fuel_supply", "boundary:grid", "boundary:boilers",
                                         "boundary:steam_supply"])]
    assert energy["value"].sum() == pytest.approx(scope12)
    landfill = links[links["target"] == "boundary:landfill"]
    assert landfill["value"].sum() > 0 and set(landfill["unit"]) == {"tCO2e/a"}


def test_network_dot(tmp_path: Path, loop_park: Park) -> None:
    from test_flows_park import ENTERPRISES, EXCHANGES, STREAMS

    park = load_park(write_package(tmp_path / "three", ENTERPRISES, STREAMS, EXCHANGES))
    dot = flows.network_dot(flows.build_graph(park, PLAN), lang="zh")
    assert dot.startswith("// 企业共生网络") and "digraph symbiosis" in dot
    assert dot.count("style=solid") == 3 and dot.count("style=dashed") == 3
    assert "粉煤灰" in dot and "减排 4,475 tCO2e/a" in dot
    loop_dot = flows.network_dot(loop_park, lang="en")
    assert '"C:1' not in loop_dot and "清源水务" in loop_dot  # ids with ':' never reach DOT as node names
    assert "n0 -> n0" in loop_dot  # the self-loop is drawn


# --- property: a Sankey's links add up to the graph's flows --------------------------------------------------------
MATERIALS: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    # material: (direction, unit, baselines to pick from, extra "temperature_c,temperature_return_c,quality")
    "fly_ash": ("output", "t/a", ("landfill", "sold", "stored", ""), ",,"),
    "clinker": ("input", "t/a", ("virgin", ""), ",,"),
    "sulfuric_acid": ("input", "t/a", ("virgin",), ",,"),
    "hydrogen": ("output", "t/a", ("vent", "sold"), ",,"),
    "tap_water": ("input", "m3/a", ("tap_water",), ",,potable"),
    "reclaimed_water": ("output", "m3/a", ("discharge", "sold"), ",,cooling"),
    "industrial_water": ("input", "m3/a", ("tap_water", "self_supplied"), ",,cooling"),
    "wastewater": ("output", "m3/a", ("wastewater_treatment", "discharge"), ",,"),
    "waste_steam": ("output", "GJ/a", ("vent", "discharge", "sold"), "200,100,"),
    "process_steam": ("input", "GJ/a", ("natural_gas_boiler", "purchased_steam", "coal_boiler"), "150,60,"),
    "electricity": ("input", "GJ/a", ("grid_electricity", ""), ",,"),
    "natural_gas": ("input", "GJ/a", ("",), ",,"),
}
BASIS_UNITS = {"mass": "t/a", "water": "m3/a", "energy": "GJ/a"}


@st.composite
def small_parks(draw: st.DrawFn) -> dict[str, bytes]:
    n = draw(st.integers(min_value=2, max_value=4))
    ids = [f"E{i}" for i in range(n)]
    enterprises = "enterprise_id,name,x_km,y_km\n" + "".join(f"{e},企业{e},{i},0\n" for i, e in enumerate(ids))
    rows, outputs = [], []
    for i in range(draw(st.integers(min_value=1, max_value=10))):
        material = draw(st.sampled_from(sorted(MATERIALS)))
        direction, unit, bases, extra = MATERIALS[material]
        enterprise = draw(st.sampled_from(ids))
        quantity = draw(st.integers(min_value=0, max_value=5000))
        rows.append(f"S{i},{enterprise},{direction},{material},{quantity},{unit},{extra},"
                    f"{draw(st.sampled_from(bases))}\n")
        if direction == "output":
            outputs.append((enterprise, material, unit))
    exchanges = "exchange_id,supplier_id,receiver_id,material,quantity,unit\n"
    for j in range(draw(st.integers(min_value=0, max_value=4)) if outputs else 0):
        supplier, material, unit = draw(st.sampled_from(outputs))
        receiver = draw(st.sampled_from(ids))  # may be the supplier itself: a self-loop
        exchanges += f"X{j},{supplier},{receiver},{material},{draw(st.integers(1, 6000))},{unit}\n"
    header = "stream_id,enterprise_id,direction,material,quantity,unit,temperature_c,temperature_return_c,quality," \
             "baseline\n"
    return {"enterprises.csv": enterprises.encode(), "streams.csv": (header + "".join(rows)).encode(),
            "exchanges.csv": exchanges.encode()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=small_parks(), lang=st.sampled_from(["en", "zh"]))
def test_sankey_sums_equal_graph_flows(files: dict[str, bytes], lang: str) -> None:
    graph = flows.build_graph(load_files(files))
    for basis, unit in (*BASIS_UNITS.items(), ("heat", None)):
        expected = sum(d["quantity"] for *_, d in graph.edges(data=True)
                       if (d["unit"] == unit if unit else d["category"] == "heat"))
        for level in LEVELS:
            links = flows.sankey_links(graph, basis=basis, level=level, lang=lang)  # type: ignore[arg-type]
            assert math.isclose(links["value"].sum(), expected, rel_tol=1e-9, abs_tol=1e-9), (basis, level)
        fig = flows.sankey_figure(graph, basis=basis, level="material", lang=lang)  # type: ignore[arg-type]
        assert math.isclose(sum(fig.data[0].link.value or ()), expected, rel_tol=1e-9, abs_tol=1e-9)
        assert nx.is_directed_acyclic_graph(drawn_graph(fig))
        # legible at park scale: sectors grouped and small enterprises merged into "other", same totals
        sectors = {e: "odd" if int(e[1:]) % 2 else "even" for e in graph.nodes if str(e).startswith("E")}
        for share, expand in ((0.3, None), (0.05, "odd")):
            fig = flows.sankey_figure(graph, basis=basis, level="material", lang=lang,  # type: ignore[arg-type]
                                      other_share=share, sectors=sectors, expand=expand)
            assert math.isclose(sum(fig.data[0].link.value or ()), expected, rel_tol=1e-9, abs_tol=1e-9)
            assert nx.is_directed_acyclic_graph(drawn_graph(fig))
            assert all(0 < v < 1 for v in (*(fig.data[0].node.x or ()), *(fig.data[0].node.y or ())))
    co2e = flows.sankey_links(graph, basis="co2e", level="enterprise")
    assert (co2e["value"] >= 0).all()
    assert set(co2e["unit"]) <= {"tCO2e/a"}
