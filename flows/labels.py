"""Bilingual (en/zh) names for everything flows/ shows a user: boundary nodes, categories, bases, statuses.

The names are registered in the one catalogue of symbiosis.core.i18n (namespaces "flows.kind", "flows.basis",
"flows.boundary"); choosing between two names and formatting quantities is done there (`tr` is its `pick`,
`fmt_quantity` its `quantity`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import networkx as nx

from symbiosis.core.i18n import Lang as Lang
from symbiosis.core.i18n import lang_column, pick, quantity, register
from symbiosis.core.taxonomy import CATEGORY_NAMES, materials

BOUNDARY_PREFIX = "boundary:"


@dataclass(frozen=True)
class BoundaryNode:
    key: str
    role: Literal["source", "sink"]
    name_en: str
    name_zh: str


BOUNDARY_NODES: dict[str, BoundaryNode] = {b.key: b for b in (
    BoundaryNode("virgin_supply", "source", "Virgin material suppliers", "原生物料供应商"),
    BoundaryNode("fuel_supply", "source", "Fuel suppliers", "燃料供应商"),
    BoundaryNode("grid", "source", "Power grid", "电网"),
    BoundaryNode("steam_supply", "source", "Steam/heat utility", "外购蒸汽/热力"),
    BoundaryNode("water_supply", "source", "Municipal water supply", "市政供水"),
    BoundaryNode("boilers", "source", "On-site boilers", "自有锅炉"),
    BoundaryNode("self_supply", "source", "Own supply (well, own generation)", "自备（自备井、自发电）"),
    BoundaryNode("unspecified_supply", "source", "Source not given", "来源未填写"),
    BoundaryNode("atmosphere", "sink", "Atmosphere (vent, flare)", "大气（放空、火炬）"),
    BoundaryNode("landfill", "sink", "Landfill", "填埋场"),
    BoundaryNode("incineration", "sink", "Incineration", "焚烧"),
    BoundaryNode("discharge", "sink", "Discharge to environment", "外排环境"),
    BoundaryNode("market", "sink", "Market (sold off-site)", "外售市场"),
    BoundaryNode("storage", "sink", "Storage", "贮存"),
    BoundaryNode("hazardous_treatment", "sink", "Hazardous waste treatment", "危废处置"),
    BoundaryNode("wastewater_treatment", "sink", "Wastewater treatment", "污水处理"),
    BoundaryNode("composting", "sink", "Composting", "堆肥"),
    BoundaryNode("unspecified_fate", "sink", "Fate not given", "去向未填写"),
)}

BASES: dict[str, tuple[str, str, str]] = {
    # basis -> (unit, English name, Chinese name); one basis per diagram so units never mix
    "mass": ("t/a", "mass", "质量"),
    "water": ("m3/a", "water", "水量"),
    "heat": ("GJ/a", "heat", "热量"),
    "energy": ("GJ/a", "energy (heat, energy carriers, fuel gases)", "能量（热、能源、燃气）"),
    "co2e": ("tCO2e/a", "CO2e (Scope 1, 2 and 3 attributed to flows)", "二氧化碳当量（按流归属的范围一、二、三）"),
}

BOUNDARY_NAMES = register("flows.boundary", {k: (b.name_en, b.name_zh) for k, b in BOUNDARY_NODES.items()})
BASIS_NAMES = register("flows.basis", {k: (en, zh) for k, (_, en, zh) in BASES.items()})

KIND_NAMES = register("flows.kind", {
    "supply": ("supply from outside the park", "园区外供应"),
    "fate": ("fate outside the park", "园区外去向"),
    "exchange": ("existing exchange", "现有交换"),
    "link": ("proposed link", "拟建链接"),
})


def tr(en: str, zh: str, lang: Lang | str) -> str:
    """One of two names that come with both languages (symbiosis.core.i18n.pick)."""
    return pick(en, zh, lang)


def boundary_node_id(key: str) -> str:
    return BOUNDARY_PREFIX + key


def category_label(category: str, lang: Lang | str) -> str:
    en, zh = CATEGORY_NAMES.get(category, (category, category))
    return tr(en, zh, lang)


def material_label(key: str, lang: Lang | str) -> str:
    material = materials().get(key)
    if material is None:
        return key
    return tr(material.name_en, material.name_zh, lang)


def node_label(graph: nx.MultiDiGraph, node: str, lang: Lang | str) -> str:
    data = graph.nodes[node]
    if data.get("kind") == "boundary":
        b = BOUNDARY_NODES[data["boundary"]]
        return pick(b.name_en, b.name_zh, lang)
    name = data.get(lang_column("name_en", "name_zh", lang)) or data.get("name") or node
    return str(name)


fmt_quantity = quantity  # a quantity as a planner reads it, the same in both languages


def unit_label(unit: str) -> str:
    return unit.replace("m3", "m³").replace("CO2", "CO₂")
