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
from symbiosis.core.taxonomy import materials

INDICATOR_COLUMNS: tuple[str, ...] = (
    "indicator_id", "name_zh", "name_en", "value", "unit", "threshold", "direction", "passed", "computable", "needs",
    "needs_zh", "source", "reliability", "framework", "rows", "factor_ids", "numerator", "denominator",
    "threshold_condition", "note", "note_zh", "convention", "convention_zh",
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
    "needs_products": ("product output rows (outputs of a raw-material-category material or a liquid commodity, in t)",
                       "产品产出行（原材料类物料或液体商品的产出行，以吨计）"),
    "gas_as_clean": ("counting natural gas as clean (the clean-energy convention of national energy statistics) would give "
                     "{share}",
                     "若将天然气计为清洁能源（统计口径的“清洁能源”），占比为 {share}"),
    "recirculation_counted": ("recirculating cooling water {volume} m³/a, from the cooling-water heat of {n} "
                              "enterprise(s): {names}",
                              "循环冷却水 {volume} m³/年，由 {n} 家企业的冷却水余热折算：{names}"),
    "recirculation_missing": ("{n} enterprise(s) take cooling make-up water but list no cooling-water heat, so their "
                              "recirculation is not counted and the rate is a lower bound (judged only if it passes): "
                              "{names}",
                              "{n} 家企业有循环冷却补充水但未列冷却水余热，其循环水量未计入，本比率为下限（仅在达标时判定）："
                              "{names}"),
    "no_recirculation": ("no recirculating cooling water in the ledger", "台账中无循环冷却水"),
    "chain_count": ("{links} plan link(s) in {projects} new project(s); {extending} link(s) extend a chain an "
                    "existing exchange already serves; {existing} existing exchange(s) are today's chains, not new",
                    "方案链接 {links} 条，合为新增项目 {projects} 个；{extending} 条链接扩充现有交换已有的链；现有交换 "
                    "{existing} 条为现状生态工业链，不计为新增"),
    "chain_existing": ("no plan: {existing} existing exchange(s) are today's chains, not new projects",
                       "无方案：现有交换 {existing} 条为现状生态工业链，不计为新增项目"),
    "scope2_added": ("includes the grid electricity {n} plan link(s) add (pumping, pre-treatment): {gj} GJ/a, "
                     "{tco2e} tCO2e/a",
                     "含 {n} 条方案链接新增的电网用电（泵送、预处理）：{gj} GJ/年，{tco2e} tCO2e/年"),
    "products_of": ("products: {products}; energy {energy} tce/a", "产品：{products}；能耗 {energy} 吨标煤/年"),
    "no_limit": ("no national limit (GB 21256 etc., level 2) for this product is in datasets/: not judged",
                 "datasets/ 中无该产品的国家能耗限额（GB 21256 等，2 级）：不判定"),
    "not_given": ("not given", "未给出"),
    "intensity_falls": ("intensity falls ({i0:.4g} → {i1:.4g} tCO2/tce) only because energy use rises faster "
                        "({pct_e}) than CO2 ({pct_c}) — total CO2 (Scope 1 + 2) rises by {d_c} tCO2e/a",
                        "强度下降（{i0:.4g} → {i1:.4g} tCO2/tce）只是因为能耗上升（{pct_e}）快于 CO2 上升（{pct_c}）；"
                        "二氧化碳总量（范围一 + 二）增加 {d_c} tCO2e/年"),
})


