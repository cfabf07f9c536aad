"""report.html: one self-contained file a planner can open offline, print, or hand in.

The first page holds the title, the solver's status (a red box when the plan is not a proven optimum) and the key
figures. Then the Sankeys before and after (plotly.js embedded once, inline), the enterprise network (SVG from
Graphviz `dot` when installed, else its DOT source), the ranked links, the indicators with pass/fail, the
unmatched streams with reasons, the balances, the factors, the data-quality warnings, the method notes, the
solver's details and the cleaned ledger. No external URL is loaded: fonts are the reader's own, scripts inline.
Every piece of user text is escaped.
"""

from __future__ import annotations

import html
import math
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd

import flows
from flows.labels import BASES, BASIS_NAMES, category_label, fmt_quantity, material_label, unit_label
from flows.sankey import enterprise_sectors
from symbiosis.core.i18n import Lang, as_lang, pick
from symbiosis.core.uncertainty import format_interval
from symbiosis.reporting import macc, tables
from symbiosis.reporting import texts as tx
from symbiosis.reporting.analysis import Analysis

# Section ids of the report, in order (stable across languages: tests and links rely on them).
SECTIONS: tuple[str, ...] = ("status", "summary", "sankey", "network", "links", "macc", "indicators", "unmatched",
                             "balances", "factors", "warnings", "method", "solver", "ledger")
SANKEY_BASES: tuple[str, ...] = ("mass", "water", "energy", "co2e")
SANKEY_OTHER_SHARE = 0.005  # enterprises carrying less than this share of a basis' total are drawn as "other"
SANKEY_GROUP_FROM = 30  # parks with more enterprises than this are drawn by sector
FIGURE_WIDTH = 1000  # px: fits an A4 landscape page (273 mm printable ~ 1030 px), so print and screen agree
FIGURE_MAX_HEIGHT = 620  # px: one figure per printed page (A4 landscape, 186 mm less the page's header)
MAX_ROWS = 500  # rows of a long table shown in the HTML; the workbook always has them all
MAX_MESSAGES = 8  # solver messages on the first page; all of them are in the workbook's solver sheet
DOT_TIMEOUT_S = 60
FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimHei", '
         '"Helvetica Neue", Arial, sans-serif')

CSS = """
@page { size: A4 landscape; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: __FONTS__; color: #1d1d1f; margin: 0 auto; max-width: 1060px; padding: 16px; font-size: 13px;
       line-height: 1.45; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 0 0 8px; border-bottom: 2px solid #35608d;
     padding-bottom: 3px; } h3 { font-size: 15px; margin: 14px 0 6px; }
.subtitle { font-size: 15px; margin: 0 0 2px; } .generated { color: #555; margin: 0 0 12px; font-size: 12px; }
section { margin: 0 0 22px; }
section.major { break-before: page; }
.status { border-radius: 6px; padding: 10px 14px; margin: 10px 0 16px; }
.status-ok { background: #e3f4e1; border: 1px solid #7cb878; }
.status-alert { background: #fde2e1; border: 3px solid #c0392b; }
.status-info { background: #eef3fa; border: 1px solid #8aa6c8; }
.status .banner { font-size: 17px; font-weight: bold; margin: 0 0 4px; }
.status-alert .banner { color: #9c0006; }
table { border-collapse: collapse; width: 100%; font-size: 11px; margin: 4px 0 8px; }
th, td { border: 1px solid #c9d1dc; padding: 2px 5px; vertical-align: top; text-align: left; }
th { background: #dce6f1; } thead { display: table-header-group; } tr { break-inside: avoid; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.pass { color: #1e7b34; font-weight: bold; } td.fail { color: #b00020; font-weight: bold; }
table.kv { width: auto; min-width: 60%; } table.kv th { width: 45%; font-weight: normal; background: #f1f4f8; }
.note { color: #444; font-size: 12px; } .more { color: #444; font-style: italic; }
.figure { width: __WIDTH__px; max-width: 100%; break-inside: avoid; margin: 6px 0 14px; }
h3 { break-after: avoid; }
td.c-supplier_name, td.c-receiver_name, td.c-enterprise_name { min-width: 7em; }
td.c-material_out, td.c-material, td.c-mode { min-width: 5em; }
td.c-reason_text, td.c-message, td.c-source, td.c-threshold_source { min-width: 14em; }
td.c-factor_ids, td.c-used_by { font-size: 9px; word-break: break-all; min-width: 7em; }
td.c-quantity, td.c-unmatched, td.c-passed_before, td.c-passed_after { white-space: nowrap; }
.network { overflow: auto; border: 1px solid #dde3ea; }
@media print { .network { overflow: visible; border: 0; } .network svg { width: 100%; height: auto; } }
pre { white-space: pre-wrap; font-size: 10px; background: #f6f8fa; padding: 8px; }
nav ol { columns: 2; margin: 4px 0; }
""".replace("__FONTS__", FONTS).replace("__WIDTH__", str(FIGURE_WIDTH))


