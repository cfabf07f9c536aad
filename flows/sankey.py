"""Sankey link tables and Plotly figures from the metabolism graph, and the enterprise network as DOT.

One basis per diagram (mass t/a, water m3/a, heat GJ/a, energy GJ/a or CO2e t/a), so units never mix. Plotly's
Sankey cannot draw an edge back to an earlier node: every enterprise that lies on a cycle (water returned to the
plant that sent it, an enterprise re-using its own output) is drawn as two nodes, "X (in)" receiving and
"X (out)" sending. With no link between the halves the drawing has no cycle left, and the sum of the links is
still exactly the sum of the flows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import graphviz
import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from flows.accounting import factor_table, scope3_items, scope12_items
from flows.graph import as_graph
from flows.labels import (
    BASES,
    BASIS_NAMES,
    KIND_NAMES,
    Lang,
    category_label,
    fmt_quantity,
    material_label,
    node_label,
    unit_label,
)
from flows.network import in_basis
from symbiosis.core.factors import FactorTable
from symbiosis.core.i18n import lang_column, register, render, word
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan

LEVELS: tuple[str, ...] = ("enterprise", "category", "material")
LINK_COLUMNS: tuple[str, ...] = ("source", "target", "source_label", "target_label", "category", "material",
                                 "value", "unit", "kinds", "rows", "edges")
CATEGORY_COLOURS: dict[str, str] = {
    # colour-blind-safe hues (Okabe-Ito / Tol), one per category
    "solid": "#8c6d31", "organic": "#4d9221", "raw_material": "#7f7f7f", "liquid": "#aa4499",
    "gas": "#88ccee", "water": "#0072b2", "wastewater": "#6b4c9a", "heat": "#d55e00", "energy": "#e69f00",
    "mixed": "#999999",
}
NODE_COLOURS = {"enterprise": "#35608d", "source": "#5b8c5a", "sink": "#a05a5a"}
FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
MAX_ROWS_SHOWN = 8

# The words of the figures (codes "flows.sankey.<key>"); names of bases, kinds and categories come from flows.labels.
TEXTS = register("flows.sankey", {
    "in_suffix": (" (in)", "（入）"),
    "out_suffix": (" (out)", "（出）"),
    "mixed": ("mixed", "多类"),
    "names_sep": (", ", "、"),
    "rows": ("rows: {rows}", "台账行: {rows}"),
    "state_before": ("current state", "现状"),
    "state_after": ("with plan", "实施方案后"),
    "heading": ("park metabolism: {basis} ({unit})", "园区物质能量代谢：{basis}（{unit}）"),
    "no_flows": ("no flows measured in {basis}", "没有以{basis}计的流"),
    "network": ("Enterprise symbiosis network", "企业共生网络"),
    "network_legend": ("solid: existing exchange; dashed: proposed link", "实线：现有交换；虚线：拟建链接"),
    "avoids": ("avoids {net} tCO2e/a", "减排 {net} tCO2e/a"),
})


def _t(key: str, lang: Lang, **params: object) -> str:
    return render(TEXTS.code(key), lang, **params)


def _category(category: str, lang: Lang) -> str:
    return _t("mixed", lang) if category == "mixed" else category_label(category, lang)


def _edge_values(graph: nx.MultiDiGraph, basis: str, factors: FactorTable | None) -> list[tuple[tuple, float]]:
    """(edge (u, v, k), value in the basis) for every edge that carries the basis."""
    if basis in ("mass", "water", "heat", "energy"):
        return [((u, v, k), float(d["quantity"])) for u, v, k, d in graph.edges(keys=True, data=True)
                if in_basis(d, basis)]
    if basis == "co2e":
        table = factor_table(graph, factors)
        items = scope12_items(graph, table)[0] + scope3_items(graph, table)[0]
        totals: dict[tuple, float] = {}
        for item in items:
            totals[item.edge] = totals.get(item.edge, 0.0) + item.tco2e
        return list(totals.items())
    raise ValueError(f"basis must be one of {', '.join(BASES)}, not {basis!r}")


def sankey_links(park_or_graph: Park | nx.MultiDiGraph, plan: Plan | None = None, *, basis: str = "mass",
                 level: str = "enterprise", lang: Lang = "en", factors: FactorTable | None = None) -> pd.DataFrame:
    """The graph's flows in one basis, aggregated between the same two nodes (columns LINK_COLUMNS).

    level "enterprise": one link per node pair; "category": per pair and material category; "material": per pair
    and material. `rows` lists the ledger row ids behind each link, `edges` the graph edge keys.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    graph = as_graph(park_or_graph, plan)
    groups: dict[tuple[str, str, str], dict] = {}
    for (u, v, k), value in _edge_values(graph, basis, factors):
        d = graph.edges[u, v, k]
        split = {"enterprise": "", "category": d["category"], "material": d["material"]}[level]
        g = groups.setdefault((u, v, split), {"value": 0.0, "categories": [], "materials": [], "kinds": [],
                                              "rows": [], "edges": []})
        g["value"] += value
        for name, item in (("categories", d["category"]), ("materials", d["material"]), ("kinds", d["kind"])):
            if item not in g[name]:
                g[name].append(item)
        g["rows"].extend(r.stream_id for r in d["rows"] if r.stream_id not in g["rows"])
        g["edges"].append(k)
    records = []
    unit = BASES[basis][0]
    for (u, v, _), g in groups.items():
        records.append({
            "source": u, "target": v, "source_label": node_label(graph, u, lang),
            "target_label": node_label(graph, v, lang),
            "category": g["categories"][0] if len(g["categories"]) == 1 else "mixed",
            "material": ";".join(g["materials"]), "value": g["value"], "unit": unit, "kinds": ";".join(g["kinds"]),
            "rows": g["rows"], "edges": g["edges"]})
    return pd.DataFrame.from_records(records, columns=list(LINK_COLUMNS))


