"""Build the matching MILP (PuLP) from tables of candidate links: one independent model per component.

Variables (names are positions in the component's tables, never raw ids):
  y[l]      binary, link l is built (a pipe laid or a contract signed)
  x[l]      flow of a material link, t/a | m3/a | GJ/a of the supplier's output, 0 <= x <= cap
  q[l,k]    heat of a heat link taken from its source in temperature level k (GJ/a)
  R[i,k]    heat of source i cascaded from level k down to level k+1 (GJ/a)
Constraints:
  supply      sum_l x[l] <= S_o                       per material output o
  demand      sum_l ratio_l x[l] <= D_j               per material input j
  share       sum_{l in rule r} ratio_l x[l] <= s_r D_j - E_jr  per input j and rule r with s_r < 1
              (D_j the input's whole quantity, E_jr what existing exchanges under rule r already give it)
  joint       sum_{l substituting j} ratio_l x[l] <= J_m D_j - E_j  per input j of material m with J_m < 1: all
              substitutes of the receiving process together, the standard's total (symbiosis.core.receiving)
  mixing      sum_{l substituting j} ratio_l x[l] / s_r(l) <= D_j - sum_r E_jr / s_r  per input j reached by two or
              more substitution rules: each cap holds for its substitute alone, a mix lies on the line between them
              (fly ash at 30 % and slag at 70 % of clinker: 15 % fly ash leaves room for 35 % slag). Identity
              rules (the same material from elsewhere) change no recipe and are in neither row
  cascade     sum_j q[i,j,k] + R[i,k] - R[i,k-1] <= Q_ik  per heat source i and level k (R >= 0: heat only
              flows down, and only the source's own heat: source-specific transshipment)
  sink        sum_i d_ij q[i,j,k] <= D_jk             per heat sink j and level k (d_ij: share delivered)
  link        flow_l <= cap_l y_l,  flow_l >= min_l y_l
  per firm    sum of y over links touching an enterprise <= cap (optional)
  forced      sum of y over the links a selector picks >= 1; with a stated quantity Q also
              sum of the flows of those links >= Q (supplier output's canonical unit)
  two-way     y[S->R] + y[R->S] <= 1 for material links of the same (output, input) material pair in opposite
              directions between two enterprises (sending a material back and forth is pointless)
  fuel        sum_{material l into e's rows of fuel f} ratio_l x[l] + sum_{heat l into e's f-boiler heat inputs}
              sum_k d_l q[l,k] / eff_f <= F_ef        per receiver e and fuel f in {natural_gas, coal, electricity}
              where e lists an input of f (F_ef: those rows after existing exchanges; eff_f the boiler's efficiency):
              boiler heat stands for fuel the fuel row already holds (docs/metabolism.md), so the fuel is saved once
  epsilon     sum cost_l flow_l + fixed_cost_l y_l <= epsilon (optional): the annual net cost
  budget      sum capex_var_l flow_l + capex_fixed_l y_l <= budget (optional): the investment
  target      sum net_l flow_l - fixed_tco2e_l y_l >= target (optional): net avoided tCO2e/a
              (costs and investment per link from the one cost rule, symbiosis.core.economics.cost_terms)
Objective (max): sum obj_l flow_l + fixed_l y_l (net avoided tCO2e/a; carbon value less cost in CNY/a; minus the
annual net cost; or NPV with the carbon value in CNY: matching.candidates.objective_coefficients).
Constraints that a variable's own bound already implies (a supply or demand row with one link, a fuel row without
a heat link or with a single link) are left out.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
import pulp

from matching.candidates import Context, build_links, objective_coefficients, prepare_streams, selector_mask
from matching.heat import HeatLevels
from matching.options import MatchOptions, Settings, resolve
from symbiosis.core.park import Park


@dataclass
class ComponentModel:
    """One independent sub-problem: its links, variables, constraints and a bound that needs no solve."""

    component: int
    problem: pulp.LpProblem
    links: pd.DataFrame  # rows of the model's links, with columns y (LpVariable), obj, fixed
    flows: pd.DataFrame  # lid, var, level (-1 for material links), periods (None: all; else the block's periods)
    forced: tuple[int, ...]  # indices into Settings.forced of the selectors living here
    trivial_bound: float  # every positive-value link at its capacity: a bound when the solver gives none


@dataclass
class MatchModel:
    """Everything built for one run: the candidates (kept or pruned, and why), the heat levels, the models."""

    ctx: Context
    settings: Settings
    links: pd.DataFrame  # every candidate (matching.tables.MODEL_LINK_SCHEMA): `status`, `component` (-1 pruned)
    levels: HeatLevels
    components: list[ComponentModel] = field(default_factory=list)
    forced_unmatched: tuple[int, ...] = ()  # selectors that pick no candidate at all
    build_seconds: float = 0.0
    candidate_seconds: float = 0.0


def build_model(park: Park, options: MatchOptions | None = None, *,
                no_good: list[list[tuple[int, int]]] | None = None) -> MatchModel:
    """Candidates, pruning, decomposition and one PuLP model per independent component.

    `no_good` (for alternative plans): lists of (lid, value) binary patterns; each adds the cut
    sum_{value=0} y + sum_{value=1} (1 - y) >= 1. They tie the whole problem together, so with them the model is
    not decomposed.
    """
    t0 = time.perf_counter()
    model = prepare(park, options, together=bool(no_good))
    links = model.links
    for cid, group in links[links["component"] >= 0].groupby("component"):
        model.components.append(build_component(int(str(cid)), group, model.levels, model.settings,
                                                no_good=no_good))
    model.build_seconds = time.perf_counter() - t0  # candidates included: prepare() ran inside this span
    return model


def prepare(park: Park, options: MatchOptions | None = None, *, together: bool = False) -> MatchModel:
    """Everything before PuLP: candidates, their pruning status and their component (explanations need no more)."""
    t0 = time.perf_counter()
    settings = resolve(park, options)
    ctx = prepare_streams(park, settings)
    links, levels = build_links(ctx)
    forced_unmatched = classify_links(links, settings, together=together)
    t1 = time.perf_counter()
    return MatchModel(ctx=ctx, settings=settings, links=links, levels=levels, forced_unmatched=forced_unmatched,
                      candidate_seconds=t1 - t0, build_seconds=t1 - t0)


def classify_links(links: pd.DataFrame, settings: Settings, *, together: bool = False) -> tuple[int, ...]:
    """The model's view of the candidate links under `settings`, added to `links` in place: the objective
    coefficients (obj, fixed), each candidate's pruning status (status; forced, forced_sized) and its independent
    component (component, -1 when pruned). Returns the forced selectors that pick no candidate left in the model.
    The one copy of this step: `prepare` runs it on fresh candidates, matching.propose.prepare_model on prebuilt
    ones."""
    obj, fixed = objective_coefficients(links, settings)
    links["obj"] = obj
    links["fixed"] = fixed
    links["status"] = "model"
    status = _prune(links, settings, obj, fixed)
    links["status"] = status
    # a forced link is held to the category's minimum size only: forcing means "build it", whatever it avoids
    links["min_quantity"] = np.where(links["forced"], links["min_size"],
                                     np.maximum(links["min_size"], links["min_dust"]))
    forced_unmatched = tuple(k for k, sel in enumerate(settings.forced)
                             if not (selector_mask(links, sel) & (status == "model")).any())
    active = links[links["status"] == "model"]
    links["component"] = -1
    if not active.empty:
        links.loc[active.index, "component"] = _components(active, settings, together=together)
    return forced_unmatched


def _prune(links: pd.DataFrame, settings: Settings, obj: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Each candidate's status (matching.tables.LINK_STATUSES): forbidden by a selector, below its minimum size, of no benefit, or
    in the model. Adds the columns forced and forced_sized (picked by a forced selector; one stating a quantity)."""
    forced_any = np.zeros(len(links), dtype=bool)
    forced_sized = np.zeros(len(links), dtype=bool)  # picked by a forced selector that states a quantity
    for sel in settings.forced:
        picked = selector_mask(links, sel)
        forced_any |= picked
        if sel.quantity is not None:
            forced_sized |= picked
    links["forced"] = forced_any
    links["forced_sized"] = forced_sized
    forbidden = np.zeros(len(links), dtype=bool)
    for sel in settings.forbidden:
        forbidden |= selector_mask(links, sel)
    # A link that can never raise the objective is left out, unless a constraint could make it useful:
    # a forced selector (it may be the cheapest way to satisfy it) or an epsilon cost cap (it may save money).
    keep_for_constraints = forced_any | (settings.epsilon_cost is not None)
    if settings.target_tco2e is not None:  # a link avoiding something net may be needed to reach the target
        net_best = links["net_coef"].to_numpy(dtype=float) * links["capacity"].to_numpy(dtype=float) \
            - links["tco2e_fixed"].to_numpy(dtype=float)
        keep_for_constraints = keep_for_constraints | ((links["net_coef"].to_numpy(dtype=float) > 0) & (net_best > 0))
    best = obj * links["capacity"].to_numpy(dtype=float) + fixed
    no_benefit = (obj <= 0) | (best <= 0)
    smallest = np.maximum(links["min_size"].to_numpy(dtype=float), links["min_dust"].to_numpy(dtype=float))
    below = links["capacity"].to_numpy(dtype=float) < smallest * (1 - 1e-9)
    zero = links["capacity"].to_numpy(dtype=float) <= 0
    return np.where(forbidden, "forbidden", np.where(zero | (below & ~forced_any), "below_minimum",
                    np.where(no_benefit & ~keep_for_constraints, "no_benefit", "model")))


