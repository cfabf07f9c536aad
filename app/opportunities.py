"""Opportunities page helpers: the ranked links, a link's detail, the solver's honest status, the map, the
force/forbid choices and "why not matched?". Plain functions of a Park, a Plan and tables from matching/.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from app.i18n import lang_column, pick, t, word
from flows.labels import material_label
from flows.sankey import FONT_FAMILY
from symbiosis.core.errors import DatasetError
from symbiosis.core.factors import FactorTable
from symbiosis.core.i18n import Lang
from symbiosis.core.park import Park
from symbiosis.core.plan import Link, Plan
from symbiosis.core.scenario import LinkKey
from symbiosis.core.units import as_float

CANDIDATE_COLUMNS: tuple[str, ...] = ("supplier_stream_id", "receiver_stream_id", "supplier_id", "receiver_id",
                                      "material_out", "material_in", "category", "distance_km", "mode", "status",
                                      "supply", "unit_out")
STATUS_KIND: dict[str, str] = {"optimal": "success", "feasible": "warning", "time_limit": "warning",
                               "infeasible": "error", "error": "error", "not_solved": "warning", "empty": "info"}


def link_key(link: Link) -> LinkKey:
    return (link.supplier_stream_id, link.receiver_stream_id)


def encode(key: LinkKey) -> str:
    """A link key as one string for a multiselect: 'supplier_stream -> receiver_stream'."""
    return f"{key[0]} -> {key[1]}"


def decode(text: str) -> LinkKey:
    supplier, _, receiver = text.partition(" -> ")
    return (supplier, receiver)


def names(park: Park, lang: Lang) -> dict[str, str]:
    """enterprise_id -> its name (the Chinese one when the ledger has a name_zh column and lang is zh)."""
    e = park.enterprises
    column = lang_column("name", "name_zh", lang) if "name_zh" in e.columns else "name"
    return {str(i): str(n or i) for i, n in zip(e["enterprise_id"], e[column], strict=True)}




def _temperature(value: Any) -> str:
    number = as_float(value)
    return "" if number is None else f"{number:g}"


# --- the solver's status -------------------------------------------------------------------------------------
def status_view(plan: Plan, lang: Lang) -> tuple[str, str]:
    """(kind, text) for the solve's status: kind is success only for a proven optimum; anything else is marked.

    The text says plainly what the status means, the objective, the bound, the gap and the times.
    """
    kind = STATUS_KIND.get(plan.status, "warning")
    unit = plan.objective_unit
    objective = "—" if plan.objective_value is None else f"{plan.objective_value:,.6g} {unit}"
    bound = "—" if plan.bound_value is None else f"{plan.bound_value:,.6g} {unit}"
    gap = "—" if plan.gap is None else f"{plan.gap:.3%}"
    text = t(f"status_{plan.status}" if f"status_{plan.status}" in _STATUS_KEYS else "status_other", lang,
             status=plan.status)
    detail = t("status_detail", lang, objective=objective, bound=bound, gap=gap, build=f"{plan.build_seconds:.2f}",
               solve=f"{plan.solve_seconds:.2f}", parts=plan.subproblems, links=len(plan.links))
    return kind, f"{text}  \n{detail}"


_STATUS_KEYS = {f"status_{s}" for s in STATUS_KIND}


def _in_lang(en: Iterable[str], zh: Iterable[str], lang: Lang) -> list[str]:
    """Texts that come in both languages, one Chinese per English one; otherwise the English ones."""
    english, chinese = list(en), list(zh)
    if len(chinese) != len(english):
        return english
    return [pick(e, c, lang) for e, c in zip(english, chinese, strict=True)]


def plan_messages(plan: Plan, lang: Lang) -> list[str]:
    return _in_lang(plan.messages, plan.messages_zh, lang)


# --- the ranked links ---------------------------------------------------------------------------------------------
def links_table(plan: Plan, park: Park, lang: Lang) -> pd.DataFrame:
    """The ranked links: who to whom, what, how much, how far, temperatures, avoided emissions by scope, net."""
    who = names(park, lang)
    rows = []
    for link in sorted(plan.links, key=lambda x: x.rank):
        rows.append({
            "rank": link.rank,
            "supplier": f"{link.supplier_id} {who.get(link.supplier_id, '')}",
            "receiver": f"{link.receiver_id} {who.get(link.receiver_id, '')}",
            "material": f"{material_label(link.material_out, lang)} → {material_label(link.material_in, lang)}",
            "quantity": round(link.quantity, 1),
            "unit": link.unit.replace("m3", "m³"),
            "distance_km": round(link.distance_km, 2),
            "mode": word("mode", link.mode, lang),
            "t_supply": _temperature(link.temperature_supply_c),
            "t_sink": _temperature(link.temperature_sink_c),
            "scope1": round(link.avoided_scope1_tco2e, 1),
            "scope2": round(link.avoided_scope2_tco2e, 1),
            "scope3": round(link.avoided_scope3_tco2e, 1),
            "added": round(link.added_tco2e, 1),
            "net": round(link.net_tco2e(plan.include_scope2), 1),
            "forced": "✔" if link.forced else "",
            "hazardous": link.hazardous_code,
            "factors": ", ".join(link.factor_ids),
            "link": encode(link_key(link)),
        })
    columns = ["rank", "supplier", "receiver", "material", "quantity", "unit", "distance_km", "mode", "t_supply",
               "t_sink", "scope1", "scope2", "scope3", "added", "net", "forced", "hazardous", "factors", "link"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.rename(columns={c: t(f"lk_{c}", lang) for c in columns})


def plan_totals(plan: Plan) -> dict[str, float]:
    return {
        "links": float(len(plan.links)),
        "net": float(sum(x.net_tco2e(plan.include_scope2) for x in plan.links)),
        "scope1": float(sum(x.avoided_scope1_tco2e for x in plan.links)),
        "scope2": float(sum(x.avoided_scope2_tco2e for x in plan.links)),
        "scope3": float(sum(x.avoided_scope3_tco2e for x in plan.links)),
        "added": float(sum(x.added_tco2e for x in plan.links)),
    }


def link_export(plan: Plan) -> pd.DataFrame:
    """The plan's links for download: every field of every link (accounting lines as text)."""
    frame = plan.links_frame()
    if frame.empty:
        return frame
    for col in ("factor_ids", "notes", "notes_zh"):
        if col in frame.columns:
            frame[col] = frame[col].map(lambda v: "; ".join(str(x) for x in v) if isinstance(v, list | tuple) else v)
    if "accounting" in frame.columns:
        frame["accounting"] = frame["accounting"].map(
            lambda lines: "; ".join(f"{a['item']}[{a['enterprise_id']}]={a['tco2e']:.6g}" for a in lines)
            if isinstance(lines, list) else lines)
    return frame.sort_values("rank", kind="stable").reset_index(drop=True)


