"""Emission accounting of one link (GHG Protocol scopes), per unit of the supplier's output.

For a link supplier S -> receiver R the coefficients below are tCO2e per canonical unit of S's output
(t, m3 or GJ). Multiplying by the link's quantity gives the link's tCO2e/a. They are computed once per
candidate row, vectorised over a table of pairs: the expensive part (which factor applies) depends only on
(material, baseline) of each side, so it is looked up once per distinct key and mapped onto the rows.

Items (all >= 0 except where a factor is negative):
  avoided_scope1            fuel R no longer burns (boiler heat / efficiency x fuel factor; a fuel input
                            replaced by a substitute fuel)                                       owner R
  avoided_scope1_supplier   S's flaring that no longer happens (an off-gas whose baseline is flare) owner S
  avoided_scope2            electricity or purchased heat/steam R no longer buys                  owner R
  avoided_scope3_cat1       virgin material or tap water R no longer buys (cradle-to-gate)       owner R
  avoided_scope3_cat5       disposal of S's waste that no longer happens                         owner S
  added_transport           Scope 3 cat. 4: t x km x truck factor                                owner R
  added_energy              pumping and pre-treatment electricity x grid factor                  owner S
  added_combustion          the substitute fuel's own combustion at R                            owner R
Pipe heat losses are not an emission: they reduce the heat delivered (`delivered_fraction`), so every
receiver-side item is scaled by it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from symbiosis.core.datasets import read_records
from symbiosis.core.factors import Factor, FactorTable
from symbiosis.core.taxonomy import Material, baselines, materials

GJ_PER_MWH = 3.6
ITEMS: tuple[str, ...] = ("avoided_scope1", "avoided_scope1_supplier", "avoided_scope2", "avoided_scope3_cat1",
                          "avoided_scope3_cat5", "added_transport", "added_energy", "added_combustion")
AVOIDED_ITEMS: tuple[str, ...] = ITEMS[:5]
ADDED_ITEMS: tuple[str, ...] = ITEMS[5:]
ITEM_SCOPE: dict[str, str] = {
    "avoided_scope1": "scope1", "avoided_scope1_supplier": "scope1", "avoided_scope2": "scope2",
    "avoided_scope3_cat1": "scope3_cat1", "avoided_scope3_cat5": "scope3_cat5",
    "added_transport": "scope3_cat4", "added_energy": "scope2", "added_combustion": "scope1",
}
ITEM_OWNER: dict[str, str] = {  # which side of the link the item belongs to
    "avoided_scope1": "receiver", "avoided_scope1_supplier": "supplier", "avoided_scope2": "receiver",
    "avoided_scope3_cat1": "receiver", "avoided_scope3_cat5": "supplier", "added_transport": "receiver",
    "added_energy": "supplier", "added_combustion": "receiver",
}
PAIR_COLUMNS: tuple[str, ...] = ("material_out", "unit_out", "baseline_out", "material_in", "unit_in",
                                 "baseline_in", "ratio", "delivered_fraction", "distance_km", "mode",
                                 "pretreatment_kwh_per_unit")

# Disposal variants named in baselines.csv's descriptions: the material's own key is tried first
# (incineration:waste_oil), then these families, then its category (landfill:organic), then the default row.
# (paper_sludge is half filler and ash: it takes its category's landfill:organic row, not the paper row.)
DISPOSAL_FAMILY: dict[str, str] = {
    "waste_plastics": "plastics", "waste_paper": "paper", "wood_waste": "wood", "waste_solvent": "waste_oil",
}


@cache
def biogenic_materials() -> frozenset[str]:
    """Materials whose carbon is biogenic (materials.csv `is_biogenic`): burning one as a fuel substitute adds
    nothing to Scope 1 (GB/T 32150 / IPCC convention, as fuel_biomass_fuel; the CO2 is reported separately).

    Read here from the table itself (taxonomy.Material has no such field yet). A materials table without the
    column (an old user-supplied datasets folder) falls back to the organic category.
    """
    rows = read_records("materials")
    if rows and "is_biogenic" in rows[0]:
        return frozenset(r["key"] for r in rows if r["is_biogenic"].strip().lower() == "true")
    return frozenset(r["key"] for r in rows if r["category"] == "organic")


NOTES: dict[str, tuple[str, str]] = {
    "output_no_baseline": ("the supplier's output has no baseline: no disposal avoided is counted",
                           "供方产出未填写现状去向：不计避免的处置排放"),
    "output_nothing_avoided": ("baseline '{baseline}' of the output: nothing avoided ({why})",
                               "产出现状“{baseline}”：不计避免排放（{why_zh}）"),
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
    "biogenic_fuel": ("{material} is biogenic: its combustion CO2 counts 0 in Scope 1",
                      "{material}为生物质：其燃烧二氧化碳在范围一中计 0"),
    "flare_moved": ("the off-gas was flared: its combustion moves from the flare to the receiver (flaring "
                    "avoided at the supplier, combustion added at the receiver)",
                    "该尾气原为火炬燃烧：燃烧由火炬移至需方（供方火炬排放避免，需方燃烧排放增加）"),
}

SOLD_WHY = {"sold": ("already sold; a park link only redirects it", "已外售，园区内链接只是改变去向"),
            "stored": ("stored on site; no disposal emission to avoid", "厂内贮存，无可避免的处置排放"),
            "discharge": ("discharged under permit; nothing counted", "达标外排，不计"),
            "self_supplied": ("own supply; nothing counted", "自备，不计")}


def _zh_param(name: str, value: str) -> str:
    """A note parameter as the Chinese text shows it: material and baseline keys by their Chinese names
    (materials.csv / baselines.csv name_zh), factor ids by the factor's Chinese name; anything else as is."""
    if name == "material":
        found = materials().get(value)
        return found.name_zh if found is not None else value
    if name == "baseline":
        row = baselines().get(value)
        return row.name_zh if row is not None else value
    if name == "factor_id":
        return _factor_names_zh().get(value, value)
    return value