# How each figure is counted, shown next to it (codes "flows.indicator.convention.<key>", key = COMPUTATIONS value).
CONVENTIONS = register("flows.indicator.convention", {
    "co2_per_tce": ("(Scope 1 + Scope 2) / energy use in tce. Energy is counted once, where it enters the park "
                    "(electricity at its calorific value 3.6 GJ/MWh; 29.3076 GJ/tce, GB/T 2589); Scope 2 includes "
                    "the grid electricity a plan's links add",
                    "（范围一 + 范围二）/ 综合能耗（吨标煤）。能源在进入园区处计一次（电力按当量值 3.6 GJ/MWh；"
                    "29.3076 GJ/吨标煤，GB/T 2589）；范围二含方案链接新增的电网用电"),
    "clean_share": ("clean carriers / energy use, GJ. Clean: PV and wind electricity, biogas, biomass (non-fossil). "
                    "Natural gas is NOT counted as clean (fossil; the notice's annex defining the indicator is not in "
                    "the texts this tool holds, so the stricter, non-fossil reading is used). Grid electricity counts "
                    "as not clean",
                    "清洁能源 / 综合能耗（GJ）。清洁能源：光伏、风电、沼气、生物质（非化石能源）。天然气不计为清洁能源"
                    "（化石能源；本工具所收文本中无通知附件对该指标的定义，采用较严的非化石口径）。电网购电计为非清洁"),
    "product_energy": ("the enterprise's energy use counted where it enters the park (tce, GB/T 2589; energy passed "
                       "on inside the park stays with the enterprise that bought it in) / its product outputs (t: "
                       "outputs of raw-material-category materials and liquid commodities, whatever their fate). An "
                       "enterprise that lists no product output reads “not given”, never 0",
                       "企业在进入园区处计的能耗（吨标煤，GB/T 2589；园区内转供的能源计入外购该能源的企业）/ 其产品产出"
                       "（吨：原材料类物料与液体商品的产出，不论去向）。未列产品产出的企业显示“未给出”，不显示 0"),
    "solid": ("solid outputs used (exchanges, plan links, sold) / solid outputs generated, t. Landfill, storage, "
              "incineration and hazardous-waste treatment are not use",
              "固体废物利用量（现有交换、方案链接、外售）/ 产生量（吨）。填埋、贮存、焚烧、危废处置不计为利用"),
    "heat": ("waste heat recovered (exchanges, plan links, sold) / waste heat available, GJ",
             "余热回收利用量（现有交换、方案链接、外售）/ 余热资源量（GJ）"),
    "water": ("(water reused + recirculating cooling water) / (water use + recirculating cooling water), m³: the "
              "GB/T 7119 rate the 75 % / 80 % thresholds are set on. Reused: water received from another enterprise "
              "and reclaimed water bought. Recirculating cooling water: an enterprise's cooling-water heat outputs / "
              "(4.186 MJ/(m³·K) × (supply − return temperature)), counted where it also takes cooling make-up water",
              "（重复利用水量 + 循环冷却水量）/（用水量 + 循环冷却水量），m³：即 75% / 80% 阈值所依据的 GB/T 7119 "
              "口径。重复利用水量：接收自其他企业的水和外购再生水。循环冷却水量：企业冷却水余热 /（4.186 MJ/(m³·K) ×"
              "（供回水温差）），仅计同时有循环冷却补充水的企业"),
    "water_excl": ("water reused between enterprises (exchanges, plan links, reclaimed water bought) / water use, "
                   "m³, recirculating cooling water left out: not comparable with the thresholds, which count it",
                   "企业间重复利用水量（现有交换、方案链接、外购再生水）/ 用水量（m³），不含循环冷却水：不可与含循环水"
                   "的阈值比较"),
    "reclaimed": ("reclaimed water and treated effluent used / wastewater and treated effluent produced, m³",
                  "再生水与处理后出水的回用量 / 废水与处理后出水产生量（m³）"),
    "chain": ("new eco-industrial chain projects of the plan: one project per new supplier → receiver pair and "
              "material category (one pipeline or haul of one kind) that no existing exchange serves. HJ 274-2015: a "
              "chain is the transfer and use of waste or surplus energy between at least two production units; the "
              "indicator counts projects newly built for it, so existing exchanges are not counted",
              "方案新增生态工业链项目：每个新的供方 → 需方企业对与物料类别（一条同类管线或运输）计一个项目，现有"
              "交换已服务的不计。HJ 274-2015：生态工业链指至少两个生产单元之间废物或剩余能量的传送与利用；该指标计"
              "新建项目，现有交换不计"),
    "scope1": ("fossil fuels entering the park × their Scope 1 factor, + implied own-boiler fuel; a fuel's carbon is "
               "counted where it enters the park",
               "进入园区的化石燃料 × 范围一排放因子，加自有锅炉隐含燃料；燃料碳排放在进入园区处计"),
    "scope2": ("grid electricity × grid factor (park region and year) + purchased steam/heat × its factor + electric-"
               "boiler heat; with a plan, the grid electricity its links add (pumping, pre-treatment) is included",
               "电网购电 × 电网排放因子（园区区域与年份）+ 外购蒸汽/热力 × 因子 + 电锅炉供热；方案后含链接新增的电网"
               "用电（泵送、预处理）"),
})


