"""Landfill methane of a disposed material, by material: IPCC 2006 Vol. 5 ch. 3 (first-order decay, summed over time).

One tonne of material landfilled releases, over the whole life of the site,

    tCO2e per t = DOC x DOCf x MCF x F x 16/12 x (1 - R) x (1 - OX) x GWP_CH4

DOC   degradable organic carbon, t C per t wet material      datasets/landfill_doc.csv (by material, then category)
DOCf  fraction of DOC that decomposes                        datasets/landfill_doc.csv (2019 Refinement Table 3.0)
MCF   methane correction factor of the site                  factor row landfill_mcf
F     fraction of CH4 in landfill gas                        factor row landfill_f
R     methane recovered (flared or used), a park setting     factor row landfill_methane_recovery
OX    oxidation in the cover                                 factor row landfill_ox
GWP   of CH4                                                 factor row gwp_ch4

The sum of a first-order decay over all years equals the decomposable carbon, so the whole-life total needs no
decay rate k (k only spreads it over time). Recovery is applied before oxidation, as in IPCC Eq. 3.1. Biogenic CO2
of the decomposition is not counted (IPCC). The parameters are rows of emission_factors.csv, so park.toml
[factor_overrides] changes them like any factor, and the Factor returned is marked overridden when one of them is.

A material with no DOC row (and not of category organic) is inert: `landfill_factor` returns None and the caller
keeps its other disposal rows (landfill:inert).
"""

from __future__ import annotations

from functools import cache

from symbiosis.core.datasets import datasets_dir, read_records
from symbiosis.core.errors import DatasetError
from symbiosis.core.factors import Factor, FactorTable
from symbiosis.core.taxonomy import materials

CH4_PER_C = 16.0 / 12.0
PARAMETER_IDS: tuple[str, ...] = ("landfill_mcf", "landfill_f", "landfill_methane_recovery", "landfill_ox", "gwp_ch4")
# A material without its own DOC row falls back to the row of its category (only organic has one).
CATEGORY_FALLBACK: frozenset[str] = frozenset({"organic"})


@cache
def landfill_doc() -> dict[str, dict[str, str]]:
    """datasets/landfill_doc.csv by key (material key, DISPOSAL_FAMILY key or category); {} when the datasets
    folder has no such table (an old user-supplied folder)."""
    if not (datasets_dir() / "landfill_doc.csv").exists():
        return {}
    out: dict[str, dict[str, str]] = {}
    for r in read_records("landfill_doc"):
        key = r["key"].strip()
        try:
            doc, docf = float(r["doc"]), float(r["docf"])
        except ValueError as exc:
            raise DatasetError(f"landfill_doc.csv: {key} has doc {r['doc']!r} / docf {r['docf']!r}") from exc
        if not (0.0 <= doc <= 1.0 and 0.0 <= docf <= 1.0):
            raise DatasetError(f"landfill_doc.csv: {key} has doc/docf outside 0..1")
        if key in out:
            raise DatasetError(f"landfill_doc.csv: key {key} appears twice")
        out[key] = r
    return out


def doc_row(material_key: str) -> dict[str, str] | None:
    """The DOC row of a material: its own key, else its category's row (organic), else None (inert)."""
    table = landfill_doc()
    if material_key in table:
        return table[material_key]
    material = materials().get(material_key)
    if material is not None and material.category in CATEGORY_FALLBACK and material.category in table:
        return table[material.category]
    return None


def landfill_value(doc: float, docf: float, mcf: float, f: float, recovery: float, ox: float, gwp_ch4: float) -> float:
    """tCO2e per t landfilled (IPCC 2006 Vol. 5 Eq. 3.1-3.9, whole-life total)."""
    return doc * docf * mcf * f * CH4_PER_C * (1.0 - recovery) * (1.0 - ox) * gwp_ch4


def landfill_factor(material_key: str, factors: FactorTable) -> Factor | None:
    """The landfill CH4 row of a material, computed from its DOC row and the parameter rows in force for the park
    (`factors`, overrides applied); None for a material without a DOC row (inert)."""
    row = doc_row(material_key)
    if row is None:
        return None
    params = {pid: factors.get(pid) for pid in PARAMETER_IDS}
    doc, docf = float(row["doc"]), float(row["docf"])
    p = {pid: f.value for pid, f in params.items()}
    value = landfill_value(doc, docf, p["landfill_mcf"], p["landfill_f"], p["landfill_methane_recovery"],
                           p["landfill_ox"], p["gwp_ch4"])
    key = row["key"].strip()
    formula = (f"DOC {doc:g} x DOCf {docf:g} x MCF {p['landfill_mcf']:g} x F {p['landfill_f']:g} x 16/12 x "
               f"(1 - R {p['landfill_methane_recovery']:g}) x (1 - OX {p['landfill_ox']:g}) x GWP_CH4 "
               f"{p['gwp_ch4']:g} = {value:.6g} tCO2e/t")
    via = "" if key == material_key else f" (DOC row of '{key}')"
    tags = ", ".join(f"{pid} [{f.reliability}]" for pid, f in params.items())
    return Factor(
        factor_id=f"landfill_ch4:{material_key}",
        name_zh=f"{row['name_zh']}填埋甲烷",
        name_en=f"Landfill methane of {row['name_en']}",
        value=value, unit="tCO2e/t", scope_role="scope3_cat5", applies_to=f"landfill:{material_key}",
        region=params["landfill_mcf"].region, year="2019",
        source=(f"derived, IPCC 2006 Vol. 5 ch. 3 first-order decay summed over time; DOC: {row['doc_source']}; "
                f"DOCf: {row['docf_source']}; parameters: {', '.join(PARAMETER_IDS)} (emission_factors.csv)"),
        reliability="derived",
        notes=(f"{formula}{via}. Inputs: landfill_doc.csv [{row['reliability']}], {tags}. Biogenic CO2 of "
               "decomposition not counted."),
        overridden=any(f.overridden for f in params.values()),
    )


__all__ = ["CATEGORY_FALLBACK", "CH4_PER_C", "PARAMETER_IDS", "doc_row", "landfill_doc", "landfill_factor",
           "landfill_value"]
