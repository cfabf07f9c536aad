"""The emissions rule-book: the one place that says what a ledger row emits per unit, and so what replacing it avoids.

Both sides of the house read it and hold no rule of their own:
* the park inventory (flows/accounting.py) multiplies each graph edge's quantity by these per-unit numbers;
* a link's accounting (symbiosis.core.accounting.unit_coefficients, used by matching/) multiplies the same numbers
  by the quantity the link moves.
Because both are the same linear rules applied to the same quantities, the inventory before minus after a plan
equals the sum of the plan's link accounting, scope by scope and enterprise by enterprise (the consistency law,
tests/test_consistency_law.py; docs/accounting-rules.md).

The rules are tables (below) over the factor rows of datasets/emission_factors.csv and the baselines of
datasets/baselines.csv:
  BASELINES (baselines.csv)  what an input's baseline avoids (scope, factor, boiler efficiency) and whether an
                             output's fate is a disposal (scope3_cat5) or nothing
  DISPOSAL_FAMILY            which disposal row a material's fate takes (key, then family, then category, then
                             the baseline's default row)
  BOILER_FUEL                the fuel an own boiler burns, whose ledger row holds the boiler's fuel when listed
  MODE_TRANSPORT             Scope 3 cat. 4 factor row of a mode (per t x km)
  MODE_PUMPING               pumping electricity of a mode (kWh per unit x km)
  MODE_HEAT_LOSS             pipe heat loss of a heat mode (fraction per km)
Per-unit conversions (factor per t <-> per m3 <-> per GJ, tonnes per unit for transport) are here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np

from symbiosis.core.datasets import read_records
from symbiosis.core.factors import Factor, FactorTable
from symbiosis.core.i18n import pair, register, render
from symbiosis.core.landfill import landfill_factor
from symbiosis.core.taxonomy import Material, baselines, materials

GJ_PER_MWH = 3.6
GJ_PER_KWH = GJ_PER_MWH / 1000.0

# --- the tables ---------------------------------------------------------------------------------------------------
# Own-boiler baselines of a heat input -> the fuel the boiler burns. Where the enterprise lists an input row of that
# fuel, that row already holds the boiler's fuel (the heat row is not counted again, and a link replacing the heat
# takes heat / efficiency off the fuel row); where it does not, the heat row stands for it.
BOILER_FUEL: dict[str, str] = {"natural_gas_boiler": "natural_gas", "coal_boiler": "coal",
                               "electric_boiler": "electricity"}
FUELS: frozenset[str] = frozenset(BOILER_FUEL.values())
# An intermediate made in-house (input baseline own_production, e.g. the clinker a cement works burns itself) stands
# for its production: the process CO2 (factor row scope1_process of the material, e.g. calcination) and the fuel its
# kiln burns (row production_fuel, GJ per t) of this fuel. As with an own boiler, where the enterprise lists an
# input row of that fuel, that row already holds the kiln's fuel: the intermediate's row then counts only its process
# CO2 in the inventory, and a link replacing the intermediate takes the fuel off the fuel row.
OWN_PRODUCTION = "own_production"
PRODUCTION_FUEL: dict[str, str] = {"clinker": "coal", "quicklime": "coal"}
# A carbonate bought in is calcined (or acid-reacted, as in wet FGD) by the enterprise that buys it: besides its
# quarrying (cat. 1), it releases its CO2 there (Scope 1, row scope1_process; IPCC 2006 Vol. 3 ch. 2). Where the
# enterprise also lists an intermediate it makes from it (own clinker, own lime), that row's process CO2 already
# holds the calcination: the carbonate row then counts only its quarrying, and a link replacing it is not credited
# the calcination either (conservative: the clinker row does not fall with it; docs/accounting.md).
CALCINED_INPUTS: frozenset[str] = frozenset({"limestone"})
CALCINED_INTO: dict[str, frozenset[str]] = {"clinker": frozenset({"limestone"}), "quicklime": frozenset({"limestone"})}


def process_held(material_in: str, own_made: Iterable[str]) -> str:
    """The intermediate an enterprise makes in-house (`own_made`) whose process row holds the calcination of its
    `material_in` input; "" when none does."""
    return next((m for m in sorted(own_made) if material_in in CALCINED_INTO.get(m, frozenset())), "")


# Disposal variants named in baselines.csv's descriptions: the material's own key is tried first
# (incineration:waste_oil), then these families, then its category (landfill:organic), then the baseline's row.
# paper_sludge has no family on purpose: it is half filler and ash, so it takes its category's landfill:organic
# row, not the paper row (issue 11: the inventory used landfill:paper, the links landfill:organic).
DISPOSAL_FAMILY: dict[str, str] = {
    "waste_plastics": "plastics", "waste_paper": "paper", "wood_waste": "wood", "waste_solvent": "waste_oil",
}
MODE_TRANSPORT: dict[str, str] = {"truck": "truck"}  # mode -> scope3_cat4 applies_to (tCO2e per t x km)
MODE_PUMPING: dict[str, str] = {"pipe_water": "water_pipe"}  # mode -> energy_intensity applies_to (kWh/unit/km)
MODE_HEAT_LOSS: dict[str, str] = {"pipe_steam": "heat_pipe_steam"}  # any other heat pipe: heat_pipe_hot_water
DEFAULT_HEAT_LOSS = "heat_pipe_hot_water"


@cache
def biogenic_materials() -> frozenset[str]:
    """Materials whose carbon is biogenic (materials.csv `is_biogenic`): burning one as a fuel substitute adds
    nothing to Scope 1 (GB/T 32150 / IPCC convention, as fuel_biomass_fuel; the CO2 is reported separately).

    A materials table without the column (an old user-supplied datasets folder) falls back to the organic category.
    """
    rows = read_records("materials")
    if rows and "is_biogenic" in rows[0]:
        return frozenset(r["key"] for r in rows if r["is_biogenic"].strip().lower() == "true")
    return frozenset(r["key"] for r in rows if r["category"] == "organic")


# --- notes: why an item is zero or assumed (codes "note.<code>" with parameters; the text is the same in both
# languages; in Chinese, material, baseline and factor keys are shown by their Chinese names) --------------------
NOTES = register("note", {
    "output_no_baseline": ("the supplier's output has no baseline: no disposal avoided is counted",
                           "供方产出未填写现状去向：不计避免的处置排放"),
    "output_nothing_avoided": ("baseline '{baseline}' of the output: nothing avoided ({why})",
                               "产出现状“{baseline}”：不计避免排放（{why}）"),
    "input_no_baseline": ("the receiver's input has no baseline: nothing avoided is counted on its side",
                          "需方投入未填写现状来源：需方不计避免排放"),
    "input_nothing_avoided": ("baseline '{baseline}' of the input: nothing avoided", "投入现状“{baseline}”：不计避免排放"),
    "no_disposal_factor": ("no emission factor for {baseline} of {material}: counted as 0",
                           "缺少{material}{baseline}的排放因子：按 0 计"),
    "no_virgin_factor": ("no cradle-to-gate (scope3_cat1) factor for virgin {material}: the avoided purchase "
                         "counts 0", "缺少外购{material}的上游（范围三类别1）排放因子：避免的采购按 0 计"),
    "unit_mismatch": ("factor {factor_id} is per {factor_unit} but the stream is in {stream_unit}: counted as 0",
                      "因子“{factor_id}”以 {factor_unit} 计，而流以 {stream_unit} 计：按 0 计"),
    "substitute_fuel_assumed": ("no combustion factor for {material}: its combustion is taken equal to the fuel "
                                "it replaces (no Scope 1 credit)",
                                "缺少{material}的燃烧排放因子：按与被替代燃料相同计（不计范围一减排）"),
    "no_production_factor": ("no production factor (scope1_process or production_fuel) for {material} made "
                             "in-house: nothing avoided is counted", "缺少自产{material}的生产排放因子：不计避免排放"),
    "sold_displaced_default": ("sold today: its buyer is taken to buy what the receiver stops buying (no net "
                               "credit; name the buyer's substitute in displaced_use to claim one)",
                               "现状外售：按原买方改购需方不再购买的物料计（不计净减排；如需计入，请在“原用户替代品”中注明原买方的替代物料）"),
    "sold_displaced_named": ("sold today: its buyer replaces it with virgin {material} (ledger's displaced_use)",
                             "现状外售：原买方改用原生{material}（台账“原用户替代品”）"),
    "sold_displaced_unvalued": ("sold today: its buyer's substitute {material} (displaced_use) has no cradle-to-gate "
                                "factor in this unit; taken as what the receiver stops buying (no net credit)",
                                "现状外售：原买方替代物料{material}（原用户替代品）无此单位的上游排放因子；按需方不再购买的物料计（不计净减排）"),
    "sold_nothing_displaced": ("sold today: the ledger says its buyer needs nothing in its place",
                               "现状外售：台账注明原买方无需替代"),
    "process_held": ("the calcination of {material} is counted with the receiver's own {product}: not credited "
                     "here", "{material}的煅烧排放已计入需方自产{product}：此处不计"),
    "reference": ("reference scenario (without the link): output {out}; input {inp}",
                  "基准情景（无此链接时）：产出{out}；投入{inp}"),
    "biogenic_fuel": ("{material} is biogenic: its combustion CO2 counts 0 in Scope 1",
                      "{material}为生物质：其燃烧二氧化碳在范围一中计 0"),
    "fuel_counted_at_entry": ("{material} is made in the park from fuels counted where they entered it: burning it "
                              "at the receiver instead of flaring, venting or selling it adds nothing",
                              "{material}由园区内已在输入处计量的燃料产生：改由需方燃烧（而非火炬、放散或外售）不新增排放"),
}, localize=("material", "baseline", "factor_id"))

# Why nothing is avoided by an output's baseline (codes "note.why.<baseline>", the `why` of output_nothing_avoided);
# any other baseline without a disposal emission: "note.why.nothing_counted".
SOLD_WHY = register("note.why", {
    "sold": ("already sold; a park link only redirects it", "已外售，园区内链接只是改变去向"),
    "stored": ("stored on site; no disposal emission to avoid", "厂内贮存，无可避免的处置排放"),
    "discharge": ("discharged under permit; nothing counted", "达标外排，不计"),
    "self_supplied": ("own supply; nothing counted", "自备，不计"),
    "nothing_counted": ("nothing counted", "不计"),
})


def note_text(code: str, lang: str = "en", **params: str) -> str:
    """A note in English or Chinese (render of "note.<code>"): in Chinese, keys are shown by their Chinese names,
    and a parameter `x_zh` given next to `x` is used for it."""
    return render(NOTES.code(code), lang, **params)


@dataclass(frozen=True)
class Note:
    code: str
    params: tuple[tuple[str, str], ...] = ()

    def text(self, lang: str = "en") -> str:
        return note_text(self.code, lang, **dict(self.params))


# --- per-unit conversions -----------------------------------------------------------------------------------------
def unit_base(unit: str) -> str:
    """'t' of 't/a', 'GJ' of 'GJ/a'."""
    return unit.split("/")[0] if unit else ""


def convert_per_unit(factor: Factor, material: Material | None, per_unit: str) -> float | None:
    """factor.value expressed per `per_unit` ('t', 'm3' or 'GJ') of `material`; None when it cannot be."""
    denominator = factor.unit.split("/")[-1].strip()
    if denominator == per_unit:
        return factor.value
    if material is None:
        return None
    density = material.density_t_per_m3
    ncv = material.ncv_gj_per_t
    # value per `denominator` -> per `per_unit`: multiply by (denominator units in one per_unit)
    conversions: dict[tuple[str, str], float | None] = {
        ("t", "m3"): density, ("m3", "t"): (1.0 / density) if density else None,
        ("GJ", "t"): ncv, ("t", "GJ"): (1.0 / ncv) if ncv else None,
    }
    k = conversions.get((denominator, per_unit))
    return None if k is None else factor.value * k


@cache
def tonnes_per_unit(material_key: str, unit: str) -> float | None:
    """Tonnes per canonical unit of a stream (for transport, t x km); None when the material table cannot say."""
    base = unit_base(unit)
    if base == "t":
        return 1.0
    material = materials().get(material_key)
    if material is None:
        return None
    if base == "m3" and material.density_t_per_m3:
        return material.density_t_per_m3
    if base == "GJ" and material.ncv_gj_per_t:
        return 1.0 / material.ncv_gj_per_t
    return None


# --- what an output's fate emits (Scope 3 category 5), per unit of the output ------------------------------------
@dataclass(frozen=True)
class SupplierSide:
    """Per canonical unit of the supplier's output."""

    scope3_cat5: float = 0.0
    factor_ids: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()


