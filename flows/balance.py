"""Balances of each enterprise (in against out) and data reconciliation by weighted least squares.

A ledger legitimately leaves things out — products are often not listed, air and its oxygen never are — so an
imbalance is reported for the user to read, not "fixed". Only where more total mass (water included) leaves than
could have entered, and the enterprise's notes do not declare inputs the ledger leaves out, is a row flagged (see
`balances`): that is what a planner must check. Reconciliation, when asked, adjusts the ledger numbers to close chosen balances as
MFA tools such as STAN do, and returns the adjusted values beside the originals, which are never overwritten.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy import linalg, stats

from flows.graph import as_graph, enterprise_nodes
from flows.labels import fmt_quantity
from symbiosis.core.i18n import LANGS, Lang, pair, register, render, word
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan
from symbiosis.core.taxonomy import CATEGORY_NAMES, DIMENSION_NAMES, materials
from symbiosis.core.uncertainty import DEFAULT_ROW_UNCERTAINTY

BALANCE_COLUMNS: tuple[str, ...] = (
    "enterprise_id", "enterprise_name", "level", "key", "name_en", "name_zh", "unit", "inflow", "outflow", "gap",
    "relative_gap", "tolerance", "status", "flagged", "note", "note_zh", "explained",
)
DEFAULT_REL_TOL = 0.05  # ledgers are rounded and rough; 5 % of the larger side is read as "balanced"
DEFAULT_UNCERTAINTY = DEFAULT_ROW_UNCERTAINTY  # a row that states none: the one default, also the Monte Carlo's
# The one balance that is checked: total mass, water included at its density. Mass and volume alone are only
# reported: water moves between them (wet sludge is made of the wastewater, a digester's liquor of its wet feed,
# a drying acid takes up water), so out > in on either alone is no sign of a missing row. Energy is not checked
# either: exothermic processes (sulphuric acid, coke ovens) and heat pumps give off heat no input row accounts for.
# dimension -> unit; what each dimension row counts is TEXTS "covers_<dimension>".
CHECKED: dict[str, str] = {"total_mass": "t/a"}
REPORTED: dict[str, str] = {"mass": "t/a", "volume": "m3/a", "energy": "GJ/a"}
# What the balances say (codes "flows.balance.<key>"): the dimension rows' names, the notes, the reconciliation.
TEXTS = register("flows.balance", {
    "total_mass": ("total mass", "总质量"),  # the other dimensions are named by the taxonomy (dimension.<key>)
    "dimension_row": ("{dimension}: {covers}", "{dimension}：{covers}"),
    "covers_total_mass": ("mass rows, fuels by calorific value, water and wastewater at their density (gases left out)",
                          "质量行、燃料按热值折算、水与废水按密度折算（不含气体）"),
    "covers_mass": ("mass without gases and water, fuels counted by mass where the material table gives a calorific "
                    "value per t (not flagged: water moves between mass and volume)",
                    "质量（不含气体与水；燃料按单位质量热值折算；不作标记：水在质量与体积之间转移）"),
    "covers_volume": ("water and wastewater (not flagged: see total mass)", "水与废水（不作标记，见总质量）"),
    "covers_energy": ("heat, energy carriers and fuel gases (not flagged: see docs)", "热、能源与燃气（不作标记，见文档）"),
    "note_flagged": ("{gap} {unit} more leaves than enters: an input row is missing or a number is wrong",
                     "产出比投入多 {gap} {unit}：缺少投入行或数值有误"),
    "note_explained": ("{gap} {unit} more leaves than enters, explained: the enterprise's notes declare inputs the "
                       "ledger leaves out ({declared})",
                       "产出比投入多 {gap} {unit}，已说明：企业备注声明台账未列出部分投入（{declared}）"),
    "note_dimension_out": ("more leaves than enters in this dimension alone: water moves between mass and volume, heat "
                           "is made by reactions; see total mass",
                           "仅此维度产出多于投入：水在质量与体积之间转移、反应放热；见总质量"),
    "note_dimension_in": ("more enters than leaves: products, losses or emissions not in the ledger",
                          "投入多于产出：台账未列出的产品、损耗或排放"),
    "consistent": ("consistent with the balances", "与平衡约束一致"),
    "not_consistent": ("not consistent: look for a gross error or a missing row", "不一致：请检查粗大误差或缺失的行"),
    "reconciled": ("reconciled {rows} rows of {enterprises} enterprise(s) ({dimension}); chi2 = {chi2:.3g}, dof = "
                   "{dof}, p = {p:.3g}: {verdict}",
                   "协调 {enterprises} 家企业的 {rows} 行（{dimension}）；chi2 = {chi2:.3g}，自由度 = {dof}，p = {p:.3g}："
                   "{verdict}"),
})


def _dimension_row_name(dimension: str, lang: Lang) -> str:
    """A dimension row's name: the dimension, then what it counts."""
    if dimension == "total_mass":
        name = render(TEXTS.code("total_mass"), lang)
    else:
        name = word(DIMENSION_NAMES, dimension, lang)
    return render(TEXTS.code("dimension_row"), lang, dimension=name,
                  covers=render(TEXTS.code(f"covers_{dimension}"), lang))