def lang_of(lang: str) -> Lang:
    return as_lang(lang)


def esc(value: Any) -> str:
    """Any value as HTML text: escaped (quotes too), blank for None/NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and not (
        isinstance(value, float) and math.isnan(value))


def _cell(value: Any, css: str = "") -> str:
    classes = css
    if _is_number(value):
        shown: Any = fmt_quantity(float(value)) if isinstance(value, float) else f"{value:,}"
        classes = f"num {css}".strip()
    else:
        shown = value
    return f'<td class="{classes}">{esc(shown)}</td>' if classes else f"<td>{esc(shown)}</td>"


def table_html(frame: pd.DataFrame, lang: str, *, limit: int | None = MAX_ROWS,
               css: Callable[[str, Any], str] | None = None, more_key: str = "unmatched_more") -> str:
    """A table with headers in `lang` (column keys translated), numbers formatted, every cell escaped."""
    shown = frame if limit is None else frame.head(limit)
    head = "".join(f"<th>{esc(tx.col(c, lang) if c in tx.COLUMNS else c)}</th>" for c in shown.columns)
    body = []
    for rec in shown.itertuples(index=False):
        cells = [_cell(v, " ".join(x for x in (f"c-{c}", css(str(c), v) if css else "") if x))
                 for c, v in zip(shown.columns, rec, strict=True)]
        body.append("<tr>" + "".join(cells) + "</tr>")
    out = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    if limit is not None and len(frame) > limit:
        out += f'<p class="more">{esc(tx.t(more_key, lang, n=len(frame) - limit))}</p>'
    return out


def kv_html(pairs: Iterable[tuple[str, Any]]) -> str:
    rows = "".join(f"<tr><th>{esc(k)}</th>{_cell(v)}</tr>" for k, v in pairs)
    return f'<table class="kv"><tbody>{rows}</tbody></table>'


def _section(sid: str, title: str, body: str, major: bool = True) -> str:
    return f'<section id="{sid}"{" class=" + chr(34) + "major" + chr(34) if major else ""}><h2>{esc(title)}</h2>{body}</section>'


# --- first page -----------------------------------------------------------------------------------------------------
def status_html(a: Analysis, lang: str) -> str:
    """The solve's status: plain when proven optimal, a red box otherwise, with the solver's own reasons."""
    status = a.plan.status
    kind = "ok" if status == "optimal" else "info" if status == "empty" else "alert"
    messages = tables.plan_messages(a, lang)
    items = "".join(f"<li>{esc(m)}</li>" for m in messages[:MAX_MESSAGES])
    why = f"<p>{esc(tx.t('banner_why', lang))}</p><ul>{items}</ul>" if messages and kind == "alert" else ""
    if len(messages) > MAX_MESSAGES and kind == "alert":
        why += f'<p class="more">{esc(tx.t("warnings_more", lang, n=len(messages) - MAX_MESSAGES))}</p>'
    return (f'<section id="status" class="status status-{kind}" role="{"alert" if kind == "alert" else "status"}">'
            f'<p class="banner">{esc(tables.status_sentence(a, lang))}</p>'
            f"<p>{esc(tables.status_detail(a, lang))}</p>{why}</section>")


def summary_html(a: Analysis, lang: str) -> str:
    frame = tables.summary(a, lang)
    skip = {tx.t("s_status_sentence", lang)}  # already the banner above
    pairs = [(k, v) for k, v in zip(frame["item"], frame["value"], strict=True) if k not in skip]
    pairs = [(k, tx.gap_text(v, lang) if k == tx.t("s_gap", lang) else v) for k, v in pairs]
    return f'<section id="summary"><h2>{esc(tx.t("sec_summary", lang))}</h2>{kv_html(pairs)}</section>'


def toc_html(lang: str) -> str:
    keys = {"sankey": "sec_sankey", "network": "sec_network", "links": "sec_links", "macc": "sec_macc",
            "indicators": "sec_indicators",
            "unmatched": "sec_unmatched", "balances": "sec_balances", "factors": "sec_factors",
            "warnings": "sec_warnings", "method": "sec_method", "solver": "sec_solver", "ledger": "sec_ledger"}
    items = "".join(f'<li><a href="#{sid}">{esc(tx.t(key, lang))}</a></li>' for sid, key in keys.items())
    return f'<nav id="toc"><h3>{esc(tx.t("toc", lang))}</h3><ol>{items}</ol></nav>'


# --- figures --------------------------------------------------------------------------------------------------------
class _Plotly:
    """Figures to HTML: plotly.js goes inline with the first figure only, every later one reuses it."""

    def __init__(self) -> None:
        self.included = False

    def __call__(self, fig: Any) -> str:
        fig.update_layout(width=FIGURE_WIDTH, autosize=False)
        out = fig.to_html(full_html=False, include_plotlyjs=not self.included,
                          config={"displayModeBar": False, "displaylogo": False, "responsive": False,
                                  "staticPlot": False})
        self.included = True
        return f'<div class="figure">{out}</div>'


def sankey_html(a: Analysis, lang: str, plotly: _Plotly) -> str:
    parts = [f'<p class="note">{esc(tx.t("sankey_note", lang))}</p>']
    for state, graph in (("before", a.graph_before), ("after", a.graph_after)):
        parts.append(f'<div id="sankey-{state}"><h3>{esc(tx.t(f"sec_sankey_{state}", lang))}</h3>')
        drawn = 0
        sectors: dict[str, str] | None = enterprise_sectors(graph)
        if sectors is not None and len(sectors) <= SANKEY_GROUP_FROM:  # a small park: every enterprise by name
            sectors = None
        for basis in SANKEY_BASES:
            links = flows.sankey_links(graph, basis=basis, level="category", lang=lang_of(lang), factors=a.factors)
            if links.empty:
                continue
            unit = BASES[basis][0]
            name = tx.word(BASIS_NAMES, basis, lang)
            title = f"{tx.t(f'sec_sankey_{state}', lang)} — {name} ({unit_label(unit)})"
            height = None
            for _ in range(2):  # one figure per printed page: if taller, drawn again with fewer labels, no overlaps
                fig = flows.sankey_figure(links, basis=basis, level="category", lang=lang_of(lang), title=title,
                                          other_share=SANKEY_OTHER_SHARE, sectors=sectors, height=height)
                if fig.layout.height <= FIGURE_MAX_HEIGHT:
                    break
                height = FIGURE_MAX_HEIGHT
            parts.append(plotly(fig))
            drawn += 1
        if not drawn:
            parts.append(f'<p class="more">{esc(tx.t("no_flows", lang))}</p>')
        parts.append("</div>")
    return _section("sankey", tx.t("sec_sankey", lang), "".join(parts))


_SVG_START = re.compile(r"<svg\b", re.IGNORECASE)


def render_dot(source: str) -> tuple[str | None, str]:
    """(inline SVG or None, why not): `dot -Tsvg` when Graphviz is installed, with a time limit."""
    exe = shutil.which("dot")
    if exe is None:
        return None, "missing"
    try:
        done = subprocess.run([exe, "-Tsvg"], input=source.encode("utf-8"), capture_output=True,
                              timeout=DOT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, type(exc).__name__
    if done.returncode != 0:
        return None, done.stderr.decode("utf-8", "replace").strip()[:300] or f"exit {done.returncode}"
    svg = done.stdout.decode("utf-8", "replace")
    match = _SVG_START.search(svg)
    if match is None:
        return None, "no <svg> in the output"
    # Drop the XML prolog and DOCTYPE: the DTD's URL is never needed inline. On screen the drawing keeps its
    # natural size (scroll to read it); in print it is scaled to the page width by the stylesheet.
    svg = svg[match.start():]
    # Inline SVG in HTML needs no namespace declarations; dropping them leaves no URL-like text in the report.
    head, _, rest = svg.partition(">")
    head = re.sub(r'\sxmlns(:xlink)?="[^"]*"', "", head)
    return head + ">" + rest, ""


def network_html(a: Analysis, lang: str) -> str:
    source = flows.network_dot(a.graph_after, lang=lang_of(lang))
    svg, why = render_dot(source)
    if svg is not None:
        body = f'<p class="note">{esc(tx.t("network_svg", lang))}</p><div class="network">{svg}</div>'
    else:
        key = "network_no_dot" if why == "missing" else "network_dot_failed"
        body = f'<p class="note">{esc(tx.t(key, lang, error=why))}</p><pre>{esc(source)}</pre>'
    return _section("network", tx.t("sec_network", lang), body)


# --- tables -----------------------------------------------------------------------------------------------------------
def _both_units(qty: float, unit: str) -> str:
    return f"{fmt_quantity(qty)} {unit_label(unit)}"


def links_html(a: Analysis, lang: str) -> str:
    who = a.enterprise_names(lang)
    scope2 = tx.t("links_scope2_included", lang) if a.plan.include_scope2 else ""
    note = f'<p class="note">{esc(tx.t("links_note", lang, scope2=scope2))}</p>'
    if not a.plan.links:
        return _section("links", tx.t("sec_links", lang), note + f'<p class="more">{esc(tx.t("no_links", lang))}</p>')
    rows = []
    for x in sorted(a.plan.links, key=lambda k: k.rank):
        temps = "" if x.temperature_supply_c is None or _nan(x.temperature_supply_c) else (
            f"{x.temperature_supply_c:g} → {x.temperature_sink_c:g} °C" if x.temperature_sink_c is not None
            and not _nan(x.temperature_sink_c) else f"{x.temperature_supply_c:g} °C")
        rows.append({
            "rank": x.rank,
            "supplier_name": f"{x.supplier_id} {who.get(x.supplier_id, '')} [{x.supplier_stream_id}]",
            "receiver_name": f"{x.receiver_id} {who.get(x.receiver_id, '')} [{x.receiver_stream_id}]",
            "material_out": tx.t("arrow", lang, a=material_label(x.material_out, lang),
                                 b=material_label(x.material_in, lang)),
            "quantity": _both_units(x.quantity, x.unit),
            "distance_km": x.distance_km, "mode": tx.word(tx.MODE_NAMES, x.mode, lang),
            "temperature_supply_c": temps,
            "avoided_scope1_tco2e": x.avoided_scope1_tco2e, "avoided_scope2_tco2e": x.avoided_scope2_tco2e,
            "avoided_scope3_tco2e": x.avoided_scope3_tco2e, "added_tco2e": x.added_tco2e,
            "net_tco2e": x.net_tco2e(a.plan.include_scope2),
            **_interval_cells(a, x.link_id),
            "forced": " ".join(v for v in (tx.word(tx.YES_NO, True, lang) if x.forced else "", x.hazardous_code) if v),
            "factor_ids": ", ".join(x.factor_ids),
        })
    frame = pd.DataFrame(rows)
    return _section("links", tx.t("sec_links", lang), note + table_html(frame, lang, more_key="links_more"))


MACC_SHOWN: tuple[str, ...] = tuple(c for c in macc.SHOWN_COLUMNS if c not in ("supplier_name", "receiver_name"))


def macc_html(a: Analysis, lang: str, plotly: _Plotly) -> str:
    """The plan's MACC (figure, drawn as the Sankeys are), the sentence on its totals, the five cheapest and five
    dearest links per tonne, every link's economics and which figures rest on placeholder rows."""
    pe = a.economics
    if pe is None or not a.plan.links:
        key = "macc_no_links" if not a.plan.links else "macc_failed"
        error = "; ".join(f.message(lang) for f in a.findings if f.column == "[economics]")
        return _section("macc", tx.t("sec_macc", lang), f'<p class="more">{esc(tx.t(key, lang, error=error))}</p>')
    names = a.enterprise_names(lang)
    parts = [f'<p class="note">{esc(tx.t("macc_note", lang))}</p>',
             f"<p>{esc(macc.summary_sentence(pe, lang))}</p>"]
    if pe.curve.bars:
        parts.append(plotly(macc.macc_figure(pe, names, lang, height=FIGURE_MAX_HEIGHT - 40, width=FIGURE_WIDTH)))
    excluded = macc.excluded_sentence(pe, lang)
    if excluded:
        parts.append(f'<p class="note">{esc(excluded)}</p>')
    parts.append(f'<p class="note" id="macc-placeholders">{esc(macc.placeholder_sentence(pe, lang))}</p>')
    cheapest, dearest = macc.extremes(pe, names, lang)
    for key, frame, sid in (("macc_cheapest", cheapest, "macc-cheapest"), ("macc_dearest", dearest, "macc-dearest")):
        parts.append(f'<h3 id="{sid}">{esc(tx.t(key, lang, n=len(frame)))}</h3>' + table_html(frame, lang, limit=None))
    frame = macc.economics_frame(pe, names, lang, MACC_SHOWN)
    parts.append(f'<h3 id="macc-all">{esc(tx.t("macc_all", lang))}</h3>'
                 + table_html(frame, lang, more_key="links_more"))
    return _section("macc", tx.t("sec_macc", lang), "".join(parts))