def disposal_factor(baseline: str, material: Material | None, factors: FactorTable) -> Factor | None:
    """The disposal row of a fate for a material: for landfill, the methane of its degradable carbon
    (symbiosis.core.landfill) where landfill_doc.csv has the material or its category; else the rows tried in
    DISPOSAL_FAMILY's order."""
    key = material.key if material else ""
    if baseline == "landfill" and key:  # methane of degradable carbon by material (IPCC 2006 Vol. 5 ch. 3)
        methane = landfill_factor(key, factors)
        if methane is not None:
            return methane
    candidates = [f"{baseline}:{key}"]
    if key in DISPOSAL_FAMILY:
        candidates.append(f"{baseline}:{DISPOSAL_FAMILY[key]}")
    if material is not None:
        candidates.append(f"{baseline}:{material.category}")
    for applies_to in candidates:
        found = factors.find("scope3_cat5", applies_to)
        if found is not None:
            return found
    row = baselines().get(baseline)
    if row is not None and row.factor_id:
        return factors.get(row.factor_id)
    return None


def supplier_side(material_key: str, baseline: str, unit: str, factors: FactorTable) -> SupplierSide:
    """Disposal of one unit of S's output (Scope 3 category 5): what its fate emits, and what a link avoids."""
    material = materials().get(material_key)
    if not baseline:
        return SupplierSide(notes=(Note("output_no_baseline"),))
    row = baselines().get(baseline)
    if row is None or row.scope == "none":
        why, why_zh = pair(SOLD_WHY.code(baseline if baseline in SOLD_WHY else "nothing_counted"))
        return SupplierSide(notes=(Note("output_nothing_avoided", (("baseline", baseline), ("why", why),
                                                                   ("why_zh", why_zh))),))
    factor = disposal_factor(baseline, material, factors)
    if factor is None:
        return SupplierSide(notes=(Note("no_disposal_factor", (("baseline", baseline), ("material", material_key))),))
    value = 0.0 if factor.value == 0 else convert_per_unit(factor, material, unit_base(unit))
    if value is None:
        return SupplierSide(factor_ids=(factor.factor_id,), notes=(Note("unit_mismatch", (
            ("factor_id", factor.factor_id), ("factor_unit", factor.unit), ("stream_unit", unit))),))
    return SupplierSide(scope3_cat5=value, factor_ids=(factor.factor_id,))


