"""Emission accounting of one link (symbiosis.core.accounting), checked item by item against the factor rows."""

from __future__ import annotations

import pandas as pd
import pytest

from symbiosis.core.accounting import ITEMS, delivered_fraction, net_per_unit, unit_coefficients
from symbiosis.core.factors import FactorTable
from symbiosis.core.park import ParkConfig

F = FactorTable(ParkConfig(region="east", year=2023))
GRID_KWH = F.grid().value / 1000  # tCO2 per kWh
GJ_PER_MWH = 3.6


def coefficients(**pair: object) -> pd.Series:
    base: dict[str, object] = {"material_out": "fly_ash", "unit_out": "t/a", "baseline_out": "", "material_in": "clinker",
                               "unit_in": "t/a", "baseline_in": "", "ratio": 1.0, "delivered_fraction": 1.0,
                               "distance_km": 0.0, "mode": "truck", "pretreatment_kwh_per_unit": 0.0}
    base.update(pair)
    return unit_coefficients(pd.DataFrame([base]), F).iloc[0]


def test_grid_factor_is_the_parks_region_and_year() -> None:
    assert F.grid().factor_id == "grid_east_2023"


def test_by_product_replacing_virgin_material_with_transport_and_pretreatment() -> None:
    c = coefficients(material_out="bf_slag", baseline_out="landfill", material_in="clinker", baseline_in="virgin",
                     ratio=1.0, distance_km=12.0, pretreatment_kwh_per_unit=40.0)
    assert c["avoided_scope3_cat1"] == pytest.approx(F.get("virgin_clinker").value)
    assert c["avoided_scope3_cat5"] == pytest.approx(F.get("disposal_landfill_inert").value)
    assert c["added_transport"] == pytest.approx(12.0 * F.get("transport_truck").value)
    assert c["added_energy"] == pytest.approx(40.0 * GRID_KWH)
    assert c["avoided_scope1"] == c["avoided_scope2"] == c["added_combustion"] == 0
    assert c["ids_avoided_scope3_cat1"] == ("virgin_clinker",)
    assert c["ids_added_energy"] == ("grid_east_2023",)
    assert set(c["factor_ids"]) == {"virgin_clinker", "disposal_landfill_inert", "transport_truck", "grid_east_2023"}
    net = net_per_unit(pd.DataFrame([c]))[0]
    assert net == pytest.approx(c["avoided_scope3_cat1"] + c["avoided_scope3_cat5"] - c["added_transport"]
                                - c["added_energy"])


def test_ratio_scales_the_receiver_side_only() -> None:
    c = coefficients(material_out="steel_scrap", baseline_out="landfill", material_in="iron_ore", baseline_in="virgin",
                     ratio=1.4)
    assert c["avoided_scope3_cat1"] == pytest.approx(1.4 * F.get("virgin_iron_ore").value)
    assert c["avoided_scope3_cat5"] == pytest.approx(F.get("disposal_landfill_inert").value)


def test_organic_landfill_counts_its_methane_and_sold_avoids_nothing() -> None:
    organic = coefficients(material_out="distillers_grains", baseline_out="landfill", material_in="animal_feed",
                           baseline_in="virgin", ratio=0.4)
    # landfill methane of its degradable carbon: the organic category's DOC row (symbiosis.core.landfill)
    assert organic["avoided_scope3_cat5"] == pytest.approx(F.get("landfill_ch4:distillers_grains").value)
    assert organic["ids_avoided_scope3_cat5"] == ("landfill_ch4:distillers_grains",)
    sold = coefficients(material_out="fly_ash", baseline_out="sold")
    assert sold["avoided_scope3_cat5"] == 0
    assert any(n.code == "output_nothing_avoided" and "sold" in n.text() for n in sold["notes"])
    nothing = next(n for n in sold["notes"] if n.code == "output_nothing_avoided")
    assert nothing.text("zh").startswith("产出现状“外售”")  # baselines.csv name_zh
    assert sold["notes"][0].code == "reference"  # every link names its reference scenario first