@cache
def _factor_names_zh() -> dict[str, str]:
    return {r["factor_id"]: r["name_zh"] for r in read_records("emission_factors")}


def note_text(code: str, lang: str = "en", **params: str) -> str:
    """A note in English or Chinese. In Chinese, keys are shown by their Chinese names, and a parameter `x_zh`
    given next to `x` is used for it."""
    en, zh = NOTES[code]
    if lang != "zh":
        return en.format(**params)
    shown = {k: _zh_param(k, v) for k, v in params.items()}
    shown.update({k[:-3]: v for k, v in params.items() if k.endswith("_zh")})
    return zh.format(**shown)


@dataclass(frozen=True)
class Note:
    code: str
    params: tuple[tuple[str, str], ...] = ()

    def text(self, lang: str = "en") -> str:
        return note_text(self.code, lang, **dict(self.params))


@dataclass(frozen=True)
class SupplierSide:
    """Per canonical unit of the supplier's output."""

    scope3_cat5: float = 0.0
    factor_ids: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class ReceiverSide:
    """Per canonical unit of the receiver's input replaced."""

    scope1: float = 0.0
    scope2: float = 0.0
    scope3_cat1: float = 0.0
    fuel_factor: Factor | None = None  # set when the input is a fuel burned by R (energy basis, per GJ)
    factor_ids: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()


def _unit_base(unit: str) -> str:
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


def _disposal_factor(baseline: str, material: Material | None, factors: FactorTable) -> Factor | None:
    key = material.key if material else ""
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
    """Disposal of one unit of S's output that a link avoids (Scope 3 category 5)."""
    material = materials().get(material_key)
    if not baseline:
        return SupplierSide(notes=(Note("output_no_baseline"),))
    row = baselines().get(baseline)
    if row is None or row.scope == "none":
        why = SOLD_WHY.get(baseline, ("nothing counted", "不计"))
        return SupplierSide(notes=(Note("output_nothing_avoided", (("baseline", baseline), ("why", why[0]),
                                                                   ("why_zh", why[1]))),))
    factor = _disposal_factor(baseline, material, factors)
    if factor is None:
        return SupplierSide(notes=(Note("no_disposal_factor", (("baseline", baseline), ("material", material_key))),))
    value = 0.0 if factor.value == 0 else convert_per_unit(factor, material, _unit_base(unit))
    if value is None:
        return SupplierSide(factor_ids=(factor.factor_id,), notes=(Note("unit_mismatch", (
            ("factor_id", factor.factor_id), ("factor_unit", factor.unit), ("stream_unit", unit))),))
    return SupplierSide(scope3_cat5=value, factor_ids=(factor.factor_id,))