def _interval_cells(a: Analysis, link_id: str) -> dict[str, str]:
    """median [5 %–95 %] and P(net > 0) of a link's Monte Carlo (docs/uncertainty.md); nothing when not drawn."""
    u = a.uncertainty.links.get(link_id) if a.uncertainty is not None else None
    if u is None:
        return {}
    return {"net_interval": format_interval(u.median, u.p5, u.p95), "p_net_positive": f"{u.p_positive:.0%}"}


def _nan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)


def indicators_html(a: Analysis, lang: str) -> str:
    rows = []
    for b, f in tables.indicator_pairs(a):
        rows.append({
            "indicator": pick(b["name_en"], b["name_zh"], lang),
            "value_before": flows.format_value(b, lang), "passed_before": tables.passed_word(b["passed"], lang),
            "value_after": flows.format_value(f, lang) if f is not None else "",
            "passed_after": tables.passed_word(f["passed"], lang) if f is not None else "",
            "convention": tables.indicator_convention(b, lang),
            "threshold": _threshold_text(b, lang), "reliability": b["reliability"],
            "threshold_source": f"{b['framework']} — {b['source']}",
            "note": tables.indicator_note(b, f, lang),
        })
    words = {tx.word(tx.PASS_NAMES, "pass", lang): "pass", tx.word(tx.PASS_NAMES, "fail", lang): "fail"}

    def css(column: str, value: Any) -> str:
        return words.get(value, "") if column.startswith("passed") else ""

    body = (f'<p class="note">{esc(tx.t("indicators_note", lang))}</p>'
            + table_html(pd.DataFrame(rows), lang, limit=None, css=css))
    return _section("indicators", tx.t("sec_indicators", lang), body)