# --- what an input emits through its baseline, per unit of the input ---------------------------------------------
@dataclass(frozen=True)
class ReceiverSide:
    """Per canonical unit of the receiver's input."""

    scope1: float = 0.0
    scope2: float = 0.0
    scope3_cat1: float = 0.0
    fuel_factor: Factor | None = None  # set when the input is a fuel burned by R (energy basis, per GJ)
    # own production (OWN_PRODUCTION): the fuel the production burns, GJ of it per unit, and its part of scope1
    production_fuel: str = ""
    production_fuel_gj: float = 0.0
    production_fuel_scope1: float = 0.0
    process_scope1: float = 0.0  # a carbonate's calcination at the buyer (CALCINED_INPUTS), part of scope1
    factor_ids: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()


def fuel_factor(material_key: str, factors: FactorTable) -> Factor | None:
    """The Scope 1 combustion row of a fuel (per GJ), or None."""
    return factors.find("scope1_fuel", material_key)


def boiler_efficiency(baseline: str, factors: FactorTable) -> Factor | None:
    """The efficiency row of an input baseline (an own boiler), with this table's overrides; None if the baseline
    has none or its value is not positive."""
    row = baselines().get(baseline)
    if row is None or not row.efficiency_factor_id:
        return None
    factor = factors.factors.get(row.efficiency_factor_id)
    return factor if factor is not None and factor.value > 0 else None