def link_label(link: Link, park: Park, lang: Lang) -> str:
    who = names(park, lang)
    return (f"#{link.rank} {who.get(link.supplier_id, link.supplier_id)} → {who.get(link.receiver_id, link.receiver_id)}"
            f" · {material_label(link.material_out, lang)} · {link.net_tco2e():,.0f} tCO2e/a")


def find_link(plan: Plan, key: LinkKey) -> Link | None:
    return next((x for x in plan.links if link_key(x) == key), None)


# --- one link in detail --------------------------------------------------------------------------------------------
def link_facts(link: Link, park: Park, plan: Plan, lang: Lang) -> pd.DataFrame:
    """What a planner defends a link with: the two streams, quantities, distance and reach, temperatures, rule."""
    who = names(park, lang)
    facts: list[tuple[str, str]] = [
        (t("lf_supplier", lang), f"{link.supplier_id} {who.get(link.supplier_id, '')} ({link.supplier_stream_id})"),
        (t("lf_receiver", lang), f"{link.receiver_id} {who.get(link.receiver_id, '')} ({link.receiver_stream_id})"),
        (t("lf_materials", lang), f"{material_label(link.material_out, lang)} → {material_label(link.material_in, lang)}"),
        (t("lf_quantity", lang), f"{link.quantity:,.6g} {link.unit} → {link.quantity_in:,.6g} {link.unit_in}"),
        (t("lf_distance", lang), f"{link.distance_km:.2f} km · {word('mode', link.mode, lang)}"
         + (f" ({t('lf_reach', lang)} {link.mode_reach_km:g} km)" if link.mode_reach_km else "")),
    ]
    if as_float(link.temperature_supply_c) is not None:
        facts.append((t("lf_temperatures", lang), f"{link.temperature_supply_c:g} °C → {link.temperature_sink_c:g} °C"))
    facts += [
        (t("lf_net", lang), f"{link.net_tco2e(plan.include_scope2):,.6g} tCO2e/a"),
        (t("lf_cost", lang), "—" if link.annual_cost_cny is None else f"{link.annual_cost_cny:,.0f} CNY/a"),
        (t("lf_rule", lang), link.rule_id or "—"),
        (t("lf_hazardous", lang), link.hazardous_code or "—"),
        (t("lf_forced", lang), t("yes", lang) if link.forced else t("no", lang)),
    ]
    return pd.DataFrame(facts, columns=[t("col_what", lang), t("col_value", lang)])


