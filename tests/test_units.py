"""Every unit family, converted by hand."""

from __future__ import annotations

from pathlib import Path

import pint
import pytest
from park_builders import BASIC_STREAMS, write_park

from symbiosis import load_park
from symbiosis.core.errors import Problem
from symbiosis.core.taxonomy import materials, water_grade_vocabulary
from symbiosis.core.units import (
    ACCEPTED_EXAMPLES,
    UNIT_MAX_CHARS,
    UnitError,
    parse_rate,
    parse_unit,
    registry,
    steam_heat_gj_per_t,
    to_canonical,
)


def convert(value: float, unit: str, key: str, hours: float | None = None, t: float | None = None,
            tr: float | None = None) -> float:
    result = to_canonical(value, unit, materials()[key], hours, t, tr)
    return result.value


@pytest.mark.parametrize(("value", "unit", "key", "hours", "expected"), [
    (3, "万t/a", "fly_ash", None, 30_000.0),
    (3, "万吨/年", "fly_ash", None, 30_000.0),
    (250, "t/a", "fly_ash", None, 250.0),
    (500, "kg/h", "fly_ash", 8000, 4_000.0),
    (20, "t/d", "fly_ash", 7920, 20 * 330.0),
    (2, "万m³/a", "tap_water", None, 20_000.0),
    (10, "m³/h", "tap_water", 8000, 80_000.0),
    (5, "万立方米/年", "tap_water", None, 50_000.0),
    (300, "t/a", "tap_water", None, 300.0),  # water: 1 t = 1 m³
    (1200, "GJ/a", "flue_gas_heat", None, 1200.0),
    (100, "MJ/h", "flue_gas_heat", 8000, 800.0),
    (1000, "MWh/a", "electricity", None, 3600.0),
    (10, "万kWh/a", "electricity", None, 360.0),
    (10, "万千瓦时", "electricity", None, 360.0),
    (500, "kW", "electricity", 8000, 14_400.0),
    (2, "MW", "flue_gas_heat", 8000, 57_600.0),
    (1000, "tce/a", "coal", None, 29_307.6),
    (1000, "吨标煤/年", "coal", None, 29_307.6),
])
def test_unit_families(value: float, unit: str, key: str, hours: float | None, expected: float) -> None:
    assert convert(value, unit, key, hours) == pytest.approx(expected, rel=1e-12)


def test_gas_volumes_use_the_material_table() -> None:
    ng = materials()["natural_gas"]
    h2 = materials()["hydrogen"]
    assert ng.ncv_gj_per_nm3 is not None and h2.density_kg_per_nm3 is not None
    assert convert(1e6, "Nm³/a", "natural_gas") == pytest.approx(1e6 * ng.ncv_gj_per_nm3)
    assert convert(100, "万Nm³/a", "natural_gas") == pytest.approx(1e6 * ng.ncv_gj_per_nm3)
    assert convert(1e6, "Nm³/a", "hydrogen") == pytest.approx(1e6 * h2.density_kg_per_nm3 / 1000)
    # GB/T 2589 default 38,931 kJ/m³ for natural gas
    assert ng.ncv_gj_per_nm3 == pytest.approx(0.038931)


def test_coal_by_mass_uses_its_calorific_value() -> None:
    coal = materials()["coal"]
    assert coal.ncv_gj_per_t == pytest.approx(20.908)
    assert convert(50, "万t/a", "coal") == pytest.approx(500_000 * 20.908)


def test_steam_by_mass_uses_saturated_enthalpy() -> None:
    # IAPWS-IF97 table: h_g(200 °C) = 2792.0 kJ/kg, h_f(100 °C) = 419.2 kJ/kg
    assert steam_heat_gj_per_t(200, 100) == pytest.approx((2792.0 - 419.2) / 1000)
    assert convert(10, "t/h", "waste_steam", 8000, 200, 100) == pytest.approx(80_000 * 2.3728)
    assert convert(10, "t/h蒸汽", "waste_steam", 8000, 200, 100) == pytest.approx(80_000 * 2.3728)