def _pair(key: str, /, **params: object) -> tuple[str, str]:
    """Message "flows.indicator.<key>" in English and Chinese, for a record that carries both."""
    return pair(TEXTS.code(key), **params)


def _joined(what_en: Iterable[str], what_zh: Iterable[str]) -> tuple[str, str]:
    """Two lists of texts (English, Chinese), each joined as a list in its language."""
    en, zh = (render(TEXTS.code("list_sep"), lg).join(_unique(items)) for lg, items in zip(LANGS, (what_en, what_zh),
                                                                                          strict=True))
    return en, zh


GAS_AS_CLEAN = frozenset({"natural_gas"})  # what the statistical 清洁能源 convention adds to the non-fossil carriers
LINK_ELECTRICITY_PREFIX = "e:"  # flows.graph: the grid electricity a plan link adds, edge key "e:<link_id>"
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
    with_gas = clean + sum(i.gj for i in energy if not i.clean and i.carrier in GAS_AS_CLEAN)
    out["clean_share"].note = _pair("gas_as_clean", share=f"{with_gas / gj:.1%}")
    out["clean_share"].extra["share_with_natural_gas"] = with_gas / gj
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
    added = [e for e in emissions if e.scope == "scope2" and e.edge[2].startswith(LINK_ELECTRICITY_PREFIX)]
    if added:
        added_gj = sum(float(graph.edges[e.edge]["quantity"]) for e in added)
        out["scope2"].note = _pair("scope2_added", n=len({graph.edges[e.edge]["link_id"] for e in added}),
                                   gj=fmt_quantity(added_gj), tco2e=fmt_quantity(sum(e.tco2e for e in added)))
        out["scope2"].extra["added_tco2e"] = sum(e.tco2e for e in added)
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


WATER_MJ_PER_M3_K = 4.186  # volumetric heat capacity of water, MJ/(m³·K) (1 t/m³ × 4.186 kJ/(kg·K))
RECIRCULATION_HEAT = frozenset({"cooling_water_heat"})  # heat carried by a recirculating cooling circuit
COOLING_GRADE = "cooling"  # water grade of cooling make-up (datasets/water_grades.csv)


def _water_inputs(graph: nx.MultiDiGraph) -> tuple[list[dict], list[dict]]:
    water_in = [d for *_, d in _edges(graph, into_enterprise=True) if d["category"] == "water"]
    reused = [d for d in water_in if d["kind"] in ("exchange", "link") or d["material"] == "reclaimed_water"]
    return water_in, reused


def water_reuse_excluding_recirculation(graph: nx.MultiDiGraph) -> Result:
    """Reused water (water received from other enterprises, plus reclaimed water bought) / total water use, m3/a;
    recirculating cooling water left out."""
    water_in, reused = _water_inputs(graph)
    return _ratio(reused, water_in, _pair("needs_water"), "in")


def _name(graph: nx.MultiDiGraph, node: str, lang: str) -> str:
    data = graph.nodes[node]
    fallback = str(data.get("name") or node)
    return pick(str(data.get("name_en") or fallback), str(data.get("name_zh") or fallback), lang)


def _names(graph: nx.MultiDiGraph, nodes: Iterable[str]) -> tuple[str, str]:
    nodes = list(nodes)
    return _joined((_name(graph, n, "en") for n in nodes), (_name(graph, n, "zh") for n in nodes))