def scope_table(link: Link, lang: Lang) -> pd.DataFrame:
    """The link's emission accounting by scope, each line with whose books it falls in and its factors."""
    if link.accounting:
        rows = [(t(f"item_{a.item}", lang) if f"item_{a.item}" in _ITEM_KEYS else a.item, a.scope, a.enterprise_id,
                 round(a.tco2e, 3), ", ".join(a.factor_ids)) for a in link.accounting]
    else:
        items = [("avoided_scope1", "scope1", link.avoided_scope1_tco2e, link.scope1_owner),
                 ("avoided_scope2", "scope2", link.avoided_scope2_tco2e, link.scope2_owner),
                 ("avoided_scope3_cat1", "scope3_cat1", link.avoided_scope3_cat1_tco2e, link.scope3_owner),
                 ("avoided_scope3_cat5", "scope3_cat5", link.avoided_scope3_cat5_tco2e, link.scope3_owner),
                 ("added_transport", "scope3_cat4", link.added_transport_tco2e, ""),
                 ("added_energy", "scope2", link.added_energy_tco2e, ""),
                 ("added_combustion", "scope1", link.added_combustion_tco2e, "")]
        rows = [(t(f"item_{i}", lang), s, who, round(v, 3), "") for i, s, v, who in items if v]
    return pd.DataFrame(rows, columns=[t("col_item", lang), t("col_scope", lang), t("col_books", lang),
                                       "tCO2e/a", t("col_factors", lang)])


_ITEM_KEYS = {f"item_{i}" for i in ("avoided_scope1", "avoided_scope1_supplier", "avoided_scope2",
                                    "avoided_scope3_cat1", "avoided_scope3_cat5", "added_transport", "added_energy",
                                    "added_combustion", "added_construction")}


def factor_sources(factor_ids: Iterable[str], park: Park, lang: Lang) -> pd.DataFrame:
    """Each emission factor a link used: value, unit, year, region, source and reliability."""
    table = FactorTable(park.config)
    rows = []
    for fid in dict.fromkeys(factor_ids):
        try:
            f = table.get(fid)
        except DatasetError:
            rows.append((fid, "", math.nan, "", "", "", t("factor_unknown", lang), ""))
            continue
        rows.append((fid, pick(f.name_en, f.name_zh, lang), f.value, f.unit, f.year, f.region, f.source,
                     f.reliability + (" *" if f.overridden else "")))
    return pd.DataFrame(rows, columns=[t(f"fs_{c}", lang) for c in ("id", "name", "value", "unit", "year", "region",
                                                                      "source", "reliability")])


def link_notes(link: Link, lang: Lang) -> list[str]:
    return _in_lang(link.notes, link.notes_zh, lang)


