"""Every unit family, converted by hand."""

from __future__ import annotations

import pytest

from symbiosis.taxonomy import materials
from symbiosis.units import UnitError, steam_heat_gj_per_t, to_canonical


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
