"""The plan's economics as a planner reads them (issue 16): the marginal abatement cost curve (MACC) as a plotly
figure with each link's facts on hover, the per-link table, the cheapest and dearest links, and which cost rows
are placeholders. One module for the app's economics page and the report's MACC section, so both show the same
bars, the same hover and the same words.

Everything is computed by symbiosis.core.economics (plan_economics, macc_from, EconomicsTable); this module only
orders, labels and draws. The words are in texts.py (tables "report.col", "report.macc", "report.side").
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from flows.labels import material_label
from flows.sankey import FONT_FAMILY
from symbiosis.core.economics import (
    EconomicsTable,
    LinkEconomics,
    Macc,
    macc_from,
    plan_economics,
    plan_table,
)
from symbiosis.core.i18n import quantity
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan
from symbiosis.reporting import texts as tx

BELOW_COLOUR = "#2e8b57"  # pays for itself at the carbon price
ABOVE_COLOUR = "#d9822b"  # dearer than the carbon price
PRICE_COLOUR = "#c0392b"
EXTREMES = 5  # the cheapest and the dearest links named in the report
# customdata columns of a bar, in order (the hover template names them by position)
HOVER_FIELDS: tuple[str, ...] = ("link_id", "who", "material", "tonnes", "abatement", "capex", "annual", "npv",
                                 "payback", "sides", "transfer", "placeholders")
# The table's columns (keys of texts.COLUMNS); the report and the app show these, the workbook all of TABLE_COLUMNS.
SHOWN_COLUMNS: tuple[str, ...] = (
    "macc_order", "link_id", "supplier_name", "receiver_name", "materials", "mode", "net_tco2e",
    "abatement_cost_cny_per_tco2e", "capex_cny", "opex_cny", "savings_cny", "annual_net_cost_cny", "npv_cny",
    "payback_years", "payer", "gainer", "transfer_price", "placeholder_rows")
TABLE_COLUMNS: tuple[str, ...] = (
    *SHOWN_COLUMNS, "transfer_price_min", "transfer_price_max", "transfer_unit", "below_carbon_price", "x_from",
    "x_to", "purchase_price", "purchase_price_source", "disposal_fee", "disposal_fee_source", "supplier_annual_cny",
    "receiver_annual_cny", "annualised_capex_cny", "param_ids")


@dataclass(frozen=True)
class PlanEconomics:
    """A plan's links costed (plan order), its MACC at a carbon price, and the placeholder rows in force."""

    economics: tuple[LinkEconomics, ...]
    curve: Macc
    table: EconomicsTable
    placeholders: frozenset[str]  # R rows of datasets/economics.csv not overridden by the park

    def placeholder_rows(self, e: LinkEconomics) -> list[str]:
        """The placeholder rows (tag R) a link's figures rest on, in the order the link used them."""
        return [p for p in e.param_ids if p in self.placeholders]

    def rows_used(self) -> Counter[str]:
        """Row id -> how many links use it."""
        return Counter(p for e in self.economics for p in e.param_ids)

    def resting_on_placeholders(self) -> int:
        return sum(1 for e in self.economics if self.placeholder_rows(e))


def plan_costs(plan: Plan, park: Park, carbon_price: float,
               overrides: Mapping[str, float] | None = None) -> PlanEconomics:
    """The plan's economics and MACC (symbiosis.core.economics) with the rows they used. Raises DatasetError for
    an override naming an unknown row (park.toml [economics])."""
    table = plan_table(plan, park, overrides=overrides)  # the rows plan_economics prices with
    economics = plan_economics(plan, park, overrides=overrides)
    return PlanEconomics(tuple(economics), macc_from(economics, carbon_price), table,
                         frozenset(table.placeholders()))


# --- words and numbers ------------------------------------------------------------------------------------------
def money(value: float | None) -> str:
    return "—" if value is None or (isinstance(value, float) and not math.isfinite(value)) else f"{value:,.0f}"


