"""Shared helpers of the matching tests (no tests here): tiny parks in memory, independent checkers.

The checkers re-derive what a plan must satisfy from the park's ledger alone (supply, demand, share caps, heat
temperatures), so they do not share code with the model they check.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from park_builders import csv_text
from scipy.optimize import linprog

from symbiosis import load_files
from symbiosis.core.heat_profiles import row_profile
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan


@pytest.fixture(autouse=True, scope="module")
def no_wall_clock() -> Iterator[None]:
    """No clock in correctness tests: a solve without an explicit time limit runs until it proves optimality
    (matching.options.DEFAULT_TIME_LIMIT = inf), so a busy machine makes a test slower, never wrong. Modules that
    solve import this fixture (autouse); tests of the time-limit path set a tiny explicit limit themselves."""
    import matching.options

    before = matching.options.DEFAULT_TIME_LIMIT
    matching.options.DEFAULT_TIME_LIMIT = math.inf
    yield
    matching.options.DEFAULT_TIME_LIMIT = before


# Hypothesis settings for tests that solve MILPs: no deadline (a solve's time depends on the machine), and no
# shrinking (shrinking re-solves dozens of parks; a failing seed is printed and can be replayed with @example).
MILP_PHASES = ("explicit", "reuse", "generate")

ENT_HEADER = ["enterprise_id", "name", "x_km", "y_km"]
STREAM_HEADER = ["stream_id", "enterprise_id", "direction", "material", "quantity", "unit", "temperature_c",
                 "temperature_return_c", "quality", "baseline", "hazardous_code", "price_cny_per_unit"]
RULES = pd.read_csv(Path(__file__).resolve().parent.parent / "datasets" / "substitutions.csv",
                    dtype=str, keep_default_na=False)
# The matcher's implicit same-material rules (docs/matching.md): an output of M may feed an input of M, ratio 1,
# no share cap, hazardous only for hazardous-waste materials; for these categories only. Written here from materials.csv, not read from code.
_MATERIALS = pd.read_csv(Path(__file__).resolve().parent.parent / "datasets" / "materials.csv", dtype=str,
                         keep_default_na=False)
_SAME = _MATERIALS[_MATERIALS["category"].isin(["solid", "organic", "liquid", "raw_material", "water", "gas"])]
RULES = pd.concat([RULES, pd.DataFrame({
    "rule_id": "same:" + _SAME["key"], "output_material": _SAME["key"], "input_material": _SAME["key"], "ratio": "1",
    "max_share": "1", "mode": "", "pretreatment_kwh_per_unit": "0",
    "hazardous_allowed": _SAME["hazardous_code_typical"].ne("").map({True: "true", False: "false"}),
    "min_quality_rank": ""})], ignore_index=True).fillna("")


def rule(output_material: str, input_material: str) -> dict[str, Any]:
    """The shipped rule for a pair of materials, typed (the tests read ratio and share from the dataset)."""
    row = RULES[(RULES["output_material"] == output_material) & (RULES["input_material"] == input_material)].iloc[0]
    return {"rule_id": row["rule_id"], "ratio": float(row["ratio"]), "max_share": float(row["max_share"] or 1),
            "kwh": float(row["pretreatment_kwh_per_unit"] or 0), "mode": row["mode"]}


def s(sid: str, ent: str, direction: str, material: str, quantity: float, unit: str, t: float | None = None,
      tr: float | None = None, quality: str = "", baseline: str = "", hw: str = "",
      price: float | None = None) -> list[object]:
    """One streams.csv row."""
    return [sid, ent, direction, material, quantity, unit, "" if t is None else t, "" if tr is None else tr,
            quality, baseline, hw, "" if price is None else price]


def any_size(park_toml: str | None) -> str:
    """park.toml text with `min_link_tco2e = 0` and `disabled_rules = true` in [options] (unless it sets its own):
    the tiny hand-computed parks of these tests move tonnes, not kilotonnes, and test the matcher's mechanics on the
    whole rule table, sourced or not; the minimum link size and the rules off by default have their own tests
    (tests/test_reference_scenarios.py, tests/test_factors_sourced.py)."""
    text = park_toml or ""
    settings = "".join(f"{key} = {value}\n" for key, value in (("min_link_tco2e", "0"), ("disabled_rules", "true"))
                       if key not in text)
    if not settings:
        return text
    if "[options]\n" in text:
        return text.replace("[options]\n", "[options]\n" + settings, 1)
    return text + "\n[options]\n" + settings


def park_of(enterprises: Sequence[Sequence[object]], streams: Sequence[Sequence[object]],
            exchanges: str | None = None, park_toml: str | None = None) -> Park:
    """A tiny park from rows, of any link size (see any_size)."""
    files = {"enterprises.csv": csv_text(ENT_HEADER, enterprises).encode("utf-8"),
             "streams.csv": csv_text(STREAM_HEADER, streams).encode("utf-8"),
             "park.toml": any_size(park_toml).encode("utf-8")}
    if exchanges is not None:
        files["exchanges.csv"] = exchanges.encode("utf-8")
    return load_files(files, source="test")


def link(plan: Plan, supplier_stream: str, receiver_stream: str) -> Any:
    found = [x for x in plan.links if x.supplier_stream_id == supplier_stream and x.receiver_stream_id == receiver_stream]
    assert found, f"no link {supplier_stream}->{receiver_stream} in {[x.link_id for x in plan.links]}"
    return found[0]


# --- independent checks of a plan against the ledger -------------------------------------------------------------
def check_balances(park: Park, plan: Plan, rel: float = 1e-7) -> None:
    """No output sends more than it has, no input takes more than it needs, no rule exceeds its share cap."""
    st = park.streams.set_index("stream_id")
    sent: dict[str, float] = {}
    got: dict[str, float] = {}
    by_rule: dict[tuple[str, str], float] = {}
    for x in plan.links:
        sent[x.supplier_stream_id] = sent.get(x.supplier_stream_id, 0.0) + x.quantity
        got[x.receiver_stream_id] = got.get(x.receiver_stream_id, 0.0) + x.quantity_in
        key = (x.receiver_stream_id, x.rule_id)
        by_rule[key] = by_rule.get(key, 0.0) + x.quantity_in
        assert x.quantity > 0 and x.quantity_in >= 0
        assert x.supplier_id != x.receiver_id
    for sid, q in sent.items():
        assert q <= st.loc[sid, "quantity"] * (1 + rel) + 1e-6, f"{sid} over-allocated: {q} > {st.loc[sid, 'quantity']}"
    for sid, q in got.items():
        assert q <= st.loc[sid, "quantity"] * (1 + rel) + 1e-6, f"{sid} over-filled: {q} > {st.loc[sid, 'quantity']}"
    for (sid, rule_id), q in by_rule.items():
        if rule_id == "heat":
            continue
        share = float(RULES.set_index("rule_id").loc[rule_id, "max_share"] or 1)
        assert q <= share * st.loc[sid, "quantity"] * (1 + rel) + 1e-6, f"{rule_id} share cap broken at {sid}"


def check_gap(plan: Plan) -> None:
    if plan.objective_value is None or plan.bound_value is None:
        assert plan.status in ("infeasible", "error", "time_limit")
        return
    assert plan.bound_value >= plan.objective_value - 1e-6 * max(1.0, abs(plan.objective_value))
    expected = abs(plan.bound_value - plan.objective_value) / max(abs(plan.objective_value), 1e-9)
    assert plan.gap is not None and abs(plan.gap - expected) <= 1e-12 + 1e-9 * expected
    if plan.status == "optimal":
        assert plan.gap <= 1.02e-6 or abs(plan.bound_value - plan.objective_value) <= 1e-6


def heat_pieces(park: Park, dt: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hot and cold heat pieces on shifted temperature intervals (own simple construction). Each row is split into
    the segments of its temperature-enthalpy profile (symbiosis.core.heat_profiles: steam has latent heat at T_sat,
    issue 13); a latent segment is a piece at a point, ordered between the interval above and the one below: point
    at temperature b_s gets index 2s, the interval (b_s, b_s+1) index 2s+1."""
    st = park.streams[park.streams["category"] == "heat"]
    segs: list[tuple[str, str, float, float, float]] = []  # (direction, sid, shifted top, shifted bottom, q)
    for r in st.itertuples():
        pressure = getattr(r, "pressure_mpa", float("nan"))
        prof = row_profile(r.material, "heat", r.direction, r.temperature_c, r.temperature_return_c, r.quantity,
                           None if pd.isna(pressure) else float(pressure))
        shift = -dt / 2 if r.direction == "output" else dt / 2
        for seg, share in zip(prof.segments, prof.shares, strict=True):
            segs.append((r.direction, r.stream_id, seg.t_high + shift, seg.t_low + shift, prof.quantity * share))
    temps = sorted({round(t, 9) for _, _, a, b, _ in segs for t in (a, b)}, reverse=True)
    rows: dict[str, list[tuple[str, int, float]]] = {"output": [], "input": []}
    for direction, sid, top, bottom, q in segs:
        top, bottom = round(top, 9), round(bottom, 9)
        if top == bottom:
            rows[direction].append((sid, 2 * temps.index(top), q))
            continue
        for k in range(len(temps) - 1):
            hi, lo = temps[k], temps[k + 1]
            overlap = max(0.0, min(hi, top) - max(lo, bottom))
            if overlap > 0:
                rows[direction].append((sid, 2 * k + 1, q * overlap / (top - bottom)))
    return (pd.DataFrame(rows["output"], columns=["sid", "k", "q"]),
            pd.DataFrame(rows["input"], columns=["sid", "k", "q"]))