# --- force and forbid ------------------------------------------------------------------------------------------------
def candidate_choices(candidates: pd.DataFrame, park: Park, lang: Lang,
                      extra: Iterable[LinkKey] = ()) -> dict[str, str]:
    """encoded link key -> "supplier — material → receiver — input (quantity unit)", for every candidate link (and
    any extra keys a scenario names). Each label is unique: two links that would read the same (the same two
    enterprises, materials and quantity) also name their two ledger streams."""
    who = names(park, lang)
    out: dict[str, str] = {}
    for r in candidates.drop_duplicates(["supplier_stream_id", "receiver_stream_id"]).to_dict("records"):
        key = encode((str(r["supplier_stream_id"]), str(r["receiver_stream_id"])))
        supply = as_float(r.get("supply"))
        unit = str(r.get("unit_out") or "").replace("m3", "m³")
        number = "" if supply is None else f"{supply:,.0f}" if abs(supply) >= 100 else f"{supply:.3g}"
        amount = f" ({' '.join(x for x in (number, unit) if x)})" if number else ""
        out[key] = (f"{who.get(str(r['supplier_id']), str(r['supplier_id']))} — "
                    f"{material_label(str(r['material_out']), lang)} → "
                    f"{who.get(str(r['receiver_id']), str(r['receiver_id']))} — "
                    f"{material_label(str(r['material_in']), lang)}{amount}")
    seen: dict[str, list[str]] = {}
    for key, label in out.items():
        seen.setdefault(label, []).append(key)
    for label, keys in seen.items():
        if len(keys) > 1:
            for key in keys:
                out[key] = f"{label} [{key.replace(' -> ', ' → ')}]"
    for pair in extra:
        out.setdefault(encode(pair), encode(pair).replace(" -> ", " → "))
    return out


# --- why not matched? ------------------------------------------------------------------------------------------------
def stream_choices(park: Park, lang: Lang) -> dict[str, str]:
    """stream_id -> label, for every output and input of the park."""
    who = names(park, lang)
    out: dict[str, str] = {}
    for r in park.streams.itertuples(index=False):
        direction = t(f"dir_{r.direction}", lang)
        out[str(r.stream_id)] = (f"{r.stream_id} · {who.get(str(r.enterprise_id), r.enterprise_id)} · {direction} "
                                 f"{material_label(str(r.material), lang)}")
    return out


def why_not(explained: pd.DataFrame, stream_id: str, lang: Lang) -> dict[str, Any] | None:
    """The explanation of one stream: quantity, matched, left, and the reason in `lang`."""
    rows = explained[explained["stream_id"] == stream_id]
    if rows.empty:
        return None
    r = rows.iloc[0]
    return {"quantity": float(r["quantity"]), "matched": float(r["matched"]), "unmatched": float(r["unmatched"]),
            "unit": str(r["unit"]).replace("m3", "m³"), "reason": pick(str(r["reason_en"]), str(r["reason_zh"]), lang),
            "code": str(r["reason"])}


def links_of_stream(plan: Plan, stream_id: str) -> list[str]:
    """The plan's links that use a stream (as supplier or receiver)."""
    return [encode(link_key(x)) for x in plan.links if stream_id in (x.supplier_stream_id, x.receiver_stream_id)]


def unmatched_table(explained: pd.DataFrame, park: Park, lang: Lang) -> pd.DataFrame:
    who = names(park, lang)
    return pd.DataFrame({
        t("col_stream", lang): explained["stream_id"],
        t("col_enterprise", lang): explained["enterprise_id"].map(lambda e: f"{e} {who.get(str(e), '')}"),
        t("col_direction", lang): explained["direction"].map(lambda d: t(f"dir_{d}", lang)),
        t("col_material", lang): explained["material"].map(lambda m: material_label(str(m), lang)),
        t("col_unmatched", lang): explained["unmatched"].round(1),
        t("col_unit", lang): explained["unit"].str.replace("m3", "m³"),
        t("col_reason", lang): explained[lang_column("reason_en", "reason_zh", lang)],
    })


# --- the map ---------------------------------------------------------------------------------------------------------
KINDS: tuple[str, ...] = ("material", "heat", "water")
KIND_COLOURS: dict[str, str] = {"material": "#8c6d31", "heat": "#d55e00", "water": "#0072b2"}
_KIND_OF_CATEGORY = {"heat": "heat", "energy": "heat", "water": "water", "wastewater": "water"}
BEZIER_POINTS = 24
MIN_WIDTH, MAX_WIDTH = 1.0, 9.0


def link_kind(category: str) -> str:
    """A link's kind on the map: heat (heat, energy), water (water, wastewater) or material (everything else)."""
    return _KIND_OF_CATEGORY.get(category, "material")