def side(value: str, lang: str) -> str:
    return tx.word(tx.SIDE_NAMES, value, lang)


def who(e: LinkEconomics, names: Mapping[str, str]) -> str:
    return f"{e.supplier_id} {names.get(e.supplier_id, '')} → {e.receiver_id} {names.get(e.receiver_id, '')}"


def material_text(e: LinkEconomics, lang: str) -> str:
    return tx.t("arrow", lang, a=material_label(e.material_out, lang), b=material_label(e.material_in, lang))


def transfer_text(e: LinkEconomics, lang: str) -> str:
    """The transfer price that leaves both sides no worse, in CNY per unit of the supplier's output."""
    if e.transfer_price_min is None or e.transfer_price_max is None:
        return tx.t("h_transfer_none", lang)
    low, high = quantity(e.transfer_price_min + 0.0), quantity(e.transfer_price_max)
    unit = tx.t("cny_per", lang, unit=e.transfer_unit.removeprefix("CNY/")) if e.transfer_unit.startswith(
        "CNY/") else e.transfer_unit
    if e.transfer_price is not None:
        return tx.t("h_transfer_mid", lang, low=low, high=high, mid=quantity(e.transfer_price), unit=unit)
    return tx.t("h_transfer_range", lang, low=low, high=high, unit=unit)


def payback_text(e: LinkEconomics, lang: str) -> str:
    return tx.t("h_never", lang) if e.payback_years is None else f"{e.payback_years:.2f}"


def hover_row(pe: PlanEconomics, e: LinkEconomics, names: Mapping[str, str], lang: str) -> list[str]:
    """A bar's customdata: the link's facts as text, in HOVER_FIELDS order."""
    rows = pe.placeholder_rows(e)
    return [
        e.link_id, who(e, names), material_text(e, lang), quantity(e.net_tco2e),
        money(e.abatement_cost_cny_per_tco2e), money(e.capex_cny), money(e.annual_net_cost_cny), money(e.npv_cny),
        payback_text(e, lang),
        tx.t("h_sides", lang, payer=side(e.payer, lang), gainer=side(e.gainer, lang)),
        transfer_text(e, lang),
        ", ".join(rows) if rows else tx.t("h_no_placeholder", lang),
    ]


def hover_template(lang: str) -> str:
    """The hover text of a bar; each value is a customdata column (HOVER_FIELDS)."""
    at = {name: f"%{{customdata[{i}]}}" for i, name in enumerate(HOVER_FIELDS)}
    lines = [f"<b>{at['link_id']}</b>", at["who"], at["material"],
             tx.t("h_tonnes", lang, value=at["tonnes"]), tx.t("h_abatement", lang, value=at["abatement"]),
             tx.t("h_capex", lang, value=at["capex"]), tx.t("h_annual", lang, value=at["annual"]),
             tx.t("h_npv", lang, value=at["npv"]), tx.t("h_payback", lang, value=at["payback"]), at["sides"],
             tx.t("h_transfer", lang, value=at["transfer"]), tx.t("h_placeholders", lang, value=at["placeholders"])]
    return "<br>".join(lines) + "<extra></extra>"