def test_incineration_variants_by_material() -> None:
    oil = coefficients(material_out="waste_oil", baseline_out="incineration", material_in="lubricating_oil",
                       baseline_in="virgin", ratio=0.7)
    assert oil["avoided_scope3_cat5"] == pytest.approx(F.get("disposal_incineration_waste_oil").value)
    plastics = coefficients(material_out="waste_plastics", baseline_out="incineration", material_in="virgin_plastic",
                            baseline_in="virgin", ratio=0.8)
    assert plastics["avoided_scope3_cat5"] == pytest.approx(F.get("disposal_incineration_plastics").value)


@pytest.mark.parametrize(("baseline", "fuel", "efficiency"), [
    ("natural_gas_boiler", "fuel_natural_gas", "eff_natural_gas_boiler"),
    ("coal_boiler", "fuel_coal", "eff_coal_boiler"),
])
def test_heat_from_a_boiler_avoids_fuel_over_efficiency(baseline: str, fuel: str, efficiency: str) -> None:
    c = coefficients(material_out="waste_steam", unit_out="GJ/a", baseline_out="vent", material_in="process_steam",
                     unit_in="GJ/a", baseline_in=baseline, mode="pipe_steam", delivered_fraction=0.94)
    expected = 0.94 * F.get(fuel).value / F.get(efficiency).value
    assert c["avoided_scope1"] == pytest.approx(expected)
    assert c["avoided_scope3_cat5"] == 0  # venting heat: factor 0
    assert c["ids_avoided_scope1"] == (fuel, efficiency, "heat_pipe_loss_steam")


def test_electric_boiler_and_purchased_steam_are_scope2() -> None:
    electric = coefficients(material_out="hot_water_heat", unit_out="GJ/a", material_in="space_heating",
                            unit_in="GJ/a", baseline_in="electric_boiler", mode="pipe_heat")
    assert electric["avoided_scope2"] == pytest.approx(
        F.grid().value / GJ_PER_MWH / F.get("eff_electric_boiler").value)
    assert electric["avoided_scope1"] == 0
    steam = coefficients(material_out="waste_steam", unit_out="GJ/a", material_in="process_steam", unit_in="GJ/a",
                         baseline_in="purchased_steam", mode="pipe_steam")
    assert steam["avoided_scope2"] == pytest.approx(F.get("heat_purchased_steam").value)


@pytest.mark.parametrize("fate", ["vent", "flare", "sold", ""])
def test_off_gas_replacing_natural_gas_avoids_the_natural_gas_unless_it_is_sold_today(fate: str) -> None:
    # an off-gas is made in the park from fuels counted where they entered (coal at the coke ovens): burning it at
    # the receiver adds nothing, flaring it was counted in that coal too, so the link avoids the natural gas; sold
    # today, its buyer must buy that natural gas instead (docs/accounting.md): nothing net
    gas = coefficients(material_out="coke_oven_gas", unit_out="GJ/a", baseline_out=fate, material_in="natural_gas",
                       unit_in="GJ/a", baseline_in="virgin", mode="pipe_gas")
    ng = F.get("fuel_natural_gas").value
    assert gas["avoided_scope1"] == pytest.approx(ng)
    assert gas["added_combustion"] == 0
    assert "avoided_scope1_supplier" not in gas.index
    assert gas["added_displaced"] == (pytest.approx(ng) if fate == "sold" else 0.0)
    assert net_per_unit(pd.DataFrame([gas]))[0] == pytest.approx(0.0 if fate == "sold" else ng, abs=1e-15)
    assert any(n.code == "fuel_counted_at_entry" for n in gas["notes"])


def test_a_waste_fuel_adds_its_own_combustion_at_the_receiver() -> None:
    tyres = coefficients(material_out="waste_tyres", baseline_out="sold", material_in="coal", unit_in="GJ/a",
                         baseline_in="", ratio=28.0)
    assert tyres["avoided_scope1"] == pytest.approx(28.0 * F.get("fuel_coal").value)
    assert tyres["added_combustion"] == pytest.approx(28.0 * F.get("fuel_waste_tyres").value)
    assert tyres["ids_added_combustion"] == ("fuel_waste_tyres",)