def short_name(name: str, lang: Lang, limit: int | None = None) -> str:
    """A name cut to fit a map label (full text on hover): about 7 Chinese characters or 16 Latin letters (a wide
    character counts twice), ending in … when cut."""
    room = limit or int(pick("16", "14", lang))
    width = [2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in name]
    if sum(width) <= room:
        return name
    used, cut = 0, 0
    while cut < len(name) and used + width[cut] <= room - 1:
        used += width[cut]
        cut += 1
    return name[:cut].rstrip() + "…"


def bezier(p0: tuple[float, float], p1: tuple[float, float], bend: float = 0.2,
           points: int = BEZIER_POINTS) -> tuple[list[float], list[float]]:
    """A quadratic Bézier from p0 to p1 as a polyline, its control point off the chord's middle by `bend` times
    the chord's length (to the left going from p0 to p1, so a link and its reverse do not overlap)."""
    (x0, y0), (x1, y1) = p0, p1
    cx, cy = (x0 + x1) / 2 - bend * (y1 - y0), (y0 + y1) / 2 + bend * (x1 - x0)
    ts = [i / (points - 1) for i in range(points)]
    xs = [(1 - u) ** 2 * x0 + 2 * (1 - u) * u * cx + u ** 2 * x1 for u in ts]
    ys = [(1 - u) ** 2 * y0 + 2 * (1 - u) * u * cy + u ** 2 * y1 for u in ts]
    return xs, ys


def link_width(value: float, largest: float) -> float:
    """Line width by avoided tCO2e: from MIN_WIDTH to MAX_WIDTH by the square root of the share of the largest."""
    if largest <= 0 or value <= 0:
        return MIN_WIDTH
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * math.sqrt(min(value / largest, 1.0))


def _scale_length(span_km: float) -> float:
    """A round scale-bar length (1, 2 or 5 times a power of ten) of about a fifth of the span."""
    target = max(span_km / 5, 1e-3)
    power = 10 ** math.floor(math.log10(target))
    return next((m * power for m in (5, 2, 1) if m * power <= target), power)


def map_links(plan: Plan | None, kinds: Iterable[str] | None = None, max_rank: int | None = None) -> list[Link]:
    """The plan's links the map shows: of these kinds and ranked at most max_rank, by rank."""
    if plan is None:
        return []
    wanted = set(KINDS if kinds is None else kinds)
    return [x for x in sorted(plan.links, key=lambda x: x.rank)
            if link_kind(x.category) in wanted and (max_rank is None or x.rank <= max_rank)]


# --- label placement: estimated boxes in km, placed greedily so no two labels overlap ----------------------------
_Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in km
PLOT_PX: tuple[float, float] = (700.0, 560.0)  # a conservative plot area (the app's is at least this big)
NAME_FONT, LINK_FONT = 11, 10
ZOOM_GAP_KM = 10.0


def text_units(text: str) -> int:
    """A text's width in Latin-letter units: a wide (CJK) character counts double."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def label_size_px(text: str, font: int, pad: float = 0.0) -> tuple[float, float]:
    """A generous estimate of a label's width and height in pixels (0.6 em a unit, 1.3 em a line) plus pad a side."""
    return 0.6 * font * text_units(text) + 2 * pad, 1.3 * font + 2 * pad


def overlaps(a: _Box, b: _Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(box: _Box, view: _Box) -> bool:
    return view[0] <= box[0] and box[2] <= view[2] and view[1] <= box[1] and box[3] <= view[3]


def enterprise_clusters(park: Park, gap_km: float = ZOOM_GAP_KM) -> list[list[str]]:
    """The enterprises in groups more than gap_km apart (single linkage), each in the park's order."""
    e = park.enterprises
    ids = [str(i) for i in e["enterprise_id"]]
    pts = [(float(x), float(y)) for x, y in zip(e["x_km"], e["y_km"], strict=True)]
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(ids)), key=lambda i: pts[i][0])
    for a, i in enumerate(order):  # a sweep along x: only pairs within gap_km in x can join
        for j in order[a + 1:]:
            if pts[j][0] - pts[i][0] > gap_km:
                break
            if math.dist(pts[i], pts[j]) <= gap_km:
                parent[root(i)] = root(j)
    groups: dict[int, list[str]] = {}
    for i, eid in enumerate(ids):
        groups.setdefault(root(i), []).append(eid)
    return list(groups.values())


