"""Temperature–enthalpy profiles of heat rows: a row becomes one or more segments (issue 13).

A segment is (t_high, t_low, share): sensible heat spread evenly over t_low..t_high, or latent heat at one
temperature when t_high == t_low. A row's annual GJ (the ledger's quantity, already converted by
symbiosis.core.units) is split over its segments in proportion to their enthalpy changes; the total is never
changed here.

- Steam (a heat material whose key names steam: process_steam, waste_steam) follows IAPWS-IF97 (the `iapws`
  package) at one pressure: the row's `pressure_mpa`, or, without it, the saturation pressure at temperature_c
  (dry saturated steam, the assumption the unit conversion makes too). A steam sink is feed water heated from its
  inlet to saturation (sensible), evaporated at T_sat (latent) and superheated to the target if the target is above
  T_sat; a steam source the reverse: desuperheat, condense at T_sat, cool the condensate down to its lowest
  temperature. Latent heat at one temperature is what lets the cascade refuse 55 °C water as a "supplier" of 175 °C
  process steam beyond the feed-water preheat.
- Any other heat row is one sensible segment (constant heat-capacity flow rate), as before.
- An output may carry an acid dew point (`acid_dew_point_c`, flue gas): it may not be cooled below it, so its
  lowest temperature is raised to it and its heat cut in proportion (sensible), with a note.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from iapws import IAPWS97

KELVIN = 273.15
# IAPWS-IF97 saturation line: the triple point to the critical point
T_SAT_MIN_C = 0.01
T_SAT_MAX_C = 373.94
P_MIN_MPA = 0.000612
P_MAX_MPA = 22.064
# Steam stated within this of its saturation temperature is taken as saturated (ledgers round temperatures).
SATURATION_TOLERANCE_K = 1.0


@dataclass(frozen=True)
class Segment:
    """One piece of a row's profile: sensible over t_low..t_high, latent when t_high == t_low (°C); kind names it."""

    t_high: float
    t_low: float
    dh_kj_per_kg: float  # enthalpy change per kg (steam), or the temperature width for a sensible row
    kind: str  # "sensible", "latent", "superheat", "feed_water", "condensate"


def is_steam_material(key: str, category: str) -> bool:
    """A heat material carried as steam (its key names steam), as symbiosis.core.units reads t/h of steam."""
    return category == "heat" and "steam" in key


@lru_cache(maxsize=4096)
def saturation_temperature_c(pressure_mpa: float) -> float:
    """T_sat at a pressure (IAPWS-IF97 region 4)."""
    return float(IAPWS97(P=pressure_mpa, x=0).T) - KELVIN


@lru_cache(maxsize=4096)
def saturation_pressure_mpa(t_c: float) -> float:
    return float(IAPWS97(T=t_c + KELVIN, x=0).P)


@lru_cache(maxsize=4096)
def _h_sat(t_c: float, quality: int) -> float:
    """Enthalpy of saturated liquid (quality 0) or vapour (1) at t_c, kJ/kg."""
    return float(IAPWS97(T=t_c + KELVIN, x=quality).h)


@lru_cache(maxsize=4096)
def _h(t_c: float, pressure_mpa: float) -> float:
    """Enthalpy of compressed liquid or superheated vapour at (t_c, pressure), kJ/kg."""
    return float(IAPWS97(T=t_c + KELVIN, P=pressure_mpa).h)


def steam_segments(t_high: float, t_low: float, pressure_mpa: float | None = None) -> list[Segment]:
    """The profile of water/steam between t_low and t_high at one pressure, hot end first.

    Without a pressure the steam is saturated at t_high. Raises ValueError outside IAPWS-IF97's saturation line or
    when t_high is below T_sat at the pressure (liquid water, not steam)."""
    if pressure_mpa is None or (isinstance(pressure_mpa, float) and math.isnan(pressure_mpa)):
        if not T_SAT_MIN_C <= t_high <= T_SAT_MAX_C:
            raise ValueError(f"saturated steam needs {T_SAT_MIN_C:g}–{T_SAT_MAX_C:g} °C, got {t_high:g}")
        t_sat = float(t_high)
        pressure = saturation_pressure_mpa(t_sat)
    else:
        if not P_MIN_MPA <= pressure_mpa <= P_MAX_MPA:
            raise ValueError(f"steam pressure must be {P_MIN_MPA:g}–{P_MAX_MPA:g} MPa, got {pressure_mpa:g}")
        pressure = float(pressure_mpa)
        t_sat = saturation_temperature_c(pressure)
        if t_high < t_sat - SATURATION_TOLERANCE_K:
            raise ValueError(f"{t_high:g} °C is below the saturation temperature {t_sat:.1f} °C at {pressure:g} MPa")
        if abs(t_high - t_sat) <= SATURATION_TOLERANCE_K:
            t_high = t_sat
    if t_low < T_SAT_MIN_C:
        raise ValueError(f"water below {T_SAT_MIN_C:g} °C is ice, got {t_low:g}")
    segments: list[Segment] = []
    if t_high > t_sat:  # superheat, down to T_sat (or to t_low when the row never condenses)
        lo = max(t_sat, t_low)
        h_lo = _h_sat(t_sat, 1) if lo == t_sat else _h(lo, pressure)
        segments.append(Segment(t_high, lo, _h(t_high, pressure) - h_lo, "superheat"))
    if t_low <= t_sat <= t_high:
        segments.append(Segment(t_sat, t_sat, _h_sat(t_sat, 1) - _h_sat(t_sat, 0), "latent"))
    if t_low < t_sat:  # liquid: feed water of a sink, condensate of a source
        hi = min(t_sat, t_high)
        h_hi = _h_sat(t_sat, 0) if hi == t_sat else _h(hi, pressure)
        segments.append(Segment(hi, t_low, h_hi - _h(t_low, pressure), "liquid"))
    return [s for s in segments if s.dh_kj_per_kg > 0]


