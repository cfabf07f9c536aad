"""Network analysis of the enterprise-to-enterprise web: link counts, connectance, keystones, Finn cycling index.

The symbiosis network has one directed link per supplier-receiver pair with any exchange or plan link between
them. Metrics follow the food-web use of the terms in industrial ecology (Hardy & Graedel 2002, "Industrial
ecosystems as food webs"): link density L/N and directed connectance L/(N(N-1)). The Finn cycling index (Finn
1976) is the share of total system throughflow that is cycled, computed from the flow matrix via the Leontief
(fundamental) inverse N = (I - G)^-1.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from flows.graph import as_graph, enterprise_nodes
from flows.labels import BASES
from symbiosis.core.i18n import pair, register
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan

ENTERPRISE_KINDS = ("exchange", "link")
# The names of the network metrics (codes "flows.metric.<metric>"; network_metrics' name_en / name_zh).
METRIC_NAMES = register("flows.metric", {
    "enterprises": ("Enterprises (N)", "企业数（N）"),
    "links": ("Enterprise-to-enterprise links (L)", "企业间链接数（L）"),
    "existing_links": ("of which existing", "其中现有"),
    "proposed_links": ("of which new in the plan", "其中方案新增"),
    "chain_links": ("Eco-industrial chain links", "生态工业链接数"),
    "link_density": ("Link density (L/N)", "链接密度（L/N）"),
    "connectance": ("Connectance (L/(N(N-1)))", "连通度（L/(N(N-1))）"),
    "connected_enterprises": ("Enterprises in the network", "参与共生的企业数"),
    "components": ("Separate sub-networks", "独立子网络数"),
    "finn_mass": ("Finn cycling index (mass)", "Finn 循环指数（质量）"),
    "finn_water": ("Finn cycling index (water)", "Finn 循环指数（水量）"),
    "finn_energy": ("Finn cycling index (energy)", "Finn 循环指数（能量）"),
})


def in_basis(d: dict, basis: str) -> bool:
    """Whether an edge is measured in the basis: mass t/a, water m3/a, heat (heat category) GJ/a, energy GJ/a."""
    if basis == "mass":
        return d["unit"] == "t/a"
    if basis == "water":
        return d["unit"] == "m3/a"
    if basis == "heat":
        return d["category"] == "heat"
    if basis == "energy":
        return d["unit"] == "GJ/a"
    raise ValueError(f"basis must be one of mass, water, heat, energy for physical flows, not {basis!r}")


def symbiosis_network(park_or_graph: Park | nx.MultiDiGraph, plan: Plan | None = None) -> nx.DiGraph:
    """Enterprises and one directed edge per supplier-receiver pair with exchanges or plan links between them.

    Edge attributes: triples (set of (supplier, receiver, material)), existing / proposed (bool), net_tco2e (sum
    over plan links).
    """
    graph = as_graph(park_or_graph, plan)
    net = nx.DiGraph()
    net.add_nodes_from(enterprise_nodes(graph))
    for u, v, _, d in graph.edges(keys=True, data=True):
        if d["kind"] not in ENTERPRISE_KINDS:
            continue
        if not net.has_edge(u, v):
            net.add_edge(u, v, triples=set(), existing=False, proposed=False, net_tco2e=0.0)
        e = net.edges[u, v]
        e["triples"].add((u, v, d["material"]))
        e["existing" if d["kind"] == "exchange" else "proposed"] = True
        if d["kind"] == "link" and d.get("net_tco2e") is not None:
            e["net_tco2e"] += float(d["net_tco2e"])
    return net


def network_metrics(park_or_graph: Park | nx.MultiDiGraph, plan: Plan | None = None) -> pd.DataFrame:
    """Size and shape of the symbiosis network (metric, name_en, name_zh, value, definition).

    Self-loops (an enterprise re-using its own output) count in the chain links but not in L: connectance is
    about links between enterprises.
    """
    graph = as_graph(park_or_graph, plan)
    net = symbiosis_network(graph)
    n = net.number_of_nodes()
    pairs = [(u, v) for u, v in net.edges if u != v]
    links = len(pairs)
    existing = sum(net.edges[e]["existing"] for e in pairs)
    proposed = sum(net.edges[e]["proposed"] and not net.edges[e]["existing"] for e in pairs)
    triples = {t for e in net.edges for t in net.edges[e]["triples"]}
    connected = [node for node in net if net.degree(node) - (2 if net.has_edge(node, node) else 0) > 0]
    undirected = nx.Graph(pairs)
    values = [
        ("enterprises", float(n), "count of enterprise nodes"),
        ("links", float(links), "directed supplier-receiver pairs with an exchange or plan link"),
        ("existing_links", float(existing), "pairs with an existing exchange"),
        ("proposed_links", float(proposed), "pairs with only plan links"),
        ("chain_links", float(len(triples)), "distinct supplier-receiver-material triples (HJ 274-2015 count)"),
        ("link_density", links / n if n else math.nan, "L / N"),
        ("connectance", links / (n * (n - 1)) if n > 1 else math.nan, "L / (N (N-1)), directed, no self-loops"),
        ("connected_enterprises", float(len(connected)), "enterprises with at least one link to another"),
        ("components", float(nx.number_connected_components(undirected)) if pairs else 0.0,
         "connected components among linked enterprises"),
    ]
    for basis in ("mass", "water", "energy"):
        values.append((f"finn_{basis}", finn_cycling_index(graph, basis),
                       f"share of throughflow cycled, {BASES[basis][0]} flows"))
    rows = [(metric, *pair(METRIC_NAMES.code(metric)), value, definition) for metric, value, definition in values]
    return pd.DataFrame(rows, columns=["metric", "name_en", "name_zh", "value", "definition"])


def keystones(park_or_graph: Park | nx.MultiDiGraph, plan: Plan | None = None) -> pd.DataFrame:
    """What the network would lose if each enterprise left, most important first.

    Columns: enterprise_id, name, links (chain links it is part of: distinct supplier-receiver-material, existing
    and proposed), existing_links, proposed_links, partners, avoided_tco2e_lost (sum of net_tco2e of the plan links
    it is part of), stranded (other enterprises left with no link at all), links_share.
    """
    graph = as_graph(park_or_graph, plan)
    net = symbiosis_network(graph)
    triples: dict[tuple[str, str, str], dict[str, bool]] = {}
    for u, v, _, d in graph.edges(keys=True, data=True):
        if d["kind"] in ENTERPRISE_KINDS:
            flags = triples.setdefault((u, v, d["material"]), {"existing": False, "proposed": False})
            flags["existing" if d["kind"] == "exchange" else "proposed"] = True
    total = len(triples)
    linked = nx.Graph([(u, v) for u, v in net.edges if u != v])
    records = []
    for node in net.nodes:
        mine = [t for t in triples if node in (t[0], t[1])]
        partners = {p for t in mine for p in t[:2] if p != node}
        avoided = sum(net.edges[e]["net_tco2e"] for e in net.edges if node in e)
        stranded = 0
        if node in linked:
            rest = linked.copy()
            rest.remove_node(node)
            stranded = sum(1 for other in partners if other in rest and rest.degree(other) == 0)
        records.append({
            "enterprise_id": node, "name": graph.nodes[node].get("name", node), "links": len(mine),
            "existing_links": sum(triples[t]["existing"] for t in mine),
            "proposed_links": sum(triples[t]["proposed"] and not triples[t]["existing"] for t in mine),
            "partners": len(partners), "avoided_tco2e_lost": avoided, "stranded": stranded,
            "links_share": len(mine) / total if total else 0.0,
        })
    table = pd.DataFrame.from_records(records, columns=[
        "enterprise_id", "name", "links", "existing_links", "proposed_links", "partners", "avoided_tco2e_lost",
        "stranded", "links_share"])
    return table.sort_values(["links", "avoided_tco2e_lost", "enterprise_id"], ascending=[False, False, True],
                             kind="stable").reset_index(drop=True)


def finn_from_matrix(flows: np.ndarray, inputs: np.ndarray, outputs: np.ndarray) -> float:
    """Finn cycling index of a flow matrix: flows[i, j] from compartment i to j, boundary inputs and outputs.

    Throughflow T_i = max(inflow_i, outflow_i) (equal for a balanced system; for a ledger that does not balance
    the larger side keeps every fraction below one). G[i, j] = flows[i, j] / T_i; N = (I - G)^-1; the share of
    T_i that returns to i is (n_ii - 1) / n_ii; CI = sum_i T_i (n_ii - 1) / n_ii / sum_i T_i. NaN when nothing
    flows, or when a closed loop has no way out (N does not exist).
    """
    f = np.asarray(flows, dtype=float)
    inflow = f.sum(axis=0) + np.asarray(inputs, dtype=float)
    outflow = f.sum(axis=1) + np.asarray(outputs, dtype=float)
    throughflow = np.maximum(inflow, outflow)
    total = throughflow.sum()
    if total <= 0:
        return math.nan
    live = throughflow > 0
    f, throughflow = f[np.ix_(live, live)], throughflow[live]
    g = f / throughflow[:, None]
    try:
        n = np.linalg.inv(np.eye(len(g)) - g)
    except np.linalg.LinAlgError:
        return math.nan
    diag = np.diag(n)
    if np.any(diag < 1 - 1e-9) or not np.all(np.isfinite(diag)):
        return math.nan
    cycled = (throughflow * (diag - 1) / diag).sum()
    return float(cycled / total)


def finn_cycling_index(park_or_graph: Park | nx.MultiDiGraph, basis: str = "mass", plan: Plan | None = None) -> float:
    """Finn cycling index of the park's flows in one basis (mass, water, heat, energy); compartments are the
    enterprises, everything from or to a boundary node is a boundary input or output."""
    graph = as_graph(park_or_graph, plan)
    nodes = enterprise_nodes(graph)
    index = {n: i for i, n in enumerate(nodes)}
    f = np.zeros((len(nodes), len(nodes)))
    z = np.zeros(len(nodes))
    y = np.zeros(len(nodes))
    for u, v, _, d in graph.edges(keys=True, data=True):
        if not in_basis(d, basis):
            continue
        q = float(d["quantity"])
        if u in index and v in index:
            f[index[u], index[v]] += q
        elif v in index:
            z[index[v]] += q
        elif u in index:
            y[index[u]] += q
    return finn_from_matrix(f, z, y)
