"""Opportunities page helpers: the ranked links, a link's detail, the solver's honest status, the map, the
force/forbid choices and "why not matched?". Plain functions of a Park, a Plan and tables from matching/.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

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
def links_table(plan: Plan, park: Park, lang: Lang, uncertainty: Any = None) -> pd.DataFrame:
    """The ranked links: who to whom, what, how much, how far, temperatures, avoided emissions by scope, net; with
    the plan's Monte Carlo (a symbiosis.core.uncertainty.PlanUncertainty), net as median [5 %–95 %] and P(net > 0)
    after the net (docs/uncertainty.md)."""
    from symbiosis.core.i18n import render
    from symbiosis.core.uncertainty import TEXTS, format_interval

    table = _links_table(plan, park, lang)
    if uncertainty is None:
        return table
    at = list(table.columns).index(t("lk_net", lang)) + 1
    cells = [uncertainty.links.get(x.link_id) for x in sorted(plan.links, key=lambda x: x.rank)]
    table.insert(at, render(TEXTS.code("column"), lang),
                 [format_interval(c.median, c.p5, c.p95) if c else "–" for c in cells])
    table.insert(at + 1, render(TEXTS.code("p_positive"), lang), [f"{c.p_positive:.0%}" if c else "–" for c in cells])
    return table


def _links_table(plan: Plan, park: Park, lang: Lang) -> pd.DataFrame:
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
                                    "added_combustion", "added_construction", "added_displaced")}


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


# --- label placement: estimated boxes in km, placed greedily clear of each other, of the dots and of the lines ----
_Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in km
PLOT_PX: tuple[float, float] = (880.0, 560.0)  # a conservative plot area (the app's is at least this big)
NAME_FONT, LINK_FONT = 11, 10
# a top link's label shrinks before it is given up: (name length limit, font px), names cut shorter last
LINK_TRIES: tuple[tuple[int | None, int], ...] = ((None, LINK_FONT), (None, 9), (None, 8), (10, 9), (10, 8))
MARKER_PX = 12  # the enterprise marker's size (diameter)
DOT_PX = 7.5  # the marker's radius with its white border and a little air: no label comes nearer a dot's centre
NAME_OFFSET_PX = MARKER_PX / 2 / 0.8 + 1  # where plotly puts a marker's text: r / 0.8 + 1 px from its centre
# where a name may go around its dot; not "bottom center": plotly's text box there starts 4 px below the dot's
# centre (the line's ascent), over the dot
NAME_SPOTS: tuple[str, ...] = ("top center", "middle right", "middle left", "top right", "top left", "bottom right",
                               "bottom left")
RINGS: tuple[float, ...] = (0.8, 1.1, 1.6, 2.4, 3.5, 5.0, 7.0, 10.0, 14.0, 19.0, 25.0)  # a link label's distance from its
# anchor on the curve, in label heights; a label that does not touch its curve gets a leader line
ZOOM_GAP_KM = 10.0
# the directions a link label tries around its anchor: across the curve first (either side), then turning
# towards the curve's direction
_TURNS: tuple[float, ...] = tuple(dict.fromkeys(
    [s * a for a in (0.0, math.pi / 8, math.pi / 4, 3 * math.pi / 8, math.pi / 2) for s in (1, -1)]
    + [math.pi + s * a for a in (0.0, math.pi / 8, math.pi / 4, 3 * math.pi / 8) for s in (1, -1)]))


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


class _Obstacles:
    """Boxes (km) in a grid of cells, to ask quickly whether a new box touches any of them."""

    def __init__(self, cell: float) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[_Box]] = {}

    def _keys(self, box: _Box) -> Iterable[tuple[int, int]]:
        c = self.cell
        for i in range(math.floor(box[0] / c), math.floor(box[2] / c) + 1):
            for j in range(math.floor(box[1] / c), math.floor(box[3] / c) + 1):
                yield i, j

    def add(self, box: _Box) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(box)

    def hit(self, box: _Box) -> bool:
        return any(overlaps(box, b) for key in self._keys(box) for b in self.cells.get(key, ()))

    def add_line(self, xs: list[float], ys: list[float], radius: float, step: float) -> None:
        """A polyline as small boxes: each piece at most `step` long, grown by `radius` (half its width)."""
        for a in range(len(xs) - 1):
            (x0, y0), (x1, y1) = (xs[a], ys[a]), (xs[a + 1], ys[a + 1])
            n = max(1, math.ceil(math.dist((x0, y0), (x1, y1)) / step))
            for i in range(n):
                u, v = i / n, (i + 1) / n
                px0, py0 = x0 + (x1 - x0) * u, y0 + (y1 - y0) * u
                px1, py1 = x0 + (x1 - x0) * v, y0 + (y1 - y0) * v
                self.add((min(px0, px1) - radius, min(py0, py1) - radius, max(px0, px1) + radius,
                          max(py0, py1) + radius))


class LinkLabel(NamedTuple):
    """A top link's label: its text centred at (x, y) (km) in box, in font px; (ax, ay) the point of its curve a
    leader line goes to (None when the label touches its curve)."""
    link: Link
    x: float
    y: float
    text: str
    box: _Box
    font: int = LINK_FONT
    ax: float | None = None
    ay: float | None = None


@dataclass
class MapLabels:
    """Where the map's labels go: the view (km), km per pixel, the enterprise names shown (id -> text, box, text
    position) and the top links labelled; every box clear of every other, of every dot and of every line drawn."""
    view: _Box
    km_per_px: float
    names: dict[str, tuple[str, _Box, str]] = field(default_factory=dict)
    links: list[LinkLabel] = field(default_factory=list)
    top: list[Link] = field(default_factory=list)  # the top links that were to be labelled, by rank

    def boxes(self) -> list[_Box]:
        return [b for _, b, _ in self.names.values()] + [x.box for x in self.links]

    def unlabelled(self) -> list[Link]:
        done = {id(x.link) for x in self.links}
        return [x for x in self.top if id(x) not in done]


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


def _link_text(link: Link, who: Mapping[str, str], lang: Lang, limit: int | None = None) -> str:
    return (f"#{link.rank} {short_name(who.get(link.supplier_id, link.supplier_id), lang, limit)}→"
            f"{short_name(who.get(link.receiver_id, link.receiver_id), lang, limit)}")


def _positions(park: Park) -> dict[str, tuple[float, float]]:
    e = park.enterprises
    return {str(i): (float(x), float(y)) for i, x, y in zip(e["enterprise_id"], e["x_km"], e["y_km"], strict=True)}


def _widths(shown: list[Link], plan: Plan | None) -> dict[int, float]:
    """Each shown link's line width (keyed by id(link)), as map_figure draws it."""
    largest = max((x.net_tco2e() for x in shown), default=0.0)
    include_scope2 = plan.include_scope2 if plan is not None else False
    return {id(x): link_width(x.net_tco2e(include_scope2), largest) for x in shown}


