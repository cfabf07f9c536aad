"""Emission accounting of one link (GHG Protocol scopes), per unit of the supplier's output.

For a link supplier S -> receiver R the coefficients below are tCO2e per canonical unit of S's output
(t, m3 or GJ). Multiplying by the link's quantity gives the link's tCO2e/a. Every number comes from the rule-book
(symbiosis.core.rulebook), the same rules the park inventory (flows/) counts with; this module only arranges them
per link, vectorised over a table of pairs: the expensive part (which factor applies) depends only on
(material, baseline) of each side, so it is looked up once per distinct key and mapped onto the rows.

Items (all >= 0 except where a factor is negative):
  avoided_scope1            fuel R no longer burns (boiler heat / efficiency x fuel factor; a fuel input
                            replaced by a substitute fuel)                                       owner R
  avoided_scope2            electricity or purchased heat/steam R no longer buys                  owner R
  avoided_scope3_cat1       virgin material or tap water R no longer buys (cradle-to-gate)       owner R
  avoided_scope3_cat5       disposal of S's waste that no longer happens                         owner S
  added_transport           Scope 3 cat. 4: t x km x truck factor                                owner R
  added_energy              pumping and pre-treatment electricity x grid factor                  owner S
  added_combustion          the substitute fuel's own combustion at R (0 for an off-gas or other
                            energy carrier: counted where the fuel it was made from entered)     owner R
  added_displaced           an output sold today: what its present buyer emits more when the link
                            takes it (the reference scenario; scope "displaced_use", outside
                            the park's inventory)                                                owner S
Pipe heat losses are not an emission: they reduce the heat delivered (`delivered_fraction`), so every
receiver-side item is scaled by it. docs/accounting-rules.md maps each item onto the inventory's change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from symbiosis.core.factors import Factor, FactorTable
from symbiosis.core.rulebook import (
    DISPLACED_SCOPE,
    GJ_PER_MWH,
    NOTES,
    Note,
    ReceiverSide,
    SupplierSide,
    biogenic_materials,
    convert_per_unit,
    delivered_fraction,
    displaced_use_per_unit,
    grid_per_kwh,
    heat_loss_factor,
    link_kwh_per_unit,
    note_text,
    pumping_factor,
    receiver_side,
    reference_note,
    substitute_combustion,
    supplier_side,
    tonnes_per_unit,
    transport_factor,
)
from symbiosis.core.taxonomy import materials

ITEMS: tuple[str, ...] = ("avoided_scope1", "avoided_scope2", "avoided_scope3_cat1", "avoided_scope3_cat5",
                          "added_transport", "added_energy", "added_combustion", "added_displaced")
AVOIDED_ITEMS: tuple[str, ...] = ITEMS[:4]
ADDED_ITEMS: tuple[str, ...] = ITEMS[4:]
ITEM_SCOPE: dict[str, str] = {
    "avoided_scope1": "scope1", "avoided_scope2": "scope2",
    "avoided_scope3_cat1": "scope3_cat1", "avoided_scope3_cat5": "scope3_cat5",
    "added_transport": "scope3_cat4", "added_energy": "scope2", "added_combustion": "scope1",
    "added_displaced": DISPLACED_SCOPE,
}
ITEM_OWNER: dict[str, str] = {  # which side of the link the item belongs to
    "avoided_scope1": "receiver", "avoided_scope2": "receiver",
    "avoided_scope3_cat1": "receiver", "avoided_scope3_cat5": "supplier", "added_transport": "receiver",
    "added_energy": "supplier", "added_combustion": "receiver", "added_displaced": "supplier",
}
PAIR_COLUMNS: tuple[str, ...] = ("material_out", "unit_out", "baseline_out", "material_in", "unit_in",
                                 "baseline_in", "ratio", "delivered_fraction", "distance_km", "mode",
                                 "pretreatment_kwh_per_unit", "displaced_out", "process_held")


def unit_coefficients(pairs: pd.DataFrame, factors: FactorTable) -> pd.DataFrame:
    """Per-unit-of-output tCO2e for every pair (row) of `pairs`, vectorised.

    `pairs` needs: material_out, unit_out, baseline_out, material_in, unit_in, baseline_in, ratio,
    delivered_fraction, distance_km, mode, pretreatment_kwh_per_unit. Returns a frame on the same index with one
    column per item of ITEMS, `ids_<item>` (the factor rows behind each item), `factor_ids` (all of them) and
    `notes` (tuple of Note: why an item is zero or assumed).
    """
    out = pd.DataFrame(index=pairs.index)
    if len(pairs) == 0:
        return _no_coefficients(out)
    t = _PairTerms.of(pairs, factors)
    held = (pairs["process_held"].fillna("").astype(str).to_numpy() if "process_held" in pairs.columns
            else np.full(len(pairs), "", dtype=object))
    out["avoided_scope1"] = np.array([r.scope1 - (r.process_scope1 if h else 0.0)
                                      for r, h in zip(t.rec_rows, held, strict=True)]) * t.q_in
    out["avoided_scope2"] = np.array([r.scope2 for r in t.rec_rows]) * t.q_in
    out["avoided_scope3_cat1"] = np.array([r.scope3_cat1 for r in t.rec_rows]) * t.q_in
    out["avoided_scope3_cat5"] = np.array([s.scope3_cat5 for s in t.sup_rows])
    out["added_combustion"] = t.combustion
    out["added_transport"] = t.tonnes * t.dist * t.per_tkm  # t x km x factor (Scope 3 category 4)
    out["added_energy"] = (t.pre_kwh + t.pump_kwh) * t.kwh
    _add_provenance(out, t)
    _add_displaced(out, pairs, factors)
    return out


def _add_displaced(out: pd.DataFrame, pairs: pd.DataFrame, factors: FactorTable) -> None:
    """The item added_displaced (the reference scenario of an output sold today; rulebook.displaced_use_per_unit),
    its factor rows and notes. Needs the other items of `out`; once per distinct case."""
    displaced = (pairs["displaced_out"].fillna("").astype(str) if "displaced_out" in pairs.columns
                 else pd.Series("", index=pairs.index))
    receiver_avoided = (out["avoided_scope1"] + out["avoided_scope2"] + out["avoided_scope3_cat1"]
                        - out["added_combustion"]).to_numpy()
    values = np.zeros(len(out))
    ids = list(out["ids_added_displaced"])
    factor_ids, notes = list(out["factor_ids"]), list(out["notes"])
    _add_reference_notes(notes, pairs, displaced)
    sold = (pairs["baseline_out"].astype(str) == "sold").to_numpy()
    for i in np.flatnonzero(sold):
        value, rows, extra = displaced_use_per_unit("sold", displaced.iloc[i], str(pairs["unit_out"].iloc[i]),
                                                    float(receiver_avoided[i]), factors)
        values[i], ids[i] = value, rows
        factor_ids[i] = tuple(dict.fromkeys((*factor_ids[i], *rows)))
        notes[i] = (*notes[i], *extra)
    out["added_displaced"] = values
    out["ids_added_displaced"] = pd.Series(ids, index=out.index, dtype=object)
    out["factor_ids"] = pd.Series(factor_ids, index=out.index, dtype=object)
    out["notes"] = pd.Series(notes, index=out.index, dtype=object)


def _no_coefficients(out: pd.DataFrame) -> pd.DataFrame:
    """The columns of unit_coefficients for no pairs."""
    for item in ITEMS:
        out[item] = pd.Series(dtype=float)
    for item in ITEMS:
        out[f"ids_{item}"] = pd.Series(dtype=object)
    out["factor_ids"] = pd.Series(dtype=object)
    out["notes"] = pd.Series(dtype=object)
    return out


@dataclass(frozen=True)
class _PairTerms:
    """What the rule-book says about each pair, row by row: both sides' per-unit rows, the quantities the items
    multiply, and the factors behind them (which `_provenance` names)."""

    sup_keys: list[tuple[str, str, str]]  # (material, baseline, unit) of the supplier's output
    rec_keys: list[tuple[str, str, str]]  # (material, baseline, unit) of the receiver's input
    sup_rows: list[SupplierSide]
    rec_rows: list[ReceiverSide]
    q_in: np.ndarray  # units of R's input replaced per unit of S's output (ratio x delivered fraction)
    delivered: np.ndarray
    dist: np.ndarray
    modes: np.ndarray
    grid: Factor
    kwh: float  # tCO2 per kWh of grid electricity
    combustion: np.ndarray  # the substitute fuel's own combustion per unit
    extra_ids: list[tuple[str, ...]]  # its factor rows
    extra_notes: list[tuple[Note, ...]]
    carrier: dict[str, Factor | None]  # mode -> truck factor (None: a pipe)
    per_tkm: np.ndarray
    tonnes: np.ndarray
    is_truck: np.ndarray
    pre_kwh: np.ndarray  # the rule's pre-treatment per unit of output
    pump_kwh: np.ndarray  # pumping through a pipe per unit
    pumping: dict[str, Factor | None]
    loss: dict[str, Factor | None]

    @classmethod
    def of(cls, pairs: pd.DataFrame, factors: FactorTable) -> _PairTerms:
        # the expensive look-ups once per distinct (material, baseline, unit) of each side
        sup_keys = list(zip(pairs["material_out"], pairs["baseline_out"], pairs["unit_out"], strict=True))
        rec_keys = list(zip(pairs["material_in"], pairs["baseline_in"], pairs["unit_in"], strict=True))
        sup = {k: supplier_side(*k, factors) for k in set(sup_keys)}
        rec = {k: receiver_side(*k, factors) for k in set(rec_keys)}
        rec_rows = [rec[k] for k in rec_keys]
        delivered = pairs["delivered_fraction"].to_numpy(dtype=float)
        q_in = pairs["ratio"].to_numpy(dtype=float) * delivered
        dist = pairs["distance_km"].to_numpy(dtype=float)
        modes = pairs["mode"].to_numpy(dtype=object)
        grid = factors.grid()
        kwh = grid_per_kwh(factors)
        combustion, extra_ids, extra_notes = _substitute_fuel(pairs, rec_rows, q_in, factors)
        # Transport by road: t x km x factor (Scope 3 category 4); pipes carry no t x km.
        mode_keys = {str(m) for m in modes}
        carrier = {m: transport_factor(m, factors) for m in mode_keys}
        per_tkm = np.array([(f.value if (f := carrier[str(m)]) else 0.0) for m in modes], dtype=float)
        tonnes = np.array([tonnes_per_unit(m, u) or 0.0
                           for m, u in zip(pairs["material_out"], pairs["unit_out"], strict=True)])
        is_truck = np.array([carrier[str(m)] is not None for m in modes], dtype=bool)
        # Electricity: the rule's pre-treatment per unit of output, and pumping through a pipe per unit and km.
        pre_kwh = pairs["pretreatment_kwh_per_unit"].fillna(0.0).to_numpy(dtype=float)
        pump_kwh = link_kwh_per_unit(0.0, modes, dist, factors)
        pumping = {m: pumping_factor(m, factors) for m in mode_keys}
        loss = {m: heat_loss_factor(m, factors) for m in ("pipe_heat", "pipe_steam")}
        return cls(sup_keys=sup_keys, rec_keys=rec_keys, sup_rows=[sup[k] for k in sup_keys], rec_rows=rec_rows,
                   q_in=q_in, delivered=delivered, dist=dist, modes=modes, grid=grid, kwh=kwh, combustion=combustion,
                   extra_ids=extra_ids, extra_notes=extra_notes, carrier=carrier, per_tkm=per_tkm, tonnes=tonnes,
                   is_truck=is_truck, pre_kwh=pre_kwh, pump_kwh=pump_kwh, pumping=pumping, loss=loss)


def _substitute_fuel(pairs: pd.DataFrame, rec_rows: list[ReceiverSide], q_in: np.ndarray, factors: FactorTable
                     ) -> tuple[np.ndarray, list[tuple[str, ...]], list[tuple[Note, ...]]]:
    """A substitute fuel burned at R: its own combustion is added (the rule-book says how much: nothing for an
    energy carrier made in the park, whose carbon was counted where its fuel entered). Per row: tCO2e per unit of
    output, the factor rows and the notes; once per distinct (substitute, replaced fuel factor)."""
    n = len(rec_rows)
    combustion = np.zeros(n)
    extra_ids: list[tuple[str, ...]] = [()] * n
    extra_notes: list[tuple[Note, ...]] = [()] * n
    combos: dict[tuple[str, str], tuple[float, tuple[str, ...], tuple[Note, ...]]] = {}
    material_out = pairs["material_out"].to_numpy(dtype=object)
    for i in (i for i, r in enumerate(rec_rows) if r.fuel_factor is not None):
        replaced = rec_rows[i].fuel_factor
        assert replaced is not None
        key = (str(material_out[i]), replaced.factor_id)
        if key not in combos:
            combos[key] = substitute_combustion(key[0], replaced, factors)
        per_gj, fuel_ids, notes = combos[key]
        combustion[i] = per_gj * q_in[i]
        extra_ids[i], extra_notes[i] = fuel_ids, notes
    return combustion, extra_ids, extra_notes


_RECEIVER_ITEM = {"scope1": "avoided_scope1", "scope2": "avoided_scope2", "scope3_cat1": "avoided_scope3_cat1"}


def _provenance(t: _PairTerms, i: int) -> tuple[dict[str, tuple[str, ...]], tuple[Note, ...]]:
    """The factor rows behind each item of pair `i`, and its notes."""
    ids: dict[str, list[str]] = {item: [] for item in ITEMS}
    r = t.rec_rows[i]
    scope = "scope1" if r.scope1 else "scope2" if r.scope2 else "scope3_cat1" if r.scope3_cat1 else ""
    lf = t.loss.get(str(t.modes[i]))
    if scope:
        ids[_RECEIVER_ITEM[scope]] += list(r.factor_ids)
        if lf is not None and t.delivered[i] < 1.0:  # less heat arrives: every receiver item is scaled by it
            ids[_RECEIVER_ITEM[scope]].append(lf.factor_id)
    ids["avoided_scope3_cat5"] += list(t.sup_rows[i].factor_ids)
    if t.combustion[i] or t.extra_ids[i]:
        ids["added_combustion"] += list(t.extra_ids[i])
    truck = t.carrier[str(t.modes[i])]
    if truck is not None and t.dist[i] > 0:
        ids["added_transport"].append(truck.factor_id)
    if t.pre_kwh[i] > 0 or t.pump_kwh[i] > 0:
        ids["added_energy"].append(t.grid.factor_id)
        pump = t.pumping[str(t.modes[i])]
        if t.pump_kwh[i] > 0 and pump is not None:
            ids["added_energy"].append(pump.factor_id)
    return ({item: tuple(dict.fromkeys(v)) for item, v in ids.items()},
            (*r.notes, *t.sup_rows[i].notes, *t.extra_notes[i]))


def _add_provenance(out: pd.DataFrame, t: _PairTerms) -> None:
    """The columns ids_<item>, factor_ids and notes. Which factor rows and notes apply depends on a handful of
    things per row; they are worked out once per distinct combination and shared (a park has many pairs but few
    combinations)."""
    signature = list(zip(t.sup_keys, t.rec_keys, t.modes, t.is_truck & (t.dist > 0), t.pre_kwh > 0, t.pump_kwh > 0,
                         t.delivered < 1.0, t.combustion != 0, strict=True))
    first: dict[tuple[object, ...], int] = {}
    for i, key in enumerate(signature):
        first.setdefault(key, i)
    solved = {key: _provenance(t, i) for key, i in first.items()}
    per_row = [solved[key] for key in signature]
    for item in ITEMS:
        out[f"ids_{item}"] = pd.Series([ids[item] for ids, _ in per_row], index=out.index, dtype=object)
    out["factor_ids"] = pd.Series([tuple(dict.fromkeys(x for item in ITEMS for x in ids[item])) for ids, _ in per_row],
                                  index=out.index, dtype=object)
    out["notes"] = pd.Series([notes for _, notes in per_row], index=out.index, dtype=object)


def _add_reference_notes(notes: list[tuple[Note, ...]], pairs: pd.DataFrame, displaced: pd.Series) -> None:
    """Each link's reference scenario first (once per distinct case), and a note where the receiver's own
    intermediate holds the calcination of the input replaced."""
    references: dict[tuple[str, str, str], Note] = {}
    for n, key in enumerate(zip(pairs["baseline_out"].astype(str), displaced, pairs["baseline_in"].astype(str),
                                strict=True)):
        if key not in references:
            references[key] = reference_note(*key)
        notes[n] = (references[key], *notes[n])
    held = (pairs["process_held"].fillna("").astype(str).to_numpy() if "process_held" in pairs.columns
            else np.full(len(pairs), "", dtype=object))
    for i in np.flatnonzero(held != ""):
        product = str(held[i])
        notes[i] = (*notes[i], Note("process_held", (("material", str(pairs["material_in"].iloc[i])),
                                                     ("product", product),
                                                     ("product_zh", materials()[product].name_zh
                                                      if product in materials() else product))))


def net_per_unit(coefficients: pd.DataFrame, include_scope2: bool = False) -> np.ndarray:
    """Avoided Scope 1 + Scope 3 (+ Scope 2 when asked) less what the link adds, per unit of output."""
    avoided = coefficients["avoided_scope1"] + coefficients["avoided_scope3_cat1"] + coefficients["avoided_scope3_cat5"]
    if include_scope2:
        avoided = avoided + coefficients["avoided_scope2"]
    added = (coefficients["added_transport"] + coefficients["added_energy"] + coefficients["added_combustion"]
             + coefficients["added_displaced"])
    return (avoided - added).to_numpy(dtype=float)


# Re-exported from the rule-book for the modules that imported them from here.
__all__ = ["ADDED_ITEMS", "AVOIDED_ITEMS", "GJ_PER_MWH", "ITEMS", "ITEM_OWNER", "ITEM_SCOPE", "NOTES", "PAIR_COLUMNS",
           "Note", "ReceiverSide", "SupplierSide", "biogenic_materials", "convert_per_unit", "delivered_fraction",
           "heat_loss_factor", "net_per_unit", "note_text", "receiver_side", "substitute_combustion",
           "supplier_side", "unit_coefficients"]