# An enterprise's notes (enterprises.csv 备注) that declare inputs the ledger leaves out, e.g. raw materials with no
# key in the material table: "电石等原料未逐项列出", "inputs not listed: calcium carbide".
DECLARED_UNLISTED = re.compile(r"未逐项列出|未列出|未列入台账|not listed|not in the ledger", re.IGNORECASE)
WATER_DENSITY_T_PER_M3 = 1.0


def _mass_t(d: dict) -> float | None:
    """An edge's quantity in t for the mass row: mass rows as they are, fuels by their NCV, gases left out."""
    if d["dimension"] == "mass" and d["category"] != "gas":
        return float(d["quantity"])
    if d["category"] == "energy":
        mat = materials().get(d["material"])
        if mat is not None and mat.ncv_gj_per_t:
            return float(d["quantity"]) / mat.ncv_gj_per_t
    return None


def _volume_t(d: dict) -> float | None:
    """A volume edge (water, wastewater) in t at the material's density (1 t/m3 when the table gives none)."""
    if d["dimension"] != "volume":
        return None
    mat = materials().get(d["material"])
    density = getattr(mat, "density_t_per_m3", None) if mat is not None else None
    return float(d["quantity"]) * (float(density) if density else WATER_DENSITY_T_PER_M3)


def _dimension_value(d: dict, dimension: str) -> float | None:
    if dimension == "mass":
        return _mass_t(d)
    if dimension == "total_mass":
        mass = _mass_t(d)
        return mass if mass is not None else _volume_t(d)
    if dimension == "volume":
        return float(d["quantity"]) if d["dimension"] == "volume" else None
    return float(d["quantity"]) if d["dimension"] == "energy" else None


def _status(inflow: float, outflow: float, tolerance: float) -> str:
    gap = inflow - outflow
    if abs(gap) <= tolerance:
        return "balanced"
    return "in_exceeds_out" if gap > 0 else "out_exceeds_in"


def declared_unlisted(notes: object) -> str:
    """The enterprise's notes when they declare inputs the ledger leaves out, else ""."""
    text = "" if notes is None or (isinstance(notes, float) and math.isnan(notes)) else str(notes).strip()
    return text if text and DECLARED_UNLISTED.search(text) else ""


