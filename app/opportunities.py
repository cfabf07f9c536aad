"""Opportunities page helpers: the ranked links, a link's detail, the solver's honest status, the map, the
force/forbid choices and "why not matched?". Plain functions of a Park, a Plan and tables from matching/.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from app.i18n import lang_column, pick, t, word
from flows.labels import material_label
from flows.sankey import CATEGORY_COLOURS, FONT_FAMILY
from symbiosis.core.errors import DatasetError
from symbiosis.core.factors import FactorTable
from symbiosis.core.i18n import Lang
from symbiosis.core.park import Park
from symbiosis.core.plan import Link, Plan
from symbiosis.core.scenario import LinkKey
from symbiosis.core.taxonomy import CATEGORY_NAMES
from symbiosis.core.units import as_float

CANDIDATE_COLUMNS: tuple[str, ...] = ("supplier_stream_id", "receiver_stream_id", "supplier_id", "receiver_id",
                                      "material_out", "material_in", "category", "distance_km", "mode", "status")
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
    """encoded link key -> readable label, for every candidate link (and any extra keys a scenario names)."""
    who = names(park, lang)
    out: dict[str, str] = {}
    for r in candidates.drop_duplicates(["supplier_stream_id", "receiver_stream_id"]).itertuples(index=False):
        key = encode((str(r.supplier_stream_id), str(r.receiver_stream_id)))
        out[key] = (f"{who.get(str(r.supplier_id), r.supplier_id)} → {who.get(str(r.receiver_id), r.receiver_id)}: "
                    f"{material_label(str(r.material_out), lang)} → {material_label(str(r.material_in), lang)} "
                    f"({key})")
    for pair in extra:
        out.setdefault(encode(pair), encode(pair))
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
def map_figure(park: Park, plan: Plan | None, lang: Lang, highlight: LinkKey | None = None) -> go.Figure:
    """Enterprises at their x_km/y_km, existing exchanges grey, the plan's links as lines coloured by category."""
    e = park.enterprises
    who = names(park, lang)
    pos = {str(i): (float(x), float(y)) for i, x, y in zip(e["enterprise_id"], e["x_km"], e["y_km"], strict=True)}
    fig = go.Figure()
    ex = park.exchanges
    if len(ex):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for s, r in zip(ex["supplier_id"], ex["receiver_id"], strict=True):
            if str(s) in pos and str(r) in pos:
                xs += [pos[str(s)][0], pos[str(r)][0], None]
                ys += [pos[str(s)][1], pos[str(r)][1], None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=t("map_existing", lang), hoverinfo="skip",
                                 line={"color": "#9e9e9e", "width": 2, "dash": "dot"}))
    if plan is not None and plan.links:
        by_category: dict[str, list[Link]] = {}
        for link in plan.links:
            by_category.setdefault(link.category, []).append(link)
        for category, links in sorted(by_category.items()):
            xs, ys, mx, my, hover = [], [], [], [], []
            for link in links:
                if link.supplier_id not in pos or link.receiver_id not in pos:
                    continue
                (x0, y0), (x1, y1) = pos[link.supplier_id], pos[link.receiver_id]
                xs += [x0, x1, None]
                ys += [y0, y1, None]
                mx.append((x0 + x1) / 2)
                my.append((y0 + y1) / 2)
                hover.append(link_label(link, park, lang))
            colour = CATEGORY_COLOURS.get(category, CATEGORY_COLOURS["mixed"])
            name = word(CATEGORY_NAMES, category, lang)
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name, hoverinfo="skip", legendgroup=category,
                                     line={"color": colour, "width": 2}, opacity=0.7))
            fig.add_trace(go.Scatter(x=mx, y=my, mode="markers", showlegend=False, legendgroup=category,
                                     marker={"color": colour, "size": 7, "symbol": "diamond"}, text=hover,
                                     hovertemplate="%{text}<extra></extra>"))
        if highlight is not None:
            chosen = find_link(plan, highlight)
            if chosen is not None and chosen.supplier_id in pos and chosen.receiver_id in pos:
                (x0, y0), (x1, y1) = pos[chosen.supplier_id], pos[chosen.receiver_id]
                fig.add_trace(go.Scatter(x=[x0, x1], y=[y0, y1], mode="lines+markers", name=t("map_selected", lang),
                                         line={"color": "#000000", "width": 5}, hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=[p[0] for p in pos.values()], y=[p[1] for p in pos.values()], mode="markers+text", name=t("enterprises", lang),
        text=list(pos), textposition="top center", marker={"size": 11, "color": "#35608d",
                                                           "line": {"color": "white", "width": 1}},
        customdata=[who.get(i, i) for i in pos], hovertemplate="%{text} %{customdata}<br>(%{x:.2f}, %{y:.2f}) km"
                                                               "<extra></extra>"))
    fig.update_layout(
        font={"family": FONT_FAMILY, "size": 12}, height=620, margin={"l": 10, "r": 10, "t": 90, "b": 10},
        title={"text": t("map_title", lang)}, legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        xaxis={"title": "x (km)", "zeroline": False}, yaxis={"title": "y (km)", "scaleanchor": "x", "scaleratio": 1,
                                                             "zeroline": False},
        plot_bgcolor="#fafafa")
    return fig


def plan_keys(plan: Plan | None) -> set[LinkKey]:
    return {link_key(x) for x in plan.links} if plan is not None else set()


def restrict(keys: Iterable[str], allowed: Mapping[str, str]) -> list[str]:
    """Keep only the encoded keys a widget can show."""
    return [k for k in keys if k in allowed]