# --- the figure ---------------------------------------------------------------------------------------------------
def macc_figure(pe: PlanEconomics, names: Mapping[str, str], lang: str, *, title: str | None = None,
                height: int = 520, width: int | None = None) -> go.Figure:
    """The MACC: one bar per link that avoids something net, ordered by abatement cost; each from x_from to x_to
    (cumulative tCO2e/a, so its width is the link's tonnes), its height the abatement cost (CNY/tCO2e); green
    where it is at most the carbon price (it pays for itself at that price), orange above; the carbon price as a
    dashed line."""
    curve = pe.curve
    fig = go.Figure()
    for below in (True, False):
        bars = [b for b in curve.bars if b.below_carbon_price == below]
        if not bars:
            continue
        fig.add_trace(go.Bar(
            x=[b.x_from for b in bars], y=[b.height for b in bars], width=[b.width for b in bars], offset=0,
            name=tx.t("macc_below" if below else "macc_above", lang, price=f"{curve.carbon_price:g}"),
            marker={"color": BELOW_COLOUR if below else ABOVE_COLOUR, "line": {"color": "white", "width": 0.5}},
            customdata=[hover_row(pe, b.economics, names, lang) for b in bars],
            hovertemplate=hover_template(lang)))
    fig.add_hline(y=curve.carbon_price, line={"color": PRICE_COLOUR, "dash": "dash", "width": 2},
                  annotation_text=tx.t("macc_price_line", lang, price=f"{curve.carbon_price:g}"),
                  annotation_position="top right", annotation_font={"color": PRICE_COLOUR})
    heights = [b.height for b in curve.bars] + [curve.carbon_price, 0.0]
    low, high = min(heights), max(heights)
    pad = 0.08 * ((high - low) or 1.0)
    fig.update_layout(
        title={"text": title or tx.t("macc_title", lang), "x": 0.01, "xanchor": "left"},
        barmode="overlay", bargap=0, height=height, width=width, hovermode="closest",
        font={"family": FONT_FAMILY, "size": 12}, plot_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1.0, "xanchor": "right"},
        margin={"l": 70, "r": 20, "t": 80, "b": 60},
        xaxis={"title": {"text": tx.t("macc_x", lang)}, "range": [0, curve.total_tco2e or 1.0],
               "gridcolor": "#e5e8ec", "zeroline": False},
        yaxis={"title": {"text": tx.t("macc_y", lang)}, "range": [low - pad, high + pad], "gridcolor": "#e5e8ec",
               "zeroline": True, "zerolinecolor": "#888"})
    return fig


# --- tables -------------------------------------------------------------------------------------------------------
def economics_frame(pe: PlanEconomics, names: Mapping[str, str], lang: str,
                    columns: Sequence[str] = SHOWN_COLUMNS) -> pd.DataFrame:
    """One row per link, in MACC order (links avoiding nothing net last), columns keys of texts.COLUMNS, numbers
    kept as numbers (CNY, CNY/a, tCO2e/a, a)."""
    order = {b.link_id: (i + 1, b) for i, b in enumerate(pe.curve.bars)}
    ranked = sorted(pe.economics, key=lambda e: (order.get(e.link_id, (math.inf, None))[0], e.link_id))
    rows = []
    for e in ranked:
        position, bar = order.get(e.link_id, (None, None))
        rows.append({
            "macc_order": position, "link_id": e.link_id,
            "supplier_name": f"{e.supplier_id} {names.get(e.supplier_id, '')}".strip(),
            "receiver_name": f"{e.receiver_id} {names.get(e.receiver_id, '')}".strip(),
            "materials": material_text(e, lang), "mode": tx.word(tx.MODE_NAMES, e.mode, lang),
            "net_tco2e": e.net_tco2e, "abatement_cost_cny_per_tco2e": e.abatement_cost_cny_per_tco2e,
            "capex_cny": e.capex_cny, "opex_cny": e.opex_cny, "savings_cny": e.savings_cny,
            "annual_net_cost_cny": e.annual_net_cost_cny, "npv_cny": e.npv_cny, "payback_years": e.payback_years,
            "payer": side(e.payer, lang), "gainer": side(e.gainer, lang), "transfer_price": transfer_text(e, lang),
            "placeholder_rows": ", ".join(pe.placeholder_rows(e)),
            "transfer_price_min": e.transfer_price_min, "transfer_price_max": e.transfer_price_max,
            "transfer_unit": e.transfer_unit,
            "below_carbon_price": tx.word(tx.YES_NO, bool(bar.below_carbon_price), lang) if bar else "",
            "x_from": bar.x_from if bar else None, "x_to": bar.x_to if bar else None,
            "purchase_price": e.purchase_price, "purchase_price_source": e.purchase_price_source,
            "disposal_fee": e.disposal_fee, "disposal_fee_source": e.disposal_fee_source,
            "supplier_annual_cny": e.supplier_annual_cny, "receiver_annual_cny": e.receiver_annual_cny,
            "annualised_capex_cny": e.annualised_capex_cny, "param_ids": ", ".join(e.param_ids),
        })
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))[list(columns)]