def opposite_pairs(links: pd.DataFrame) -> pd.DataFrame:
    """Pairs of material links (lid_a < lid_b) that carry the same (output, input) material pair between the same
    two enterprises in opposite directions, e.g. waste solvent E10->E42 and E42->E10: at most one of each pair may
    be built. One self-merge of the links table on (supplier, receiver, materials) swapped."""
    mat = links.loc[links["kind"] == "material", ["lid", "supplier_id", "receiver_id", "material_out", "material_in"]]
    if mat.empty:
        return pd.DataFrame({"lid_a": pd.Series(dtype=int), "lid_b": pd.Series(dtype=int)})
    back = mat.rename(columns={"lid": "lid_b", "supplier_id": "receiver_id", "receiver_id": "supplier_id"})
    pairs = mat.rename(columns={"lid": "lid_a"}).merge(
        back, on=["supplier_id", "receiver_id", "material_out", "material_in"])
    pairs = pairs[pairs["lid_a"] < pairs["lid_b"]]
    return pairs[["lid_a", "lid_b"]].reset_index(drop=True)


def fuel_groups(links: pd.DataFrame) -> pd.DataFrame:
    """Links that share a receiver's fuel (columns lid, kind, receiver_id, fuel, receiver_stream_id): per receiver
    and fuel (candidates.fuel_columns), the groups that need a fuel row, i.e. with at least one boiler-heat link and
    at least two links. Material links alone are held by their demand rows (whose sum is the fuel room), a single
    link by its capacity (already cut to the fuel room)."""
    f = links.loc[links["fuel"] != "", ["lid", "kind", "receiver_id", "fuel", "receiver_stream_id"]]
    if f.empty:
        return f
    keys = [f["receiver_id"], f["fuel"]]
    has_heat = (f["kind"] == "heat").groupby(keys).transform("any").to_numpy(dtype=bool)
    size = f["lid"].groupby(keys).transform("size").to_numpy(dtype=int)
    return f[has_heat & (size > 1)]