def _fuel_factor(material_key: str, factors: FactorTable) -> Factor | None:
    return factors.find("scope1_fuel", material_key)


def receiver_side(material_key: str, baseline: str, unit: str, factors: FactorTable) -> ReceiverSide:
    """What one unit of R's input, once replaced, no longer emits (per unit of that input)."""
    material = materials().get(material_key)
    per = _unit_base(unit)
    row = baselines().get(baseline) if baseline else None
    # A fuel bought and burned by R (natural gas, coal, fuel oil...): replacing it avoids its combustion.
    # The baseline column says how it is bought (virgin, blank), not whether it is burned.
    if material is not None and material.category == "energy" and baseline != "self_supplied":
        fuel = _fuel_factor(material_key, factors)
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
    efficiency = factors.get(row.efficiency_factor_id) if row.efficiency_factor_id else None
    ids = [efficiency.factor_id] if efficiency else []
    eff = efficiency.value if efficiency and efficiency.value > 0 else 1.0
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
        return ReceiverSide(scope3_cat1=value, factor_ids=(factor.factor_id,))
    return ReceiverSide(notes=(Note("input_nothing_avoided", (("baseline", baseline),)),))


def substitute_combustion(material_out: str, replaced: Factor, factors: FactorTable) -> tuple[float, tuple[str, ...],
                                                                                              tuple[Note, ...]]:
    """tCO2e per GJ of fuel delivered when `material_out` is burned instead of the replaced fuel."""
    own = _fuel_factor(material_out, factors)
    if own is not None:
        return own.value, (own.factor_id,), ()
    if material_out in biogenic_materials():
        return 0.0, (), (Note("biogenic_fuel", (("material", material_out),)),)
    return replaced.value, (replaced.factor_id,), (Note("substitute_fuel_assumed", (("material", material_out),)),)


def heat_loss_factor(mode: str, factors: FactorTable) -> Factor | None:
    """Pipe heat loss per km (fraction of heat sent) for a heat link's mode."""
    applies = "heat_pipe_steam" if mode == "pipe_steam" else "heat_pipe_hot_water"
    return factors.find("energy_intensity", applies)


def delivered_fraction(mode: str | Iterable[str], distance_km: float | np.ndarray,
                       factors: FactorTable) -> np.ndarray:
    """Share of the heat sent that arrives: 1 - loss per km x km (never below 0). Vectorised over links."""
    modes = np.atleast_1d(np.asarray(list(mode) if not isinstance(mode, str) else [mode], dtype=object))
    dist = np.atleast_1d(np.asarray(distance_km, dtype=float))
    loss = np.array([(f.value if (f := heat_loss_factor(str(m), factors)) else 0.0) for m in modes])
    if len(loss) == 1 and len(dist) > 1:
        loss = np.repeat(loss, len(dist))
    return np.clip(1.0 - loss * dist, 0.0, 1.0)


@cache
def _material_tonnes_per_unit(material_key: str, unit: str) -> float | None:
    """Tonnes per canonical unit of the stream, for transport (t x km)."""
    base = _unit_base(unit)
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