@pytest.mark.parametrize(("value", "unit", "key", "hours", "code"), [
    (5, "t/a", "flue_gas_heat", None, "unit_dimension"),  # t/a of waste heat: not a guess, an error
    (5, "t/a", "electricity", None, "unit_dimension"),
    (5, "GJ/a", "fly_ash", None, "unit_dimension"),
    (5, "kg/h", "fly_ash", None, "hours_needed"),
    (5, "kW", "electricity", None, "hours_needed"),
    (5, "furlongs", "fly_ash", None, "unknown_unit"),
    (5, "", "fly_ash", None, "unknown_unit"),
    (5, "t/h", "waste_steam", 8000, "steam_needs_temperature"),
])
def test_units_that_do_not_fit_are_errors(value: float, unit: str, key: str, hours: float | None,
                                          code: str) -> None:
    with pytest.raises(UnitError) as info:
        convert(value, unit, key, hours)
    assert info.value.code == code


def test_steam_outside_table_is_an_error() -> None:
    with pytest.raises(UnitError) as info:
        convert(10, "t/h", "waste_steam", 8000, 450, 100)
    assert info.value.code == "steam_temperature_range"


@pytest.mark.parametrize(("value", "unit", "key", "hours", "expected"), [
    (10, "10万t/a", "fly_ash", None, 10 * 100_000.0),  # 10万 is 100,000 (it was read as "101e4" = 1,010,000)
    (2, "10万吨/年", "fly_ash", None, 2 * 100_000.0),
    (1, "百万吨/年", "fly_ash", None, 1_000_000.0),
    (1, "十万吨", "fly_ash", None, 100_000.0),
    (1, "千万吨/年", "fly_ash", None, 10_000_000.0),
    (3, "1e4*t/a", "fly_ash", None, 30_000.0),
    (3, "1,000 t/a", "fly_ash", None, 3_000.0),
    (2, "kt/a", "fly_ash", None, 2_000.0),
    (2, "Mt/a", "fly_ash", None, 2_000_000.0),
    (5, "tonne/year", "fly_ash", None, 5.0),
    (5, "t/yr", "fly_ash", None, 5.0),
    (5, "t per day", "fly_ash", 7920, 5 * 330.0),
    (5, "吨每天", "fly_ash", 7920, 5 * 330.0),
    (1, "kg/s", "fly_ash", 1000, 3600.0),
    (2, "m**3/h", "tap_water", 100, 200.0),
    (2, "m^3/h", "tap_water", 100, 200.0),
    (2, "㎥/h", "tap_water", 100, 200.0),  # NFKC: ㎥ is m3
    (4, "L/h", "tap_water", 1000, 4.0),
    (5, "万方/年", "tap_water", None, 50_000.0),
    (5, "方/天", "tap_water", 7920, 5 * 330.0),
    (10, "万度/年", "electricity", None, 360.0),
    (1, "kW·h/a", "electricity", None, 0.0036),
    (1, "kW*h", "electricity", None, 0.0036),
    (1, "GWh/a", "electricity", None, 3600.0),
    (1, "TJ/a", "flue_gas_heat", None, 1000.0),
    (1, "吉焦/年", "flue_gas_heat", None, 1.0),
    (1, "千焦/小时", "flue_gas_heat", 1e6, 1.0),
    (1, "万吨标准煤/年", "coal", None, 293_076.0),
    (1, "千克标煤/时", "coal", 1000, 29.3076),
    (1, "吨 / 年", "fly_ash", None, 1.0),
    (1, "\u3000吨／年\u3000", "fly_ash", None, 1.0),  # ideographic spaces and a full-width slash
])
def test_more_spellings(value: float, unit: str, key: str, hours: float | None, expected: float) -> None:
    assert convert(value, unit, key, hours) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("unit", ["Nm3/a", "nm3/a", "NM3/a", "Nm^3/a", "Nm**3/a", "标方/年", "标立方米/年",
                                  "标准立方米/年", "Nm³/a"])
def test_normal_cubic_metres_in_every_spelling(unit: str) -> None:
    ng = materials()["natural_gas"]
    assert convert(1e6, unit, "natural_gas") == pytest.approx(1e6 * (ng.ncv_gj_per_nm3 or 0.0))


@pytest.mark.parametrize("unit", ["t/h蒸汽", "t/h (steam)", "吨汽/小时", "t/h（蒸汽）", "t steam/h", "t/h STEAM"])
def test_steam_markers(unit: str) -> None:
    assert convert(10, unit, "waste_steam", 8000, 200, 100) == pytest.approx(80_000 * 2.3728)