def _components(active: pd.DataFrame, settings: Settings, together: bool) -> np.ndarray:
    """Connected components of the candidate graph (nodes: streams; edges: links, plus whatever couples links:
    a per-enterprise cap ties an enterprise's streams, a forced selector ties the links it picks, a fuel row ties
    the receiver's streams that save the same fuel)."""
    if together or coupled(settings) or not settings.decompose:
        return np.zeros(len(active), dtype=int)
    g = nx.Graph()  # nodes are tagged tuples, so a stream id can never collide with an enterprise id
    def tagged(tag: str, values: pd.Series) -> list[tuple[str, object]]:
        return [(tag, v) for v in values]

    g.add_edges_from(zip(tagged("s", active["supplier_stream_id"]), tagged("s", active["receiver_stream_id"]),
                         strict=True))
    if settings.max_links_per_enterprise is not None:
        g.add_edges_from(zip(tagged("s", active["supplier_stream_id"]), tagged("e", active["supplier_id"]),
                             strict=True))
        g.add_edges_from(zip(tagged("s", active["receiver_stream_id"]), tagged("e", active["receiver_id"]),
                             strict=True))
    for k, sel in enumerate(settings.forced):
        picked = active[selector_mask(active, sel)]
        g.add_edges_from((("f", k), ("s", sid)) for sid in picked["supplier_stream_id"])
    fuel = fuel_groups(active)  # a fuel row ties the receiver streams of the links sharing that fuel
    g.add_edges_from(zip(zip(itertools.repeat("u"), fuel["receiver_id"], fuel["fuel"]),
                         tagged("s", fuel["receiver_stream_id"]), strict=True))
    two_way = opposite_pairs(active)  # a two-way row ties the streams of both links
    if len(two_way):
        out_of = dict(zip(active["lid"], active["supplier_stream_id"], strict=True))
        g.add_edges_from((("s", out_of[a]), ("s", out_of[b]))
                         for a, b in zip(two_way["lid_a"], two_way["lid_b"], strict=True))
    comp_of: dict[object, int] = {}
    for cid, nodes in enumerate(nx.connected_components(g)):
        for node in nodes:
            comp_of[node] = cid
    return np.array([comp_of[("s", sid)] for sid in active["supplier_stream_id"]], dtype=int)