def _threshold_text(row: dict[str, Any], lang: str) -> str:
    threshold, unit = row["threshold"], str(row["unit"])
    if threshold is None or _nan(threshold):
        return tx.word(tx.DIRECTION_NAMES, "report", lang) if row["direction"] == "report" else "—"
    sign = {"max": "≤ ", "min": "≥ "}.get(str(row["direction"]), "")
    if unit == "fraction":
        return f"{sign}{float(threshold):.0%}"
    return f"{sign}{float(threshold):g} {'' if unit == 'count' else unit}".strip()


def unmatched_html(a: Analysis, lang: str) -> str:
    u = tables.unmatched(a, lang)
    if u.empty:
        return _section("unmatched", tx.t("sec_unmatched", lang), f'<p class="more">{esc(tx.t("no_unmatched", lang))}</p>')
    frame = pd.DataFrame({
        "stream_id": u["stream_id"], "enterprise_name": u["enterprise_id"] + " " + u["enterprise_name"],
        "direction": u["direction"], "material": u["material"],
        "unmatched": [_both_units(q, unit) for q, unit in zip(u["unmatched"], u["unit"], strict=True)],
        "reason_text": u["reason_text"]})
    return _section("unmatched", tx.t("sec_unmatched", lang), table_html(frame, lang))


