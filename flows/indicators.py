"""Park indicators (datasets/indicators.csv) computed from a metabolism graph, each traced to rows and factors.

An indicator the ledger cannot support is returned with computable=False, value NaN and what it needs — never as
a number. docs/metabolism.md states how each is computed and which rows feed it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import networkx as nx
import pandas as pd

from flows.accounting import energy_items, factor_table, scope12_items, tce
from flows.graph import RowRef, as_graph
from flows.labels import fmt_quantity
from symbiosis.core.datasets import read_records
from symbiosis.core.factors import FactorTable
from symbiosis.core.i18n import LANGS, Lang, pair, pick, register, render
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan

INDICATOR_COLUMNS: tuple[str, ...] = (
    "indicator_id", "name_zh", "name_en", "value", "unit", "threshold", "direction", "passed", "computable", "needs",
    "needs_zh", "source", "reliability", "framework", "rows", "factor_ids", "numerator", "denominator",
    "threshold_condition", "note", "note_zh",
)
# What the indicators say (codes "flows.indicator.<key>"): what a value not computable needs, notes, explanations.
TEXTS = register("flows.indicator", {
    "needs_energy": ("energy inputs (energy-category rows, purchased steam/heat or boiler-raised heat inputs)",
                     "能源投入（能源类投入行、外购蒸汽/热力或自有锅炉供热的投入行）"),
    "needs_solid": ("solid-waste output rows (category solid)", "固体废物产出行（固体类）"),
    "needs_heat": ("waste-heat output rows (category heat)", "余热产出行（热类）"),
    "needs_water": ("water input rows (category water)", "用水投入行（水类）"),
    "needs_reclaimed": ("wastewater or treated-effluent output rows", "废水或处理后出水产出行"),
    "needs_calculation": ("a calculation for this indicator (none is defined in flows/indicators.py)",
                          "该指标的计算方法（flows/indicators.py 中未定义）"),
    "list_sep": ("; ", "；"),
    "no_threshold": ("threshold applies only where {condition}; this park uses {energy_tce:,.0f} tce/a, for which no "
                     "threshold was found",
                     "阈值仅适用于 {condition}；本园区年综合能耗 {energy_tce:,.0f} 吨标煤，未找到适用阈值"),
    "not_computable": ("not computable: needs {needs}", "无法计算：需要{needs}"),
    "intensity_rises": ("intensity rises ({i0:.4g} → {i1:.4g} tCO2/tce) because energy use falls faster ({pct_e}, "
                        "{d_e} tce/a) than CO2 ({pct_c}): the energy the plan saves emits {saved} tCO2/tce, less than "
                        "the park's average {i0:.4g} — total CO2 (Scope 1 + 2) falls by {d_c} tCO2e/a",
                        "强度上升（{i0:.4g} → {i1:.4g} tCO2/tce），因为能耗下降（{pct_e}，{d_e} 吨标煤/年）快于 CO2 下降"
                        "（{pct_c}）：方案节省的能源排放强度为 {saved} tCO2/tce，低于园区平均的 {i0:.4g}；"
                        "二氧化碳总量（范围一 + 二）减少 {d_c} tCO2e/年"),
    "intensity_falls": ("intensity falls ({i0:.4g} → {i1:.4g} tCO2/tce) only because energy use rises faster "
                        "({pct_e}) than CO2 ({pct_c}) — total CO2 (Scope 1 + 2) rises by {d_c} tCO2e/a",
                        "强度下降（{i0:.4g} → {i1:.4g} tCO2/tce）只是因为能耗上升（{pct_e}）快于 CO2 上升（{pct_c}）；"
                        "二氧化碳总量（范围一 + 二）增加 {d_c} tCO2e/年"),
})


def _pair(key: str, /, **params: object) -> tuple[str, str]:
    """Message "flows.indicator.<key>" in English and Chinese, for a record that carries both."""
    return pair(TEXTS.code(key), **params)


def _joined(what_en: Iterable[str], what_zh: Iterable[str]) -> tuple[str, str]:
    """Two lists of texts (English, Chinese), each joined as a list in its language."""
    en, zh = (render(TEXTS.code("list_sep"), lg).join(_unique(items)) for lg, items in zip(LANGS, (what_en, what_zh),
                                                                                          strict=True))
    return en, zh


UTILISED_FATES = frozenset({"sold"})  # a fate that is use by someone else; landfill, storage, incineration are not
CORE_PREFIX = "zc_co2_per_tce"


@dataclass
class Result:
    """One computed quantity: value (NaN when not computable), what it needs, and what fed it."""

    value: float = math.nan
    numerator: float = math.nan
    denominator: float = math.nan
    needs: tuple[str, str] = ("", "")  # (en, zh)
    note: tuple[str, str] = ("", "")
    rows: list[str] = field(default_factory=list)
    factor_ids: list[str] = field(default_factory=list)
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def computable(self) -> bool:
        return not self.needs[0]


SIDES: dict[str, frozenset[str]] = {
    # which rows of an edge feed an indicator: output-side ones read the supplier's rows, input-side the receiver's
    "out": frozenset({"stream", "exchange", "link", "supplier"}),
    "in": frozenset({"stream", "exchange", "link", "receiver"}),
    "link": frozenset({"exchange", "link"}),
    "all": frozenset({"stream", "exchange", "link", "supplier", "receiver"}),
}


def _ids(rows: Iterable[RowRef], side: str = "all") -> list[str]:
    return [r.stream_id for r in rows if r.role in SIDES[side]]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def _edges(graph: nx.MultiDiGraph, *, into_enterprise: bool) -> list[tuple[str, str, str, dict]]:
    end = 1 if into_enterprise else 0
    return [(u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True)
            if graph.nodes[(u, v)[end]].get("kind") == "enterprise"]


def _ratio(numerator_edges: list[dict], denominator_edges: list[dict], needs: tuple[str, str],
           side: str) -> Result:
    den = sum(float(d["quantity"]) for d in denominator_edges)
    num = sum(float(d["quantity"]) for d in numerator_edges)
    rows = _unique(r for d in [*denominator_edges, *numerator_edges] for r in _ids(d["rows"], side))
    if den <= 0:
        return Result(needs=needs, rows=rows)
    return Result(value=num / den, numerator=num, denominator=den, rows=rows)


# --- the computations ---------------------------------------------------------------------------------------------
def energy_and_emissions(graph: nx.MultiDiGraph, factors: FactorTable) -> dict[str, Result]:
    """Energy use (GJ, tce), clean share, Scope 1, Scope 2 and CO2 per tce, sharing one accounting pass."""
    energy, missing_e = energy_items(graph, factors)
    emissions, missing = scope12_items(graph, factors)
    gj = sum(i.gj for i in energy)
    energy_rows = _unique(r for i in energy for r in _ids(i.rows, "in"))
    energy_factors = _unique(f for i in energy for f in i.factor_ids)
    needs_energy = _pair("needs_energy")
    out: dict[str, Result] = {}
    gap = missing_e + missing
    gap_needs = _joined((m.what_en for m in gap), (m.what_zh for m in gap)) if gap else ("", "")
    if gj <= 0:
        for name in ("energy", "clean_share", "scope1", "scope2", "co2_per_tce"):
            out[name] = Result(needs=needs_energy)
        return out
    out["energy"] = Result(value=tce(gj), numerator=gj, rows=energy_rows, factor_ids=energy_factors,
                           needs=("", ""))
    clean = sum(i.gj for i in energy if i.clean)
    out["clean_share"] = Result(value=clean / gj, numerator=clean, denominator=gj, rows=energy_rows,
                                factor_ids=energy_factors, needs=gap_needs if missing_e else ("", ""))
    if missing_e:
        out["clean_share"].value = math.nan
    by_scope: dict[str, float] = {"scope1": 0.0, "scope2": 0.0}
    for e in emissions:
        by_scope[e.scope] += e.tco2e
    for scope in ("scope1", "scope2"):
        items = [e for e in emissions if e.scope == scope]
        gaps = [m for m in gap if m.scope in (scope, "energy")]
        res = Result(value=by_scope[scope], rows=_unique(r for e in items for r in _ids(e.rows, "in")),
                     factor_ids=_unique(f for e in items for f in e.factor_ids))
        if gaps:
            res.value = math.nan
            res.needs = _joined((m.what_en for m in gaps), (m.what_zh for m in gaps))
        out[scope] = res
    total = by_scope["scope1"] + by_scope["scope2"]
    core = Result(value=total / tce(gj), numerator=total, denominator=tce(gj),
                  rows=_unique([*energy_rows, *out["scope1"].rows, *out["scope2"].rows]),
                  factor_ids=_unique([*energy_factors, *out["scope1"].factor_ids, *out["scope2"].factor_ids]),
                  extra={"energy_tce": tce(gj)})
    if gap:
        core.value, core.needs = math.nan, gap_needs
    out["co2_per_tce"] = core
    return out


def solid_waste_utilisation(graph: nx.MultiDiGraph) -> Result:
    """Solid outputs used (exchanges, plan links, or sold) / solid outputs generated, t/a."""
    out = [d for *_, d in _edges(graph, into_enterprise=False) if d["category"] == "solid"]
    used = [d for d in out if d["kind"] in ("exchange", "link") or d["baseline"] in UTILISED_FATES]
    return _ratio(used, out, _pair("needs_solid"), "out")


def waste_heat_utilisation(graph: nx.MultiDiGraph) -> Result:
    """Heat outputs recovered (exchanges, plan links, or sold) / heat outputs available, GJ/a."""
    out = [d for *_, d in _edges(graph, into_enterprise=False) if d["category"] == "heat"]
    used = [d for d in out if d["kind"] in ("exchange", "link") or d["baseline"] in UTILISED_FATES]
    return _ratio(used, out, _pair("needs_heat"), "out")


def water_reuse(graph: nx.MultiDiGraph) -> Result:
    """Reused water (water received from other enterprises, plus reclaimed water bought) / total water use, m3/a."""
    water_in = [d for *_, d in _edges(graph, into_enterprise=True) if d["category"] == "water"]
    reused = [d for d in water_in if d["kind"] in ("exchange", "link") or d["material"] == "reclaimed_water"]
    return _ratio(reused, water_in, _pair("needs_water"), "in")


def reclaimed_water_reuse(graph: nx.MultiDiGraph) -> Result:
    """Reclaimed water and treated effluent used / wastewater and treated effluent produced, m3/a."""
    reclaimed = {"reclaimed_water", "treated_effluent"}
    used = [d for *_, d in _edges(graph, into_enterprise=True) if d["material"] in reclaimed]
    produced = [d for *_, d in _edges(graph, into_enterprise=False)
                if d["category"] == "wastewater" or d["material"] in reclaimed]
    return _ratio(used, produced, _pair("needs_reclaimed"), "all")


def eco_chain_links(graph: nx.MultiDiGraph) -> Result:
    """HJ 274-2015 eco-industrial chain links: distinct supplier-receiver-material of exchanges and plan links."""
    triples: dict[tuple[str, str, str], list[str]] = {}
    for u, v, _, d in graph.edges(keys=True, data=True):
        if d["kind"] in ("exchange", "link"):
            triples.setdefault((u, v, d["material"]), []).extend(_ids(d["rows"], "link"))
    return Result(value=float(len(triples)), rows=_unique(r for rows in triples.values() for r in rows))


COMPUTATIONS: dict[str, str] = {
    "zc_clean_energy_share": "clean_share", "zc_solid_waste_utilisation": "solid",
    "hj_solid_waste_utilisation": "solid", "zc_waste_heat_utilisation": "heat",
    "zc_industrial_water_reuse": "water", "hj_industrial_water_reuse": "water", "hj_eco_chain_projects": "chain",
    "hj_reclaimed_water_reuse": "reclaimed", "park_scope1_emissions": "scope1", "park_scope2_emissions": "scope2",
}


def _results(graph: nx.MultiDiGraph, factors: FactorTable) -> dict[str, Result]:
    results = energy_and_emissions(graph, factors)
    simple: dict[str, Callable[[nx.MultiDiGraph], Result]] = {
        "solid": solid_waste_utilisation, "heat": waste_heat_utilisation, "water": water_reuse,
        "reclaimed": reclaimed_water_reuse, "chain": eco_chain_links}
    results.update({name: fn(graph) for name, fn in simple.items()})
    return results


_CONDITION = re.compile(r"^\s*(\w+)\s*(>=|<=|>|<|==)\s*([0-9.eE+-]+)\s*$")


def condition_holds(condition: str, values: dict[str, float]) -> bool | None:
    """'energy_tce>=200000;energy_tce<1000000' -> True/False; None when a variable is unknown."""
    ops: dict[str, Callable[[float, float], bool]] = {
        ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b,
        "==": lambda a, b: a == b}
    for part in filter(None, (p.strip() for p in condition.split(";"))):
        match = _CONDITION.match(part)
        if match is None:
            raise ValueError(f"indicators.csv: cannot read threshold_condition {part!r}")
        name, op, number = match.groups()
        value = values.get(name)
        if value is None or math.isnan(value):
            return None
        if not ops[op](value, float(number)):
            return False
    return True


def _passed(value: float, threshold: float | None, direction: str) -> bool | None:
    if threshold is None or math.isnan(value):
        return None
    if direction == "max":
        return bool(value <= threshold)
    if direction == "min":
        return bool(value >= threshold)
    return None


def _threshold(text: str) -> float | None:
    text = str(text).strip()
    return float(text) if text else None


def indicators(park_or_graph: Park | nx.MultiDiGraph, plan: Plan | None = None, *,
               factors: FactorTable | None = None) -> pd.DataFrame:
    """The park's indicators (one row each, columns INDICATOR_COLUMNS), for the graph or for park (+ plan).

    `passed` is True/False against the threshold, None where there is none (report rows, thresholds that do not
    apply to the park's size) or the value is not computable. `rows` lists the ledger row ids (stream ids,
    exchange ids, plan link ids) that fed the value; `factor_ids` the emission-factor rows.
    """
    graph = as_graph(park_or_graph, plan)
    factors = factor_table(graph, factors)
    results = _results(graph, factors)
    table = read_records("indicators")
    records: list[dict[str, object]] = []
    core_rows = [r for r in table if r["indicator_id"].startswith(CORE_PREFIX)]
    core_done = False
    for row in table:
        if row["indicator_id"].startswith(CORE_PREFIX):
            if not core_done:
                records.append(_core_record(core_rows, results["co2_per_tce"]))
                core_done = True
            continue
        name = COMPUTATIONS.get(row["indicator_id"])
        res = results[name] if name else Result(needs=_pair("needs_calculation"))
        records.append(_record(row, res, _threshold(row["threshold"])))
    return pd.DataFrame.from_records(records, columns=list(INDICATOR_COLUMNS))


def _record(row: dict[str, str], res: Result, threshold: float | None,
            note: tuple[str, str] = ("", "")) -> dict[str, object]:
    value = res.value if res.computable else math.nan
    return {
        "indicator_id": row["indicator_id"], "name_zh": row["name_zh"], "name_en": row["name_en"], "value": value,
        "unit": row["unit"], "threshold": threshold if threshold is not None else math.nan,
        "direction": row["direction"],
        "passed": _passed(value, threshold, row["direction"]) if not note[0] else None,
        "computable": res.computable, "needs": res.needs[0], "needs_zh": res.needs[1], "source": row["source"],
        "reliability": row["reliability"], "framework": row["framework"], "rows": list(res.rows),
        "factor_ids": list(res.factor_ids), "numerator": res.numerator, "denominator": res.denominator,
        "threshold_condition": row.get("threshold_condition", ""), "note": note[0] or res.note[0],
        "note_zh": note[1] or res.note[1],
    }


def _core_record(bands: list[dict[str, str]], res: Result) -> dict[str, object]:
    """The core indicator against the threshold band that fits the park's energy use.

    Parks below the lowest band have no published threshold: the lowest band is shown for reference, with
    passed=None and a note, rather than a pass/fail the source does not give.
    """
    energy_tce = res.extra.get("energy_tce", math.nan)
    chosen, note = None, ("", "")
    for band in bands:
        if condition_holds(band["threshold_condition"], {"energy_tce": energy_tce}):
            chosen = band
            break
    if chosen is None:
        chosen = bands[0]
        if res.computable:
            note = _pair("no_threshold", condition=chosen["threshold_condition"], energy_tce=energy_tce)
    return _record(chosen, res, _threshold(chosen["threshold"]), note)


def format_value(row: pd.Series | dict[str, object], lang: Lang | str = "en") -> str:
    """An indicator's value as shown to a user: the number with its unit, or what it would need."""
    if not row["computable"]:
        needs = pick(str(row["needs"]), str(row["needs_zh"]), lang)
        return render(TEXTS.code("not_computable"), lang, needs=needs)
    value = float(row["value"])  # type: ignore[arg-type]
    unit = str(row["unit"])
    if unit == "fraction":
        return f"{value:.1%}"
    if unit == "count":
        return f"{value:.0f}"
    return f"{fmt_quantity(value)} {unit}"