@dataclass(frozen=True)
class Profile:
    """A row's segments with their share of its heat (shares sum to 1), the quantity kept and why it changed."""

    segments: tuple[Segment, ...]
    shares: tuple[float, ...]
    quantity: float  # GJ/a the profile carries (the row's, less what an acid dew point forbids)
    note: str = ""  # en; why the profile differs from the row's straight line (empty when it does not)
    note_zh: str = ""


def row_profile(material: str, category: str, direction: str, t_supply: float, t_return: float, quantity: float,
                pressure_mpa: float | None = None, acid_dew_point_c: float | None = None) -> Profile:
    """The profile of one heat row (temperatures as the ledger has them: supply/return for an output, target/inlet
    for an input). Raises ValueError for steam the IAPWS-IF97 range does not cover."""
    t_high, t_low = float(t_supply), float(t_return)
    if is_steam_material(material, category):
        segs = steam_segments(t_high, t_low, pressure_mpa)
        total = sum(s.dh_kj_per_kg for s in segs)
        kinds = _steam_kinds(segs, direction)
        segs = [Segment(s.t_high, s.t_low, s.dh_kj_per_kg, k) for s, k in zip(segs, kinds, strict=True)]
        shares = tuple(s.dh_kj_per_kg / total for s in segs) if total > 0 else ()
        parts = ", ".join(f"{s.kind} {s.t_high:.0f}→{s.t_low:.0f} °C {100 * sh:.0f} %" if s.t_high != s.t_low
                          else f"{s.kind} at {s.t_high:.1f} °C {100 * sh:.0f} %" for s, sh in zip(segs, shares,
                                                                                                   strict=True))
        parts_zh = parts.replace("latent", "潜热").replace("superheat", "过热").replace(
            "feed_water", "给水预热").replace("condensate", "凝结水冷却").replace(" at ", " ")
        return Profile(tuple(segs), shares, quantity, note=f"steam profile (IAPWS-IF97): {parts}",
                       note_zh=f"蒸汽焓–温曲线（IAPWS-IF97）：{parts_zh}")
    note = note_zh = ""
    if (direction == "output" and acid_dew_point_c is not None and not math.isnan(acid_dew_point_c)
            and acid_dew_point_c > t_low):
        limit = min(float(acid_dew_point_c), t_high)
        kept = quantity * (t_high - limit) / (t_high - t_low) if t_high > t_low else 0.0
        note = (f"not cooled below its acid dew point {acid_dew_point_c:g} °C: lowest temperature {t_low:g} → "
                f"{limit:g} °C, heat {quantity:,.0f} → {kept:,.0f} GJ/a")
        note_zh = (f"不低于酸露点 {acid_dew_point_c:g} °C：最低温度 {t_low:g} → {limit:g} °C，"
                   f"热量 {quantity:,.0f} → {kept:,.0f} GJ/a")
        t_low, quantity = limit, kept
    if t_high == t_low:
        return Profile((Segment(t_high, t_low, 1.0, "latent"),), (1.0,), quantity, note, note_zh)
    return Profile((Segment(t_high, t_low, t_high - t_low, "sensible"),), (1.0,), quantity, note, note_zh)


def _steam_kinds(segs: list[Segment], direction: str) -> list[str]:
    liquid = "feed_water" if direction == "input" else "condensate"
    return [liquid if s.kind == "liquid" else s.kind for s in segs]


# --- transfer between plants: the sourced defaults (datasets/heat_transfer.csv) -----------------------------------
CARRIERS: tuple[str, ...] = ("steam", "hot_water")
# The transport mode of each carrier (symbiosis.core.park.DEFAULT_REACH_KM keys)
CARRIER_MODE: dict[str, str] = {"steam": "pipe_steam", "hot_water": "pipe_heat"}


@dataclass(frozen=True)
class TransferParameter:
    """One row of datasets/heat_transfer.csv: value, unit, year, region, source and reliability tag."""

    parameter: str
    carrier: str
    value: float
    unit: str
    year: str
    region: str
    source: str
    tag: str


def transfer_parameters() -> dict[tuple[str, str], TransferParameter]:
    """(parameter, carrier) -> its sourced row."""
    from symbiosis.core.datasets import read_records

    out: dict[tuple[str, str], TransferParameter] = {}
    for r in read_records("heat_transfer"):
        out[(r["parameter"], r["carrier"])] = TransferParameter(
            r["parameter"], r["carrier"], float(r["value"]), r["unit"], r["year"], r["region"], r["source"], r["tag"])
    return out


def transfer_default(parameter: str, carrier: str = "any") -> float:
    return transfer_parameters()[(parameter, carrier)].value