def heat_transport_lp(pairs: pd.DataFrame, hot: pd.DataFrame, cold: pd.DataFrame,
                      fixed_flow: bool) -> tuple[float, np.ndarray] | None:
    """Transportation LP over heat pieces: piece (source, k) may serve piece (sink, k') only when k' >= k (same or
    lower interval). pairs: out, in, delivered, lo, hi, c (objective per unit taken). With fixed_flow the pair's
    flow must equal lo (feasibility check); else lo <= flow <= hi and the objective is maximised.
    Returns (objective, pair flows) or None when infeasible."""
    triples = []
    for p, r in enumerate(pairs.itertuples()):
        for h in hot[hot["sid"] == r.out].itertuples():
            for c in cold[(cold["sid"] == r.inp) & (cold["k"] >= h.k)].itertuples():
                triples.append((p, h.Index, c.Index, r.delivered))
    n = len(triples)
    if n == 0:
        ok = bool((pairs["lo"] <= 1e-9).all())
        return (0.0, np.zeros(len(pairs))) if ok else None
    a_ub, b_ub, a_eq, b_eq = [], [], [], []
    for hi_ in hot.index:
        row = np.zeros(n)
        for t, (_, h, _, _) in enumerate(triples):
            if h == hi_:
                row[t] = 1.0
        a_ub.append(row)
        b_ub.append(hot.loc[hi_, "q"])
    for ci in cold.index:
        row = np.zeros(n)
        for t, (_, _, c, d) in enumerate(triples):
            if c == ci:
                row[t] = d
        a_ub.append(row)
        b_ub.append(cold.loc[ci, "q"])
    for p, r in enumerate(pairs.itertuples()):
        row = np.zeros(n)
        for t, (pp, _, _, _) in enumerate(triples):
            if pp == p:
                row[t] = 1.0
        if fixed_flow:
            a_eq.append(row)
            b_eq.append(r.lo)
        else:
            if np.isfinite(r.hi):
                a_ub.append(row)
                b_ub.append(r.hi)
            a_ub.append(-row)
            b_ub.append(-r.lo)
    cost = np.array([-pairs.iloc[p]["c"] for p, _, _, _ in triples]) if not fixed_flow else np.zeros(n)
    res = linprog(cost, A_ub=np.array(a_ub), b_ub=np.array(b_ub), A_eq=np.array(a_eq) if a_eq else None,
                  b_eq=np.array(b_eq) if b_eq else None, bounds=(0, None), method="highs")
    if res.status != 0:
        return None
    flows = np.zeros(len(pairs))
    for t, (p, _, _, _) in enumerate(triples):
        flows[p] += res.x[t]
    return -float(res.fun), flows