def balances_html(a: Analysis, lang: str) -> str:
    table = tables.balances(a, lang, states=("before",))
    dims = a.balances_before["level"] == "dimension"
    shown = table[dims.to_numpy()]
    flagged = shown[shown["flagged"] == "!"]
    body = f'<p class="note">{esc(tx.t("balances_note", lang))}</p>'
    if len(shown) > 120:
        body += f'<p class="more">{esc(tx.t("balances_flagged_only", lang, n=len(shown), k=len(flagged)))}</p>'
        shown = flagged
    cols = ["enterprise_id", "enterprise_name", "key", "unit", "inflow", "outflow", "gap", "status", "flagged"]
    return _section("balances", tx.t("sec_balances", lang), body + table_html(shown[cols], lang))


def factors_html(a: Analysis, lang: str) -> str:
    f = tables.factors(a, lang)
    cols = ["factor_id", "factor_name", "value", "unit", "region", "year", "source", "tag", "overridden", "used_by"]
    body = f'<p class="note">{esc(tx.t("factors_note", lang))}</p>' + table_html(f[cols], lang, limit=None)
    return _section("factors", tx.t("sec_factors", lang), body)


def warnings_html(a: Analysis, lang: str) -> str:
    w = tables.findings(a, lang)
    if w.empty:
        return _section("warnings", tx.t("sec_warnings", lang), f'<p class="more">{esc(tx.t("no_warnings", lang))}</p>')
    cols = ["origin", "severity", "file", "row", "column", "value", "ref", "message"]
    return _section("warnings", tx.t("sec_warnings", lang), table_html(w[cols], lang, more_key="warnings_more"))


