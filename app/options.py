"""The workshop's matching options: widget values <-> a scenario's options dict <-> matching.MatchOptions.

A scenario stores options under MatchOptions field names, every value explicit (so a saved scenario solves the
same on any machine, whatever the park's defaults): objective, carbon_price, dt_min_k, reach_km (by mode),
min_link_quantity (by category), include_scope2, gap, time_limit. Forced and forbidden links are the scenario's
own lists of (supplier_stream_id, receiver_stream_id).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.state import StateLike
from matching.options import (
    DEFAULT_GAP,
    DEFAULT_MIN_LINK_QUANTITY,
    DEFAULT_TIME_LIMIT,
    LinkSelector,
    MatchOptions,
)
from symbiosis.core.park import DEFAULT_REACH_KM, Park
from symbiosis.core.scenario import LinkKey, Scenario

MODES: tuple[str, ...] = tuple(DEFAULT_REACH_KM)
CATEGORIES: tuple[str, ...] = tuple(DEFAULT_MIN_LINK_QUANTITY)
DEFAULT_CARBON_PRICE = 100.0  # CNY/tCO2e, about the Chinese national ETS price in 2024-2025; the user sets it
# The option widgets' keys, one per setting (reach and minimum size: one per mode and per category).
SCALAR_KEYS: dict[str, str] = {"objective": "opt_objective", "carbon_price": "opt_carbon_price",
                               "dt_min_k": "opt_dt_min", "include_scope2": "opt_scope2", "gap": "opt_gap",
                               "time_limit": "opt_time_limit"}


def reach_key(mode: str) -> str:
    return f"opt_reach_{mode}"


def min_key(category: str) -> str:
    return f"opt_min_{category}"


def option_keys() -> list[str]:
    return [*SCALAR_KEYS.values(), *(reach_key(m) for m in MODES), *(min_key(c) for c in CATEGORIES)]


def defaults(park: Park) -> dict[str, Any]:
    """Every option explicit, from the park's park.toml where it sets one, else the matcher's defaults."""
    p: Mapping[str, Any] = park.config.options or {}
    reach = {**DEFAULT_REACH_KM, **park.config.reach_km}
    mins = {**DEFAULT_MIN_LINK_QUANTITY, **(p.get("min_link_quantity") or {})}
    return {
        "objective": str(p.get("objective", "emissions")),
        "carbon_price": float(p.get("carbon_price", DEFAULT_CARBON_PRICE) or DEFAULT_CARBON_PRICE),
        "dt_min_k": float(park.config.dt_min_k),
        "reach_km": {m: float(reach[m]) for m in MODES},
        "min_link_quantity": {c: float(mins[c]) for c in CATEGORIES},
        "include_scope2": bool(p.get("include_scope2", False)),
        "gap": float(p.get("gap", DEFAULT_GAP)),
        "time_limit": float(p.get("time_limit", DEFAULT_TIME_LIMIT)),
    }


def complete(options: Mapping[str, Any], park: Park) -> dict[str, Any]:
    """`options` with anything missing filled from `defaults(park)` (tables merged key by key)."""
    out = defaults(park)
    for key, value in options.items():
        if key in ("reach_km", "min_link_quantity") and isinstance(value, Mapping):
            out[key] = {**out[key], **{k: float(v) for k, v in value.items()}}
        elif key in out:
            out[key] = value
    return out


def to_widgets(options: Mapping[str, Any]) -> dict[str, Any]:
    """Widget key -> value, for a complete options dict."""
    values: dict[str, Any] = {key: options[name] for name, key in SCALAR_KEYS.items()}
    values.update({reach_key(m): float(options["reach_km"][m]) for m in MODES})
    values.update({min_key(c): float(options["min_link_quantity"][c]) for c in CATEGORIES})
    return values


def from_widgets(values: StateLike, park: Park) -> dict[str, Any]:
    """A complete options dict from widget values (missing widgets: the park's defaults)."""
    base = defaults(park)
    get = values.get
    out = {name: get(key, base[name]) for name, key in SCALAR_KEYS.items()}
    out["objective"] = "cost" if out["objective"] == "cost" else "emissions"
    for name in ("carbon_price", "dt_min_k", "gap", "time_limit"):
        out[name] = float(out[name])
    out["include_scope2"] = bool(out["include_scope2"])
    out["reach_km"] = {m: float(get(reach_key(m), base["reach_km"][m])) for m in MODES}
    out["min_link_quantity"] = {c: float(get(min_key(c), base["min_link_quantity"][c])) for c in CATEGORIES}
    return out


def solve_request(scenario: Scenario, park: Park) -> dict[str, Any]:
    """Everything a solve depends on besides the park, as one JSON-able dict (its hash keys the cache)."""
    return {**complete(scenario.options, park), "forced": [list(k) for k in scenario.forced],
            "forbidden": [list(k) for k in scenario.forbidden]}


def selector(link: LinkKey) -> LinkSelector:
    return LinkSelector(supplier_stream_id=link[0], receiver_stream_id=link[1])


def match_options(request: Mapping[str, Any]) -> MatchOptions:
    """matching.MatchOptions for a solve request."""
    return MatchOptions(
        objective=request["objective"], carbon_price=float(request["carbon_price"]),
        dt_min_k=float(request["dt_min_k"]), reach_km=dict(request["reach_km"]),
        min_link_quantity=dict(request["min_link_quantity"]), gap=float(request["gap"]),
        time_limit=float(request["time_limit"]), include_scope2=bool(request["include_scope2"]),
        forced=tuple(selector((s, r)) for s, r in request.get("forced", [])),
        forbidden=tuple(selector((s, r)) for s, r in request.get("forbidden", [])))