def compare_indicators(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Before and after a plan side by side: value, passed and change per indicator.

    numerator/denominator of both states are kept, and explanation/explanation_zh say why an intensity moves
    against its total (see intensity_explanation); empty where there is nothing to explain.
    """
    keep = ["indicator_id", "name_zh", "name_en", "unit", "threshold", "direction", "source", "reliability"]
    left = before[[*keep, "value", "passed", "computable", "needs", "needs_zh", "numerator", "denominator"]].rename(
        columns={"value": "value_before", "passed": "passed_before", "computable": "computable_before",
                 "needs": "needs_before", "needs_zh": "needs_zh_before", "numerator": "numerator_before",
                 "denominator": "denominator_before"})
    right = after[["indicator_id", "value", "passed", "computable", "needs", "needs_zh", "numerator",
                   "denominator"]].rename(columns={
        "value": "value_after", "passed": "passed_after", "computable": "computable_after",
        "needs": "needs_after", "needs_zh": "needs_zh_after", "numerator": "numerator_after",
        "denominator": "denominator_after"})
    # the core indicator's threshold band (and so its id) can differ before and after: pair them by family
    left["_join"], right["_join"] = left["indicator_id"].map(join_key), right["indicator_id"].map(join_key)
    right = right.rename(columns={"indicator_id": "indicator_id_after"})
    merged = left.merge(right, on="_join", how="outer", sort=False).drop(columns="_join")
    merged["indicator_id"] = merged["indicator_id"].fillna(merged["indicator_id_after"])
    merged["change"] = merged["value_after"] - merged["value_before"]
    texts = [intensity_explanation({str(k): v for k, v in r.items()}) for r in merged.to_dict("records")]
    merged["explanation"] = [e for e, _ in texts]
    merged["explanation_zh"] = [z for _, z in texts]
    return merged


INTENSITY_REL_EPS = 1e-6  # changes below this share of the value are rounding, not movement


def _finite(*values: object) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(float(v)) for v in values)


def _pct(change: float, base: float) -> str:
    return f"{change / base:+.1%}" if base else "—"


def intensity_explanation(row: dict[str, object]) -> tuple[str, str]:
    """Why an intensity indicator (a ratio such as CO2 per tce) moves against the total it is made of, or ("", "").

    `row` is a compare_indicators() row with numerator/denominator before and after (CO2 and energy for the core
    indicator). The intensity rises while total CO2 falls when the energy the plan saves is less carbon-intensive
    than the park's average (ΔCO2 / Δenergy < the intensity before): energy use then falls faster than CO2. The
    mirror case — intensity falls while total CO2 rises — is explained the same way.
    """
    if not str(row.get("indicator_id", "")).startswith(CORE_PREFIX):
        return "", ""
    c0, e0 = row.get("numerator_before"), row.get("denominator_before")
    c1, e1 = row.get("numerator_after"), row.get("denominator_after")
    if not _finite(c0, e0, c1, e1) or float(e0) <= 0 or float(e1) <= 0:  # type: ignore[arg-type]
        return "", ""
    c0, e0, c1, e1 = float(c0), float(e0), float(c1), float(e1)  # type: ignore[arg-type]
    i0, i1 = c0 / e0, c1 / e1
    d_i, d_c, d_e = i1 - i0, c1 - c0, e1 - e0
    if abs(d_i) <= INTENSITY_REL_EPS * abs(i0) or abs(d_c) <= INTENSITY_REL_EPS * abs(c0):
        return "", ""
    saved = f"{abs(d_c) / abs(d_e):.3g}" if d_e else "—"
    if d_i > 0 and d_c < 0:
        return _pair("intensity_rises", i0=i0, i1=i1, pct_e=_pct(d_e, e0), d_e=fmt_quantity(d_e),
                     pct_c=_pct(d_c, c0), saved=saved, d_c=fmt_quantity(-d_c))
    if d_i < 0 and d_c > 0:
        return _pair("intensity_falls", i0=i0, i1=i1, pct_e=_pct(d_e, e0), pct_c=_pct(d_c, c0),
                     d_c=fmt_quantity(d_c))
    return "", ""


def join_key(indicator_id: str) -> str:
    """The id an indicator is paired by across states: the core's bands share one."""
    return CORE_PREFIX if indicator_id.startswith(CORE_PREFIX) else indicator_id
