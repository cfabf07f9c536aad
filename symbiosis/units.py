"""Ledger units -> canonical units (t/a, m3/a, GJ/a), with pint.

A unit is read in three steps: its text is normalised (Chinese words, 万, superscripts), pint parses it into a
quantity, and the quantity is turned into an annual amount in the material's canonical unit. A cross-dimension
conversion uses only a property the material table states (a calorific value, a density, steam enthalpy).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pint

from symbiosis.taxonomy import Material

CANONICAL_UNITS: dict[str, str] = {"mass": "t/a", "volume": "m3/a", "energy": "GJ/a"}
ACCEPTED_EXAMPLES = "t/a, 万t/a, kg/h, m³/a, m³/h, 万m³/a, GJ/a, MJ/h, MWh/a, kWh/a, 万kWh/a, kW, MW, tce/a, Nm³/a, t/h"
TCE_GJ = 29.3076  # GB/T 2589-2020: 1 kgce = 29,307.6 kJ

# Saturated water and steam enthalpies, kJ/kg, by temperature (IAPWS-IF97, as tabulated in Cengel & Boles,
# Thermodynamics, Table A-4). Used for steam given by mass: heat = h_vapour(T_supply) - h_liquid(T_return).
_STEAM_T = np.array([0.01, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220, 240, 260, 280, 300])
_H_LIQUID = np.array([0.0, 83.9, 167.5, 251.2, 335.0, 419.2, 503.8, 589.2, 675.5, 763.1, 852.3, 943.6, 1037.6,
                      1135.0, 1236.9, 1344.8])
_H_VAPOUR = np.array([2500.9, 2537.4, 2573.5, 2608.8, 2643.0, 2675.6, 2706.0, 2733.5, 2757.4, 2777.2, 2792.0,
                      2801.1, 2803.0, 2796.6, 2779.9, 2749.6])
STEAM_RANGE_C = (0.01, 300.0)
STEAM_ASSUMPTION = ("steam given by mass is taken as dry saturated at temperature_c, condensed and cooled to "
                    "temperature_return_c (IAPWS-IF97 saturation table)")


class UnitError(Exception):
    """A unit that cannot be used; `code` and `params` feed a Problem."""

    def __init__(self, code: str, **params: str):
        self.code = code
        self.params = params
        super().__init__(code)


@dataclass(frozen=True)
class Converted:
    value: float
    unit: str
    note: str = ""  # the assumption used, if any (steam enthalpy, m3 of gas as Nm3)


@cache
def registry() -> pint.UnitRegistry:
    ureg: pint.UnitRegistry = pint.UnitRegistry()
    ureg.define("tce = 29.3076 * GJ")
    ureg.define("kgce = 0.001 * tce")
    ureg.define("Nm3 = [normal_gas_volume]")
    return ureg


_WORDS: list[tuple[str, str]] = [
    ("吨标准煤", "tce"), ("吨标煤", "tce"), ("千克标准煤", "kgce"), ("千克标煤", "kgce"), ("标准煤", "tce"),
    ("标准立方米", "Nm3"), ("标立方米", "Nm3"), ("标立方", "Nm3"), ("标方", "Nm3"),
    ("立方米", "m3"), ("立方", "m3"), ("方", "m3"),
    ("千瓦时", "kWh"), ("兆瓦时", "MWh"), ("度", "kWh"), ("兆瓦", "MW"), ("千瓦", "kW"),
    ("吉焦", "GJ"), ("兆焦", "MJ"), ("千焦", "kJ"),
    ("千克", "kg"), ("公斤", "kg"), ("吨", "t"),
    ("小时", "h"), ("时", "h"), ("年", "a"), ("天", "d"), ("日", "d"),
    ("亿", "1e8*"), ("万", "1e4*"), ("千", "1e3*"),
    ("每", "/"), ("／", "/"),
]
_STEAM_WORDS = re.compile(r"[\(（]?\s*(蒸汽|汽|steam)\s*[\)）]?", re.IGNORECASE)


def normalise_unit(text: str) -> tuple[str, bool]:
    """Unit text -> (pint expression, mentions steam)."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    steam = bool(_STEAM_WORDS.search(s))
    s = _STEAM_WORDS.sub("", s)
    for word, repl in _WORDS:
        s = s.replace(word, repl)
    s = s.replace("·", "*").replace("^", "**").replace(" ", "")
    s = re.sub(r"(?i)nm\*\*3|nm3", "Nm3", s)
    s = re.sub(r"(?<![A-Za-z])m\*\*3|(?<![A-Za-z])m3", "m**3", s)
    s = re.sub(r"/(a|yr|y|year|annum)\b", "/year", s)
    s = re.sub(r"/(h|hr|hour)\b", "/hour", s)
    s = re.sub(r"/(d|day)\b", "/day", s)
    s = s.replace("Nm**3", "Nm3")
    s = re.sub(r"\*+$", "", s)
    return s, steam


_AMOUNT_DIMS = {"mass": "[mass]", "volume": "[length] ** 3", "energy": "[energy]", "gas": "[normal_gas_volume]"}


def _amount_kind(q: pint.Quantity) -> str | None:
    for kind, dim in _AMOUNT_DIMS.items():
        if q.check(dim):
            return kind
    return None


def parse_rate(unit_text: str) -> tuple[pint.Quantity, str, bool]:
    """Unit text -> (quantity of one unit, 'annual' | 'hourly', mentions steam). Raises UnitError."""
    try:
        return _parse_rate(unit_text)
    except UnitError:
        raise
    except Exception as exc:  # pint raises offset-unit, overflow and other errors for odd text: all "not a unit"
        raise UnitError("unknown_unit") from exc