def enterprise_avoided(plan: Plan | None) -> dict[str, float]:
    """Each enterprise's net avoided tCO2e/a over the plan's links it supplies or receives."""
    out: dict[str, float] = {}
    if plan is None:
        return out
    for x in plan.links:
        net = x.net_tco2e(plan.include_scope2)
        for eid in {x.supplier_id, x.receiver_id}:
            out[eid] = out.get(eid, 0.0) + net
    return out


def map_clusters(park: Park, plan: Plan | None, gap_km: float = ZOOM_GAP_KM) -> list[tuple[list[str], float]]:
    """The enterprise clusters (more than gap_km apart) with the net avoided tCO2e/a of the links supplied from
    each, the most avoided first (then the largest)."""
    clusters = enterprise_clusters(park, gap_km)
    avoided: dict[int, float] = dict.fromkeys(range(len(clusters)), 0.0)
    where = {eid: k for k, members in enumerate(clusters) for eid in members}
    for x in plan.links if plan is not None else ():
        if x.supplier_id in where:
            avoided[where[x.supplier_id]] += x.net_tco2e(plan.include_scope2) if plan is not None else 0.0
    ranked = sorted(range(len(clusters)), key=lambda k: (-avoided[k], -len(clusters[k]), k))
    return [(clusters[k], avoided[k]) for k in ranked]


@dataclass
class MapLabels:
    """Where the map's labels go: the view (km), km per pixel, the enterprise names shown (id -> text, box) and
    the top links labelled (link, x, y, text, box); every box clear of every other."""
    view: _Box
    km_per_px: float
    names: dict[str, tuple[str, _Box]] = field(default_factory=dict)
    links: list[tuple[Link, float, float, str, _Box]] = field(default_factory=list)

    def boxes(self) -> list[_Box]:
        return [b for _, b in self.names.values()] + [x[4] for x in self.links]


def _map_view(points: list[tuple[float, float]]) -> tuple[_Box, float]:
    """The view (km) around these points, room for the scale bar and names, shaped like PLOT_PX; km per pixel."""
    if not points:
        return (0.0, 0.0, 1.0, 1.0), 1.0 / PLOT_PX[0]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    x0, x1 = min(xs) - 0.06 * span, max(xs) + 0.06 * span
    y0, y1 = min(ys) - 0.12 * span, max(ys) + 0.08 * span
    k = max((x1 - x0) / PLOT_PX[0], (y1 - y0) / PLOT_PX[1])
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - k * PLOT_PX[0] / 2, cy - k * PLOT_PX[1] / 2, cx + k * PLOT_PX[0] / 2, cy + k * PLOT_PX[1] / 2), k


def _link_text(link: Link, who: Mapping[str, str], lang: Lang) -> str:
    return (f"#{link.rank} {short_name(who.get(link.supplier_id, link.supplier_id), lang)}→"
            f"{short_name(who.get(link.receiver_id, link.receiver_id), lang)}")