def method_paragraphs(a: Analysis, lang: str) -> list[str]:
    """The method notes as sentences: scopes, ranking, objective, ΔTmin, reaches, minimum sizes, factors, scenario."""
    s, plan = a.settings, a.plan
    units = {"solid": "t/a", "organic": "t/a", "raw_material": "t/a", "liquid": "t/a",
             "gas": f"t/a{tx.t('or', lang)}GJ/a",  # mass gases (H2, CO2) in t, fuel gases in GJ
             "water": "m3/a", "wastewater": "m3/a", "heat": "GJ/a", "energy": "GJ/a"}
    sep = tx.convention("list_sep", lang)
    reach = sep.join(f"{tx.word(tx.MODE_NAMES, m, lang)} {km:g} km" for m, km in s.reach_km.items())
    minimum = sep.join(f"{category_label(c, lang)} {q:,.6g} {unit_label(units.get(c, ''))}"
                       for c, q in s.min_link_quantity.items())
    grid = a.factors.grid()
    overridden = [f.factor_id for f in a.factors.all() if f.overridden]
    paragraphs = [
        tx.t("m_scopes", lang),
        tx.t("m_ranking", lang, scope2=tx.t("m_scope2_yes", lang) if s.include_scope2 else ""),
        tx.t("m_objective", lang, objective=tx.word(tx.OBJECTIVE_NAMES, s.objective, lang),
             price=f"{s.carbon_price:g}", parts=plan.subproblems, gap=f"{s.gap:g}", limit=f"{s.time_limit:g}"),
        tx.t("m_heat", lang, dt=f"{s.dt_min_k:g}"),
        tx.t("m_reach", lang, detour=f"{s.detour_factor:g}", reach=reach),
        tx.t("m_minimum", lang, minimum=minimum),
        tx.t("m_factors", lang, n=len(a.factor_uses), grid=grid.factor_id, grid_value=f"{grid.value:g}",
             grid_unit=grid.unit, grid_region=grid.region, grid_year=grid.year,
             overridden=tx.t("m_overrides", lang, ids=", ".join(overridden)) if overridden
             else tx.t("m_no_override", lang)),
        tx.t("m_indicators", lang),
        tx.t("m_trace", lang, rows=tx.sheet("indicator_rows", lang), factors=tx.sheet("factors", lang)),
        tx.t("m_scenario", lang, name=a.scenario_title(lang), forced=len(a.scenario.forced),
             forbidden=len(a.scenario.forbidden), edits=len(a.scenario.edits)),
    ]
    paragraphs += [tx.t("m_forced", lang, link=f"{x} -> {y}") for x, y in a.scenario.forced]
    paragraphs += [tx.t("m_forbidden", lang, link=f"{x} -> {y}") for x, y in a.scenario.forbidden]
    paragraphs += [tx.t("m_edit", lang, stream=e.stream_id, column=e.column, value=e.value) for e in a.scenario.edits]
    return paragraphs