def check_heat(park: Park, plan: Plan, dt: float) -> None:
    """The heat links' flows can be carried by heat moving only downwards, at least dt_min apart (own LP)."""
    heat = [x for x in plan.links if x.category == "heat"]
    if not heat:
        return
    for x in heat:
        st = park.streams.set_index("stream_id")
        assert st.loc[x.supplier_stream_id, "temperature_c"] - dt > st.loc[x.receiver_stream_id, "temperature_return_c"] - 1e-9
    hot, cold = heat_pieces(park, dt)
    # a little slack on the flows for the solver's tolerances
    pairs = pd.DataFrame({"out": [x.supplier_stream_id for x in heat], "inp": [x.receiver_stream_id for x in heat],
                          "delivered": [x.quantity_in / x.quantity for x in heat],
                          "lo": [x.quantity * (1 - 1e-7) for x in heat], "hi": [x.quantity for x in heat], "c": 0.0})
    assert heat_transport_lp(pairs, hot, cold, fixed_flow=True) is not None, "heat flows need heat to move upwards"


def pta_max_recovery(hot: Sequence[tuple[float, float, float]], cold: Sequence[tuple[float, float, float]],
                     dt: float) -> float:
    """Problem Table Algorithm (Linnhoff & Flower): max heat recovery of (Q, T_supply, T_target) streams."""
    shifted_h = [(q, ts - dt / 2, tt - dt / 2) for q, ts, tt in hot]
    shifted_c = [(q, ts + dt / 2, tt + dt / 2) for q, ts, tt in cold]
    temps = sorted({t for _, a, b in shifted_h + shifted_c for t in (a, b)}, reverse=True)
    cascade, lowest = 0.0, 0.0
    for hi, lo in itertools.pairwise(temps):
        surplus = 0.0
        for q, ts, tt in shifted_h:
            top, bottom = ts, tt
            surplus += q / (top - bottom) * max(0.0, min(hi, top) - max(lo, bottom))
        for q, ts, tt in shifted_c:
            top, bottom = tt, ts
            surplus -= q / (top - bottom) * max(0.0, min(hi, top) - max(lo, bottom))
        cascade += surplus
        lowest = min(lowest, cascade)
    hot_utility = -lowest
    return sum(q for q, _, _ in cold) - hot_utility


