"""Ledger units -> canonical units (t/a, m3/a, GJ/a).

A unit is read in three steps: its text is tokenised and parsed by the small grammar below (our own code: the
text is never evaluated and never given to pint's parser), the allow-listed symbols are turned into a pint
quantity, and the quantity is turned into an annual amount in the material's canonical unit. A cross-dimension
conversion uses only a property the material table states (a calorific value, a density, steam enthalpy).

The unit grammar. The text is NFKC-folded (full-width, ², ³, ㎥, ㎾ become ASCII) and spaces, tabs and line
breaks are dropped; what is left may have at most UNIT_MAX_CHARS (64) characters (else `unit_too_long`; text of
more than UNIT_MAX_RAW_CHARS (256) characters is refused before it is folded). Steam markers (蒸汽, 汽, steam,
bracketed or not) are removed and flagged. Then::

    unit    = [prefix] product ["/" time]
    prefix  = [number ["*"]] {multiplier}        number: 12  0.5  .5  1,000  1e4  2.5E-3 (no sign)
                                                 multiplier: 十 10, 百 100, 千 1e3, 万 1e4, 亿 1e8 (at most 3)
    product = symbol {["*" | "·"] symbol}        at most 3 symbols
    symbol  = mass | volume | energy | power | time
    mass    = t | tonne | kg | g | kt | Mt
    volume  = m3 | L | l | Nm3                   m takes an exponent 1-3: m3, m³, m**3, m^3 (Nm3 likewise,
                                                 case-insensitive: nm3, NM3); no other symbol takes one
    energy  = J | kJ | MJ | GJ | TJ | Wh | kWh | MWh | GWh | tce | kgce
    power   = W | kW | MW | GW
    time    = a | y | yr | year | years | annum | h | hr | hour | hours | d | day | days
            | min | minute | s | sec | second
    "/"     = / | ／ | 每 | per                     (one "/" at most)

The prefix (number times multipliers) must lie in [1e-9, 1e12]. Chinese words stand for symbols: 吨 t, 千克/公斤
kg, 立方米/立方/方 m3, 标准立方米/标立方米/标立方/标方 Nm3, 千瓦时/度 kWh, 兆瓦时 MWh, 千瓦 kW, 兆瓦 MW, 吉焦 GJ,
兆焦 MJ, 千焦 kJ, 吨标准煤/吨标煤/标准煤 tce, 千克标准煤/千克标煤 kgce, 年 a, 小时/时 h, 天/日 d; words are matched
longest first (千瓦时 before 千瓦 before 千). There are no brackets, signs, other exponents or other names:
anything else is `unknown_unit`. The product must be an amount (mass, volume, normal gas volume, energy) or a
power; with a year base or none it is annual, with an h/d/min/s base (or as a power) it is a rate per
operating hour. Parsing is one pass over at most 64 characters, so its time is bounded whatever the cell holds.
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

from symbiosis.core.taxonomy import Material

CANONICAL_UNITS: dict[str, str] = {"mass": "t/a", "volume": "m3/a", "energy": "GJ/a"}
ACCEPTED_EXAMPLES = "t/a, 万t/a, kg/h, m³/a, m³/h, 万m³/a, GJ/a, MJ/h, MWh/a, kWh/a, 万kWh/a, kW, MW, tce/a, Nm³/a, t/h"
TCE_GJ = 29.3076  # GB/T 2589-2020: 1 kgce = 29,307.6 kJ
UNIT_MAX_CHARS = 64  # after NFKC and without spaces
UNIT_MAX_RAW_CHARS = 256  # longer cells are refused before NFKC (which can expand text 18-fold)
PREFIX_RANGE = (1e-9, 1e12)
MAX_MULTIPLIERS = 3
MAX_SYMBOLS = 3

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


# The allow-list: symbol -> (factor, pint unit). Only these constant strings ever reach pint.
_SYMBOLS: dict[str, tuple[float, str]] = {
    "t": (1.0, "t"), "tonne": (1.0, "t"), "kg": (1.0, "kg"), "g": (1.0, "g"), "kt": (1e3, "t"), "Mt": (1e6, "t"),
    "m": (1.0, "m"), "L": (1.0, "L"), "l": (1.0, "L"), "Nm": (1.0, "Nm3"),
    "J": (1.0, "J"), "kJ": (1.0, "kJ"), "MJ": (1.0, "MJ"), "GJ": (1.0, "GJ"), "TJ": (1.0, "TJ"),
    "Wh": (1.0, "Wh"), "kWh": (1.0, "kWh"), "MWh": (1.0, "MWh"), "GWh": (1.0, "GWh"),
    "tce": (1.0, "tce"), "kgce": (1.0, "kgce"),
    "W": (1.0, "W"), "kW": (1.0, "kW"), "MW": (1.0, "MW"), "GW": (1.0, "GW"),
    "a": (1.0, "year"), "y": (1.0, "year"), "yr": (1.0, "year"), "year": (1.0, "year"), "years": (1.0, "year"),
    "annum": (1.0, "year"), "h": (1.0, "hour"), "hr": (1.0, "hour"), "hour": (1.0, "hour"),
    "hours": (1.0, "hour"), "d": (1.0, "day"), "day": (1.0, "day"), "days": (1.0, "day"),
    "min": (1.0, "minute"), "minute": (1.0, "minute"), "s": (1.0, "second"), "sec": (1.0, "second"),
    "second": (1.0, "second"),
}
_YEAR_SYMBOLS = frozenset({"a", "y", "yr", "year", "years", "annum"})
_TIME_SYMBOLS = _YEAR_SYMBOLS | {"h", "hr", "hour", "hours", "d", "day", "days", "min", "minute", "s", "sec", "second"}
_LENGTH_SYMBOLS = frozenset({"m", "Nm"})  # the only symbols that take an exponent; Nm only as Nm3

# Chinese words -> the symbol (with its exponent) they stand for; matched longest first with the symbols.
_WORDS: dict[str, tuple[str, int]] = {
    "吨标准煤": ("tce", 1), "吨标煤": ("tce", 1), "千克标准煤": ("kgce", 1), "千克标煤": ("kgce", 1),
    "标准煤": ("tce", 1),
    "标准立方米": ("Nm", 3), "标立方米": ("Nm", 3), "标立方": ("Nm", 3), "标方": ("Nm", 3),
    "立方米": ("m", 3), "立方": ("m", 3), "方": ("m", 3),
    "千瓦时": ("kWh", 1), "兆瓦时": ("MWh", 1), "度": ("kWh", 1), "兆瓦": ("MW", 1), "千瓦": ("kW", 1),
    "吉焦": ("GJ", 1), "兆焦": ("MJ", 1), "千焦": ("kJ", 1),
    "千克": ("kg", 1), "公斤": ("kg", 1), "吨": ("t", 1),
    "小时": ("h", 1), "时": ("h", 1), "年": ("a", 1), "天": ("d", 1), "日": ("d", 1),
}
_MULTIPLIERS: dict[str, float] = {"十": 10.0, "百": 1e2, "千": 1e3, "万": 1e4, "亿": 1e8}
_SLASHES = ("/", "每", "per")
_STARS = ("*", "·", "⋅", "・")
_POWERS = ("**", "^")
_STEAM_WORDS = re.compile(r"[\(（]?\s*(蒸汽|汽|steam)\s*[\)）]?", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\n]+")  # after NFKC, which folds no-break, ideographic and other spaces to " "
_NUMBER = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d{1,3})?|\.\d+(?:[eE][+-]?\d{1,3})?")
_EXPONENT = re.compile(r"(?:\*\*|\^)?([1-3])(?![\d.,])")

# Token kinds: ("num", value), ("mult", value), ("sym", (symbol, exponent)), ("star", None), ("slash", None),
# ("pow", None). "pow" is only produced where no exponent may stand, so the parser refuses it.
Token = tuple[str, Any]


def _literal_table() -> dict[str, Token]:
    table: dict[str, Token] = {s: ("sym", (s, 1)) for s in _SYMBOLS if s != "Nm"}
    for spelling in ("Nm", "nm", "NM", "nM"):
        table[spelling] = ("sym", ("Nm", 1))
    table.update({w: ("sym", sym) for w, sym in _WORDS.items()})
    table.update({w: ("mult", f) for w, f in _MULTIPLIERS.items()})
    table.update(dict.fromkeys(_SLASHES, ("slash", None)))
    table.update(dict.fromkeys(_STARS, ("star", None)))
    table.update(dict.fromkeys(_POWERS, ("pow", None)))
    return table


_LITERALS = _literal_table()
_LONGEST = max(len(w) for w in _LITERALS)


@dataclass(frozen=True)
class ParsedUnit:
    """A unit text as the grammar reads it: prefix factor, symbols with exponents, time base, steam marker."""

    factor: float
    symbols: tuple[tuple[str, int], ...]
    per: str | None
    steam: bool


def _tokens(s: str) -> list[Token]:
    """Longest-match tokeniser: constant work per character (at most _LONGEST table probes)."""
    out: list[Token] = []
    i, n = 0, len(s)
    while i < n:
        number = _NUMBER.match(s, i)
        if number:
            value = float(number.group().replace(",", ""))
            out.append(("num", value))
            i = number.end()
            continue
        for size in range(min(_LONGEST, n - i), 0, -1):
            token = _LITERALS.get(s[i:i + size])
            if token is not None:
                break
        else:
            raise UnitError("unknown_unit")
        i += size
        if token[0] == "sym" and token[1][0] in _LENGTH_SYMBOLS and token[1][1] == 1:
            exponent = _EXPONENT.match(s, i)
            if exponent:
                token = ("sym", (token[1][0], int(exponent.group(1))))
                i = exponent.end()
        out.append(token)
    return out


def _fold(unit_text: str) -> tuple[str, bool]:
    text = str(unit_text)
    if len(text) > UNIT_MAX_RAW_CHARS:
        raise UnitError("unit_too_long", limit=str(UNIT_MAX_CHARS))
    s = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    if len(s) > UNIT_MAX_CHARS:
        raise UnitError("unit_too_long", limit=str(UNIT_MAX_CHARS))
    steam = bool(_STEAM_WORDS.search(s))
    return _STEAM_WORDS.sub("", s), steam


def parse_unit(unit_text: str) -> ParsedUnit:
    """Read unit text by the grammar in the module docstring. Raises UnitError ('unknown_unit', 'unit_too_long')."""
    s, steam = _fold(unit_text)
    tokens = _tokens(s)
    tokens.append(("end", None))
    i = 0
    factor = 1.0
    if tokens[i][0] == "num":
        factor = tokens[i][1]
        i += 1
        if tokens[i][0] == "star" and tokens[i + 1][0] in ("mult", "sym"):
            i += 1
    multipliers = 0
    while tokens[i][0] == "mult" and multipliers <= MAX_MULTIPLIERS:
        factor *= tokens[i][1]
        multipliers += 1
        i += 1
    lo, hi = PREFIX_RANGE
    if multipliers > MAX_MULTIPLIERS or not lo <= factor <= hi:
        raise UnitError("unknown_unit")  # "0*t", "1e400 t", "亿亿亿亿t" are not units
    symbols: list[tuple[str, int]] = []
    while tokens[i][0] == "sym":
        symbols.append(tokens[i][1])
        i += 1
        if tokens[i][0] == "star" and tokens[i + 1][0] == "sym":
            i += 1
    per = None
    if tokens[i][0] == "slash" and tokens[i + 1][0] == "sym" and tokens[i + 1][1][0] in _TIME_SYMBOLS:
        per = tokens[i + 1][1][0]
        i += 2
    if tokens[i][0] != "end" or not symbols or len(symbols) > MAX_SYMBOLS:
        raise UnitError("unknown_unit")
    if any(sym == "Nm" and exp != 3 for sym, exp in symbols):
        raise UnitError("unknown_unit")  # "Nm" alone would be a newton metre; only Nm3 is a gas volume
    return ParsedUnit(factor=factor, symbols=tuple(symbols), per=per, steam=steam)


@cache
def _unit_quantities() -> dict[str, pint.Quantity]:
    ureg = registry()
    return {s: ureg.Quantity(f, u) for s, (f, u) in _SYMBOLS.items()}


_AMOUNT_DIMS = {"mass": "[mass]", "volume": "[length] ** 3", "energy": "[energy]", "gas": "[normal_gas_volume]"}


def _amount_kind(q: pint.Quantity) -> str | None:
    for kind, dim in _AMOUNT_DIMS.items():
        if q.check(dim):
            return kind
    return None


def unit_kind(unit_text: str) -> tuple[str | None, bool]:
    """What kind of amount a unit gives ('mass', 'volume', 'energy', 'gas' or None) and whether it names steam,
    without converting anything; (None, False) for text that is not a unit (its own error is reported elsewhere).
    The one rule the loader's context reading and the ledger-corpus benchmark share."""
    try:
        one, _, steam = parse_rate(unit_text)
    except UnitError:
        return None, False
    return _amount_kind(one), steam


def parse_rate(unit_text: str) -> tuple[pint.Quantity, str, bool]:
    """Unit text -> (quantity of one unit, 'annual' | 'hourly', mentions steam). Raises UnitError."""
    parsed = parse_unit(unit_text)
    ureg, units = registry(), _unit_quantities()
    one = ureg.Quantity(parsed.factor)
    for symbol, exponent in parsed.symbols:
        one = one * (units[symbol] if symbol == "Nm" else units[symbol] ** exponent)  # Nm is always Nm3
    if parsed.per is not None:
        one = one / units[parsed.per]
    if parsed.per in _YEAR_SYMBOLS and _amount_kind(one * ureg.year) is not None:
        return one * ureg.year, "annual", parsed.steam
    if _amount_kind(one) is not None:
        return one, "annual", parsed.steam  # a plain amount is read as per year: the quantity column is annual
    if _amount_kind(one * ureg.hour) is not None:
        return one * ureg.hour, "hourly", parsed.steam  # per hour, per day, or a power: times operating hours
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