def _parse_rate(unit_text: str) -> tuple[pint.Quantity, str, bool]:
    expr, steam = normalise_unit(unit_text)
    ureg = registry()
    if not expr:
        raise UnitError("unknown_unit")
    try:
        one = ureg.parse_expression(expr)
    except Exception as exc:  # pint raises many types for bad text; all mean "not a unit"
        raise UnitError("unknown_unit") from exc
    if not isinstance(one, pint.Quantity) or not np.isfinite(float(one.magnitude)) or float(one.magnitude) <= 0:
        raise UnitError("unknown_unit")  # "-1*t", "nan*t", "1e400*t" are not units
    if "year" in expr and _amount_kind(one * ureg.year) is not None:
        return one * ureg.year, "annual", steam
    if _amount_kind(one) is not None:
        return one, "annual", steam  # a plain amount is read as per year: the quantity column is annual
    if _amount_kind(one * ureg.hour) is not None:
        return one * ureg.hour, "hourly", steam  # per hour, per day, or a power: times operating hours
    raise UnitError("unknown_unit")


def as_float(value: Any) -> float | None:
    """A cell or field as a float; None when it is missing, not a number, or NaN."""
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def steam_heat_gj_per_t(t_supply_c: float, t_return_c: float) -> float:
    lo, hi = STEAM_RANGE_C
    for t in (t_supply_c, t_return_c):
        if not lo <= t <= hi:
            raise UnitError("steam_temperature_range", accepted=f"{lo:g}–{hi:g} °C")
    h_vap = float(np.interp(t_supply_c, _STEAM_T, _H_VAPOUR))
    h_liq = float(np.interp(t_return_c, _STEAM_T, _H_LIQUID))
    return (h_vap - h_liq) / 1000.0  # kJ/kg = MJ/t -> GJ/t


def _is_steam(material: Material) -> bool:
    return material.category == "heat" and "steam" in material.key


def to_canonical(
    value: float,
    unit_text: str,
    material: Material,
    hours_per_year: float | None = None,
    temperature_c: float | None = None,
    temperature_return_c: float | None = None,
) -> Converted:
    """Convert one ledger quantity to the material's canonical annual unit. Raises UnitError."""
    one, basis, _ = parse_rate(unit_text)
    if basis == "hourly":
        if hours_per_year is None:
            raise UnitError("hours_needed")
        one = one * hours_per_year
    kind = _amount_kind(one)
    target = material.dimension
    note = ""
    dims_zh = {"mass": "质量", "volume": "体积", "energy": "能量"}
    mismatch = UnitError("unit_dimension", material=material.key, dimension=f"{target}/{dims_zh[target]}",
                           accepted=_accepted_for(material))
    if target == "mass":
        if kind == "mass":
            amount = one.to("t").magnitude
        elif kind == "volume" and material.density_t_per_m3:
            amount = one.to("m**3").magnitude * material.density_t_per_m3
        elif kind == "gas" and material.density_kg_per_nm3:
            amount = one.to("Nm3").magnitude * material.density_kg_per_nm3 / 1000.0
        elif kind in ("volume", "gas"):
            raise UnitError("unit_needs_property", material=material.key, property="density / 密度")
        else:
            raise mismatch
    elif target == "volume":
        if kind == "volume":
            amount = one.to("m**3").magnitude
        elif kind == "mass" and material.density_t_per_m3:
            amount = one.to("t").magnitude / material.density_t_per_m3
        else:
            raise mismatch
    else:  # energy
        if kind == "energy":
            amount = one.to("GJ").magnitude
        elif kind == "mass" and _is_steam(material):
            if temperature_c is None or temperature_return_c is None:
                raise UnitError("steam_needs_temperature")
            amount = one.to("t").magnitude * steam_heat_gj_per_t(temperature_c, temperature_return_c)
            note = STEAM_ASSUMPTION
        elif kind == "mass" and material.ncv_gj_per_t and material.category != "heat":
            amount = one.to("t").magnitude * material.ncv_gj_per_t
        elif kind == "gas" and material.ncv_gj_per_nm3:
            amount = one.to("Nm3").magnitude * material.ncv_gj_per_nm3
        elif kind == "volume" and material.ncv_gj_per_nm3:
            amount = one.to("m**3").magnitude * material.ncv_gj_per_nm3
            note = "gas_m3_as_nm3"
        else:
            raise mismatch
    result = float(value) * float(amount)
    if not np.isfinite(result) or result < 0:
        raise UnitError("value_range", accepted="a finite quantity >= 0 / 有限且非负的数量")
    return Converted(value=result, unit=CANONICAL_UNITS[target], note=note)


def _accepted_for(material: Material) -> str:
    if material.dimension == "mass":
        gas = ", Nm³/a" if material.density_kg_per_nm3 else ""
        return "t/a, 万t/a, kg/h, t/h" + gas
    if material.dimension == "volume":
        return "m³/a, 万m³/a, m³/h, t/a"
    if _is_steam(material):
        return "GJ/a, MJ/h, kW, MW, t/h (steam)"
    if material.category == "heat":
        return "GJ/a, MJ/h, kW, MW, MWh/a"
    extra: list[str] = []
    if material.ncv_gj_per_t:
        extra.append("t/a")
    if material.ncv_gj_per_nm3:
        extra.append("Nm³/a, 万Nm³/a")
    return ", ".join(["GJ/a", "MWh/a", "万kWh/a", "tce/a", "kW", "MW", *extra])
