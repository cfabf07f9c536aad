"""The greedy baseline: best pair first, over the optimiser's own candidate links and constraints.

Links are taken in descending order of their value at capacity; each gets as much flow as the supplies,
demands, share caps and (for heat) the temperature levels still allow, and is kept if that reaches its minimum
quantity. Heat is filled level by level from the sink's hottest level down, drawing on the source's heat in that
level or above (the cascade of the MILP), so the greedy plan is feasible in the same model.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from matching.model import MatchModel


def greedy_objective(model: MatchModel) -> tuple[float, int]:
    """Objective (same units as the MILP's) and number of links of the greedy plan."""
    links = model.links[model.links["status"] == "model"]
    value = links["obj"].to_numpy(dtype=float) * links["capacity"].to_numpy(dtype=float) + links["fixed"].to_numpy(
        dtype=float)
    order = np.argsort(-value, kind="stable")
    supply: dict[str, float] = {}
    demand: dict[str, float] = {}
    share: dict[tuple[str, str], float] = {}
    hot_left: dict[str, dict[int, float]] = defaultdict(dict)
    cold_left: dict[str, dict[int, float]] = defaultdict(dict)
    for r in model.levels.hot.itertuples(index=False):
        hot_left[str(r.stream_id)][int(r.level)] = float(r.q)
    for r in model.levels.cold.itertuples(index=False):
        cold_left[str(r.stream_id)][int(r.level)] = float(r.q)
    total, count = 0.0, 0
    records = links.to_dict(orient="records")
    for i in order:
        link = records[int(i)]
        if value[int(i)] <= 0:
            break
        cap, minimum = float(link["capacity"]), float(link["min_quantity"])
        s, r = str(link["supplier_stream_id"]), str(link["receiver_stream_id"])
        if link["kind"] == "heat":
            flow = _take_heat(hot_left[s], cold_left[r], float(link["delivered_fraction"]), cap, minimum)
        else:
            ratio = float(link["ratio"])
            key = (r, str(link["rule_id"]))
            supply.setdefault(s, float(link["supply"]))
            demand.setdefault(r, float(link["demand"]))
            if float(link["max_share"]) < 1:
                share.setdefault(key, float(link["share_room"]))
            room = share.get(key, np.inf) if float(link["max_share"]) < 1 else np.inf
            flow = min(cap, supply[s], demand[r] / ratio, room / ratio)
            if flow < minimum * (1 - 1e-9) or flow <= 0:
                continue
            supply[s] -= flow
            demand[r] -= ratio * flow
            if key in share:
                share[key] -= ratio * flow
        if flow > 0:
            total += float(link["obj"]) * flow + float(link["fixed"])
            count += 1
    return total, count


def _take_heat(source: dict[int, float], sink: dict[int, float], delivered: float, cap: float,
               minimum: float) -> float:
    """Fill the sink's levels from the hottest down with the source's heat at that level or above."""
    plan: list[tuple[int, int, float]] = []  # (sink level, source level, heat taken from the source)
    left = dict(source)
    taken = 0.0
    for k in sorted(sink):
        need = sink[k] / delivered if delivered > 0 else 0.0
        for k_src in sorted((lv for lv in left if lv <= k), reverse=True):
            if need <= 0 or taken >= cap:
                break
            a = min(left[k_src], need, cap - taken)
            if a > 0:
                left[k_src] -= a
                need -= a
                taken += a
                plan.append((k, k_src, a))
    if taken < minimum * (1 - 1e-9) or taken <= 0:
        return 0.0
    for k, k_src, a in plan:  # commit exactly what each level gave and got
        source[k_src] -= a
        sink[k] -= a * delivered
    return taken