def test_an_off_gas_bought_in_is_a_fuel_like_natural_gas() -> None:
    bought = coefficients(material_out="bf_gas", unit_out="GJ/a", baseline_out="flare", material_in="bf_gas",
                          unit_in="GJ/a", baseline_in="", mode="pipe_gas")
    assert bought["avoided_scope1"] == pytest.approx(F.get("fuel_bf_gas").value)
    assert bought["added_combustion"] == 0


def test_hydrogen_by_mass_replaces_natural_gas_by_energy() -> None:
    h2 = coefficients(material_out="hydrogen", baseline_out="vent", material_in="natural_gas", unit_in="GJ/a",
                      baseline_in="virgin", ratio=120.1, mode="pipe_gas")
    assert h2["avoided_scope1"] == pytest.approx(120.1 * F.get("fuel_natural_gas").value)
    assert h2["added_combustion"] == 0


def test_water_reuse_avoids_tap_water_and_pays_pumping() -> None:
    c = coefficients(material_out="reclaimed_water", unit_out="m3/a", baseline_out="discharge",
                     material_in="tap_water", unit_in="m3/a", baseline_in="tap_water", mode="pipe_water",
                     distance_km=3.0, pretreatment_kwh_per_unit=0.05)
    assert c["avoided_scope3_cat1"] == pytest.approx(F.get("water_tap_supply").value)
    pumping = F.get("water_pipe_pumping").value
    assert c["added_energy"] == pytest.approx((0.05 + pumping * 3.0) * GRID_KWH)
    assert c["ids_added_energy"] == ("grid_east_2023", "water_pipe_pumping")


def test_no_baseline_counts_nothing_and_says_so() -> None:
    c = coefficients(material_out="reclaimed_water", unit_out="m3/a", material_in="industrial_water", unit_in="m3/a",
                     mode="pipe_water")
    assert all(c[item] == 0 for item in ITEMS)
    codes = {n.code for n in c["notes"]}
    assert codes == {"reference", "output_no_baseline", "input_no_baseline"}


def test_raw_material_without_baseline_is_bought_virgin() -> None:
    c = coefficients(material_in="cement", baseline_in="")
    assert c["avoided_scope3_cat1"] == pytest.approx(F.get("virgin_cement").value)


def test_pipe_heat_loss_per_km() -> None:
    steam = F.get("heat_pipe_loss_steam").value
    water = F.get("heat_pipe_loss_hot_water").value
    got = delivered_fraction(["pipe_steam", "pipe_heat", "pipe_steam"], [2.0, 2.0, 2.0 / steam], F)
    assert got.tolist() == pytest.approx([1 - 2 * steam, 1 - 2 * water, 0.0])  # never below 0


def test_factor_overrides_change_the_coefficients() -> None:
    overridden = FactorTable(ParkConfig(region="east", year=2023), {"virgin_clinker": 0.5})
    c = unit_coefficients(pd.DataFrame([{"material_out": "fly_ash", "unit_out": "t/a", "baseline_out": "",
                                         "material_in": "clinker", "unit_in": "t/a", "baseline_in": "virgin",
                                         "ratio": 1.0, "delivered_fraction": 1.0, "distance_km": 0.0,
                                         "mode": "truck", "pretreatment_kwh_per_unit": 0.0}]), overridden).iloc[0]
    assert c["avoided_scope3_cat1"] == pytest.approx(0.5)


def test_coefficients_are_vectorised_over_many_rows() -> None:
    rows = pd.DataFrame([{"material_out": "fly_ash", "unit_out": "t/a", "baseline_out": "landfill",
                          "material_in": "clinker", "unit_in": "t/a", "baseline_in": "virgin", "ratio": 1.0,
                          "delivered_fraction": 1.0, "distance_km": float(d), "mode": "truck",
                          "pretreatment_kwh_per_unit": 0.0} for d in range(500)])
    c = unit_coefficients(rows, F)
    assert len(c) == 500
    assert c["added_transport"].tolist() == pytest.approx([d * F.get("transport_truck").value for d in range(500)])