def balances(park_or_graph: Park | nx.MultiDiGraph, plan: Plan | None = None, *, rel_tol: float = DEFAULT_REL_TOL,
             abs_tol: float = 1e-6) -> pd.DataFrame:
    """In against out for every enterprise: per material category and per dimension (columns BALANCE_COLUMNS).

    tolerance = max(rel_tol x the larger of in and out, abs_tol): scaled to the size of the flows. status is
    balanced, in_exceeds_out (usual: products and losses a ledger does not list) or out_exceeds_in. Only the
    "total_mass" row (mass rows, fuels by NCV, water and wastewater at their density; gases left out) is checked:
    flagged is True where more leaves than entered — an input row is missing or a number is wrong — unless the
    enterprise's notes declare inputs the ledger leaves out (raw materials with no key in the material table,
    goods collected from outside the park): then explained is True, the note says so and the row is not flagged.
    "mass", "volume" and "energy" rows are reported: water moves between mass and volume, and heat is made by
    reactions. Category rows are never flagged: fly ash out and coal in are different categories by nature.
    Flows are the graph's, so exchanges, plan links (and the electricity they add) and the sewer to the park's
    treatment plant count at both ends.
    """
    graph = as_graph(park_or_graph, plan)
    records: list[dict[str, object]] = []
    for node in enterprise_nodes(graph):
        in_edges = [d for *_, d in graph.in_edges(node, keys=True, data=True)]
        out_edges = [d for *_, d in graph.out_edges(node, keys=True, data=True)]
        name = graph.nodes[node].get("name", node)
        declared = declared_unlisted(graph.nodes[node].get("notes"))
        by_category: dict[tuple[str, str], list[float]] = {}
        for edges, side in ((in_edges, 0), (out_edges, 1)):
            for d in edges:
                slot = by_category.setdefault((d["category"], d["unit"]), [0.0, 0.0])
                slot[side] += float(d["quantity"])
        for (category, unit), (inflow, outflow) in sorted(by_category.items()):
            en, zh = (word(CATEGORY_NAMES, category, lg) for lg in LANGS)
            records.append(_row(node, name, "category", category, en, zh, unit, inflow, outflow, rel_tol, abs_tol,
                                flag=False))
        for dimension, unit in {**CHECKED, **REPORTED}.items():
            ins = [x for x in (_dimension_value(d, dimension) for d in in_edges) if x is not None]
            outs = [x for x in (_dimension_value(d, dimension) for d in out_edges) if x is not None]
            if not ins and not outs:
                continue
            en, zh = (_dimension_row_name(dimension, lg) for lg in LANGS)
            records.append(_row(node, name, "dimension", dimension, en, zh, unit,
                                sum(ins), sum(outs), rel_tol, abs_tol, flag=dimension in CHECKED,
                                declared=declared))
    return pd.DataFrame.from_records(records, columns=list(BALANCE_COLUMNS))


def _row(node: str, name: str, level: str, key: str, en: str, zh: str, unit: str, inflow: float, outflow: float,
         rel_tol: float, abs_tol: float, *, flag: bool, declared: str = "") -> dict[str, object]:
    tolerance = max(rel_tol * max(inflow, outflow), abs_tol)
    status = _status(inflow, outflow, tolerance)
    explained = flag and status == "out_exceeds_in" and bool(declared)
    flagged = flag and status == "out_exceeds_in" and not explained
    scale = max(inflow, outflow)
    note = ("", "")
    if flagged:
        note = pair(TEXTS.code("note_flagged"), gap=fmt_quantity(outflow - inflow), unit=unit)
    elif explained:
        note = pair(TEXTS.code("note_explained"), gap=fmt_quantity(outflow - inflow), unit=unit, declared=declared)
    elif status == "out_exceeds_in" and level == "dimension":
        note = pair(TEXTS.code("note_dimension_out"))
    elif status == "in_exceeds_out" and level == "dimension":
        note = pair(TEXTS.code("note_dimension_in"))
    return {"enterprise_id": node, "enterprise_name": name, "level": level, "key": key, "name_en": en, "name_zh": zh,
            "unit": unit, "inflow": inflow, "outflow": outflow, "gap": inflow - outflow,
            "relative_gap": (inflow - outflow) / scale if scale > 0 else 0.0, "tolerance": tolerance,
            "status": status, "flagged": flagged, "note": note[0], "note_zh": note[1], "explained": explained}


def unbalanced(table: pd.DataFrame) -> pd.DataFrame:
    """The flagged rows of a balances() table, largest gap first: enterprises whose ledger cannot balance."""
    flagged = table[table["flagged"]].copy()
    return flagged.reindex(flagged["gap"].abs().sort_values(ascending=False).index)


# --- reconciliation ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WLSResult:
    """x_hat = x - V A^T (A V A^T)^-1 A x, its covariance, and the global test of the measurements."""

    adjusted: np.ndarray
    adjusted_sd: np.ndarray
    chi2: float
    dof: int
    p_value: float


def wls_adjust(x: np.ndarray, sd: np.ndarray, a: np.ndarray) -> WLSResult:
    """Weighted least-squares adjustment of measurements x (standard deviations sd) to satisfy A x = 0.

    Minimises sum(((x_hat - x) / sd)^2) subject to A x_hat = 0; closed form with V = diag(sd^2). Rows with sd = 0
    are held fixed. The chi-square statistic (A x)^T (A V A^T)^+ (A x) with rank(A V A^T) degrees of freedom
    tests whether the measurements are consistent with the balances at all (a small p-value says they are not).
    """
    x = np.asarray(x, dtype=float)
    v = np.diag(np.asarray(sd, dtype=float) ** 2)
    a = np.atleast_2d(np.asarray(a, dtype=float))
    residual = a @ x
    m = a @ v @ a.T
    m_inv = linalg.pinv(m)  # pinv: balances that repeat each other, or nodes whose rows are all fixed
    gain = v @ a.T @ m_inv
    adjusted = x - gain @ residual
    cov = v - gain @ a @ v
    dof = int(np.linalg.matrix_rank(m)) if m.size else 0
    chi2 = float(residual @ m_inv @ residual) if dof else 0.0
    p_value = float(stats.chi2.sf(chi2, dof)) if dof else 1.0
    return WLSResult(adjusted, np.sqrt(np.clip(np.diag(cov), 0.0, None)), chi2, dof, p_value)