def receiver_side(material_key: str, baseline: str, unit: str, factors: FactorTable) -> ReceiverSide:
    """What one unit of R's input emits through its baseline: what the inventory counts for it, and what a link
    replacing it avoids."""
    material = materials().get(material_key)
    per = unit_base(unit)
    row = baselines().get(baseline) if baseline else None
    # A fuel bought and burned by R (natural gas, coal, fuel oil, an off-gas bought in...): replacing it avoids its
    # combustion. The baseline column says how it is bought (virgin, blank), not whether it is burned.
    if material is not None and counted_at_entry(material_key) and baseline != "self_supplied":
        fuel = fuel_factor(material_key, factors)
        if fuel is not None and per == "GJ":
            return ReceiverSide(scope1=fuel.value, fuel_factor=fuel, factor_ids=(fuel.factor_id,))
        if material_key in ("electricity",) or baseline == "grid_electricity":
            grid = factors.grid()
            return ReceiverSide(scope2=grid.value / GJ_PER_MWH, factor_ids=(grid.factor_id,))
    if not baseline:
        if material is not None and material.category == "raw_material":
            baseline = "virgin"  # a raw material in a ledger is, by definition, bought in
            row = baselines()["virgin"]
        else:
            return ReceiverSide(notes=(Note("input_no_baseline"),))
    if row is None or row.scope == "none":
        return ReceiverSide(notes=(Note("input_nothing_avoided", (("baseline", baseline),)),))
    if baseline == OWN_PRODUCTION:
        return own_production_side(material_key, unit, factors)
    efficiency = boiler_efficiency(baseline, factors)
    ids = [efficiency.factor_id] if efficiency else []
    eff = efficiency.value if efficiency else 1.0
    if row.scope == "scope1":
        fuel = factors.get(row.factor_id)
        ids.insert(0, fuel.factor_id)
        return ReceiverSide(scope1=fuel.value / eff, factor_ids=tuple(ids))
    if row.scope == "scope2":
        if row.factor_id:  # purchased heat/steam, per GJ delivered
            heat = factors.get(row.factor_id)
            return ReceiverSide(scope2=heat.value / eff, factor_ids=(heat.factor_id, *ids))
        grid = factors.grid()
        return ReceiverSide(scope2=grid.value / GJ_PER_MWH / eff, factor_ids=(grid.factor_id, *ids))
    if row.scope == "scope3_cat1":
        factor = factors.get(row.factor_id) if row.factor_id else factors.find("scope3_cat1", material_key)
        if factor is None:
            return ReceiverSide(notes=(Note("no_virgin_factor", (("material", material_key),)),))
        value = convert_per_unit(factor, material, per)
        if value is None:
            return ReceiverSide(factor_ids=(factor.factor_id,), notes=(Note("unit_mismatch", (
                ("factor_id", factor.factor_id), ("factor_unit", factor.unit), ("stream_unit", unit))),))
        process = factors.find("scope1_process", material_key) if material_key in CALCINED_INPUTS else None
        calcined = convert_per_unit(process, material, per) if process is not None else None
        if process is not None and calcined is not None:
            return ReceiverSide(scope1=calcined, scope3_cat1=value, process_scope1=calcined,
                                factor_ids=(factor.factor_id, process.factor_id))
        return ReceiverSide(scope3_cat1=value, factor_ids=(factor.factor_id,))
    return ReceiverSide(notes=(Note("input_nothing_avoided", (("baseline", baseline),)),))