ROW_COLUMNS: tuple[str, ...] = ("param_id", "name", "value", "unit", "basis", "region", "year", "source", "tag",
                                "overridden", "used_by")
EXTREME_COLUMNS: tuple[str, ...] = ("macc_order", "link_id", "supplier_name", "receiver_name", "materials",
                                    "net_tco2e", "abatement_cost_cny_per_tco2e", "capex_cny", "npv_cny",
                                    "payback_years", "placeholder_rows")


def extremes(pe: PlanEconomics, names: Mapping[str, str], lang: str,
             n: int = EXTREMES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The n cheapest links per tonne (lowest abatement cost first) and the n dearest (highest first)."""
    frame = economics_frame(pe, names, lang, EXTREME_COLUMNS)
    costed = frame[frame["macc_order"].notna()]
    return costed.head(n).reset_index(drop=True), costed.tail(n).iloc[::-1].reset_index(drop=True)


def rows_frame(pe: PlanEconomics, lang: str) -> pd.DataFrame:
    """Every row of datasets/economics.csv the plan's links used: value, unit, basis, region, year, source, tag,
    whether the park overrode it, and how many links use it (the trace of every economic figure)."""
    used = pe.rows_used()
    rows = []
    for pid, count in sorted(used.items()):
        p = pe.table.get(pid)
        rows.append({"param_id": pid, "name": p.name_zh if lang == "zh" else p.name_en, "value": p.value,
                     "unit": p.unit, "basis": f"{p.basis_value:g} {p.basis_unit}" if p.basis_value else p.basis_unit,
                     "region": p.region, "year": p.year, "source": p.source, "tag": p.reliability,
                     "overridden": tx.word(tx.YES_NO, p.overridden, lang), "used_by": tx.t("used_links", lang, n=count)})
    return pd.DataFrame(rows, columns=list(ROW_COLUMNS))


def summary_sentence(pe: PlanEconomics, lang: str) -> str:
    """How many links, how many tonnes, how many of them pay for themselves at the carbon price, and the money."""
    curve = pe.curve
    return tx.t("macc_summary", lang, links=len(curve.bars), tonnes=quantity(curve.total_tco2e),
                below=quantity(curve.below_price_tco2e), price=f"{curve.carbon_price:g}",
                capex=money(sum(e.capex_cny for e in pe.economics)),
                annual=money(sum(e.annual_net_cost_cny for e in pe.economics)))


def placeholder_sentence(pe: PlanEconomics, lang: str) -> str:
    """Which placeholder rows (tag R) the figures rest on, and on how many links each."""
    used = pe.rows_used()
    rows = sorted((p for p in used if p in pe.placeholders), key=lambda p: (-used[p], p))
    if not rows:
        return tx.t("macc_no_placeholders", lang)
    listed = tx.convention("list_sep", lang).join(f"{p} ({used[p]})" for p in rows)
    return tx.t("macc_placeholders", lang, k=pe.resting_on_placeholders(), n=len(pe.economics), rows=listed)


def excluded_sentence(pe: PlanEconomics, lang: str) -> str:
    """The links left off the curve because they avoid nothing net (no abatement cost); empty when none."""
    if not pe.curve.excluded:
        return ""
    return tx.t("macc_excluded", lang, n=len(pe.curve.excluded), links=", ".join(pe.curve.excluded))