def recirculating_cooling_water(graph: nx.MultiDiGraph) -> tuple[dict[str, float], list[str], list[str]]:
    """Recirculating cooling water by enterprise, m3/a; the edges' rows; the enterprises that take cooling make-up
    water but list no cooling-water heat (their recirculation is unknown).

    The flow a cooling circuit carries is the heat it rejects over its temperature drop: GJ / (4.186 MJ/(m3·K) ×
    (temperature_c − temperature_return_c)), over every edge out of the enterprise of a cooling-water heat row
    (fate, exchange or plan link: a plan that recovers the heat leaves the circuit as it is). Counted only for an
    enterprise that also takes cooling make-up water: a cooling tower's circuit, not a once-through discharge.
    """
    makeup = {v for _, v, _, d in _edges(graph, into_enterprise=True)
              if d["category"] == "water" and str(d.get("quality") or "") == COOLING_GRADE}
    volume: dict[str, float] = {}
    rows: list[str] = []
    for u, _, _, d in _edges(graph, into_enterprise=False):
        if u not in makeup or d["material"] not in RECIRCULATION_HEAT:
            continue
        t_hot, t_cold = d.get("temperature_c"), d.get("temperature_return_c")
        if t_hot is None or t_cold is None or not float(t_hot) > float(t_cold):
            continue
        gj = float(d["quantity"])
        volume[u] = volume.get(u, 0.0) + gj * 1000.0 / (WATER_MJ_PER_M3_K * (float(t_hot) - float(t_cold)))
        rows += _ids(d["rows"], "out")
    missing = sorted(makeup - set(volume))
    return volume, _unique(rows), missing


def water_reuse(graph: nx.MultiDiGraph) -> Result:
    """(Reused water + recirculating cooling water) / (water use + recirculating cooling water), m3/a: the rate the
    thresholds are set on (GB/T 7119). extra["lower_bound"] = 1 where some cooling circuits are not in the ledger."""
    water_in, reused = _water_inputs(graph)
    volume, rows, missing = recirculating_cooling_water(graph)
    recirculated = sum(volume.values())
    den = sum(float(d["quantity"]) for d in water_in) + recirculated
    num = sum(float(d["quantity"]) for d in reused) + recirculated
    all_rows = _unique([*(r for d in [*water_in, *reused] for r in _ids(d["rows"], "in")), *rows])
    if den <= 0 or not water_in:
        return Result(needs=_pair("needs_water"), rows=all_rows)
    notes: list[tuple[str, str]] = []
    if volume:
        names = _names(graph, sorted(volume))
        notes.append(_pair("recirculation_counted", volume=fmt_quantity(recirculated), n=len(volume),
                           names=names[0], names_zh=names[1]))
    else:
        notes.append(_pair("no_recirculation"))
    if missing:
        names = _names(graph, missing)
        notes.append(_pair("recirculation_missing", n=len(missing), names=names[0], names_zh=names[1]))
    note = _joined((n[0] for n in notes), (n[1] for n in notes))
    return Result(value=num / den, numerator=num, denominator=den, rows=all_rows, note=note,
                  extra={"recirculated_m3": recirculated, "lower_bound": 1.0 if missing else 0.0})


def reclaimed_water_reuse(graph: nx.MultiDiGraph) -> Result:
    """Reclaimed water and treated effluent used / wastewater and treated effluent produced, m3/a."""
    reclaimed = {"reclaimed_water", "treated_effluent"}
    used = [d for *_, d in _edges(graph, into_enterprise=True) if d["material"] in reclaimed]
    produced = [d for *_, d in _edges(graph, into_enterprise=False)
                if d["category"] == "wastewater" or d["material"] in reclaimed]
    return _ratio(used, produced, _pair("needs_reclaimed"), "all")


def eco_chain_projects(graph: nx.MultiDiGraph) -> Result:
    """HJ 274-2015 new eco-industrial chain projects: the plan's links grouped into projects, one per supplier →
    receiver pair and material category that no existing exchange serves (docs/indicators.md). Existing exchanges
    are today's chains, not new: without a plan the count is 0."""
    existing: set[tuple[str, str, str]] = set()
    n_existing = 0
    links: dict[tuple[str, str, str], list[str]] = {}
    for u, v, _, d in graph.edges(keys=True, data=True):
        if d["kind"] == "exchange":
            existing.add((u, v, d["category"]))
            n_existing += 1
        elif d["kind"] == "link":
            links.setdefault((u, v, d["category"]), []).extend(_ids(d["rows"], "link"))
    new = {k: ids for k, ids in links.items() if k not in existing}
    n_links = len(_unique(i for ids in links.values() for i in ids))
    extending = len(_unique(i for k, ids in links.items() if k in existing for i in ids))
    note = (_pair("chain_count", links=n_links, projects=len(new), extending=extending, existing=n_existing)
            if links else _pair("chain_existing", existing=n_existing))
    return Result(value=float(len(new)), rows=_unique(r for ids in new.values() for r in ids), note=note,
                  extra={"existing_exchanges": float(n_existing), "links": float(n_links)})