def own_production_side(material_key: str, unit: str, factors: FactorTable) -> ReceiverSide:
    """An intermediate made in-house, per unit: its process CO2 and its fuel (Scope 1 of the enterprise). Not a
    purchase: nothing in Scope 3 category 1 (GHG Protocol Scope 3 standard: category 1 is purchased goods)."""
    material = materials().get(material_key)
    process = factors.find("scope1_process", material_key)
    fuel_use = factors.find("production_fuel", material_key)
    fuel = PRODUCTION_FUEL.get(material_key, "")
    fuel_row = fuel_factor(fuel, factors) if fuel else None
    if process is None and (fuel_use is None or fuel_row is None):
        return ReceiverSide(notes=(Note("no_production_factor", (("material", material_key),)),))
    per = unit_base(unit)
    ids: list[str] = []
    process_value = 0.0
    if process is not None:
        converted = convert_per_unit(process, material, per)
        if converted is None:
            return ReceiverSide(factor_ids=(process.factor_id,), notes=(Note("unit_mismatch", (
                ("factor_id", process.factor_id), ("factor_unit", process.unit), ("stream_unit", unit))),))
        process_value = converted
        ids.append(process.factor_id)
    gj, fuel_scope1 = 0.0, 0.0
    if fuel_use is not None and fuel_row is not None:
        converted = convert_per_unit(fuel_use, material, per)
        if converted is not None:
            gj, fuel_scope1 = converted, converted * fuel_row.value
            ids += [fuel_use.factor_id, fuel_row.factor_id]
    return ReceiverSide(scope1=process_value + fuel_scope1, factor_ids=tuple(ids),
                        production_fuel=fuel if gj else "", production_fuel_gj=gj,
                        production_fuel_scope1=fuel_scope1)