def place_labels(park: Park, plan: Plan | None, lang: Lang, shown: list[Link], top_n: int,
                 zoom: Iterable[str] | None = None) -> MapLabels:
    """Greedy placement: the names of the enterprises at the ends of the top links (by rank), then the top links'
    labels (at the curve's middle, else along it, else just off it; skipped if nowhere is clear), then every other name by
    avoided tCO2e/a. A label that would touch one already placed, or leave the view, is not drawn (hover only)."""
    e = park.enterprises
    who = names(park, lang)
    pos = {str(i): (float(x), float(y)) for i, x, y in zip(e["enterprise_id"], e["x_km"], e["y_km"], strict=True)}
    wanted = set(zoom) if zoom is not None else set(pos)
    view, k = _map_view([p for i, p in pos.items() if i in wanted])
    out = MapLabels(view=view, km_per_px=k)
    placed: list[_Box] = []

    def free(box: _Box) -> bool:
        return _inside(box, view) and not any(overlaps(box, b) for b in placed)

    def name(eid: str) -> None:
        if eid in out.names or eid not in pos:
            return
        text = short_name(who.get(eid, eid), lang)
        w, h = label_size_px(text, NAME_FONT, pad=1.5)
        x, y = pos[eid]
        box = (x - k * w / 2, y + k * 6, x + k * w / 2, y + k * (6 + h))  # "top center" above a 12 px marker
        if free(box):
            placed.append(box)
            out.names[eid] = (text, box)

    top = sorted(shown, key=lambda x: x.rank)[: max(top_n, 0)]
    for x in top:
        name(x.supplier_id)
        name(x.receiver_id)
    for x in top:
        bx, by = bezier(pos[x.supplier_id], pos[x.receiver_id])
        text = _link_text(x, who, lang)
        w, h = label_size_px(text, LINK_FONT, pad=3.5)  # borderpad 2 and border 1, and a little air
        mid = len(bx) // 2
        spots = [(bx[i], by[i] + k * dy) for dy in (0.0, h, -h) for i in (mid, mid - 3, mid + 3, mid - 6, mid + 6)]
        for lx, ly in spots:  # on the curve's middle, else along it, else just above or below it
            box = (lx - k * w / 2, ly - k * h / 2, lx + k * w / 2, ly + k * h / 2)
            if free(box):
                placed.append(box)
                out.links.append((x, lx, ly, text, box))
                break
    importance = enterprise_avoided(plan)
    for eid in sorted(pos, key=lambda i: -importance.get(i, 0.0)):  # stable: the park's order among equals
        name(eid)
    return out