def eco_chain_links(graph: nx.MultiDiGraph) -> Result:
    """Distinct supplier-receiver-material triples over existing exchanges and plan links (the network measure
    `chain_links`; not the HJ 274 indicator, which counts new projects: eco_chain_projects)."""
    triples: dict[tuple[str, str, str], list[str]] = {}
    for u, v, _, d in graph.edges(keys=True, data=True):
        if d["kind"] in ("exchange", "link"):
            triples.setdefault((u, v, d["material"]), []).extend(_ids(d["rows"], "link"))
    return Result(value=float(len(triples)), rows=_unique(r for rows in triples.values() for r in rows))


def is_product(material: str) -> bool:
    """A material an enterprise makes to sell: a raw-material-category material (cement, pig iron, clinker ...) or
    a liquid commodity (a liquid with no typical hazardous-waste code: acids, caustic soda, lubricating oil ...)."""
    mat = materials().get(material)
    if mat is None:
        return False
    return mat.category == "raw_material" or (mat.category == "liquid" and not mat.hazardous_code_typical)


PRODUCT_ENERGY_COLUMNS: tuple[str, ...] = (
    "enterprise_id", "name_en", "name_zh", "given", "energy_tce", "product_t", "value", "unit", "products",
    "products_zh", "rows", "shown", "shown_zh")


def product_energy(park_or_graph: Park | nx.MultiDiGraph, plan: Plan | None = None, *,
                   factors: FactorTable | None = None) -> pd.DataFrame:
    """Product unit energy consumption (单位产品综合能耗) per enterprise, tce/t: its energy use counted where it
    enters the park (flows.accounting.energy_items, by receiving enterprise) / its product outputs in t
    (`is_product`, every edge out of it: fate, exchange, link). An enterprise with no product output has given=False
    and value NaN, shown "not given" / "未给出" — never 0. One row per enterprise, in graph order."""
    graph = as_graph(park_or_graph, plan)
    factors = factor_table(graph, factors)
    return _product_energy(graph, factors)


def _product_energy(graph: nx.MultiDiGraph, factors: FactorTable) -> pd.DataFrame:
    energy, _ = energy_items(graph, factors)
    gj: dict[str, float] = {}
    energy_rows: dict[str, list[str]] = {}
    for item in energy:
        gj[item.edge[1]] = gj.get(item.edge[1], 0.0) + item.gj
        energy_rows.setdefault(item.edge[1], []).extend(_ids(item.rows, "in"))
    made: dict[str, dict[str, float]] = {}
    product_rows: dict[str, list[str]] = {}
    for u, _, _, d in _edges(graph, into_enterprise=False):
        if is_product(d["material"]) and d["unit"] == "t/a":
            made.setdefault(u, {})
            made[u][d["material"]] = made[u].get(d["material"], 0.0) + float(d["quantity"])
            product_rows.setdefault(u, []).extend(_ids(d["rows"], "out"))
    mats = materials()
    records = []
    for node, data in graph.nodes(data=True):
        if data.get("kind") != "enterprise":
            continue
        products = made.get(node, {})
        t = sum(products.values())
        e_tce = tce(gj.get(node, 0.0))
        given = t > 0
        value = e_tce / t if given else math.nan
        shown = (f"{fmt_quantity(value)} tce/t",) * 2 if given else _pair("not_given")
        records.append({
            "enterprise_id": node, "name_en": _name(graph, node, "en"), "name_zh": _name(graph, node, "zh"),
            "given": given, "energy_tce": e_tce, "product_t": t, "value": value, "unit": "tce/t",
            "products": ", ".join(f"{mats[m].name_en} {fmt_quantity(q)} t/a" for m, q in products.items()),
            "products_zh": "、".join(f"{mats[m].name_zh} {fmt_quantity(q)} 吨/年" for m, q in products.items()),
            "rows": _unique([*energy_rows.get(node, []), *product_rows.get(node, [])]),
            "shown": shown[0], "shown_zh": shown[1]})
    return pd.DataFrame.from_records(records, columns=list(PRODUCT_ENERGY_COLUMNS))