def split_cycles(links: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Nodes on a cycle (or with a self-loop) -> (id of their receiving half, id of their sending half)."""
    digraph = nx.DiGraph()
    digraph.add_edges_from(zip(links["source"], links["target"], strict=True))
    cyclic: set[str] = set()
    for component in nx.strongly_connected_components(digraph):
        if len(component) > 1:
            cyclic |= component
    cyclic |= {u for u, v in digraph.edges if u == v}
    return {n: (f"{n}#in", f"{n}#out") for n in sorted(cyclic)}


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _shown_rows(rows: Iterable[str]) -> str:
    rows = list(rows)
    more = f" … (+{len(rows) - MAX_ROWS_SHOWN})" if len(rows) > MAX_ROWS_SHOWN else ""
    return ", ".join(rows[:MAX_ROWS_SHOWN]) + more


def _names(materials_text: str, lang: Lang) -> str:
    return _t("names_sep", lang).join(material_label(m, lang) for m in materials_text.split(";") if m)


def sankey_figure(park_or_graph: Park | nx.MultiDiGraph | pd.DataFrame, plan: Plan | None = None, *,
                  basis: str = "mass", level: str = "category", lang: Lang = "en",
                  factors: FactorTable | None = None, title: str | None = None) -> go.Figure:
    """A Plotly Sankey of the park's flows in one basis; accepts a park, a graph, or a sankey_links() table.

    Links are coloured by material category; hovering a link shows its materials, quantity, unit and the ledger
    rows behind it. Enterprises on a cycle are split into "(in)" and "(out)" halves (see the module docstring).
    """
    if isinstance(park_or_graph, pd.DataFrame):
        links = park_or_graph
        graph = None
    else:
        graph = as_graph(park_or_graph, plan)
        links = sankey_links(graph, basis=basis, level=level, lang=lang, factors=factors)
    unit = unit_label(BASES[basis][0])
    split = split_cycles(links) if len(links) else {}
    in_word, out_word = _t("in_suffix", lang), _t("out_suffix", lang)
    node_ids: list[str] = []
    labels: list[str] = []
    colours: list[str] = []
    label_of = dict(zip(links["source"], links["source_label"], strict=True))
    label_of.update(zip(links["target"], links["target_label"], strict=True))

    def index(node: str, end: str) -> int:
        drawn = split[node][0 if end == "target" else 1] if node in split else node
        if drawn not in node_ids:
            node_ids.append(drawn)
            suffix = (in_word if drawn.endswith("#in") else out_word) if node in split else ""
            labels.append(f"{label_of[node]}{suffix}")
            kind = "enterprise" if not node.startswith("boundary:") else (
                "source" if end == "source" else "sink")
            colours.append(NODE_COLOURS[kind])
        return node_ids.index(drawn)

    sources = [index(u, "source") for u in links["source"]]
    targets = [index(v, "target") for v in links["target"]]
    hover = []
    for rec in links.to_dict("records"):
        kinds = "; ".join(word(KIND_NAMES, k, lang) for k in str(rec["kinds"]).split(";") if k in KIND_NAMES)
        category = _category(rec["category"], lang)
        hover.append(
            f"{rec['source_label']} → {rec['target_label']}<br>"
            f"{_names(rec['material'], lang)} ({category})<br>"
            f"<b>{fmt_quantity(rec['value'])} {unit}</b><br>{kinds}<br>"
            f"{_t('rows', lang, rows=_shown_rows(rec['rows']))}")
    sankey = go.Sankey(
        arrangement="snap", valueformat=",.4~r", valuesuffix=f" {unit}",
        node={"label": labels, "color": colours, "pad": 14, "thickness": 16,
              "line": {"color": "#333333", "width": 0.5}},
        link={"source": sources, "target": targets, "value": list(links["value"].astype(float)),
              "color": [_rgba(CATEGORY_COLOURS.get(c, CATEGORY_COLOURS["mixed"]), 0.45) for c in links["category"]],
              "customdata": hover, "hovertemplate": "%{customdata}<extra></extra>"})
    fig = go.Figure(sankey)
    park_name = graph.graph.get(lang_column("park_name", "park_name_zh", lang), "") if graph is not None else ""
    state = graph.graph.get("state", "") if graph is not None else ""
    state_text = _t(f"state_{state}", lang) if state in ("before", "after") else ""
    basis_name = word(BASIS_NAMES, basis, lang)
    heading = _t("heading", lang, basis=basis_name, unit=unit)
    fig.update_layout(
        title={"text": title or " — ".join(t for t in (park_name, heading, state_text) if t)},
        font={"family": FONT_FAMILY, "size": 12}, margin={"l": 20, "r": 20, "t": 60, "b": 20})
    if not len(links):
        fig.add_annotation(text=_t("no_flows", lang, basis=basis_name),
                           showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    _add_legend(fig, links, lang)
    return fig


def _add_legend(fig: go.Figure, links: pd.DataFrame, lang: Lang) -> None:
    """Category colours as a legend: Sankey traces have none of their own."""
    for category in dict.fromkeys(links["category"]):
        name = _category(category, lang)
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, showlegend=True,
                                 marker={"size": 12, "symbol": "square",
                                         "color": CATEGORY_COLOURS.get(category, CATEGORY_COLOURS["mixed"])}))
    fig.update_layout(xaxis={"visible": False}, yaxis={"visible": False}, plot_bgcolor="white",
                      legend={"orientation": "h", "y": -0.02})


def network_dot(park_or_graph: Park | nx.MultiDiGraph, plan: Plan | None = None, *, lang: Lang = "en") -> str:
    """The enterprise network as Graphviz DOT source: existing exchanges solid, proposed plan links dashed.

    Built with the `graphviz` package's Digraph (no `dot` binary needed to get the source). Node names are
    generated (n0, n1, ...) because enterprise ids may hold characters DOT reads as syntax, e.g. ':' for ports.
    """
    graph = as_graph(park_or_graph, plan)
    dot = graphviz.Digraph("symbiosis", comment=_t("network", lang))
    dot.attr(rankdir="LR", fontname="Noto Sans CJK SC", label=_t("network_legend", lang))
    dot.attr("node", shape="box", style="rounded,filled", fillcolor="#e8eef5", fontname="Noto Sans CJK SC")
    dot.attr("edge", fontname="Noto Sans CJK SC", fontsize="10")
    names: dict[str, str] = {}
    for node, d in graph.nodes(data=True):
        if d.get("kind") == "enterprise":
            names[node] = f"n{len(names)}"
            dot.node(names[node], label=f"{node_label(graph, node, lang)}\n{node}")
    grouped: dict[tuple[str, str, str, str], list] = {}
    for u, v, _, d in graph.edges(keys=True, data=True):
        if d["kind"] in ("exchange", "link"):
            grouped.setdefault((u, v, d["material"], d["kind"]), []).append(d)
    for (u, v, material, kind), edges in grouped.items():
        quantity = sum(float(e["quantity"]) for e in edges)
        label = f"{material_label(material, lang)}\n{fmt_quantity(quantity)} {unit_label(edges[0]['unit'])}"
        if kind == "link":
            net = sum(float(e["net_tco2e"]) for e in edges if e.get("net_tco2e") is not None)
            if not math.isclose(net, 0.0):
                label += "\n" + _t("avoids", lang, net=fmt_quantity(net))
        colour = CATEGORY_COLOURS.get(edges[0]["category"], CATEGORY_COLOURS["mixed"])
        dot.edge(names[u], names[v], label=label, style="dashed" if kind == "link" else "solid", color=colour,
                 fontcolor=colour)
    return dot.source