def stood_for_fuel(material_key: str, baseline: str) -> str:
    """The fuel an input row stands for when the enterprise lists no row of it: an own boiler's fuel, or the fuel
    of an intermediate made in-house; "" for any other row."""
    if baseline in BOILER_FUEL:
        return BOILER_FUEL[baseline]
    if baseline == OWN_PRODUCTION:
        return PRODUCTION_FUEL.get(material_key, "")
    return ""


# --- the reference scenario of an output sold today -----------------------------------------------------------------
# A by-product sold today already displaces something at its buyer. A park link that takes it only redirects it: the
# buyer must replace it (WBCSD 2023 avoided-emissions guidance, reference scenario; GHG Protocol Scope 3 standard).
# What the buyer then emits more is the link's item added_displaced, under this scope: outside the park's inventory,
# owned by the supplier whose sale is redirected.
DISPLACED_SCOPE = "displaced_use"


def displaced_use_per_unit(baseline_out: str, displaced_use: str, unit_out: str, receiver_avoided: float,
                           factors: FactorTable) -> tuple[float, tuple[str, ...], tuple[Note, ...]]:
    """tCO2e per unit of the supplier's output that its present buyer emits more when a link takes the output:
    0 unless the output is sold today; `displaced_use` "none" (the ledger says the buyer needs nothing in its
    place): 0; a material key: that material bought virgin, 1:1 by mass (its Scope 1 and cat. 1 row); blank: the
    buyer buys what the park receiver stops buying, i.e. `receiver_avoided` (the link's avoided Scope 1 and cat. 1
    less the substitute's combustion, per unit of output) — no net credit unless the ledger names the use."""
    if baseline_out != "sold":
        return 0.0, (), ()
    if displaced_use == "none":
        return 0.0, (), (Note("sold_nothing_displaced"),)
    if displaced_use:
        side = receiver_side(displaced_use, "virgin", unit_out, factors)
        value = side.scope1 + side.scope2 + side.scope3_cat1
        if side.factor_ids and not side.notes:
            return value, side.factor_ids, (Note("sold_displaced_named", (("material", displaced_use),)),)
        # the named use cannot be valued (no factor, another unit): never a silent 0, the default instead
        return max(receiver_avoided, 0.0), (), (Note("sold_displaced_unvalued", (("material", displaced_use),)),)
    return max(receiver_avoided, 0.0), (), (Note("sold_displaced_default"),)