# --- random parks ------------------------------------------------------------------------------------------------
OUTPUT_MENU: list[tuple[str, str, tuple[str, ...]]] = [  # material, unit, baselines
    ("fly_ash", "t/a", ("landfill", "sold", "stored")), ("bf_slag", "t/a", ("landfill", "sold")),
    ("steel_slag", "t/a", ("landfill", "stored")), ("fgd_gypsum", "t/a", ("landfill",)),
    ("waste_oil", "t/a", ("hazardous_treatment",)), ("reclaimed_water", "m3/a", ("discharge", "wastewater_treatment")),
    ("treated_effluent", "m3/a", ("discharge",)), ("coke_oven_gas", "GJ/a", ("flare", "vent")),
    ("waste_steam", "GJ/a", ("vent",)), ("hot_water_heat", "GJ/a", ("discharge",)),
]
INPUT_MENU: list[tuple[str, str, tuple[str, ...]]] = [
    ("clinker", "t/a", ("virgin",)), ("cement", "t/a", ("virgin",)), ("aggregate", "t/a", ("virgin",)),
    ("natural_gypsum", "t/a", ("virgin",)), ("lubricating_oil", "t/a", ("virgin",)),
    ("industrial_water", "m3/a", ("tap_water", "self_supplied")), ("tap_water", "m3/a", ("tap_water",)),
    ("natural_gas", "GJ/a", ("virgin",)), ("process_steam", "GJ/a", ("natural_gas_boiler", "purchased_steam")),
    ("space_heating", "GJ/a", ("coal_boiler", "electric_boiler")),
]
GRADES = ["", "irrigation", "landscape", "washing", "cooling", "process", "demineralised"]


def random_park(seed: int, enterprises: int = 8, streams: int = 16, size_km: float = 8.0,
                outputs: Sequence[tuple[str, str, tuple[str, ...]]] = OUTPUT_MENU,
                inputs: Sequence[tuple[str, str, tuple[str, ...]]] = INPUT_MENU) -> Park:
    rng = np.random.default_rng(seed)
    ents = [[f"E{i}", f"firm {i}", round(float(rng.uniform(0, size_km)), 3), round(float(rng.uniform(0, size_km)), 3)]
            for i in range(enterprises)]
    rows = []
    for k in range(streams):
        ent = f"E{int(rng.integers(enterprises))}"
        out = bool(rng.integers(2))
        material, unit, bases = (outputs if out else inputs)[int(rng.integers(len(outputs if out else inputs)))]
        q = float(rng.choice([500, 2000, 5000, 20000, 80000]))
        t = tr = None
        quality = ""
        if material in ("waste_steam",):
            t, tr = float(rng.integers(140, 260)), float(rng.integers(90, 135))
        elif material == "hot_water_heat":
            t, tr = float(rng.integers(60, 96)), float(rng.integers(30, 55))
        elif material == "process_steam":
            t, tr = float(rng.integers(110, 190)), float(rng.integers(40, 105))
        elif material == "space_heating":
            t, tr = float(rng.integers(55, 85)), float(rng.integers(25, 50))
        if unit == "m3/a":
            quality = GRADES[int(rng.integers(len(GRADES)))]
            q *= 10
        hw = "HW08" if material == "waste_oil" else ""
        rows.append(s(f"S{k}", ent, "output" if out else "input", material, q, unit, t, tr, quality,
                      str(rng.choice(bases)), hw))
    return park_of(ents, rows)