def _product_records(row: dict[str, str], table: pd.DataFrame) -> list[dict[str, object]]:
    """The product-energy row of indicators.csv as one record per enterprise that gives products (id
    "<indicator_id>:<enterprise_id>"); one not-computable record when none does."""
    given = table[table["given"]]
    if given.empty:
        return [_record(row, Result(needs=_pair("needs_products")), None, convention_key="product_energy")]
    out = []
    for r in given.to_dict("records"):
        res = Result(value=float(r["value"]), numerator=float(r["energy_tce"]), denominator=float(r["product_t"]),
                     rows=list(r["rows"]))
        note_parts = [_pair("products_of", products=r["products"], products_zh=r["products_zh"],
                            energy=fmt_quantity(float(r["energy_tce"]))), _pair("no_limit")]
        res.note = _joined((n[0] for n in note_parts), (n[1] for n in note_parts))
        named = dict(row, indicator_id=f"{row['indicator_id']}:{r['enterprise_id']}",
                     name_en=f"{row['name_en']}: {r['name_en']}", name_zh=f"{row['name_zh']}：{r['name_zh']}")
        out.append(_record(named, res, _threshold(row["threshold"]), convention_key="product_energy"))
    return out


COMPUTATIONS: dict[str, str] = {
    "zc_clean_energy_share": "clean_share", "zc_solid_waste_utilisation": "solid",
    "hj_solid_waste_utilisation": "solid", "zc_waste_heat_utilisation": "heat",
    "zc_industrial_water_reuse": "water", "hj_industrial_water_reuse": "water",
    "park_water_reuse_excl_recirculation": "water_excl", "hj_eco_chain_projects": "chain",
    "hj_reclaimed_water_reuse": "reclaimed", "park_scope1_emissions": "scope1", "park_scope2_emissions": "scope2",
}
PRODUCT_ENERGY_ID = "zc_product_energy_consumption"


def _results(graph: nx.MultiDiGraph, factors: FactorTable) -> dict[str, Result]:
    results = energy_and_emissions(graph, factors)
    simple: dict[str, Callable[[nx.MultiDiGraph], Result]] = {
        "solid": solid_waste_utilisation, "heat": waste_heat_utilisation, "water": water_reuse,
        "water_excl": water_reuse_excluding_recirculation, "reclaimed": reclaimed_water_reuse,
        "chain": eco_chain_projects}
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
        if row["indicator_id"] == PRODUCT_ENERGY_ID:
            records += _product_records(row, _product_energy(graph, factors))
            continue
        name = COMPUTATIONS.get(row["indicator_id"])
        res = results[name] if name else Result(needs=_pair("needs_calculation"))
        records.append(_record(row, res, _threshold(row["threshold"]), convention_key=name or ""))
    return pd.DataFrame.from_records(records, columns=list(INDICATOR_COLUMNS))


def convention(key: str) -> tuple[str, str]:
    """How the figure of computation `key` (a COMPUTATIONS value, "co2_per_tce", "product_energy") is counted, in
    English and Chinese; ("", "") for a key without one."""
    return pair(CONVENTIONS.code(key)) if key in CONVENTIONS else ("", "")


def _record(row: dict[str, str], res: Result, threshold: float | None,
            note: tuple[str, str] = ("", ""), *, convention_key: str = "") -> dict[str, object]:
    value = res.value if res.computable else math.nan
    passed = _passed(value, threshold, row["direction"]) if not note[0] else None
    if passed is False and res.extra.get("lower_bound"):
        passed = None  # a lower bound below the threshold does not show the park fails
    conv = convention(convention_key)
    return {
        "indicator_id": row["indicator_id"], "name_zh": row["name_zh"], "name_en": row["name_en"], "value": value,
        "unit": row["unit"], "threshold": threshold if threshold is not None else math.nan,
        "direction": row["direction"],
        "passed": passed,
        "computable": res.computable, "needs": res.needs[0], "needs_zh": res.needs[1], "source": row["source"],
        "reliability": row["reliability"], "framework": row["framework"], "rows": list(res.rows),
        "factor_ids": list(res.factor_ids), "numerator": res.numerator, "denominator": res.denominator,
        "threshold_condition": row.get("threshold_condition", ""), "note": note[0] or res.note[0],
        "note_zh": note[1] or res.note[1], "convention": conv[0], "convention_zh": conv[1],
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
    return _record(chosen, res, _threshold(chosen["threshold"]), note, convention_key="co2_per_tce")


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