REFERENCE_PARTS = register("note.reference_part", {
    "not_stated": ("not stated", "未填写"),
    "sold_same": ("sold — its buyer then buys what the receiver stops buying", "外售——原买方改购需方不再购买的物料"),
    "sold_named": ("sold — its buyer then buys {material}", "外售——原买方改用{material}"),
    "sold_none": ("sold — its buyer needs nothing in its place", "外售——原买方无需替代"),
}, localize=("material",))


def reference_note(baseline_out: str, displaced_use: str, baseline_in: str) -> Note:
    """The link's reference scenario in words: each end's baseline (for an output sold today, what its buyer then
    uses). The first note of every link."""
    def named(baseline: str) -> tuple[str, str]:
        row = baselines().get(baseline)
        if row is None:
            return pair(REFERENCE_PARTS.code("not_stated"))
        return row.name_en.lower(), row.name_zh
    if baseline_out == "sold":
        out = pair(REFERENCE_PARTS.code("sold_none" if displaced_use == "none" else
                                        "sold_named" if displaced_use else "sold_same"), material=displaced_use)
    else:
        out = named(baseline_out)
    inp = named(baseline_in)
    return Note("reference", (("out", out[0]), ("out_zh", out[1]), ("inp", inp[0]), ("inp_zh", inp[1])))


# --- a fuel made or left in the park and burned by another enterprise --------------------------------------------
def counted_at_entry(material_key: str) -> bool:
    """An energy carrier (category energy, or a gas measured by its energy: blast-furnace, coke-oven, converter or
    refinery off-gas, biogas) is made in the park from fuels the inventory counted where they entered it: wherever
    it is then burned, flared, vented or sold, its carbon is already counted once."""
    material = materials().get(material_key)
    return material is not None and (material.category == "energy"
                                     or (material.category == "gas" and material.dimension == "energy"))


def substitute_combustion(material_out: str, replaced: Factor,
                          factors: FactorTable) -> tuple[float, tuple[str, ...], tuple[Note, ...]]:
    """tCO2e per GJ of fuel delivered when `material_out` (from another enterprise of the park) is burned instead of
    the replaced fuel: nothing for an energy carrier (counted at entry); else its own combustion factor, 0 when
    biogenic, and the replaced fuel's factor when it has none (no credit is claimed)."""
    if counted_at_entry(material_out):
        return 0.0, (), (Note("fuel_counted_at_entry", (("material", material_out),)),)
    own = fuel_factor(material_out, factors)
    if own is not None:
        return own.value, (own.factor_id,), ()
    if material_out in biogenic_materials():
        return 0.0, (), (Note("biogenic_fuel", (("material", material_out),)),)
    return replaced.value, (replaced.factor_id,), (Note("substitute_fuel_assumed", (("material", material_out),)),)


# --- moving a flow: pipe losses, pumping and pre-treatment electricity, transport ---------------------------------
def heat_loss_factor(mode: str, factors: FactorTable) -> Factor | None:
    """Pipe heat loss per km (fraction of heat sent) for a heat link's mode."""
    return factors.find("energy_intensity", MODE_HEAT_LOSS.get(mode, DEFAULT_HEAT_LOSS))