@pytest.mark.parametrize(("text", "factor", "symbols", "per", "steam"), [
    ("t/a", 1.0, (("t", 1),), "a", False),
    ("万t/a", 1e4, (("t", 1),), "a", False),
    ("10万吨/年", 1e5, (("t", 1),), "a", False),
    ("2.5E-3 kg/h", 2.5e-3, (("kg", 1),), "h", False),
    ("m³/h", 1.0, (("m", 3),), "h", False),
    ("万Nm³/a", 1e4, (("Nm", 3),), "a", False),
    ("kW·h", 1.0, (("kW", 1), ("h", 1)), None, False),
    ("千瓦时", 1.0, (("kWh", 1),), None, False),
    ("t/h蒸汽", 1.0, (("t", 1),), "h", True),
])
def test_the_grammar_reads(text: str, factor: float, symbols: tuple[tuple[str, int], ...], per: str | None,
                           steam: bool) -> None:
    parsed = parse_unit(text)
    assert (parsed.factor, parsed.symbols, parsed.per, parsed.steam) == (factor, symbols, per, steam)


@pytest.mark.parametrize("unit", [
    "ton/a",  # pint's short ton: not guessed
    "lb/a", "gal/h", "bbl/d", "kcal/h", "Gcal/a", "mW", "mL/h", "t/month", "t/week",
    "(t)/a", "t/(a)", "t**1/a", "t^2", "t*2/a", "t/d/a", "kg/t", "m**4", "Nm/a", "Nm2/a", "t m3 kg GJ",
    "万", "1e4", "/a", "t/", "*t", "t*", "t//a", "t/a/", "亿亿亿亿t", "1e13 t", "1e-10 t", "0 t", "0*t", "+1 t",
])
def test_what_the_grammar_refuses(unit: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_rate(unit)
    assert info.value.code == "unknown_unit"


def test_user_text_never_reaches_pints_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    registry()  # the allow-listed units are built from constant strings before the parser is blocked
    to_canonical(1, "t/a", materials()["fly_ash"])

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"pint parsed {args!r}")

    monkeypatch.setattr(pint.UnitRegistry, "parse_expression", refuse)
    monkeypatch.setattr(pint.UnitRegistry, "__call__", refuse)
    for unit in ["万t/a", "kg/h", "万m³/a", "MJ/h", "万kWh/a", "kW", "tce/a", "万Nm³/a", "t/h蒸汽", "吨标准煤"]:
        parse_rate(unit)


def test_a_long_unit_names_the_limit() -> None:
    for text in ["t" * (UNIT_MAX_CHARS + 1), "t/a" + "·t" * 40_000]:
        with pytest.raises(UnitError) as info:
            parse_rate(text)
        assert info.value.code == "unit_too_long" and info.value.params == {"limit": str(UNIT_MAX_CHARS)}
    assert parse_unit(" " * 100 + "t/a").symbols == (("t", 1),)  # spaces do not count


def test_unit_too_long_has_both_messages() -> None:
    problem = Problem("unit_too_long", value="t" * 5000, accepted=ACCEPTED_EXAMPLES,
                      params=(("limit", str(UNIT_MAX_CHARS)),))
    for lang in ("en", "zh"):
        text = problem.text(lang)
        assert str(UNIT_MAX_CHARS) in text and "{" not in text and len(text) < 300
    assert "过长" in problem.text("zh")


@pytest.mark.parametrize(("word", "grade"), [
    ("冷却", "cooling"), ("冷却水", "cooling"), ("冷却用水", "cooling"), ("cooling", "cooling"),
    ("Cooling Water", "cooling"), ("工艺", "process"), ("工艺水", "process"), ("工艺用水", "process"),
    ("除盐", "demineralised"), ("脱盐", "demineralised"), ("景观", "landscape"), ("景观水", "landscape"),
    ("灌溉", "irrigation"), ("绿化", "irrigation"), ("洗涤", "washing"), ("冲洗", "washing"),
    ("饮用", "potable"), ("生活饮用", "potable"), ("自来水", "potable"), ("drinking", "potable"),
])
def test_a_grade_word_with_or_without_its_water_ending(word: str, grade: str) -> None:
    assert water_grade_vocabulary().resolve(word) == grade


@pytest.mark.parametrize("word", ["纯", "水", "用水", "water", "muddy", ""])
def test_a_bare_ending_is_no_grade(word: str) -> None:
    assert water_grade_vocabulary().resolve(word) is None


def test_the_loader_takes_a_grade_without_its_water_ending(tmp_path: Path) -> None:
    rows = [list(r) for r in BASIC_STREAMS]
    rows.append(["E2", "input", "tap_water", 5000, "m³/a", "", "", "冷却", "tap_water", "", ""])
    park = load_park(write_park(tmp_path / "park", streams=rows))
    assert park.streams["quality"].iloc[-1] == "cooling"