def coupled(settings: Settings) -> bool:
    """A constraint over the whole plan (cost cap, investment budget, tonnes target) ties every link together."""
    return any(v is not None for v in (settings.epsilon_cost, settings.budget_capex_cny, settings.target_tco2e))


def _vars(prob: pulp.LpProblem, prefix: str, upper: np.ndarray | None, n: int,
          cat: str = "Continuous") -> list[pulp.LpVariable]:
    """n variables named by position; continuous ones in [0, upper] (no upper bound where upper is None/inf)."""
    if cat == "Binary":
        return [prob.add_variable(f"{prefix}{k}", cat=pulp.LpBinary) for k in range(n)]
    if upper is None:
        return [prob.add_variable(f"{prefix}{k}", lowBound=0) for k in range(n)]
    return [prob.add_variable(f"{prefix}{k}", lowBound=0, upBound=float(u) if np.isfinite(u) else None)
            for k, u in enumerate(upper)]


def _grouped(prob: pulp.LpProblem, terms: pd.DataFrame, keys: list[str], rhs: str, sense: int, prefix: str,
             skip_singletons: bool = False) -> int:
    """Add one constraint per group of `terms` (columns keys..., var, coef, rhs): sum coef var (sense) rhs.

    Each constraint's expression is built once from its (variable, coefficient) list.
    """
    if terms.empty:
        return 0
    codes = terms.groupby(keys, sort=False).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    codes = codes[order]
    variables = terms["var"].to_numpy(dtype=object)[order]
    coefs = terms["coef"].to_numpy(dtype=float)[order]
    rhs_values = terms[rhs].to_numpy(dtype=float)[order]
    cuts = np.flatnonzero(np.diff(codes)) + 1
    starts = np.r_[0, cuts]
    ends = np.r_[cuts, len(codes)]
    added = 0
    for g, (a, b) in enumerate(zip(starts, ends, strict=True)):
        if skip_singletons and b - a == 1:
            continue
        expr = pulp.LpAffineExpression(list(zip(variables[a:b], coefs[a:b], strict=True)))
        prob.addConstraint(pulp.LpConstraint(expr, sense, rhs=float(rhs_values[a])), f"{prefix}{g}")
        added += 1
    return added