def delivered_fraction(mode: str | Iterable[str], distance_km: float | np.ndarray,
                       factors: FactorTable) -> np.ndarray:
    """Share of the heat sent that arrives: 1 - loss per km x km (never below 0). Vectorised over links."""
    modes = np.atleast_1d(np.asarray(list(mode) if not isinstance(mode, str) else [mode], dtype=object))
    dist = np.atleast_1d(np.asarray(distance_km, dtype=float))
    loss = np.array([(f.value if (f := heat_loss_factor(str(m), factors)) else 0.0) for m in modes])
    if len(loss) == 1 and len(dist) > 1:
        loss = np.repeat(loss, len(dist))
    return np.clip(1.0 - loss * dist, 0.0, 1.0)


def pumping_factor(mode: str, factors: FactorTable) -> Factor | None:
    """kWh per unit moved and km for a mode that pumps (water pipes), else None."""
    applies = MODE_PUMPING.get(mode)
    return factors.find("energy_intensity", applies) if applies else None


def link_kwh_per_unit(pretreatment_kwh_per_unit: np.ndarray | float, modes: np.ndarray | Iterable[str],
                      distance_km: np.ndarray | float, factors: FactorTable) -> np.ndarray:
    """Electricity a link adds per unit of the supplier's output: the rule's pre-treatment plus pumping through a
    pipe (per unit and km). Vectorised over links; bought from the grid by the supplier (Scope 2)."""
    mode_arr = np.atleast_1d(np.asarray(list(modes) if not isinstance(modes, np.ndarray) else modes, dtype=object))
    per_km = {m: (f.value if (f := pumping_factor(str(m), factors)) else 0.0) for m in set(mode_arr.tolist())}
    pump = np.array([per_km[m] for m in mode_arr], dtype=float) * np.asarray(distance_km, dtype=float)
    return np.nan_to_num(np.asarray(pretreatment_kwh_per_unit, dtype=float)) + pump


def grid_per_kwh(factors: FactorTable) -> float:
    """tCO2e per kWh of the park's grid."""
    return factors.grid().value / 1000.0


def transport_factor(mode: str, factors: FactorTable) -> Factor | None:
    """Scope 3 cat. 4 row (per t x km) of a mode that carries by road, else None (pipes carry no t x km)."""
    applies = MODE_TRANSPORT.get(mode)
    return factors.find("scope3_cat4", applies) if applies else None


def transport_per_unit(material_key: str, unit: str, mode: str, distance_km: float, factors: FactorTable) -> float:
    """tCO2e of carrying one unit of the supplier's output `distance_km` by `mode` (0 for pipes)."""
    factor = transport_factor(mode, factors)
    if factor is None:
        return 0.0
    return (tonnes_per_unit(material_key, unit) or 0.0) * distance_km * factor.value


__all__ = [
    "BOILER_FUEL",
    "CALCINED_INPUTS",
    "CALCINED_INTO",
    "DISPLACED_SCOPE",
    "DISPOSAL_FAMILY",
    "FUELS",
    "GJ_PER_KWH",
    "GJ_PER_MWH",
    "MODE_HEAT_LOSS",
    "MODE_PUMPING",
    "MODE_TRANSPORT",
    "NOTES",
    "OWN_PRODUCTION",
    "PRODUCTION_FUEL",
    "REFERENCE_PARTS",
    "Note",
    "ReceiverSide",
    "SupplierSide",
    "biogenic_materials",
    "boiler_efficiency",
    "convert_per_unit",
    "counted_at_entry",
    "delivered_fraction",
    "displaced_use_per_unit",
    "disposal_factor",
    "fuel_factor",
    "grid_per_kwh",
    "heat_loss_factor",
    "link_kwh_per_unit",
    "note_text",
    "own_production_side",
    "process_held",
    "pumping_factor",
    "receiver_side",
    "reference_note",
    "stood_for_fuel",
    "substitute_combustion",
    "supplier_side",
    "tonnes_per_unit",
    "transport_factor",
    "transport_per_unit",
    "unit_base",
]