def _drawn(p0: tuple[float, float], p1: tuple[float, float]) -> tuple[list[float], list[float]]:
    """The part of a link's curve drawn as a line: it stops short of the receiver so the arrowhead shows."""
    bx, by = bezier(p0, p1)
    return bx[: len(bx) - 2], by[: len(by) - 2]


def _scale_bar(points: list[tuple[float, float]]) -> tuple[float, float, float, float] | None:
    """Where the scale bar goes (x0, y0, length, span; km): at the bottom left of these points."""
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    return min(xs), min(ys) - 0.08 * span, _scale_length(span), span


def _leader(a: tuple[float, float], box: _Box) -> tuple[float, float]:
    """Where a line from a to the box's centre meets the box's edge."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    dx, dy = cx - a[0], cy - a[1]
    s = min((box[2] - box[0]) / 2 / abs(dx) if dx else math.inf, (box[3] - box[1]) / 2 / abs(dy) if dy else math.inf)
    return cx - s * dx, cy - s * dy


def place_labels(park: Park, plan: Plan | None, lang: Lang, shown: list[Link], top_n: int,
                 zoom: Iterable[str] | None = None) -> MapLabels:
    """Greedy placement of the map's labels in estimated boxes (km), each clear of every other label, of every
    enterprise dot, of every line drawn (the links' curves and arrowheads, the existing exchanges, the scale bar)
    and inside the view.

    First the labels of the top_n links (by rank; with zoom, of the links with both ends in the frame): beside the
    curve near its middle, else farther off (RINGS) with a thin leader line to the curve (crossing no label, and no
    dot if it can), else in a smaller font, else with the names cut shorter (LINK_TRIES); a top link is left
    unlabelled only when none of these is clear. Then the names of the enterprises at the ends of those links, then
    every other name by avoided tCO2e/a, each at one of NAME_SPOTS around its dot; a name that finds no clear spot is
    left to hover."""
    who = names(park, lang)
    pos = _positions(park)
    wanted = set(zoom) if zoom is not None else set(pos)
    view, k = _map_view([p for i, p in pos.items() if i in wanted])
    out = MapLabels(view=view, km_per_px=k)
    # everything drawn; the dots and labels a leader line should not cross; the labels it must not cross
    drawn, solid, labelled = _Obstacles(40 * k), _Obstacles(40 * k), _Obstacles(40 * k)
    for px, py in pos.values():
        dot = (px - DOT_PX * k, py - DOT_PX * k, px + DOT_PX * k, py + DOT_PX * k)
        drawn.add(dot)
        solid.add(dot)
    ex = park.exchanges
    for s, r in zip(ex["supplier_id"], ex["receiver_id"], strict=True) if len(ex) else ():
        if str(s) in pos and str(r) in pos and str(s) != str(r):
            drawn.add_line(*bezier(pos[str(s)], pos[str(r)], bend=-0.15), radius=1.75 * k, step=5 * k)
    widths = _widths(shown, plan)
    curves: dict[int, tuple[list[float], list[float]]] = {}
    for x in shown:
        bx, by = curves[id(x)] = _drawn(pos[x.supplier_id], pos[x.receiver_id])
        w = widths[id(x)]
        drawn.add_line(bx, by, radius=(w / 2 + 1) * k, step=5 * k)
        head = (5 + w / 2) * k  # the arrowhead: a marker 8 + w px across
        drawn.add((bx[-1] - head, by[-1] - head, bx[-1] + head, by[-1] + head))
    bar = _scale_bar([p for i, p in pos.items() if i in wanted])
    if bar is not None:
        x0, y0, length, span = bar
        drawn.add((x0 - 2 * k, y0 - 0.01 * span - 2 * k, x0 + length + 2 * k, y0 + 0.01 * span + 22 * k))

    def free(box: _Box) -> bool:
        return _inside(box, view) and not drawn.hit(box)

    def keep(box: _Box) -> None:
        drawn.add(box)
        solid.add(box)
        labelled.add(box)

    def link_label(x: Link) -> LinkLabel | None:
        xs, ys = curves[id(x)]
        mid = len(xs) // 2
        anchors = [i for i in (mid, mid - 3, mid + 3, mid - 6, mid + 6, mid - 9, mid + 9) if 0 < i < len(xs) - 1]
        touch = (widths[id(x)] / 2 + 4) * k  # nearer than this to its anchor, a label needs no leader line
        for limit, font, strict in ((n, f, s) for n, f in LINK_TRIES for s in (True, False)):
            text = _link_text(x, who, lang, limit)
            w, h = label_size_px(text, font, pad=3.5)  # borderpad 2 and border 1, and a little air
            for ring in RINGS:
                for i in anchors:
                    normal = math.atan2(xs[i + 1] - xs[i - 1], -(ys[i + 1] - ys[i - 1]))
                    for turn in _TURNS:
                        cx = xs[i] + ring * h * k * math.cos(normal + turn)
                        cy = ys[i] + ring * h * k * math.sin(normal + turn)
                        box = (cx - k * w / 2, cy - k * h / 2, cx + k * w / 2, cy + k * h / 2)
                        if not free(box):
                            continue
                        grown = (box[0] - touch, box[1] - touch, box[2] + touch, box[3] + touch)
                        if grown[0] <= xs[i] <= grown[2] and grown[1] <= ys[i] <= grown[3]:
                            return LinkLabel(x, cx, cy, text, box, font)
                        edge = _leader((xs[i], ys[i]), box)
                        line = _Obstacles(40 * k)
                        line.add_line([xs[i], edge[0]], [ys[i], edge[1]], radius=0.75 * k, step=3 * k)
                        pieces = [b for cell in line.cells.values() for b in cell]
                        if any((solid if strict else labelled).hit(b) for b in pieces):
                            continue
                        for b in pieces:
                            drawn.add(b)
                        return LinkLabel(x, cx, cy, text, box, font, xs[i], ys[i])
        return None

    out.top = [x for x in sorted(shown, key=lambda x: x.rank)
               if zoom is None or (x.supplier_id in wanted and x.receiver_id in wanted)][: max(top_n, 0)]
    for x in out.top:
        placed = link_label(x)
        if placed is not None:
            keep(placed.box)
            out.links.append(placed)

    def name(eid: str) -> None:
        if eid in out.names or eid not in pos:
            return
        text = short_name(who.get(eid, eid), lang)
        w, h = label_size_px(text, NAME_FONT, pad=1.5)
        x, y = pos[eid]
        o = NAME_OFFSET_PX
        spots = {"top center": (x - k * w / 2, y + k * o, x + k * w / 2, y + k * (o + h)),
                 "bottom center": (x - k * w / 2, y - k * (o + h), x + k * w / 2, y - k * o),
                 "middle right": (x + k * o, y - k * h / 2, x + k * (o + w), y + k * h / 2),
                 "middle left": (x - k * (o + w), y - k * h / 2, x - k * o, y + k * h / 2),
                 "top right": (x + k * o, y + k * o, x + k * (o + w), y + k * (o + h)),
                 "top left": (x - k * (o + w), y + k * o, x - k * o, y + k * (o + h)),
                 "bottom right": (x + k * o, y - k * (o + h), x + k * (o + w), y - k * o),
                 "bottom left": (x - k * (o + w), y - k * (o + h), x - k * o, y - k * o)}
        for where in NAME_SPOTS:
            if free(spots[where]):
                keep(spots[where])
                out.names[eid] = (text, spots[where], where)
                return

    for x in out.top:
        name(x.supplier_id)
        name(x.receiver_id)
    importance = enterprise_avoided(plan)
    for eid in sorted(pos, key=lambda i: -importance.get(i, 0.0)):  # stable: the park's order among equals
        if eid in wanted:
            name(eid)
    return out


def map_figure(park: Park, plan: Plan | None, lang: Lang, highlight: LinkKey | None = None, *,
               kinds: Iterable[str] | None = None, max_rank: int | None = None, top_n: int = 15,
               zoom: Iterable[str] | None = None) -> go.Figure:
    """A schematic of the park (x_km/y_km at equal aspect, a scale bar, no tiles): enterprises by short name (full
    on hover), existing exchanges grey, the plan's links as curved arrows coloured by kind and as wide as their
    net avoided tCO2e, the top_n ranked links labelled supplier → receiver, the highlighted link drawn over all.
    No label overlaps another, a dot or a line (place_labels: a top link's label set off its curve gets a thin
    leader line; a name with no clear spot is left to hover); zoom (enterprise ids, e.g. one of map_clusters) frames
    those enterprises only, the scale bar with them."""
    who = names(park, lang)
    pos = _positions(park)
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
    widths = _widths(shown, plan)
    in_legend: set[str] = set()
    for link in sorted(shown, key=lambda x: -x.rank):  # the best links drawn last, on top
        kind = link_kind(link.category)
        bx, by = _drawn(pos[link.supplier_id], pos[link.receiver_id])  # short of the receiver: the arrowhead shows
        end = len(bx) - 1
        label = link_label(link, park, lang)
        fig.add_trace(go.Scatter(
            x=bx, y=by, mode="lines+markers", name=t(f"map_kind_{kind}", lang),
            legendgroup=kind, showlegend=kind not in in_legend, opacity=0.8,
            line={"color": KIND_COLOURS[kind], "width": widths[id(link)]},
            marker={"symbol": "arrow", "angleref": "previous", "color": KIND_COLOURS[kind],
                    "size": [0] * end + [8 + widths[id(link)]]},
            meta={"link": encode(link_key(link)), "rank": link.rank}, text=[label] * (end + 1),
            hovertemplate="%{text}<extra></extra>"))
        in_legend.add(kind)
    frame = {str(i) for i in zoom} if zoom is not None else None
    labels = place_labels(park, plan, lang, shown, top_n, frame)
    for x in labels.links:  # the top links named, on a light backing; a thin leader line when set off the curve
        colour = KIND_COLOURS[link_kind(x.link.category)]
        style: dict[str, Any] = {"name": "top_link", "bgcolor": "rgba(255,255,255,0.9)", "bordercolor": colour,
                                 "borderwidth": 1, "borderpad": 2, "font": {"size": x.font}, "text": x.text}
        if x.ax is None:
            fig.add_annotation(x=x.x, y=x.y, showarrow=False, **style)
        else:
            fig.add_annotation(x=x.ax, y=x.ay, ax=x.x, ay=x.y, axref="x", ayref="y", showarrow=True, arrowhead=0,
                               arrowwidth=1, arrowcolor=colour, standoff=0, **style)
    if highlight is not None and plan is not None:
        chosen = find_link(plan, highlight)
        if chosen is not None and chosen.supplier_id in pos and chosen.receiver_id in pos:
            bx, by = bezier(pos[chosen.supplier_id], pos[chosen.receiver_id])
            width = widths.get(id(chosen), link_width(chosen.net_tco2e(plan.include_scope2),
                                                      max((x.net_tco2e() for x in shown), default=0.0)))
            fig.add_trace(go.Scatter(
                x=bx, y=by, mode="lines", name=t("map_selected", lang), hoverinfo="skip",
                line={"color": "#000000", "width": width + 4},
                opacity=0.55, meta={"link": encode(highlight)}))
    ids = list(pos)
    fig.add_trace(go.Scatter(
        x=[pos[i][0] for i in ids], y=[pos[i][1] for i in ids], mode="markers+text", name=t("enterprises", lang),
        text=[labels.names[i][0] if i in labels.names else "" for i in ids],
        textposition=[labels.names[i][2] if i in labels.names else "top center" for i in ids],
        textfont={"size": NAME_FONT},
        marker={"size": MARKER_PX, "color": "#35608d", "line": {"color": "white", "width": 1.5}},
        customdata=[f"{who.get(i, i)} ({i})" for i in ids],
        hovertemplate="%{customdata}<br>(%{x:.2f}, %{y:.2f}) km<extra></extra>"))
    _add_scale_bar(fig, [p for i, p in pos.items() if frame is None or i in frame])
    v = labels.view
    fig.update_layout(
        font={"family": FONT_FAMILY, "size": 12}, height=680, margin={"l": 10, "r": 10, "t": 50, "b": 10},
        title={"text": t("map_title", lang), "x": 0.01, "xanchor": "left", "y": 0.98, "yanchor": "top"},
        legend={"orientation": "h", "x": 0, "y": -0.01, "yanchor": "top"},
        xaxis={"visible": False, "range": [v[0], v[2]]},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1, "range": [v[1], v[3]]},
        plot_bgcolor="#fbfbf8", paper_bgcolor="white", hoverlabel={"font": {"family": FONT_FAMILY}})
    return fig


def _add_scale_bar(fig: go.Figure, points: list[tuple[float, float]]) -> None:
    """A scale bar in km at the bottom left of these enterprises' extent."""
    bar = _scale_bar(points)
    if bar is None:
        return
    x0, y0, length, span = bar
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