def build_component(cid: int, links: pd.DataFrame, levels: HeatLevels, settings: Settings,
                    no_good: list[list[tuple[int, int]]] | None = None) -> ComponentModel:
    """The MILP of one component, from its links table (see the module docstring for the formulation)."""
    prob = pulp.LpProblem(f"match_{cid}", pulp.LpMaximize)
    links = links.copy()
    links["y"] = _vars(prob, "y", None, len(links), cat="Binary")
    mat = links[(links["kind"] != "heat").to_numpy()]
    x = _vars(prob, "x", mat["capacity"].to_numpy(dtype=float), len(mat))
    flows = _flow_terms(prob, links, mat, x, levels)
    by_lid = links.set_index("lid")
    _material_rows(prob, mat, x)
    _fuel_rows(prob, links, flows)
    _link_rows(prob, links, flows, by_lid)
    if settings.max_links_per_enterprise is not None:
        _firm_cap_rows(prob, links, settings.max_links_per_enterprise)
    _two_way_rows(prob, links)
    forced_here = _forced_rows(prob, links, flows, settings)
    if settings.epsilon_cost is not None:
        _epsilon_row(prob, links, flows, by_lid, settings.epsilon_cost)
    if settings.budget_capex_cny is not None:
        _plan_row(prob, links, flows, by_lid, ("capex_var", "capex_fixed"), pulp.LpConstraintLE,
                  settings.budget_capex_cny, "budget")
    if settings.target_tco2e is not None:
        _plan_row(prob, links, flows, by_lid, ("net_coef", "tco2e_fixed"), pulp.LpConstraintGE,
                  settings.target_tco2e, "target", fixed_sign=-1.0)
    _no_good_rows(prob, links, no_good or [])
    obj_flow = by_lid.loc[flows["lid"], "obj"].to_numpy(dtype=float)
    objective = [(v, c) for v, c in zip(flows["var"], obj_flow, strict=True) if c != 0]
    objective += [(v, c) for v, c in zip(links["y"], links["fixed"].to_numpy(dtype=float), strict=True) if c != 0]
    prob.setObjective(pulp.LpAffineExpression(objective))
    trivial = float(np.sum(np.maximum(links["obj"].to_numpy(dtype=float), 0) * links["capacity"].to_numpy(dtype=float)))
    return ComponentModel(component=cid, problem=prob, links=links, flows=flows, forced=tuple(forced_here),
                          trivial_bound=trivial)


def _flow_terms(prob: pulp.LpProblem, links: pd.DataFrame, mat: pd.DataFrame, x: list[pulp.LpVariable],
                levels: HeatLevels) -> pd.DataFrame:
    """The flow terms of every link (lid, var, level, coef 1): x of the material links, and the heat block's
    q[l,k] (with its cascade and sink rows) for the heat links."""
    flow_parts = [pd.DataFrame({"lid": mat["lid"].to_numpy(), "var": x, "level": -1,
                                "periods": pd.Series([None] * len(mat), dtype=object)})]
    heat = links[(links["kind"] == "heat").to_numpy()]
    if len(heat):
        flow_parts.append(_heat_block(prob, heat, levels))
    flows = pd.concat(flow_parts, ignore_index=True)
    flows["coef"] = 1.0
    # None: the term covers every period (material links, and heat in the annual model or a single block)
    flows["periods"] = pd.Series([p if isinstance(p, tuple) else None for p in flows["periods"]], index=flows.index,
                                 dtype=object)
    return flows


def _material_rows(prob: pulp.LpProblem, mat: pd.DataFrame, x: list[pulp.LpVariable]) -> None:
    """Material supply, demand and share caps."""
    mterms = pd.DataFrame({"var": x, "supplier_stream_id": mat["supplier_stream_id"].to_numpy(),
                           "receiver_stream_id": mat["receiver_stream_id"].to_numpy(),
                           "rule_id": mat["rule_id"].to_numpy(), "ratio": mat["ratio"].to_numpy(dtype=float),
                           "supply": mat["supply"].to_numpy(dtype=float), "demand": mat["demand"].to_numpy(dtype=float),
                           "share": mat["max_share"].to_numpy(dtype=float),
                           "room": mat["share_room"].to_numpy(dtype=float),
                           "joint": mat["joint_share"].to_numpy(dtype=float),
                           "joint_room": mat["joint_room"].to_numpy(dtype=float),
                           "mix_weight": mat["mix_weight"].to_numpy(dtype=float),
                           "mix_room": mat["mix_room"].to_numpy(dtype=float),
                           "mix_existing": mat["mix_existing"].to_numpy(dtype=bool)})
    mterms["coef"] = 1.0
    _grouped(prob, mterms, ["supplier_stream_id"], "supply", pulp.LpConstraintLE, "supply", skip_singletons=True)
    dterms = mterms.assign(coef=mterms["ratio"])
    _grouped(prob, dterms, ["receiver_stream_id"], "demand", pulp.LpConstraintLE, "demand", skip_singletons=True)
    capped = dterms[dterms["share"] < 1]
    _grouped(prob, capped, ["receiver_stream_id", "rule_id"], "room", pulp.LpConstraintLE, "share",
             skip_singletons=True)
    jointly = dterms[dterms["joint"] < 1]  # all substitutes of a receiving process together
    _grouped(prob, jointly, ["receiver_stream_id"], "joint_room", pulp.LpConstraintLE, "joint",
             skip_singletons=True)
    mixing = mterms[mterms["mix_weight"] > 0]  # where substitutes of two or more rules meet, existing ones counted
    by_input = mixing.groupby("receiver_stream_id")
    mixing = mixing[(by_input["rule_id"].transform("nunique") > 1) | by_input["mix_existing"].transform("any")]
    _grouped(prob, mixing.assign(coef=mixing["mix_weight"]), ["receiver_stream_id"], "mix_room",
             pulp.LpConstraintLE, "mix")


