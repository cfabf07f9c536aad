"""Sankey link tables and Plotly figures from the metabolism graph, and the enterprise network as DOT.

One basis per diagram (mass t/a, water m3/a, heat GJ/a, energy GJ/a or CO2e t/a), so units never mix. Plotly's
Sankey cannot draw an edge back to an earlier node: every enterprise that lies on a cycle (water returned to the
plant that sent it, an enterprise re-using its own output) is drawn as two nodes, "X (in)" receiving and
"X (out)" sending. With no link between the halves the drawing has no cycle left, and the sum of the links is
still exactly the sum of the flows.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache

import graphviz
import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from flows.accounting import OUTSIDE_SCOPES, factor_table, scope3_items, scope12_items
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
from symbiosis.core.datasets import read_records
from symbiosis.core.factors import FactorTable
from symbiosis.core.i18n import lang_column, pick, register, render, word
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
MAX_MEMBERS_SHOWN = 15
OTHER = "group:other"  # the node that holds the nodes too small to draw on their own
SECTOR_PREFIX = "sector:"  # a group of the enterprises of one sector
FONT_SIZE = 12
LABEL_GAP_PX = 16  # two labels in a column closer than this (centre to centre) would overlap: the smaller is hidden
NODE_PAD_PX = 10
MARGIN = {"l": 20, "r": 20, "t": 60, "b": 90}  # the legend sits in the bottom margin

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
    "other": ("other ({n})", "其他（{n} 个）"),
    "group": ("{name} ({n})", "{name}（{n} 家）"),
    "no_sector": ("sector not given", "未填行业"),
    "holds": ("holds: {names}", "包含：{names}"),
    "more": (" … (+{n})", " …（另 {n} 个）"),
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
            if item.scope in OUTSIDE_SCOPES:  # not the park's emissions (flows.accounting.OUTSIDE_SCOPES)
                continue
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


# --- legibility at park scale: sectors, "other", columns, labels, height ----------------------------------------
@cache
def _sector_names() -> dict[str, tuple[str, str]]:
    return {r["sector"]: (r["name_en"], r["name_zh"]) for r in read_records("sectors")}


def sector_label(sector: str, lang: Lang) -> str:
    """A sector's name (datasets/sectors.csv) in `lang`; a sector the datasets do not know is shown as written."""
    if not sector:
        return _t("no_sector", lang)
    en, zh = _sector_names().get(sector, (sector, sector))
    return pick(en, zh, lang)


def enterprise_sectors(park_or_graph: Park | nx.MultiDiGraph) -> dict[str, str]:
    """enterprise id -> its sector ("" when the ledger gives none)."""
    if isinstance(park_or_graph, Park):
        table = park_or_graph.enterprises
        column = table["sector"] if "sector" in table else pd.Series([""] * len(table), index=table.index)
        return {str(e): "" if pd.isna(s) else str(s) for e, s in zip(table["enterprise_id"], column, strict=True)}
    return {str(n): str(d.get("sector", "") or "") for n, d in park_or_graph.nodes(data=True)
            if d.get("kind") == "enterprise"}


def _members(links: pd.DataFrame, end: str) -> list[list[str]]:
    column = f"{end}_members"
    if column in links:
        return [list(m) for m in links[column]]
    return [[str(label)] for label in links[f"{end}_label"]]