def method_html(a: Analysis, lang: str) -> str:
    body = "".join(f"<p>{esc(p)}</p>" for p in method_paragraphs(a, lang))
    return _section("method", tx.t("sec_method", lang), body)


def solver_html(a: Analysis, lang: str) -> str:
    solver = tables.solver(a, lang)
    settings = tables.settings(a, lang)
    body = (kv_html(zip(solver["item"], solver["value"], strict=True))
            + kv_html(zip(settings["setting"], settings["value"], strict=True)))
    return _section("solver", tx.t("sec_solver", lang), body)


def ledger_html(a: Analysis, lang: str) -> str:
    parts = [f'<p class="note">{esc(tx.t("ledger_note", lang))}</p>']
    for key in ("enterprises", "streams", "exchanges"):
        frame = tables.ledger(a, key, lang)
        parts.append(f'<h3 id="ledger-{key}">{esc(tx.sheet(key, lang))}</h3>'
                     + table_html(frame, lang, limit=None))
    return _section("ledger", tx.t("sec_ledger", lang), "".join(parts))


def report_html(a: Analysis, lang: str) -> str:
    """The whole report as one HTML document in `lang` ('zh' or 'en')."""
    title = tx.t("title", lang)
    park = a.park_title(lang)
    plotly = _Plotly()
    cover = (f'<header id="cover"><h1>{esc(title)}</h1>'
             f'<p class="subtitle">{esc(tx.t("subtitle", lang, park=park, scenario=a.scenario_title(lang)))}</p>'
             f'<p class="generated">{esc(tx.t("generated", lang, when=a.generated_at, version=a.version, source=a.park.source))}</p>'
             f"{status_html(a, lang)}{summary_html(a, lang)}{toc_html(lang)}</header>")
    body: Sequence[str] = (
        cover, sankey_html(a, lang, plotly), network_html(a, lang), links_html(a, lang), macc_html(a, lang, plotly),
        indicators_html(a, lang),
        unmatched_html(a, lang), balances_html(a, lang), factors_html(a, lang), warnings_html(a, lang),
        method_html(a, lang), solver_html(a, lang), ledger_html(a, lang))
    html_lang = tx.convention("html_lang", lang)
    return (f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)} — {esc(park)}</title><style>{CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>")