def _fuel_rows(prob: pulp.LpProblem, links: pd.DataFrame, flows: pd.DataFrame) -> None:
    """Fuel saved at a receiver: material links into its fuel rows and heat from its own boilers together."""
    shared = fuel_groups(links)
    if len(shared):
        fuel_info = links.loc[links["lid"].isin(shared["lid"]), ["lid", "receiver_id", "fuel", "fuel_per_unit",
                                                                 "fuel_room"]]
        fterms = flows[["lid", "var"]].merge(fuel_info, on="lid")
        fterms["coef"] = fterms["fuel_per_unit"]
        _grouped(prob, fterms, ["receiver_id", "fuel"], "fuel_room", pulp.LpConstraintLE, "fuel")


def _link_rows(prob: pulp.LpProblem, links: pd.DataFrame, flows: pd.DataFrame, by_lid: pd.DataFrame) -> None:
    """Link on/off: flow <= cap y ; flow >= min y."""
    ylinks = pd.DataFrame({"lid": links["lid"].to_numpy(), "var": links["y"].to_numpy(dtype=object)})
    upper = pd.concat([flows[["lid", "var", "coef"]],
                       ylinks.assign(coef=-by_lid.loc[ylinks["lid"], "capacity"].to_numpy(dtype=float))],
                      ignore_index=True).assign(rhs=0.0)
    _grouped(prob, upper, ["lid"], "rhs", pulp.LpConstraintLE, "linkmax")
    lower = pd.concat([flows[["lid", "var", "coef"]],
                       ylinks.assign(coef=-by_lid.loc[ylinks["lid"], "min_quantity"].to_numpy(dtype=float))],
                      ignore_index=True).assign(rhs=0.0)
    _grouped(prob, lower, ["lid"], "rhs", pulp.LpConstraintGE, "linkmin")


def _firm_cap_rows(prob: pulp.LpProblem, links: pd.DataFrame, cap: int) -> None:
    """At most `cap` links touch an enterprise (rows only where more links than that could)."""
    ends = pd.concat([pd.DataFrame({"enterprise": links["supplier_id"].to_numpy(), "var": links["y"].to_numpy()}),
                      pd.DataFrame({"enterprise": links["receiver_id"].to_numpy(), "var": links["y"].to_numpy()})],
                     ignore_index=True).assign(coef=1.0, rhs=float(cap))
    counts = ends.groupby("enterprise")["var"].transform("size")
    _grouped(prob, ends[counts > cap], ["enterprise"], "rhs", pulp.LpConstraintLE, "firmcap")


def _two_way_rows(prob: pulp.LpProblem, links: pd.DataFrame) -> None:
    """No back-and-forth: y[S->R] + y[R->S] <= 1 for opposite links of the same material pair."""
    two_way = opposite_pairs(links)
    if len(two_way):
        y_by_lid = pd.Series(links["y"].to_numpy(dtype=object), index=links["lid"].to_numpy())
        pair = np.arange(len(two_way))
        pair_terms = pd.DataFrame({"pair": np.concatenate([pair, pair]),
                                   "var": np.concatenate([y_by_lid.loc[two_way["lid_a"]].to_numpy(dtype=object),
                                                          y_by_lid.loc[two_way["lid_b"]].to_numpy(dtype=object)]),
                                   "coef": 1.0, "rhs": 1.0})
        _grouped(prob, pair_terms, ["pair"], "rhs", pulp.LpConstraintLE, "twoway")