def _regroup(links: pd.DataFrame, new: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    """Links with the nodes in `new` (id -> (group id, group label)) replaced by their group, re-aggregated per
    (source, target, category); values are only added up, so the total is unchanged. `source_members` /
    `target_members` list the labels each end holds."""
    groups: dict[tuple[str, str, str], dict] = {}
    members = {end: _members(links, end) for end in ("source", "target")}
    for i, rec in enumerate(links.to_dict("records")):
        ends = {}
        for end in ("source", "target"):
            node = rec[end]
            ends[end] = new.get(node, (node, rec[f"{end}_label"]))
        key = (ends["source"][0], ends["target"][0], rec["category"])
        g = groups.setdefault(key, {"source_label": ends["source"][1], "target_label": ends["target"][1],
                                    "value": 0.0, "materials": [], "kinds": [], "rows": [], "edges": [],
                                    "unit": rec["unit"], "source_members": [], "target_members": []})
        g["value"] += float(rec["value"])
        for name, text in (("materials", rec["material"]), ("kinds", rec["kinds"])):
            g[name].extend(x for x in str(text).split(";") if x and x not in g[name])
        g["rows"].extend(r for r in rec["rows"] if r not in g["rows"])
        g["edges"].extend(rec["edges"])
        for end in ("source", "target"):
            g[f"{end}_members"].extend(m for m in members[end][i] if m not in g[f"{end}_members"])
    records = [{"source": u, "target": v, "source_label": g["source_label"], "target_label": g["target_label"],
                "category": c, "material": ";".join(g["materials"]), "value": g["value"], "unit": g["unit"],
                "kinds": ";".join(g["kinds"]), "rows": g["rows"], "edges": g["edges"],
                "source_members": g["source_members"], "target_members": g["target_members"]}
               for (u, v, c), g in groups.items()]
    return pd.DataFrame.from_records(records, columns=[*LINK_COLUMNS, "source_members", "target_members"])


def group_by_sector(links: pd.DataFrame, sectors: Mapping[str, str], *, lang: Lang = "en",
                    expand: str | None = None) -> pd.DataFrame:
    """The enterprises of each sector drawn as one node "sector (n)"; the sector `expand` keeps its enterprises
    (drill-down). Nodes outside the park, enterprises not in `sectors` and the only enterprise of its sector in
    the diagram stay as they are (with their own name)."""
    nodes = set(links["source"]) | set(links["target"])
    counts: dict[str, int] = {}
    for node in nodes:
        if node in sectors and sectors[node] != expand:
            counts[sectors[node]] = counts.get(sectors[node], 0) + 1
    new = {node: (f"{SECTOR_PREFIX}{sectors[node]}",
                  _t("group", lang, name=sector_label(sectors[node], lang), n=counts[sectors[node]]))
           for node in nodes if node in sectors and sectors[node] != expand and counts[sectors[node]] > 1}
    return _regroup(links, new)


def node_throughput(links: pd.DataFrame) -> dict[str, float]:
    """What a node carries: the larger of what enters and what leaves it (as the Sankey draws its height)."""
    into = links.groupby("target")["value"].sum().to_dict()
    out = links.groupby("source")["value"].sum().to_dict()
    return {str(n): max(float(into.get(n, 0.0)), float(out.get(n, 0.0))) for n in set(into) | set(out)}


def aggregate_small(links: pd.DataFrame, share: float, *, lang: Lang = "en", keep: Iterable[str] = ()) -> pd.DataFrame:
    """The park's nodes (enterprises or sector groups, never the boundary) that carry less than `share` of the
    basis total (the sum of all flows) merged into one node "other (n)", whose members are listed on hover.

    Flows are only re-routed, never dropped: the sum of the links is unchanged. Nothing is merged when fewer
    than two nodes fall under the threshold; the nodes in `keep` (a sector drilled into) are never merged."""
    if share <= 0 or not len(links):
        return links
    total = float(links["value"].sum())
    kept = set(keep)
    small = sorted(n for n, v in node_throughput(links).items()
                   if not n.startswith("boundary:") and n not in kept and v < share * total)
    if len(small) < 2:
        return links
    label = _t("other", lang, n=len(small))
    return _regroup(links, dict.fromkeys(small, (OTHER, label)))


def shown_labels(centres_px: list[float], sizes: list[float], gap_px: float = LABEL_GAP_PX) -> list[bool]:
    """Which labels of one column to draw so that no two overlap: the larger nodes first, each label kept only if
    its centre is at least `gap_px` from every label already kept."""
    kept: list[float] = []
    shown = [False] * len(centres_px)
    for i in sorted(range(len(centres_px)), key=lambda j: (-sizes[j], j)):
        if all(abs(centres_px[i] - c) >= gap_px for c in kept):
            kept.append(centres_px[i])
            shown[i] = True
    return shown


def _text_units(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def abbreviate(text: str, units: int) -> str:
    """`text` cut to `units` (a CJK character counts two) with "…"; the full text is on hover."""
    if _text_units(text) <= units:
        return text
    out, used = "", 1
    for ch in text:
        used += _text_units(ch)
        if used > units:
            break
        out += ch
    return out.rstrip() + "…"


def sankey_height(max_column_nodes: int) -> int:
    """The figure's height in px: grows with the most nodes any column holds, so each can carry a label."""
    return int(min(3200, max(560, MARGIN["t"] + MARGIN["b"] + 40 + (LABEL_GAP_PX + 6) * max_column_nodes)))


def _columns(n: int, sources: list[int], targets: list[int]) -> list[int]:
    """Column of each drawn node, as plotly's own layout ("justify") counts them, so that its node sizes and these
    positions agree: what enters the park (supplies from outside) first, then by the longest chain of flows
    leading to a node; what only receives (fates outside the park, and enterprises with no output in this
    basis) in the last column."""
    dag = nx.DiGraph()
    dag.add_nodes_from(range(n))
    dag.add_edges_from(zip(sources, targets, strict=True))
    col = [0] * n
    for node in nx.topological_sort(dag):
        col[node] = max([0, *(col[p] + 1 for p in dag.predecessors(node))])
    last = max(col, default=0)
    return [c if dag.out_degree(i) else last for i, c in enumerate(col)]


def _order(col: list[int], sizes: list[float], sources: list[int], targets: list[int], values: list[float],
           sweeps: int = 2) -> list[list[int]]:
    """Nodes of each column from top to bottom: largest first, then barycentre sweeps (down and back up the
    columns) that put each node near the nodes it is linked to, which removes most crossings."""
    ncol = max(col) + 1 if col else 0
    order = [sorted((i for i in range(len(col)) if col[i] == c), key=lambda i: (-sizes[i], i)) for c in range(ncol)]
    neighbours: list[list[tuple[int, float]]] = [[] for _ in col]
    for u, v, w in zip(sources, targets, values, strict=True):
        neighbours[u].append((v, w))
        neighbours[v].append((u, w))

    def rank() -> dict[int, float]:
        return {i: (k + 0.5) / len(nodes) for nodes in order for k, i in enumerate(nodes)}

    for _ in range(sweeps):
        for forward in (True, False):
            for c in (range(1, ncol) if forward else range(ncol - 2, -1, -1)):
                pos = rank()
                keys = {i: (_barycentre(i, c, forward, pos, neighbours, col), -sizes[i], i) for i in order[c]}
                order[c] = sorted(order[c], key=keys.__getitem__)
    return order


def _barycentre(i: int, c: int, forward: bool, pos: dict[int, float], neighbours: list[list[tuple[int, float]]],
                col: list[int]) -> float:
    """The value-weighted mean position of node i's neighbours in the columns before (forward) or after it."""
    near = [(pos[j], w) for j, w in neighbours[i] if (col[j] < c if forward else col[j] > c)]
    weight = sum(w for _, w in near)
    return sum(p * w for p, w in near) / weight if weight > 0 else pos[i]


def sankey_layout(sources: list[int], targets: list[int], values: list[float], n: int, height: int) -> tuple[list[float], list[float], list[float]]:
    """x, y (centres, in [0, 1]) of each drawn node, and each node's centre in px from the top of the plot.

    Deterministic: the same links give the same positions."""
    into, out = [0.0] * n, [0.0] * n
    for u, v, w in zip(sources, targets, values, strict=True):
        out[u] += w
        into[v] += w
    sizes = [max(a, b) for a, b in zip(into, out, strict=True)]
    col = _columns(n, sources, targets)
    order = _order(col, sizes, sources, targets, values)
    ncol = len(order)
    plot = max(1.0, height - MARGIN["t"] - MARGIN["b"])
    # px per unit of value, as plotly sizes nodes: the fullest column fills the height (a little less, to be safe)
    ky = min((plot - (len(nodes) - 1) * NODE_PAD_PX) / max(sum(sizes[i] for i in nodes), 1e-12)
             for nodes in order if nodes) if n else 0.0
    ky = max(ky, 0.0)
    x = [0.0] * n
    y = [0.0] * n
    px = [0.0] * n
    for c, nodes in enumerate(order):
        used = sum(ky * sizes[i] for i in nodes) + NODE_PAD_PX * (len(nodes) - 1)
        top = max(0.0, (plot - used) / 2)
        for i in nodes:
            h = ky * sizes[i]
            px[i] = top + h / 2
            top += h + NODE_PAD_PX
            x[i] = 0.001 + 0.998 * (c / (ncol - 1) if ncol > 1 else 0.5)  # plotly ignores a position of 0
            y[i] = min(0.999, max(0.001, px[i] / plot))
    return x, y, px


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
                  factors: FactorTable | None = None, title: str | None = None, other_share: float = 0.0,
                  sectors: Mapping[str, str] | None = None, expand: str | None = None,
                  height: int | None = None) -> go.Figure:
    """A Plotly Sankey of the park's flows in one basis; accepts a park, a graph, or a sankey_links() table.

    Links are coloured by material category; hovering a link shows its materials, quantity, unit and the ledger
    rows behind it. Enterprises on a cycle are split into "(in)" and "(out)" halves (see the module docstring).
    Legible at park scale: `sectors` (enterprise id -> sector) draws each sector as one node, except the sector
    `expand`; `other_share` merges the nodes carrying less than that share of the total (not those of the sector
    expanded) into "other"; nodes are
    placed in columns (supplies, enterprises, fates) and ordered to cut crossings; labels that would overlap are
    hidden and long ones abbreviated (the full name is on hover); the height (default) grows with the nodes.
    """
    if isinstance(park_or_graph, pd.DataFrame):
        links = park_or_graph
        graph = None
    else:
        graph = as_graph(park_or_graph, plan)
        links = sankey_links(graph, basis=basis, level=level, lang=lang, factors=factors)
    if sectors is not None and len(links):
        links = group_by_sector(links, sectors, lang=lang, expand=expand)
    drilled = [e for e, s in (sectors or {}).items() if expand is not None and s == expand]
    links = aggregate_small(links, other_share, lang=lang, keep=drilled)
    unit = unit_label(BASES[basis][0])
    split = split_cycles(links) if len(links) else {}
    in_word, out_word = _t("in_suffix", lang), _t("out_suffix", lang)
    node_ids: list[str] = []
    labels: list[str] = []
    colours: list[str] = []
    label_of = dict(zip(links["source"], links["source_label"], strict=True))
    label_of.update(zip(links["target"], links["target_label"], strict=True))
    members_of: dict[str, list[str]] = {}
    for end in ("source", "target"):
        for node, names in zip(links[end], _members(links, end), strict=True):
            held = members_of.setdefault(node, [])
            held.extend(m for m in names if m not in held)

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
    values = [float(v) for v in links["value"]]
    hover = []
    for rec in links.to_dict("records"):
        kinds = "; ".join(word(KIND_NAMES, k, lang) for k in str(rec["kinds"]).split(";") if k in KIND_NAMES)
        category = _category(rec["category"], lang)
        hover.append(
            f"{rec['source_label']} → {rec['target_label']}<br>"
            f"{_names(rec['material'], lang)} ({category})<br>"
            f"<b>{fmt_quantity(rec['value'])} {unit}</b><br>{kinds}<br>"
            f"{_t('rows', lang, rows=_shown_rows(rec['rows']))}")
    x, y, px = sankey_layout(sources, targets, values, len(node_ids), 480)  # first pass: columns and order
    per_column: dict[float, list[int]] = {}
    for i, xi in enumerate(x):
        per_column.setdefault(xi, []).append(i)
    height = height or sankey_height(max((len(c) for c in per_column.values()), default=0))
    x, y, px = sankey_layout(sources, targets, values, len(node_ids), height)
    into, out = [0.0] * len(node_ids), [0.0] * len(node_ids)
    for u, v, w in zip(sources, targets, values, strict=True):
        out[u] += w
        into[v] += w
    sizes = [max(a, b) for a, b in zip(into, out, strict=True)]
    shown = [True] * len(node_ids)
    for nodes in per_column.values():
        for i, keep in zip(nodes, shown_labels([px[i] for i in nodes], [sizes[i] for i in nodes]), strict=True):
            shown[i] = keep
    units = max(12, min(30, 150 // max(1, len(per_column) - 1)))
    node_hover = []
    for i, drawn in enumerate(node_ids):
        node = drawn.rsplit("#", 1)[0] if drawn.endswith(("#in", "#out")) else drawn
        held = members_of.get(node, [])
        text = f"<b>{labels[i]}</b><br>{fmt_quantity(sizes[i])} {unit}"
        if node == OTHER or node.startswith(SECTOR_PREFIX):
            more = _t("more", lang, n=len(held) - MAX_MEMBERS_SHOWN) if len(held) > MAX_MEMBERS_SHOWN else ""
            text += "<br>" + _t("holds", lang, names=_t("names_sep", lang).join(held[:MAX_MEMBERS_SHOWN]) + more)
        node_hover.append(text)
    drawn_labels = [abbreviate(label, units) if keep else "" for label, keep in zip(labels, shown, strict=True)]
    sankey = go.Sankey(
        arrangement="snap", valueformat=",.4~r", valuesuffix=f" {unit}",
        node={"label": drawn_labels, "color": colours, "pad": NODE_PAD_PX, "thickness": 16,
              "line": {"color": "#333333", "width": 0.5}, "x": x, "y": y,
              "customdata": node_hover, "hovertemplate": "%{customdata}<extra></extra>"},
        link={"source": sources, "target": targets, "value": values,
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
        font={"family": FONT_FAMILY, "size": FONT_SIZE}, margin=dict(MARGIN), height=height)
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
                      legend={"orientation": "h", "y": -0.02, "yanchor": "top"})


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