def map_figure(park: Park, plan: Plan | None, lang: Lang, highlight: LinkKey | None = None, *,
               kinds: Iterable[str] | None = None, max_rank: int | None = None, top_n: int = 15,
               zoom: Iterable[str] | None = None) -> go.Figure:
    """A schematic of the park (x_km/y_km at equal aspect, a scale bar, no tiles): enterprises by short name (full
    on hover), existing exchanges grey, the plan's links as curved arrows coloured by kind and as wide as their
    net avoided tCO2e, the top_n ranked links labelled supplier → receiver, the highlighted link drawn over all.
    Labels never overlap (place_labels: a name or link label that would is left to hover); zoom (enterprise ids,
    e.g. one of map_clusters) frames those enterprises only, the scale bar with them."""
    e = park.enterprises
    who = names(park, lang)
    pos = {str(i): (float(x), float(y)) for i, x, y in zip(e["enterprise_id"], e["x_km"], e["y_km"], strict=True)}
    fig = go.Figure()
    ex = park.exchanges
    if len(ex):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for s, r in zip(ex["supplier_id"], ex["receiver_id"], strict=True):
            if str(s) in pos and str(r) in pos and str(s) != str(r):
                bx, by = bezier(pos[str(s)], pos[str(r)], bend=-0.15)
                xs += [*bx, None]
                ys += [*by, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=t("map_existing", lang), hoverinfo="skip",
                                 line={"color": "#9e9e9e", "width": 1.5, "dash": "dot"}))
    shown = [x for x in map_links(plan, kinds, max_rank)
             if x.supplier_id in pos and x.receiver_id in pos and x.supplier_id != x.receiver_id]
    largest = max((x.net_tco2e() for x in shown), default=0.0)
    in_legend: set[str] = set()
    include_scope2 = plan.include_scope2 if plan is not None else False
    for link in sorted(shown, key=lambda x: -x.rank):  # the best links drawn last, on top
        kind = link_kind(link.category)
        bx, by = bezier(pos[link.supplier_id], pos[link.receiver_id])
        end = len(bx) - 3  # stop short of the receiver's marker so the arrowhead shows
        label = link_label(link, park, lang)
        fig.add_trace(go.Scatter(
            x=bx[: end + 1], y=by[: end + 1], mode="lines+markers", name=t(f"map_kind_{kind}", lang),
            legendgroup=kind, showlegend=kind not in in_legend, opacity=0.8,
            line={"color": KIND_COLOURS[kind], "width": link_width(link.net_tco2e(include_scope2), largest)},
            marker={"symbol": "arrow", "angleref": "previous", "color": KIND_COLOURS[kind],
                    "size": [0] * end + [8 + link_width(link.net_tco2e(include_scope2), largest)]},
            meta={"link": encode(link_key(link)), "rank": link.rank}, text=[label] * (end + 1),
            hovertemplate="%{text}<extra></extra>"))
        in_legend.add(kind)
    frame = {str(i) for i in zoom} if zoom is not None else None
    labels = place_labels(park, plan, lang, shown, top_n, frame)
    for x, lx, ly, text, _ in labels.links:  # the top links named, on a light backing
        fig.add_annotation(
            x=lx, y=ly, showarrow=False, name="top_link", bgcolor="rgba(255,255,255,0.85)",
            bordercolor=KIND_COLOURS[link_kind(x.category)], borderwidth=1, borderpad=2, font={"size": LINK_FONT},
            text=text)
    if highlight is not None and plan is not None:
        chosen = find_link(plan, highlight)
        if chosen is not None and chosen.supplier_id in pos and chosen.receiver_id in pos:
            bx, by = bezier(pos[chosen.supplier_id], pos[chosen.receiver_id])
            fig.add_trace(go.Scatter(
                x=bx, y=by, mode="lines", name=t("map_selected", lang), hoverinfo="skip",
                line={"color": "#000000", "width": link_width(chosen.net_tco2e(include_scope2), largest) + 4},
                opacity=0.55, meta={"link": encode(highlight)}))
    ids = list(pos)
    fig.add_trace(go.Scatter(
        x=[pos[i][0] for i in ids], y=[pos[i][1] for i in ids], mode="markers+text", name=t("enterprises", lang),
        text=[labels.names[i][0] if i in labels.names else "" for i in ids], textposition="top center",
        textfont={"size": NAME_FONT},
        marker={"size": 12, "color": "#35608d", "line": {"color": "white", "width": 1.5}},
        customdata=[f"{who.get(i, i)} ({i})" for i in ids],
        hovertemplate="%{customdata}<br>(%{x:.2f}, %{y:.2f}) km<extra></extra>"))
    framed = [p for i, p in pos.items() if frame is None or i in frame]
    _add_scale_bar(fig, [p[0] for p in framed], [p[1] for p in framed])
    v = labels.view
    fig.update_layout(
        font={"family": FONT_FAMILY, "size": 12}, height=680, margin={"l": 10, "r": 10, "t": 50, "b": 10},
        title={"text": t("map_title", lang), "x": 0.01, "xanchor": "left", "y": 0.98, "yanchor": "top"},
        legend={"orientation": "h", "x": 0, "y": -0.01, "yanchor": "top"},
        xaxis={"visible": False, "range": [v[0], v[2]]},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1, "range": [v[1], v[3]]},
        plot_bgcolor="#fbfbf8", paper_bgcolor="white", hoverlabel={"font": {"family": FONT_FAMILY}})
    return fig


def _add_scale_bar(fig: go.Figure, xs: list[float], ys: list[float]) -> None:
    """A scale bar in km at the bottom left of the enterprises' extent."""
    if not xs:
        return
    x_min, x_max, y_min, y_max = min(xs), max(xs), min(ys), max(ys)
    span = max(x_max - x_min, y_max - y_min, 1.0)
    length = _scale_length(span)
    x0, y0 = x_min, y_min - 0.08 * span
    fig.add_trace(go.Scatter(
        x=[x0, x0, x0, x0 + length, x0 + length, x0 + length], y=[y0 + 0.01 * span, y0 - 0.01 * span, y0, y0,
                                                                   y0 + 0.01 * span, y0 - 0.01 * span],
        mode="lines", name="scale", showlegend=False, hoverinfo="skip", line={"color": "#333333", "width": 2},
        meta={"scale_km": length}))
    fig.add_annotation(x=x0 + length / 2, y=y0, text=f"{length:g} km", showarrow=False, yanchor="bottom",
                       yshift=4, font={"size": 11, "color": "#333333"})


def plan_keys(plan: Plan | None) -> set[LinkKey]:
    return {link_key(x) for x in plan.links} if plan is not None else set()


def restrict(keys: Iterable[str], allowed: Mapping[str, str]) -> list[str]:
    """Keep only the encoded keys a widget can show."""
    return [k for k in keys if k in allowed]