def _forced_rows(prob: pulp.LpProblem, links: pd.DataFrame, flows: pd.DataFrame, settings: Settings) -> list[int]:
    """Each forced selector picking a link here: at least one picked link built, and with a stated quantity the
    picked links' flows at least that. Returns the indices (into settings.forced) of those selectors."""
    forced_here: list[int] = []
    for k, sel in enumerate(settings.forced):
        mask = selector_mask(links, sel)
        if mask.any():
            forced_here.append(k)
            expr = pulp.LpAffineExpression([(v, 1.0) for v in links.loc[mask, "y"]])
            prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintGE, rhs=1.0), f"forced{k}")
            if sel.quantity is not None:  # a stated size: the picked links together carry at least that much
                picked = flows[flows["lid"].isin(links.loc[mask, "lid"])]
                sized = pulp.LpAffineExpression([(v, 1.0) for v in picked["var"]])
                prob.addConstraint(pulp.LpConstraint(sized, pulp.LpConstraintGE, rhs=float(sel.quantity)),
                                   f"forcedqty{k}")
    return forced_here


def _epsilon_row(prob: pulp.LpProblem, links: pd.DataFrame, flows: pd.DataFrame, by_lid: pd.DataFrame,
                 epsilon_cost: float) -> None:
    """The epsilon-constraint on cost: variable and fixed link costs together at most `epsilon_cost`."""
    cost_terms = [(v, c) for v, c in zip(flows["var"], by_lid.loc[flows["lid"], "cost_var"].to_numpy(dtype=float),
                                         strict=True) if c != 0]
    cost_terms += [(v, c) for v, c in zip(links["y"], links["cost_fixed"].to_numpy(dtype=float), strict=True)
                   if c != 0]
    prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(cost_terms), pulp.LpConstraintLE,
                                         rhs=float(epsilon_cost)), "epsilon")


def _plan_row(prob: pulp.LpProblem, links: pd.DataFrame, flows: pd.DataFrame, by_lid: pd.DataFrame,
              columns: tuple[str, str], sense: int, rhs: float, name: str, fixed_sign: float = 1.0) -> None:
    """One row over the whole plan: sum per_unit_l flow_l + sign x fixed_l y_l (sense) rhs (budget, target)."""
    per_unit, fixed = columns
    terms = [(v, c) for v, c in zip(flows["var"], by_lid.loc[flows["lid"], per_unit].to_numpy(dtype=float),
                                     strict=True) if c != 0]
    terms += [(v, fixed_sign * c) for v, c in zip(links["y"], links[fixed].to_numpy(dtype=float), strict=True)
              if c != 0]
    prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(terms), sense, rhs=float(rhs)), name)


def _no_good_rows(prob: pulp.LpProblem, links: pd.DataFrame, no_good: list[list[tuple[int, int]]]) -> None:
    """One cut per earlier plan pattern (lid, 0/1): sum_{value=0} y + sum_{value=1} (1 - y) >= 1."""
    for c, pattern in enumerate(no_good):
        y_of = dict(zip(links["lid"], links["y"], strict=True))
        terms = [(y_of[lid], 1.0 if value == 0 else -1.0) for lid, value in pattern if lid in y_of]
        ones = sum(1 for lid, value in pattern if value == 1 and lid in y_of)
        if terms:  # sum_{y=0} y + sum_{y=1} (1 - y) >= 1
            prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(terms), pulp.LpConstraintGE,
                                                 rhs=1.0 - ones), f"nogood{c}")


