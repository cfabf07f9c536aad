"""Sankeys legible at park scale: "other" keeps the totals, sectors group with drill-down, positions, labels, height."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import networkx as nx
import pandas as pd
import pytest

import flows
from flows.sankey import (
    LABEL_GAP_PX,
    MARGIN,
    OTHER,
    SECTOR_PREFIX,
    abbreviate,
    aggregate_small,
    enterprise_sectors,
    group_by_sector,
    node_throughput,
    sankey_height,
    shown_labels,
)
from symbiosis.core.generate import generate_park
from symbiosis.core.park import Park


@pytest.fixture(scope="module")
def park() -> Park:
    return generate_park(80, seed=3)


@pytest.fixture(scope="module")
def links(park: Park) -> pd.DataFrame:
    return flows.sankey_links(park, basis="mass", level="category", lang="zh")


def test_other_keeps_the_totals_and_follows_the_threshold(links: pd.DataFrame) -> None:
    total = links["value"].sum()
    assert aggregate_small(links, 0.0) is links
    for share in (0.001, 0.01, 0.05):
        merged = aggregate_small(links, share, lang="en")
        assert math.isclose(merged["value"].sum(), total, rel_tol=1e-12)
        kept = {n: v for n, v in node_throughput(merged).items() if not n.startswith("boundary:") and n != OTHER}
        assert all(v >= share * total for v in kept.values())  # what stays on its own is above the threshold
        small = [n for n, v in node_throughput(links).items() if not n.startswith("boundary:") and v < share * total]
        if len(small) >= 2:
            other = merged[merged["source"] == OTHER]
            held = set().union(*other["source_members"]) if len(other) else set()
            held |= set().union(*merged.loc[merged["target"] == OTHER, "target_members"])
            assert len(held) == len(small) and f"other ({len(small)})" in set(merged["source_label"]) | set(
                merged["target_label"])
    fewer = aggregate_small(links, 0.05)
    more = aggregate_small(links, 0.001)
    nodes = lambda t: len(set(t["source"]) | set(t["target"]))  # noqa: E731
    assert nodes(fewer) < nodes(more) <= nodes(links)


def test_the_other_node_lists_what_it_holds(links: pd.DataFrame) -> None:
    fig = flows.sankey_figure(links, basis="mass", lang="zh", other_share=0.02)
    node = fig.data[0].node
    other = [i for i, text in enumerate(node.customdata) if "包含：" in text]
    assert other and any("其他（" in node.customdata[i] for i in other)
    assert math.isclose(sum(fig.data[0].link.value), links["value"].sum(), rel_tol=1e-12)


def test_grouping_by_sector_gives_one_node_per_sector(park: Park, links: pd.DataFrame) -> None:
    sectors = enterprise_sectors(park)
    assert sectors == enterprise_sectors(flows.build_graph(park))
    present = (set(links["source"]) | set(links["target"])) & set(sectors)
    per_sector: dict[str, set[str]] = defaultdict(set)
    for e in present:
        per_sector[sectors[e]].add(e)
    grouped = group_by_sector(links, sectors, lang="en")
    assert math.isclose(grouped["value"].sum(), links["value"].sum(), rel_tol=1e-12)
    nodes = set(grouped["source"]) | set(grouped["target"])
    assert {n for n in nodes if n.startswith(SECTOR_PREFIX)} == {
        f"{SECTOR_PREFIX}{s}" for s, members in per_sector.items() if len(members) > 1}
    assert {n for n in nodes if n in sectors} == {next(iter(m)) for m in per_sector.values() if len(m) == 1}
    # drill-down: one sector expanded into its enterprises, the others still grouped
    big = max(per_sector, key=lambda s: (len(per_sector[s]), s))
    drilled = group_by_sector(links, sectors, lang="en", expand=big)
    drilled_nodes = set(drilled["source"]) | set(drilled["target"])
    assert per_sector[big] <= drilled_nodes and f"{SECTOR_PREFIX}{big}" not in drilled_nodes
    assert math.isclose(drilled["value"].sum(), links["value"].sum(), rel_tol=1e-12)
    fig = flows.sankey_figure(links, basis="mass", lang="en", sectors=sectors)
    assert len(fig.data[0].node.x) == len(nodes) + sum(1 for n in nodes if n in flows.sankey.split_cycles(grouped))


def test_positions_are_in_the_unit_square_and_deterministic(park: Park) -> None:
    graph = flows.build_graph(park)
    first = flows.sankey_figure(graph, basis="mass", lang="en", other_share=0.005, sectors=enterprise_sectors(park))
    again = flows.sankey_figure(graph, basis="mass", lang="en", other_share=0.005, sectors=enterprise_sectors(park))
    node = first.data[0].node
    assert len(node.x) == len(node.y) == len(node.label) > 3
    assert all(0 < v < 1 for v in (*node.x, *node.y))
    assert list(node.x) == list(again.data[0].node.x) and list(node.y) == list(again.data[0].node.y)
    assert list(node.label) == list(again.data[0].node.label)
    # columns: what comes from outside on the left, fates outside the park on the right
    link = first.data[0].link
    drawn = nx.DiGraph(list(zip(link.source, link.target, strict=True)))
    for u, v in drawn.edges:
        assert node.x[u] < node.x[v]
    assert first.data[0].arrangement == "snap"


def test_labels_never_overlap(park: Park) -> None:
    assert shown_labels([0, 5, 20, 30], [1, 2, 1, 1], gap_px=16) == [False, True, False, True]
    assert shown_labels([], []) == []
    fig = flows.sankey_figure(park, basis="mass", lang="zh")  # every enterprise: many hidden labels
    node = fig.data[0].node
    plot = fig.layout.height - MARGIN["t"] - MARGIN["b"]
    columns: dict[float, list[float]] = defaultdict(list)
    for x, y, label in zip(node.x, node.y, node.label, strict=True):
        if label:
            columns[x].append(y * plot)
    for centres in columns.values():
        centres.sort()
        assert all(b - a >= LABEL_GAP_PX - 1e-6 for a, b in itertools.pairwise(centres))
    assert "" in node.label  # some were hidden ...
    assert all(text.startswith("<b>") for text in node.customdata)  # ... and every node names itself on hover


def test_abbreviations_and_height() -> None:
    assert abbreviate("Cement plant", 20) == "Cement plant"
    assert abbreviate("Integrated steel works and rolling mill", 16) == "Integrated stee…"
    short = abbreviate("江苏滨江循环经济示范园热电厂", 12)
    assert short.endswith("…") and short.startswith("江苏滨江") and len(short) <= 6
    assert sankey_height(0) == sankey_height(3) < sankey_height(30) < sankey_height(60) <= sankey_height(10_000)


def test_a_sector_drilled_into_shows_all_its_enterprises(park: Park, links: pd.DataFrame) -> None:
    sectors = enterprise_sectors(park)
    present = (set(links["source"]) | set(links["target"])) & set(sectors)
    sector = max({sectors[e] for e in present}, key=lambda s: (sum(sectors[e] == s for e in present), s))
    fig = flows.sankey_figure(links, basis="mass", lang="en", sectors=sectors, expand=sector, other_share=0.5)
    hover = " ".join(fig.data[0].node.customdata)
    members = [e for e in present if sectors[e] == sector]
    label_of = dict(zip(links["source"], links["source_label"], strict=True))
    label_of.update(zip(links["target"], links["target_label"], strict=True))
    assert len(members) > 1 and all(f"<b>{label_of[e]}" in hover for e in members)
    assert math.isclose(sum(fig.data[0].link.value), links["value"].sum(), rel_tol=1e-12)