def unit_coefficients(pairs: pd.DataFrame, factors: FactorTable) -> pd.DataFrame:
    """Per-unit-of-output tCO2e for every pair (row) of `pairs`, vectorised.

    `pairs` needs: material_out, unit_out, baseline_out, material_in, unit_in, baseline_in, ratio,
    delivered_fraction, distance_km, mode, pretreatment_kwh_per_unit. Returns a frame on the same index with one
    column per item of ITEMS, `ids_<item>` (the factor rows behind each item), `factor_ids` (all of them) and
    `notes` (tuple of Note: why an item is zero or assumed).
    """
    n = len(pairs)
    out = pd.DataFrame(index=pairs.index)
    if n == 0:
        for item in ITEMS:
            out[item] = pd.Series(dtype=float)
        for item in ITEMS:
            out[f"ids_{item}"] = pd.Series(dtype=object)
        out["factor_ids"] = pd.Series(dtype=object)
        out["notes"] = pd.Series(dtype=object)
        return out
    sup_keys = list(zip(pairs["material_out"], pairs["baseline_out"], pairs["unit_out"], strict=True))
    rec_keys = list(zip(pairs["material_in"], pairs["baseline_in"], pairs["unit_in"], strict=True))
    sup = {k: supplier_side(*k, factors) for k in set(sup_keys)}
    rec = {k: receiver_side(*k, factors) for k in set(rec_keys)}
    sup_rows = [sup[k] for k in sup_keys]
    rec_rows = [rec[k] for k in rec_keys]

    ratio = pairs["ratio"].to_numpy(dtype=float)
    delivered = pairs["delivered_fraction"].to_numpy(dtype=float)
    q_in = ratio * delivered  # units of R's input replaced per unit of S's output
    dist = pairs["distance_km"].to_numpy(dtype=float)
    modes = pairs["mode"].to_numpy(dtype=object)
    grid = factors.grid()
    kwh = grid.value / 1000.0  # tCO2 per kWh

    out["avoided_scope1"] = np.array([r.scope1 for r in rec_rows]) * q_in
    out["avoided_scope2"] = np.array([r.scope2 for r in rec_rows]) * q_in
    out["avoided_scope3_cat1"] = np.array([r.scope3_cat1 for r in rec_rows]) * q_in
    out["avoided_scope3_cat5"] = np.array([s.scope3_cat5 for s in sup_rows])

    # A substitute fuel burned at R: its own combustion is added; if S flared it, that flaring is avoided.
    combustion = np.zeros(n)
    flare = np.zeros(n)
    extra_ids: list[tuple[str, ...]] = [()] * n
    extra_notes: list[tuple[Note, ...]] = [()] * n
    fuel_rows = [i for i, r in enumerate(rec_rows) if r.fuel_factor is not None]
    combos: dict[tuple[str, str], tuple[float, tuple[str, ...], tuple[Note, ...]]] = {}
    baseline_out = pairs["baseline_out"].to_numpy(dtype=object)
    material_out = pairs["material_out"].to_numpy(dtype=object)
    for i in fuel_rows:
        replaced = rec_rows[i].fuel_factor
        assert replaced is not None
        key = (str(material_out[i]), replaced.factor_id)
        if key not in combos:
            combos[key] = substitute_combustion(key[0], replaced, factors)
        per_gj, fuel_ids, notes = combos[key]
        combustion[i] = per_gj * q_in[i]
        if baseline_out[i] == "flare":
            flare[i] = per_gj * q_in[i]
            notes = (*notes, Note("flare_moved"))
        extra_ids[i], extra_notes[i] = fuel_ids, notes
    out["avoided_scope1_supplier"] = flare
    out["added_combustion"] = combustion

    # Transport by truck: t x km x factor (Scope 3 category 4).
    truck = factors.find("scope3_cat4", "truck")
    tonnes = np.array([_material_tonnes_per_unit(m, u) or 0.0
                       for m, u in zip(pairs["material_out"], pairs["unit_out"], strict=True)])
    is_truck = modes == "truck"
    out["added_transport"] = np.where(is_truck, tonnes * dist * (truck.value if truck else 0.0), 0.0)

    # Electricity: the rule's pre-treatment per unit of output, and pumping water through a pipe per m3 and km.
    pumping = factors.find("energy_intensity", "water_pipe")
    pre_kwh = pairs["pretreatment_kwh_per_unit"].fillna(0.0).to_numpy(dtype=float)
    pump_kwh = np.where(modes == "pipe_water", (pumping.value if pumping else 0.0) * dist, 0.0)
    out["added_energy"] = (pre_kwh + pump_kwh) * kwh

    loss = {m: heat_loss_factor(m, factors) for m in ("pipe_heat", "pipe_steam")}
    receiver_item = {"scope1": "avoided_scope1", "scope2": "avoided_scope2", "scope3_cat1": "avoided_scope3_cat1"}

    def provenance(i: int) -> tuple[dict[str, tuple[str, ...]], tuple[Note, ...]]:
        ids: dict[str, list[str]] = {item: [] for item in ITEMS}
        r = rec_rows[i]
        scope = "scope1" if r.scope1 else "scope2" if r.scope2 else "scope3_cat1" if r.scope3_cat1 else ""
        lf = loss.get(str(modes[i]))
        if scope:
            ids[receiver_item[scope]] += list(r.factor_ids)
            if lf is not None and delivered[i] < 1.0:  # less heat arrives: every receiver item is scaled by it
                ids[receiver_item[scope]].append(lf.factor_id)
        ids["avoided_scope3_cat5"] += list(sup_rows[i].factor_ids)
        if combustion[i] or extra_ids[i]:
            ids["added_combustion"] += list(extra_ids[i])
        if flare[i]:
            ids["avoided_scope1_supplier"] += list(extra_ids[i])
        if is_truck[i] and truck is not None and dist[i] > 0:
            ids["added_transport"].append(truck.factor_id)
        if pre_kwh[i] > 0 or pump_kwh[i] > 0:
            ids["added_energy"].append(grid.factor_id)
            if pump_kwh[i] > 0 and pumping is not None:
                ids["added_energy"].append(pumping.factor_id)
        return ({item: tuple(dict.fromkeys(v)) for item, v in ids.items()},
                (*r.notes, *sup_rows[i].notes, *extra_notes[i]))

    # Which factor rows and notes apply depends on a handful of things per row; work them out once per
    # distinct combination and share the result (a park has many pairs but few combinations).
    signature = list(zip(sup_keys, rec_keys, modes, is_truck & (dist > 0), pre_kwh > 0, pump_kwh > 0,
                         delivered < 1.0, combustion != 0, flare != 0, strict=True))
    first: dict[tuple[object, ...], int] = {}
    for i, key in enumerate(signature):
        first.setdefault(key, i)
    solved = {key: provenance(i) for key, i in first.items()}
    per_row = [solved[key] for key in signature]
    for item in ITEMS:
        out[f"ids_{item}"] = pd.Series([ids[item] for ids, _ in per_row], index=pairs.index, dtype=object)
    out["factor_ids"] = pd.Series([tuple(dict.fromkeys(x for item in ITEMS for x in ids[item])) for ids, _ in per_row],
                                  index=pairs.index, dtype=object)
    notes_col = [notes for _, notes in per_row]
    out["notes"] = pd.Series(notes_col, index=pairs.index, dtype=object)
    return out


def net_per_unit(coefficients: pd.DataFrame, include_scope2: bool = False) -> np.ndarray:
    """Avoided Scope 1 + Scope 3 (+ Scope 2 when asked) less what the link adds, per unit of output."""
    avoided = coefficients["avoided_scope1"] + coefficients["avoided_scope1_supplier"] \
        + coefficients["avoided_scope3_cat1"] + coefficients["avoided_scope3_cat5"]
    if include_scope2:
        avoided = avoided + coefficients["avoided_scope2"]
    added = coefficients["added_transport"] + coefficients["added_energy"] + coefficients["added_combustion"]
    return (avoided - added).to_numpy(dtype=float)


__all__ = ["ADDED_ITEMS", "AVOIDED_ITEMS", "ITEMS", "ITEM_OWNER", "ITEM_SCOPE", "PAIR_COLUMNS", "Note",
           "ReceiverSide", "SupplierSide", "delivered_fraction", "heat_loss_factor", "net_per_unit",
           "note_text", "receiver_side", "supplier_side", "unit_coefficients"]