def _heat_block(prob: pulp.LpProblem, heat: pd.DataFrame, levels: HeatLevels) -> pd.DataFrame:
    """Heat variables q[l,k] and R[i,k], cascade and sink rows; returns the heat flow terms (lid, var, level).

    q[l,k] serves the sink in level k and is drawn from the source's cascade at the level source_level(k) of the
    link: k itself for a direct exchange, a hotter level for a link through a loop or along a long pipe
    (approach_extra_k; matching.heat.HeatLevels.source_level)."""
    top = levels.top()
    cold = levels.cold.rename(columns={"stream_id": "receiver_stream_id", "q": "D"})
    rows = heat[["lid", "supplier_stream_id", "receiver_stream_id", "delivered_fraction", "capacity",
                 "approach_extra_k"]].merge(cold, on="receiver_stream_id")
    rows["src_level"] = levels.source_level(rows["level"].to_numpy(dtype=int),
                                            rows["approach_extra_k"].to_numpy(dtype=float))
    rows = rows[rows["src_level"].to_numpy() >= rows["supplier_stream_id"].map(top).to_numpy()].reset_index(drop=True)
    if levels.periods is None:
        return _heat_rows(prob, rows, levels, top, "", None, None)
    # per operating period (matching.periods): one block of q, R, cascade and sink rows per group of periods in
    # which every stream here runs at the same rates; q of a block is split into its periods by hours when read
    ids = [*rows["supplier_stream_id"].astype(str), *rows["receiver_stream_id"].astype(str)]
    blocks = levels.periods.blocks(ids)
    if len(blocks) == 1:
        return _heat_rows(prob, rows, levels, top, "", None, None)
    index = {sid: i for i, sid in enumerate(dict.fromkeys(ids))}
    parts = []
    for b, (block_periods, share) in enumerate(blocks):
        src_share = share[[index[str(x)] for x in rows["supplier_stream_id"]]]
        sink_share = share[[index[str(x)] for x in rows["receiver_stream_id"]]]
        keep = (src_share > 0) & (sink_share > 0)
        if not keep.any():
            continue
        sub = rows[keep].reset_index(drop=True)
        by_stream = dict(zip(index, share, strict=True))
        part = _heat_rows(prob, sub, levels, top, f"b{b}_", sink_share[keep], by_stream)
        part["periods"] = pd.Series([block_periods] * len(part), dtype=object)
        parts.append(part)
    if not parts:
        return pd.DataFrame({"lid": pd.Series(dtype=int), "var": pd.Series(dtype=object),
                             "level": pd.Series(dtype=int), "periods": pd.Series(dtype=object)})
    return pd.concat(parts, ignore_index=True)


def _heat_rows(prob: pulp.LpProblem, rows: pd.DataFrame, levels: HeatLevels, top: pd.Series, tag: str,
               sink_share: np.ndarray | None, share: dict[str, float] | None) -> pd.DataFrame:
    """q, R, cascade and sink rows of one block of periods (`tag` names its variables and rows; shares of each
    stream's annual heat in the block, None: the whole year)."""
    delivered = rows["delivered_fraction"].to_numpy(dtype=float)
    demand = rows["D"].to_numpy(dtype=float) * (1.0 if sink_share is None else sink_share)
    upper = np.minimum(rows["capacity"].to_numpy(dtype=float), demand / np.where(delivered > 0, delivered, 1.0))
    rows = rows.assign(D=demand)
    rows["var"] = _vars(prob, f"q{tag}", upper, len(rows))

    # source-specific cascade, from the source's top level down to the lowest level it serves
    sources = rows.groupby("supplier_stream_id")["src_level"].max().rename("last").to_frame()
    sources["top"] = top.reindex(sources.index).to_numpy()
    counts = (sources["last"] - sources["top"]).to_numpy(dtype=int)  # R[i,k] for k in [top, last)
    src = np.repeat(sources.index.to_numpy(dtype=object), counts)
    k = np.repeat(sources["top"].to_numpy(dtype=int), counts) + (
        np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
    r_vars = _vars(prob, f"R{tag}", None, len(src))
    r_out = pd.DataFrame({"supplier_stream_id": src, "level": k, "var": r_vars, "coef": 1.0})
    r_in = pd.DataFrame({"supplier_stream_id": src, "level": k + 1, "var": r_vars, "coef": -1.0})
    q_terms = pd.DataFrame({"supplier_stream_id": rows["supplier_stream_id"], "level": rows["src_level"],
                            "var": rows["var"], "coef": 1.0})
    terms = pd.concat([q_terms, r_out, r_in], ignore_index=True)
    hot = levels.hot.rename(columns={"stream_id": "supplier_stream_id", "q": "Q"})
    terms = terms.merge(hot, on=["supplier_stream_id", "level"], how="left")
    terms["Q"] = terms["Q"].fillna(0.0)
    if share is not None:
        terms["Q"] = terms["Q"] * terms["supplier_stream_id"].astype(str).map(share).to_numpy(dtype=float)
    _grouped(prob, terms, ["supplier_stream_id", "level"], "Q", pulp.LpConstraintLE, f"cascade{tag}")

    sink = pd.DataFrame({"receiver_stream_id": rows["receiver_stream_id"], "level": rows["level"],
                         "var": rows["var"], "coef": delivered, "D": rows["D"]})
    _grouped(prob, sink, ["receiver_stream_id", "level"], "D", pulp.LpConstraintLE, f"sink{tag}", skip_singletons=True)
    return rows[["lid", "var", "level"]]
