"""Candidate links: which output may feed which input, how far, how much at most, and what one unit is worth.

Never all pairs. Materials: outputs are joined to the substitution rules on material, the rules' modes decide
the reach, a KD-tree per mode finds the enterprises within reach of each supplier, and only then are the
receivers' inputs joined on (enterprise, material). Heat: every heat output may serve every heat input within
the pipe reach, where the temperature levels allow it. Each candidate row then gets its per-unit accounting
(symbiosis.core.accounting), costs, capacity (big-M) and minimum size, computed column-wise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from matching.heat import HeatLevels, heat_levels
from matching.options import Settings
from matching.periods import heat_periods, season_note
from matching.tables import validate_candidate_links
from symbiosis.core.accounting import ITEMS, net_per_unit, unit_coefficients
from symbiosis.core.economics import EconomicsTable, annuity_factor, cost_terms
from symbiosis.core.exchanges import (
    HEAT_RULE_ID,
    ExchangeAllocation,
    allocate_exchanges,
    rule_mode,
    substitution_rules,
)
from symbiosis.core.exchanges import is_identity_rule as is_identity_rule  # re-exported for matching.explain
from symbiosis.core.factors import FactorTable
from symbiosis.core.heat_profiles import CARRIER_MODE, is_steam_material, row_profile, transfer_parameters
from symbiosis.core.i18n import register
from symbiosis.core.park import Park
from symbiosis.core.receiving import joint_caps
from symbiosis.core.rulebook import (
    BOILER_FUEL,
    FUELS,
    OWN_PRODUCTION,
    Note,
    boiler_efficiency,
    delivered_fraction,
    own_production_side,
    process_held,
)
from symbiosis.core.taxonomy import water_grades

STEAM_MATERIALS: frozenset[str] = frozenset({"waste_steam", "process_steam"})
WATER_CATEGORIES: frozenset[str] = frozenset({"water", "wastewater"})
# A built link carries at least this share of its capacity, so a binary at 1 always means a real flow (no-good
# cuts between alternative plans then differ in real links, never in an empty one).
MIN_SHARE_OF_CAPACITY = 1e-6
# Widest temperature level (K) once a heat link needs more than dt_min_k: such a link is held to levels wholly
# extra_k hotter than the sink's (matching.heat.HeatLevels.source_level), so it loses at most about two level widths
# of the sink's range. 2 K instead of 5 K: 7.6 s instead of 1.1 s for the demo for +1 % heat (measured).
LOOP_LEVEL_WIDTH_K = 5.0
# Set to "1" (tests/conftest.py does) to check every candidate table against matching.tables.CANDIDATE_LINK_SCHEMA;
# off by default: the check costs about half of what building the links does.
CHECK_TABLES_ENV = "SYMBIOSIS_CHECK_TABLES"
LINK_COLUMNS: tuple[str, ...] = (
    "lid", "kind", "supplier_stream_id", "receiver_stream_id", "supplier_id", "receiver_id", "material_out",
    "material_in", "category", "category_in", "unit_out", "unit_in", "baseline_out", "baseline_in", "rule_id",
    "ratio", "max_share", "mode", "reach_km", "pretreatment_kwh_per_unit", "hazardous_code", "distance_km",
    "delivered_fraction", "supply", "demand", "share_room", "temperature_supply_c", "temperature_sink_c",
    "approach_extra_k", "price_out", "price_in",
    "displaced_out", "joint_share", "joint_room", "mix_weight", "mix_room", "mix_existing", "process_held",
)


def heat_mode(material: str) -> str:
    return "pipe_steam" if material in STEAM_MATERIALS else "pipe_heat"


@dataclass
class Context:
    """Everything candidates, the model and the explanations share for one park and one set of settings."""

    park: Park
    settings: Settings
    factors: FactorTable
    streams: pd.DataFrame  # one row per stream, with position and `available` after existing exchanges
    messages: list[tuple[str, str]] = field(default_factory=list)  # (en, zh)
    # input taken by existing exchanges under each rule, per (receiver stream, rule_id): a share cap counts it
    existing_rule_use: dict[tuple[str, str], float] = field(default_factory=dict)
    allocation: ExchangeAllocation | None = None  # which rows the existing exchanges took (symbiosis.core.exchanges)


def _grade_limits() -> tuple[int, int]:
    ranks = [g.rank for g in water_grades().values()]
    return (min(ranks), max(ranks)) if ranks else (0, 0)


def prepare_streams(park: Park, settings: Settings, *, allocation: ExchangeAllocation | None = None) -> Context:
    """Streams with positions, effective water ranks and what remains after existing exchanges.

    `allocation`: the existing exchanges already taken off the ledger (symbiosis.core.exchanges.allocate_exchanges
    with these settings' factor table and Scope 2 setting), e.g. a session's one allocation; None: allocate here.
    """
    factors = FactorTable(park.config, settings.factor_overrides)
    s = park.streams.copy()
    pos = park.enterprises.set_index("enterprise_id")[["x_km", "y_km"]]
    s = s.join(pos, on="enterprise_id")
    s["quantity"] = s["quantity"].fillna(0.0)
    low, high = _grade_limits()
    rank = s["quality_rank"].astype(int)
    # Without a grade a supply counts as the lowest grade and a demand as needing the highest (contracts.md).
    s["supply_rank"] = np.where(rank >= 0, rank, low)
    s["demand_rank"] = np.where(rank >= 0, rank, high)
    for col in ("baseline", "hazardous_code"):
        s[col] = s[col].fillna("").astype(str)
    price = s["price_cny_per_unit"] if "price_cny_per_unit" in s.columns else pd.Series(np.nan, index=s.index)
    s["price_cny_per_unit"] = pd.to_numeric(price, errors="coerce")
    ctx = Context(park=park, settings=settings, factors=factors, streams=s)
    s["available"] = _after_exchanges(ctx, allocation)
    s.index = pd.Index(s["stream_id"].to_numpy(), dtype=object)  # look-ups by stream id; no index name, so
    ctx.streams = s  # merges on the stream_id column stay unambiguous
    return ctx


def _after_exchanges(ctx: Context, allocation: ExchangeAllocation | None = None) -> np.ndarray:
    """Quantities left once the park's existing exchanges have taken their share (supplier and receiver sides).

    Which rows an exchange comes off is decided in one place, symbiosis.core.exchanges.allocate_exchanges, which the
    metabolism graph (flows/) uses too: so a plan is sized on exactly what the graph shows as left. The ranking of
    the inputs a rule feeds uses this run's factors and Scope 2 setting, as the links are ranked. What an exchange
    gives an input under a rule counts against that rule's share cap (`existing_rule_use`). A prebuilt
    `allocation` is used as given (the caller made it with the same factors and Scope 2 setting).
    """
    s = ctx.streams
    if allocation is None:
        allocation = allocate_exchanges(ctx.park, ctx.factors, include_scope2=ctx.settings.include_scope2)
    ctx.allocation = allocation
    ctx.messages.extend(allocation.message_pairs())
    ctx.existing_rule_use.update(allocation.rule_use())
    taken = s["stream_id"].map(allocation.taken()).fillna(0.0).to_numpy(dtype=float)
    return s["quantity"].to_numpy(dtype=float) - taken


def pairs_within_reach(ctx: Context, suppliers: pd.DataFrame, mode: str) -> pd.DataFrame:
    """(supplier_id, receiver_id, distance_km) for enterprises within the mode's reach: one KD-tree query."""
    ent = ctx.park.enterprises
    reach = ctx.settings.reach_km[mode]
    xy = ent[["x_km", "y_km"]].to_numpy(dtype=float)
    ids = ent["enterprise_id"].to_numpy(dtype=object)
    sup_ids = suppliers["supplier_id"].drop_duplicates().to_numpy(dtype=object)
    if len(sup_ids) == 0 or len(ids) == 0:
        return pd.DataFrame({"supplier_id": [], "receiver_id": [], "distance_km": []})
    index = {e: i for i, e in enumerate(ids)}
    sup_xy = xy[[index[e] for e in sup_ids]]
    tree = cKDTree(xy)
    # a route is detour_factor x the straight line, so the straight line may be at most reach / detour
    hits = tree.query_ball_point(sup_xy, r=reach / ctx.settings.detour_factor + 1e-9)
    counts = np.array([len(h) for h in hits])
    rec = np.concatenate([np.asarray(h, dtype=int) for h in hits]) if counts.sum() else np.array([], dtype=int)
    sup_rows = np.repeat(np.arange(len(sup_ids)), counts)
    dist = np.hypot(*(xy[rec] - sup_xy[sup_rows]).T) * ctx.settings.detour_factor if len(rec) else np.array([])
    out = pd.DataFrame({"supplier_id": sup_ids[sup_rows], "receiver_id": ids[rec], "distance_km": dist})
    return out[out["supplier_id"] != out["receiver_id"]].reset_index(drop=True)


def _gather(ctx: Context, out_rows: np.ndarray, in_rows: np.ndarray) -> dict[str, np.ndarray]:
    """Stream attributes of both ends of many pairs by position: the joins carry positions, not wide rows."""
    s = ctx.streams
    cols: dict[str, np.ndarray] = {}
    for side, rows in (("out", out_rows), ("in", in_rows)):
        for name in ("stream_id", "enterprise_id", "material", "category", "unit", "baseline", "available",
                     "quantity", "temperature_c", "price_cny_per_unit", "hazardous_code", "displaced_use"):
            cols[f"{name}_{side}"] = s[name].to_numpy()[rows]
    return cols


def material_candidates(ctx: Context) -> pd.DataFrame:
    """Material and water candidates: outputs -> rules -> (within reach) -> receivers' inputs.

    The joins run on narrow frames of keys and row positions; the stream attributes are gathered at the end.
    """
    rules = active_rules(ctx.settings)
    outs, ins = _material_ends(ctx.streams)
    c = _rule_pairs_within_reach(ctx, outs, ins, rules)
    if c.empty:
        return pd.DataFrame(columns=list(LINK_COLUMNS))
    orow, irow, rrow = c["orow"].to_numpy(), c["irow"].to_numpy(), c["rrow"].to_numpy()
    keep = _quality_allows(ctx.streams, rules, orow, irow, rrow)
    return _material_links(ctx, rules, c[keep], orow[keep], irow[keep], rrow[keep])


def active_rules(settings: Settings) -> pd.DataFrame:
    """The substitution rules a run uses: those on by default (substitutions.csv `enabled`), and those switched off
    for want of a source too when the option disabled_rules says so."""
    rules = substitution_rules()
    if not settings.disabled_rules:
        rules = rules[rules["enabled"].astype(bool)]
    return rules.reset_index(drop=True)


def _material_ends(s: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The non-heat outputs (orow, supplier_id, material) and inputs (irow, receiver_id, input_material) with
    something left after existing exchanges, by position in the stream table."""
    position = np.arange(len(s))
    non_heat = (s["category"] != "heat").to_numpy() & (s["available"] > 0).to_numpy()
    is_out = (s["direction"] == "output").to_numpy()
    outs = pd.DataFrame({"orow": position[non_heat & is_out]})
    outs["supplier_id"] = s["enterprise_id"].to_numpy()[outs["orow"]]
    outs["material"] = s["material"].to_numpy()[outs["orow"]]
    ins = pd.DataFrame({"irow": position[non_heat & ~is_out]})
    ins["receiver_id"] = s["enterprise_id"].to_numpy()[ins["irow"]]
    ins["input_material"] = s["material"].to_numpy()[ins["irow"]]
    return outs, ins


def _rule_pairs_within_reach(ctx: Context, outs: pd.DataFrame, ins: pd.DataFrame,
                             rules: pd.DataFrame) -> pd.DataFrame:
    """Outputs joined to the rules on their material (hazardous only where a rule allows it), to the enterprises
    within the rule mode's reach, then to those receivers' inputs of the rule's input material: one row per
    (orow, rrow, irow) with mode and distance_km. Empty when nothing joins."""
    s = ctx.streams
    rules_slim = pd.DataFrame({"rrow": np.arange(len(rules)), "material": rules["output_material"],
                               "input_material": rules["input_material"]})
    o = outs.merge(rules_slim, on="material")
    if o.empty or ins.empty:
        return pd.DataFrame()
    category = s["category"].to_numpy()[o["orow"]]
    o["mode"] = [rule_mode(m, c) for m, c in zip(rules["rule_mode"].to_numpy()[o["rrow"]], category, strict=True)]
    hazardous = s["hazardous_code"].to_numpy()[o["orow"]] != ""
    o = o[~hazardous | rules["hazardous_allowed"].to_numpy()[o["rrow"]]]  # hazardous only where a rule allows it
    # only receivers that need one of the rule's input materials matter for the spatial query
    o = o[o["input_material"].isin(ins["input_material"])]
    parts = []
    for mode, group in o.groupby("mode"):
        near = pairs_within_reach(ctx, group, str(mode))
        parts.append(group.merge(near, on="supplier_id"))
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True).merge(ins, on=["receiver_id", "input_material"])


def _quality_allows(s: pd.DataFrame, rules: pd.DataFrame, orow: np.ndarray, irow: np.ndarray,
                    rrow: np.ndarray) -> np.ndarray:
    """Which pairs the water grades allow: a water supply at least the demand's grade and the rule's minimum; any
    other material passes."""
    water = np.isin(s["category"].to_numpy()[orow], list(WATER_CATEGORIES))
    supply_rank = s["supply_rank"].to_numpy()[orow]
    min_rank = rules["min_quality_rank"].to_numpy()[rrow]
    quality_ok = (supply_rank >= s["demand_rank"].to_numpy()[irow]) & (np.isnan(min_rank) | (supply_rank >= min_rank))
    return ~water | quality_ok


def _material_links(ctx: Context, rules: pd.DataFrame, c: pd.DataFrame, orow: np.ndarray, irow: np.ndarray,
                    rrow: np.ndarray) -> pd.DataFrame:
    """The candidate rows of the joined pairs: both ends' stream attributes, the rule's terms and the room its
    share cap leaves."""
    g = _gather(ctx, orow, irow)
    rule_ids = rules["rule_id"].to_numpy()[rrow]
    max_share = rules["max_share"].to_numpy(dtype=float)[rrow]
    # the share cap is on the whole input: what existing exchanges under the same rule give counts against it
    used = np.array([ctx.existing_rule_use.get((a, b), 0.0) for a, b in zip(g["stream_id_in"], rule_ids, strict=True)],
                    dtype=float)
    share_room = np.maximum(max_share * g["quantity_in"].astype(float) - used, 0.0)
    # the joint cap of the receiving process: all substitutes together (symbiosis.core.receiving), less what
    # existing exchanges under any substitution rule already give the input; identity rules are not substitutes
    substitutes = ~rules["rule_id"].map(is_identity_rule).to_numpy(dtype=bool)
    caps = joint_caps(rules[substitutes])
    joint_share = np.where(substitutes[rrow], pd.Series(g["material_in"]).map(caps).fillna(1.0).to_numpy(dtype=float),
                           1.0)
    used_all: dict[str, float] = {}
    for (stream, rule), amount in ctx.existing_rule_use.items():
        if not is_identity_rule(rule):
            used_all[stream] = used_all.get(stream, 0.0) + amount
    joint_used = np.array([used_all.get(a, 0.0) for a in g["stream_id_in"]], dtype=float)
    joint_room = np.where(joint_share < 1.0,
                          np.maximum(joint_share * g["quantity_in"].astype(float) - joint_used, 0.0), np.inf)
    # mixing: several substitutes of one input, each share measured against its own rule's cap, add up to at most
    # the whole input (each cap is the limit with that substitute alone; a mix is held to the line between them)
    mixed: dict[str, float] = {}
    share_of = dict(zip(rules["rule_id"], rules["max_share"].astype(float), strict=True))
    for (stream, rule), amount in ctx.existing_rule_use.items():
        if not is_identity_rule(rule) and share_of.get(rule, 0.0) > 0:
            mixed[stream] = mixed.get(stream, 0.0) + amount / share_of[rule]
    ratio = rules["ratio"].to_numpy(dtype=float)[rrow]
    with np.errstate(divide="ignore", invalid="ignore"):
        mix_weight = np.where(substitutes[rrow] & (max_share > 0), ratio / max_share, 0.0)
    mixed_in = np.array([mixed.get(a, 0.0) for a in g["stream_id_in"]], dtype=float)
    mix_room = np.maximum(g["quantity_in"].astype(float) - mixed_in, 0.0)
    return pd.DataFrame({
        "kind": "material",
        "supplier_stream_id": g["stream_id_out"], "receiver_stream_id": g["stream_id_in"],
        "supplier_id": g["enterprise_id_out"], "receiver_id": g["enterprise_id_in"],
        "material_out": g["material_out"], "material_in": g["material_in"],
        "category": g["category_out"], "category_in": g["category_in"],
        "unit_out": g["unit_out"], "unit_in": g["unit_in"],
        "baseline_out": g["baseline_out"], "baseline_in": g["baseline_in"], "rule_id": rule_ids,
        "ratio": rules["ratio"].to_numpy(dtype=float)[rrow], "max_share": max_share, "mode": c["mode"].to_numpy(),
        "pretreatment_kwh_per_unit": rules["pretreatment_kwh_per_unit"].to_numpy(dtype=float)[rrow],
        "hazardous_code": g["hazardous_code_out"], "distance_km": c["distance_km"].to_numpy(),
        "delivered_fraction": 1.0, "supply": g["available_out"], "demand": g["available_in"],
        "share_room": share_room, "joint_share": joint_share, "joint_room": joint_room,
        "mix_weight": mix_weight, "mix_room": mix_room, "mix_existing": mixed_in > 0,
        "temperature_supply_c": np.nan, "temperature_sink_c": np.nan, "approach_extra_k": 0.0,
        "price_out": g["price_cny_per_unit_out"], "price_in": g["price_cny_per_unit_in"],
        "displaced_out": g["displaced_use_out"],
    })


def heat_streams(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hot (heat outputs) and cold (heat inputs) segments of the streams with heat left, as heat_levels() wants
    them: one row per segment of each stream's temperature–enthalpy profile (symbiosis.core.heat_profiles; steam
    by IAPWS-IF97), its share of what is left after existing exchanges. A flue gas held above its acid dew point
    keeps only the heat above it, with a message."""
    s = ctx.streams
    heat = s[(s["category"] == "heat") & (s["available"] > 0)
             & s["temperature_c"].notna() & s["temperature_return_c"].notna()]
    nan = pd.Series(np.nan, index=heat.index)
    pressure = pd.to_numeric(heat.get("pressure_mpa", nan), errors="coerce").to_numpy(dtype=float)
    acid = pd.to_numeric(heat.get("acid_dew_point_c", nan), errors="coerce").to_numpy(dtype=float)
    rows: dict[str, list[tuple[str, float, float, float]]] = {"output": [], "input": []}
    steam_rows = 0
    for k, (sid, material, direction, t_hi, t_lo, q) in enumerate(zip(
            heat["stream_id"], heat["material"], heat["direction"], heat["temperature_c"],
            heat["temperature_return_c"], heat["available"], strict=True)):
        try:
            prof = row_profile(str(material), "heat", str(direction), float(t_hi), float(t_lo), float(q),
                               None if np.isnan(pressure[k]) else float(pressure[k]),
                               None if np.isnan(acid[k]) else float(acid[k]))
        except ValueError as exc:  # outside IAPWS-IF97 (the loader reports it): kept as a straight line
            ctx.messages.append((f"{sid}: {exc}; kept as a straight line",
                                 f"{sid}：{exc}；按线性温焓曲线计"))
            prof = row_profile("", "heat", str(direction), float(t_hi), float(t_lo), float(q))
        if is_steam_material(str(material), "heat"):
            steam_rows += 1
        elif prof.note:
            ctx.messages.append((f"{sid}: {prof.note}", f"{sid}：{prof.note_zh}"))
        for seg, share in zip(prof.segments, prof.shares, strict=True):
            rows[str(direction)].append((str(sid), seg.t_high, seg.t_low, prof.quantity * share))
    if steam_rows:
        ctx.messages.append((f"{steam_rows} steam row(s) matched on their IAPWS-IF97 profile (feed water or "
                             "condensate, latent heat at the saturation temperature, superheat): docs/heat.md",
                             f"{steam_rows} 个蒸汽行按水蒸气性质国际工业公式（1997）的焓–温曲线匹配（给水/凝结水、"
                             "饱和温度下的潜热、过热）"))

    def table(r: list[tuple[str, float, float, float]]) -> pd.DataFrame:
        return pd.DataFrame({"stream_id": pd.Series([x[0] for x in r], dtype=object),
                             "t_high": pd.Series([x[1] for x in r], dtype=float),
                             "t_low": pd.Series([x[2] for x in r], dtype=float),
                             "quantity": pd.Series([x[3] for x in r], dtype=float)})

    return table(rows["output"]), table(rows["input"])


def heat_candidates(ctx: Context, levels: HeatLevels) -> pd.DataFrame:
    """Heat pairs within pipe reach whose temperatures allow some heat to pass (top of source >= sink's bottom)."""
    s = ctx.streams
    top, bottom = levels.top(), levels.bottom()
    position = pd.Series(np.arange(len(s)), index=s.index)
    hot = pd.DataFrame({"orow": position.loc[top.index].to_numpy()})
    cold = pd.DataFrame({"irow": position.loc[bottom.index].to_numpy()})
    if hot.empty or cold.empty:
        return pd.DataFrame(columns=list(LINK_COLUMNS))
    hot["supplier_id"] = s["enterprise_id"].to_numpy()[hot["orow"]]
    hot["mode"] = [heat_mode(m) for m in s["material"].to_numpy()[hot["orow"]]]
    cold["receiver_id"] = s["enterprise_id"].to_numpy()[cold["irow"]]
    parts = [g.merge(pairs_within_reach(ctx, g, str(m)), on="supplier_id") for m, g in hot.groupby("mode")]
    c = pd.concat(parts, ignore_index=True).merge(cold, on="receiver_id")
    if c.empty:
        return pd.DataFrame(columns=list(LINK_COLUMNS))
    orow, irow = c["orow"].to_numpy(), c["irow"].to_numpy()
    sid = s["stream_id"].to_numpy()
    extra = approach_extra_k(ctx.settings, c["mode"].to_numpy(), c["distance_km"].to_numpy(dtype=float))
    # the source's top level must reach the level the link draws from for the sink's lowest level
    reach = levels.source_level(bottom.reindex(sid[irow]).to_numpy(dtype=int), extra)
    keep = top.reindex(sid[orow]).to_numpy() <= reach
    c, orow, irow, extra = c[keep], orow[keep], irow[keep], extra[keep]
    g = _gather(ctx, orow, irow)
    modes = c["mode"].to_numpy()
    dist = c["distance_km"].to_numpy(dtype=float)
    return pd.DataFrame({
        "kind": "heat",
        "supplier_stream_id": g["stream_id_out"], "receiver_stream_id": g["stream_id_in"],
        "supplier_id": g["enterprise_id_out"], "receiver_id": g["enterprise_id_in"],
        "material_out": g["material_out"], "material_in": g["material_in"],
        "category": "heat", "category_in": "heat", "unit_out": g["unit_out"], "unit_in": g["unit_in"],
        "baseline_out": g["baseline_out"], "baseline_in": g["baseline_in"], "rule_id": HEAT_RULE_ID,
        "ratio": 1.0, "max_share": 1.0, "mode": modes, "pretreatment_kwh_per_unit": 0.0,
        "hazardous_code": "", "distance_km": dist,
        "delivered_fraction": delivered_fraction(modes.tolist(), dist, ctx.factors),
        "supply": g["available_out"], "demand": g["available_in"], "share_room": g["available_in"],
        "joint_share": 1.0, "joint_room": np.inf, "mix_weight": 0.0, "mix_room": np.inf, "mix_existing": False,
        "temperature_supply_c": g["temperature_c_out"], "temperature_sink_c": g["temperature_c_in"],
        "approach_extra_k": extra,
        "price_out": g["price_cny_per_unit_out"], "price_in": g["price_cny_per_unit_in"],
        "displaced_out": g["displaced_use_out"],
    })


def heat_carrier(modes: np.ndarray) -> np.ndarray:
    """The carrier of each heat link: the steam itself in a steam main, else an intermediate hot-water loop."""
    return np.where(np.asarray(modes, dtype=object) == "pipe_steam", "steam", "hot_water").astype(object)


def approach_extra_k(settings: Settings, modes: np.ndarray, distance_km: np.ndarray) -> np.ndarray:
    """Kelvin a heat link needs beyond dt_min_k (docs/heat.md): none for a direct exchange (route at most
    heat_direct_km); between plants (loop factor - 1) x dt_min_k for the carrier (a hot-water loop has two
    exchangers) plus the temperature lost along the route (K/km x km)."""
    carrier = heat_carrier(modes)
    dist = np.asarray(distance_km, dtype=float)
    factor = np.array([settings.heat_loop_factor[c] for c in carrier], dtype=float)
    drop = np.array([settings.heat_drop_k_per_km[c] for c in carrier], dtype=float)
    extra = np.maximum(factor - 1.0, 0.0) * settings.dt_min_k + drop * dist
    return np.where(dist <= settings.heat_direct_km, 0.0, np.round(extra, 6))


def heat_capacity(links: pd.DataFrame, levels: HeatLevels) -> np.ndarray:
    """Tight big-M of heat pairs: source heat at or above the sink's lowest level, and the sink's demand at or
    below the source's top level (grossed up for pipe losses), whichever is smaller."""
    if links.empty:
        return np.zeros(0)
    hot, cold = levels.hot, levels.cold
    bottom = levels.bottom()
    top = levels.top()
    extra = links["approach_extra_k"].to_numpy(dtype=float)
    # the lowest source level the link draws from (for the sink's lowest level)
    i_bottom = levels.source_level(links["receiver_stream_id"].map(bottom).to_numpy(dtype=int), extra)
    j_top = links["supplier_stream_id"].map(top).to_numpy()
    hot_by = {sid: (g["level"].to_numpy(), g["q"].to_numpy()) for sid, g in hot.groupby("stream_id")}
    cold_by = {sid: (g["level"].to_numpy(), g["q"].to_numpy()) for sid, g in cold.groupby("stream_id")}
    source = np.array([float(q[lv <= b].sum()) for (lv, q), b in
                       zip((hot_by[x] for x in links["supplier_stream_id"]), i_bottom, strict=True)])
    # sink levels whose source level lies at or below the source's top
    sink = np.array([float(q[levels.source_level(lv, np.full(len(lv), e)) >= t].sum()) for (lv, q), t, e in
                     zip((cold_by[x] for x in links["receiver_stream_id"]), j_top, extra, strict=True)])
    delivered = links["delivered_fraction"].to_numpy(dtype=float)
    with np.errstate(divide="ignore"):
        sink_side = np.where(delivered > 0, sink / np.where(delivered > 0, delivered, 1.0), 0.0)
    if levels.periods is not None:  # each period holds its own balance: the big-M is the sum of the periods' minima
        return levels.periods.capacity(links["supplier_stream_id"], links["receiver_stream_id"], source, sink_side)
    return np.minimum(source, sink_side)


def with_periods(ctx: Context, levels: HeatLevels) -> HeatLevels:
    """The heat levels with the park's operating periods (matching.periods) when it declares more than one; the
    default heating season, where it applies, is said in a message."""
    config = ctx.park.config
    if config.periods == "year":
        return levels
    hp = heat_periods(ctx.streams, config.periods, config.region, config.heating_season)
    note = season_note(hp, config.region)
    if note is not None:
        ctx.messages.append(note)
    return replace(levels, periods=hp)


def build_links(ctx: Context) -> tuple[pd.DataFrame, HeatLevels]:
    """All candidate links with accounting, costs, capacity and minimum size; and the heat levels."""
    hot, cold = heat_streams(ctx)
    # links between plants draw from a level wholly extra_k hotter: narrower levels lose less heat to that rule
    width = LOOP_LEVEL_WIDTH_K if _heat_between_plants(ctx, hot, cold) else None
    levels = heat_levels(hot, cold, ctx.settings.dt_min_k, max_width_k=width)
    levels = with_periods(ctx, levels)
    mat = material_candidates(ctx)
    heat = heat_candidates(ctx, levels)
    _check_heat_reach(ctx)
    links = pd.concat([df for df in (mat, heat) if not df.empty], ignore_index=True) if (
        not mat.empty or not heat.empty) else pd.DataFrame(columns=list(LINK_COLUMNS))
    links["lid"] = np.arange(len(links))
    for col in ("ratio", "max_share", "pretreatment_kwh_per_unit", "distance_km", "delivered_fraction", "supply",
                "demand", "share_room", "joint_share", "joint_room", "mix_weight", "mix_room", "temperature_supply_c",
                "temperature_sink_c", "approach_extra_k",
                "price_out", "price_in"):
        links[col] = pd.to_numeric(links[col], errors="coerce").astype(float)
    for col in ("baseline_out", "baseline_in", "hazardous_code", "displaced_out"):
        links[col] = links[col].fillna("").astype(str)
    links["mix_existing"] = links["mix_existing"].fillna(False).astype(bool)
    links["reach_km"] = links["mode"].map(ctx.settings.reach_km).astype(float)
    links["process_held"] = _process_held(ctx, links)
    coef = unit_coefficients(links, ctx.factors)
    for item in ITEMS:
        links[item] = coef[item].to_numpy(dtype=float) if len(links) else pd.Series(dtype=float)
    for item in ITEMS:
        links[f"ids_{item}"] = coef[f"ids_{item}"]
    links["factor_ids"] = coef["factor_ids"]
    links["notes"] = coef["notes"]
    _heat_notes(ctx, links)
    links["net_coef"] = net_per_unit(coef, ctx.settings.include_scope2) if len(links) else pd.Series(dtype=float)
    # capacity (big-M) and minimum size
    is_heat = links["kind"] == "heat"
    cap = np.minimum(links["supply"], np.minimum(links["demand"], np.minimum(links["share_room"], links["joint_room"]))
                     / links["ratio"]).to_numpy(dtype=float)
    weight = links["mix_weight"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):  # the mixing line alone, existing substitutes counted
        cap = np.minimum(cap, np.where(weight > 0, links["mix_room"].to_numpy(dtype=float) / weight, np.inf))
    if is_heat.any():
        cap[is_heat.to_numpy()] = heat_capacity(links[is_heat], levels)
    fuel_columns(ctx, links)
    # a link can never save more of the receiver's fuel than its fuel rows hold (binds for boiler heat only:
    # a material link into a fuel row is already held to that row's quantity)
    per_fuel = links["fuel_per_unit"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cap = np.minimum(cap, np.where(per_fuel > 0, links["fuel_room"].to_numpy(dtype=float) / per_fuel, np.inf))
    links["capacity"] = cap
    _costs(ctx, links)  # after the capacity: a pipe is sized for what its link could carry
    min_q = links["category"].map(ctx.settings.min_link_quantity).fillna(0.0).to_numpy(dtype=float)
    # no dust links: the flow at which the link's net avoided tCO2e/a reaches the option's minimum
    net = links["net_coef"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        dust = np.where(net > 0, ctx.settings.min_link_tco2e / net, 0.0)
    dust[links["category"].isin(list(WATER_CATEGORIES)).to_numpy()] = 0.0  # water links are for water: by quantity
    links["min_size"] = np.maximum(min_q, MIN_SHARE_OF_CAPACITY * cap)
    links["min_dust"] = dust  # a forced link is held to min_size only (matching.model.classify_links)
    links["min_quantity"] = np.maximum(links["min_size"], dust)
    links = links.reset_index(drop=True)
    if os.environ.get(CHECK_TABLES_ENV) == "1":  # the declared columns (matching.tables); costly, so on demand
        validate_candidate_links(links)
    return links, levels


HEAT_NOTES = register("note", name="note.heat", entries={
    "heat_loop": ("between plants through a hot-water loop over {km} km: approach {approach} K (two exchangers at "
                  "{dt} K and {drop} K lost along the pipe) instead of {dt} K",
                  "经热水中间循环跨厂输送 {km} km：换热温差 {approach} K（两级换热各 {dt} K，管道温降 {drop} K），"
                  "而非 {dt} K"),
    "heat_steam_main": ("steam piped {km} km: approach {approach} K ({dt} K at the receiver's exchanger and {drop} K "
                        "of saturation temperature lost along the main)",
                        "蒸汽管道输送 {km} km：换热温差 {approach} K（需方换热器 {dt} K，沿程饱和温度降 {drop} K）"),
    "heat_feed_water_only": ("the receiver's steam evaporates at {t_sat} °C, above what this source can reach: it "
                             "preheats feed water only (at most {share} % of the steam's heat)",
                             "需方蒸汽在 {t_sat} °C 汽化，高于本热源可及温度：仅能预热给水（至多占蒸汽热量的 "
                             "{share} %）"),
})


def _heat_notes(ctx: Context, links: pd.DataFrame) -> None:
    """Why a heat link carries what it does: the loop or steam main's approach, and a steam sink served by heat too
    cool for its evaporation (feed-water preheat only)."""
    heat = np.flatnonzero((links["kind"] == "heat").to_numpy())
    if not len(heat):
        return
    s = ctx.streams
    notes = list(links["notes"])
    dt = ctx.settings.dt_min_k
    for i in heat:
        row = links.iloc[i]
        extra = float(row["approach_extra_k"])
        added: list[Note] = []
        if extra > 0:
            carrier = heat_carrier(np.array([row["mode"]]))[0]
            drop = ctx.settings.heat_drop_k_per_km[carrier] * float(row["distance_km"])
            added.append(Note("heat_loop" if carrier == "hot_water" else "heat_steam_main",
                              (("km", f"{float(row['distance_km']):.1f}"), ("approach", f"{dt + extra:.1f}"),
                               ("dt", f"{dt * ctx.settings.heat_loop_factor[carrier] / 2 if carrier == 'hot_water' else dt:g}"),
                               ("drop", f"{drop:.1f}"))))
        receiver = s.loc[row["receiver_stream_id"]]
        if is_steam_material(str(receiver["material"]), "heat"):
            pressure = receiver.get("pressure_mpa", np.nan)
            try:
                prof = row_profile(str(receiver["material"]), "heat", "input", float(receiver["temperature_c"]),
                                   float(receiver["temperature_return_c"]), 1.0,
                                   None if pd.isna(pressure) else float(pressure))
            except ValueError:
                prof = None
            latent = [seg for seg in prof.segments if seg.kind == "latent"] if prof else []
            t_source = float(s.loc[row["supplier_stream_id"], "temperature_c"])
            if prof and latent and t_source - dt - extra < latent[0].t_high:
                share = sum(sh for seg, sh in zip(prof.segments, prof.shares, strict=True) if seg.kind == "feed_water")
                added.append(Note("heat_feed_water_only", (("t_sat", f"{latent[0].t_high:.0f}"),
                                                           ("share", f"{100 * share:.0f}"))))
        if added:
            notes[i] = (*notes[i], *added)
    links["notes"] = pd.Series(notes, index=links.index, dtype=object)


def _check_heat_reach(ctx: Context) -> None:
    """A planning reach beyond the supply radius of China's CHP rules (datasets/heat_transfer.csv) is kept, with a
    message: the park may know better, but the figure is then its own."""
    for carrier, mode in CARRIER_MODE.items():
        limit = transfer_parameters()[("reach_km", carrier)]
        if ctx.settings.reach_km[mode] > limit.value:
            ctx.messages.append((
                f"reach_km.{mode} = {ctx.settings.reach_km[mode]:g} km is beyond the {limit.value:g} km supply radius "
                f"of {carrier.replace('_', ' ')} in China's CHP rules ({limit.source.split(':')[0]})",
                f"{mode} 的输送距离 {ctx.settings.reach_km[mode]:g} km 超过热电联产规定的供热半径 {limit.value:g} km"
                f"（{'蒸汽' if carrier == 'steam' else '热水'}）"))


def _heat_between_plants(ctx: Context, hot: pd.DataFrame, cold: pd.DataFrame) -> bool:
    """Whether some heat pair may lie farther apart than heat_direct_km (then a loop's extra approach applies):
    the heat enterprises' bounding box, as routed, is longer than that."""
    if hot.empty or cold.empty:
        return False
    ids = set(hot["stream_id"]) | set(cold["stream_id"])
    xy = ctx.streams.loc[ctx.streams["stream_id"].isin(ids), ["x_km", "y_km"]].to_numpy(dtype=float)
    span = float(np.hypot(*(xy.max(axis=0) - xy.min(axis=0)))) * ctx.settings.detour_factor
    return span > ctx.settings.heat_direct_km


def _process_held(ctx: Context, links: pd.DataFrame) -> np.ndarray:
    """Per link: the receiver's own-made intermediate whose process row holds the calcination of the input the link
    replaces (rulebook.process_held), or ""."""
    s = ctx.streams
    own = s[(s["direction"] == "input") & (s["baseline"] == OWN_PRODUCTION)]
    made: dict[str, set[str]] = {}
    for enterprise, material in zip(own["enterprise_id"].astype(str), own["material"].astype(str), strict=True):
        made.setdefault(enterprise, set()).add(material)
    if not made or links.empty:
        return np.full(len(links), "", dtype=object)
    return np.array([process_held(str(m), made[r]) if r in made else ""
                     for r, m in zip(links["receiver_id"], links["material_in"], strict=True)], dtype=object)


def fuel_columns(ctx: Context, links: pd.DataFrame) -> None:
    """The receiver's fuel each link saves (the boiler-fuel ledger convention, docs/metabolism.md), column-wise.

    fuel           natural_gas, coal or electricity: a material link into an input of that material, or a heat link
                   into a heat input raised in the matching own boiler; "" when the link saves no listed fuel
    fuel_per_unit  fuel saved per unit of the link's flow: ratio (material), delivered share / boiler efficiency (heat)
    fuel_room      the receiver's input rows of that fuel, summed, after existing exchanges (NaN when fuel is "")

    A heat link whose receiver lists no row of its boiler's fuel saves no listed fuel (the heat row stands for the
    fuel): fuel "" and no coupling. A boiler without an efficiency factor likewise (flows/ then leaves the fuel row
    as it is).
    """
    n = len(links)
    if n == 0:
        links["fuel"] = pd.Series(dtype=object)
        links["fuel_per_unit"] = pd.Series(dtype=float)
        links["fuel_room"] = pd.Series(dtype=float)
        return
    s = ctx.streams
    rows = s[(s["direction"] == "input") & s["material"].isin(list(FUELS))]
    room = rows["available"].clip(lower=0.0).groupby([rows["enterprise_id"], rows["material"]]).sum()
    is_heat = (links["kind"] == "heat").to_numpy()
    baseline_in = links["baseline_in"].astype(str)
    fuel = np.where(is_heat, baseline_in.map(BOILER_FUEL).fillna("").to_numpy(dtype=object),
                    np.where(links["material_in"].isin(list(FUELS)), links["material_in"], "")).astype(object)
    efficiency = {b: boiler_efficiency(b, ctx.factors) for b in BOILER_FUEL}
    eff = baseline_in.map({b: e.value for b, e in efficiency.items() if e is not None}).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_unit = np.where(is_heat, links["delivered_fraction"].to_numpy(dtype=float) / eff,
                            links["ratio"].to_numpy(dtype=float))
    # an intermediate made in-house stands for its kiln's fuel: a link replacing it saves ratio x GJ per unit
    own = (~is_heat) & (baseline_in == OWN_PRODUCTION).to_numpy()
    if own.any():
        gj = {(m, u): own_production_side(m, u, ctx.factors) for m, u in
              set(zip(links.loc[own, "material_in"], links.loc[own, "unit_in"], strict=True))}
        fuel[own] = [gj[(m, u)].production_fuel for m, u in
                     zip(links.loc[own, "material_in"], links.loc[own, "unit_in"], strict=True)]
        per_unit[own] = links.loc[own, "ratio"].to_numpy(dtype=float) * np.array(
            [gj[(m, u)].production_fuel_gj for m, u in
             zip(links.loc[own, "material_in"], links.loc[own, "unit_in"], strict=True)], dtype=float)
    key = pd.MultiIndex.from_arrays([links["receiver_id"].to_numpy(dtype=object), fuel])
    fuel_room = room.reindex(key).to_numpy(dtype=float) if len(room) else np.full(n, np.nan)
    has = (fuel != "") & np.isfinite(fuel_room) & np.isfinite(per_unit) & (per_unit > 0)
    links["fuel"] = np.where(has, fuel, "")
    links["fuel_per_unit"] = np.where(has, per_unit, 0.0)
    links["fuel_room"] = np.where(has, fuel_room, np.nan)


def economics_table(settings: Settings) -> EconomicsTable:
    """The economics rows a run prices links with: datasets/economics.csv, park.toml [economics] and the run's
    option `economics` (already merged by matching.options.resolve)."""
    return EconomicsTable(settings.economics)


def _costs(ctx: Context, links: pd.DataFrame) -> None:
    """Per link, from the one cost rule (symbiosis.core.economics.cost_terms, the rule the economics of a plan
    use): the annual net cost when built (cost_fixed, CNY/a: fixed investment x CRF + fixed O&M) and per unit of
    flow (cost_var: investment per unit x CRF + O&M per unit - savings per unit), the investment (capex_fixed, CNY;
    capex_var, CNY per unit), and the fixed tCO2e/a. The pipe is sized for the candidate's capacity."""
    st = ctx.settings
    links["tco2e_fixed"] = links["mode"].map(st.fixed_tco2e).fillna(0.0).to_numpy(dtype=float)
    if links.empty:
        for col in ("cost_fixed", "cost_var", "capex_fixed", "capex_var"):
            links[col] = pd.Series(dtype=float)
        return
    frame = pd.DataFrame({
        "supplier_stream_id": links["supplier_stream_id"], "receiver_stream_id": links["receiver_stream_id"],
        "mode": links["mode"], "distance_km": links["distance_km"], "rule_id": links["rule_id"],
        "material_out": links["material_out"], "unit_out": links["unit_out"], "material_in": links["material_in"],
        "unit_in": links["unit_in"], "in_per_unit": links["ratio"] * links["delivered_fraction"],
        "design_quantity": links["capacity"]})
    terms = cost_terms(frame, ctx.park, table=economics_table(st), factors=ctx.factors,
                       electricity_cny_per_kwh=st.electricity_cny_per_kwh)
    links["cost_fixed"] = terms["annual_cost_fixed"].to_numpy(dtype=float)
    links["cost_var"] = terms["annual_cost_per_unit"].to_numpy(dtype=float)
    links["capex_fixed"] = terms["capex_fixed"].to_numpy(dtype=float)
    links["capex_var"] = terms["capex_per_unit"].to_numpy(dtype=float)


def objective_coefficients(links: pd.DataFrame, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Objective per unit of flow and per built link (maximised), for the chosen objective:
    emissions   net avoided tCO2e/a
    cost        carbon value at the carbon price - annual net cost (CNY/a)
    least_cost  - annual net cost (CNY/a; the plan reports the cost itself)
    npv         annuity factor x (carbon value - annual net cost) = the links' NPV with the carbon value as
                income (CNY), the discount rate and lifetime of the economics rows in force"""
    net = links["net_coef"].to_numpy(dtype=float)
    fixed_t = links["tco2e_fixed"].to_numpy(dtype=float)
    cost_var = links["cost_var"].to_numpy(dtype=float)
    cost_fixed = links["cost_fixed"].to_numpy(dtype=float)
    if settings.objective == "emissions":
        return net, -fixed_t
    if settings.objective == "least_cost":
        return -cost_var, -cost_fixed
    price = settings.carbon_price
    per_unit, per_link = price * net - cost_var, -(cost_fixed + price * fixed_t)
    if settings.objective == "npv":
        table = economics_table(settings)
        factor = annuity_factor(table.value("discount_rate"), table.value("lifetime_years"))
        return factor * per_unit, factor * per_link
    return per_unit, per_link


def selector_mask(links: pd.DataFrame, selector: object) -> np.ndarray:
    """Rows of `links` a LinkSelector picks."""
    mask = np.ones(len(links), dtype=bool)
    for attr, cols in (("supplier_id", ("supplier_id",)), ("receiver_id", ("receiver_id",)),
                       ("material", ("material_out", "material_in")),
                       ("supplier_stream_id", ("supplier_stream_id",)),
                       ("receiver_stream_id", ("receiver_stream_id",))):
        value = getattr(selector, attr)
        if value is None:
            continue
        hit = np.zeros(len(links), dtype=bool)
        for col in cols:
            hit |= (links[col] == value).to_numpy()
        mask &= hit
    return mask