@dataclass(frozen=True)
class Reconciliation:
    """Adjusted ledger rows (`flows`) and the balances they close, with the global test."""

    flows: pd.DataFrame
    enterprises: tuple[str, ...]
    dimension: str
    chi2: float
    dof: int
    p_value: float

    def summary(self, lang: str = "en") -> str:
        verdict = render(TEXTS.code("consistent" if self.p_value >= 0.05 else "not_consistent"), lang)
        return render(TEXTS.code("reconciled"), lang, rows=len(self.flows), enterprises=len(self.enterprises),
                      dimension=self.dimension, chi2=self.chi2, dof=self.dof, p=self.p_value, verdict=verdict)


def reconcile(park: Park, *, enterprises: Iterable[str] | None = None, dimension: str = "mass",
              default_uncertainty: float = DEFAULT_UNCERTAINTY) -> Reconciliation:
    """Adjust the ledger's stream rows so each chosen enterprise's inputs equal its outputs in `dimension`.

    Variables are the park's stream rows of that dimension ("mass": mass rows except gases; "volume"; "energy"),
    in canonical units; each is weighted by its `uncertainty` (relative standard uncertainty; rows without one
    get `default_uncertainty`; 0 holds a row fixed). Constraints: for each enterprise, sum(inputs) - sum(outputs)
    = 0. Default enterprises: those with both input and output rows in the dimension. Use it only where the
    ledger is meant to be complete — a balance forced on a ledger that leaves its product out pulls every
    number towards the wrong answer.
    """
    if dimension not in ("mass", "volume", "energy"):
        raise ValueError("dimension must be mass, volume or energy")
    s = park.streams
    if dimension == "mass":
        rows = s[(s["dimension"] == "mass") & (s["category"] != "gas")]
    else:
        rows = s[s["dimension"] == dimension]
    rows = rows[rows["quantity"].notna()]
    if enterprises is None:
        chosen = [str(e) for e, g in rows.groupby("enterprise_id", sort=False)
                  if {"input", "output"} <= set(g["direction"])]
    else:
        chosen = list(dict.fromkeys(str(e) for e in enterprises))
        unknown = sorted(set(chosen) - {str(e) for e in park.enterprises["enterprise_id"]})
        if unknown:
            raise ValueError(f"unknown enterprise id(s): {', '.join(unknown)}")
    rows = rows[rows["enterprise_id"].isin(chosen)].reset_index(drop=True)
    x = rows["quantity"].to_numpy(dtype=float)
    rel = rows["uncertainty"].astype(float).fillna(default_uncertainty).to_numpy() if "uncertainty" in rows else (
        np.full(len(rows), default_uncertainty))
    sd = rel * np.abs(x)
    a = np.zeros((len(chosen), len(rows)))
    for i, enterprise in enumerate(chosen):
        mine = (rows["enterprise_id"] == enterprise).to_numpy()
        a[i, mine] = np.where(rows.loc[mine, "direction"] == "input", 1.0, -1.0)
    result = wls_adjust(x, sd, a) if len(rows) else WLSResult(x, sd, 0.0, 0, 1.0)
    flows = rows[["stream_id", "enterprise_id", "direction", "material", "category", "unit", "source_file",
                  "source_row"]].copy()
    flows["quantity"] = x
    flows["uncertainty"] = rel
    flows["sd"] = sd
    flows["adjusted"] = result.adjusted
    flows["adjustment"] = result.adjusted - x
    flows["adjusted_sd"] = result.adjusted_sd
    flows["negative"] = result.adjusted < -1e-9 * np.maximum(np.abs(x), 1.0)
    return Reconciliation(flows, tuple(chosen), dimension, result.chi2, result.dof,
                          result.p_value if not math.isnan(result.p_value) else 1.0)
