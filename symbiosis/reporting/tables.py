"""The report's tables, built once per language from an Analysis: the workbook, the CSVs and the HTML all use them.

Each function returns a DataFrame whose columns are keys of texts.COLUMNS (headers are put in the report's
language only when written, `localise`), with numbers kept as numbers in canonical units, so the workbook can be
checked against plan.json cell by cell. Names shown to a reader (materials, categories, modes, statuses) are
translated here; ids stay as in the ledger so every row can be found again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from flows.indicators import join_key
from flows.labels import category_label, material_label
from symbiosis.core.i18n import lang_column, pick, word
from symbiosis.core.periods import period_label, period_order
from symbiosis.core.plan import Plan
from symbiosis.core.schema import columns as schema_columns
from symbiosis.core.taxonomy import DIMENSION_NAMES, baselines, materials, water_grades
from symbiosis.core.uncertainty import format_interval
from symbiosis.reporting import macc
from symbiosis.reporting import texts as tx
from symbiosis.reporting.analysis import Analysis

LINK_COLUMNS: tuple[str, ...] = (
    "rank", "link_id", "supplier_id", "supplier_name", "receiver_id", "receiver_name", "material_out", "material_in",
    "category", "quantity", "unit", "quantity_in", "unit_in", "distance_km", "mode", "mode_reach_km",
    "temperature_supply_c", "temperature_sink_c", "avoided_scope1_tco2e", "avoided_scope2_tco2e",
    "avoided_scope3_cat1_tco2e", "avoided_scope3_cat5_tco2e", "avoided_scope3_tco2e", "added_transport_tco2e",
    "added_energy_tco2e", "added_combustion_tco2e", "added_construction_tco2e", "added_displaced_tco2e",
    "added_tco2e", "net_tco2e",
    "net_median", "net_p5", "net_p95", "p_net_positive",
    "annual_cost_cny", "cost_per_tco2e", "scope1_owner", "scope2_owner", "scope3_owner", "supplier_stream_id",
    "receiver_stream_id", "rule_id", "hazardous_code", "forced", "factor_ids", "notes")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _num(value: Any) -> float | None:
    if _blank(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _join(items: Iterable[Any]) -> str:
    return ";".join(str(i) for i in items)


def localise(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Column keys -> headers in the report language (ledger columns keep their schema headers)."""
    return frame.rename(columns={c: tx.col(c, lang) for c in frame.columns if c in tx.COLUMNS})


# --- links ----------------------------------------------------------------------------------------------------------
def links(a: Analysis, lang: str) -> pd.DataFrame:
    """The ranked links with the full breakdown by scope, what they add, their owners and factors."""
    who = a.enterprise_names(lang)
    rows = []
    for link in sorted(a.plan.links, key=lambda x: x.rank):
        rows.append({
            "rank": link.rank, "link_id": link.link_id,
            "supplier_id": link.supplier_id, "supplier_name": who.get(link.supplier_id, ""),
            "receiver_id": link.receiver_id, "receiver_name": who.get(link.receiver_id, ""),
            "material_out": material_label(link.material_out, lang),
            "material_in": material_label(link.material_in, lang),
            "category": category_label(link.category, lang),
            "quantity": link.quantity, "unit": link.unit, "quantity_in": link.quantity_in, "unit_in": link.unit_in,
            "distance_km": link.distance_km, "mode": tx.word(tx.MODE_NAMES, link.mode, lang),
            "mode_reach_km": link.mode_reach_km,
            "temperature_supply_c": _num(link.temperature_supply_c),
            "temperature_sink_c": _num(link.temperature_sink_c),
            "avoided_scope1_tco2e": link.avoided_scope1_tco2e, "avoided_scope2_tco2e": link.avoided_scope2_tco2e,
            "avoided_scope3_cat1_tco2e": link.avoided_scope3_cat1_tco2e,
            "avoided_scope3_cat5_tco2e": link.avoided_scope3_cat5_tco2e,
            "avoided_scope3_tco2e": link.avoided_scope3_tco2e,
            "added_transport_tco2e": link.added_transport_tco2e, "added_energy_tco2e": link.added_energy_tco2e,
            "added_combustion_tco2e": link.added_combustion_tco2e,
            "added_construction_tco2e": link.added_construction_tco2e,
            "added_displaced_tco2e": link.added_displaced_tco2e, "added_tco2e": link.added_tco2e,
            # the same number plan.json holds: net of what the link adds, Scope 2 only when the plan counts it
            "net_tco2e": link.net_tco2e(a.plan.include_scope2),
            **_interval(a, link.link_id),
            "annual_cost_cny": link.annual_cost_cny, "cost_per_tco2e": link.cost_per_tco2e,
            "scope1_owner": link.scope1_owner, "scope2_owner": link.scope2_owner, "scope3_owner": link.scope3_owner,
            "supplier_stream_id": link.supplier_stream_id, "receiver_stream_id": link.receiver_stream_id,
            "rule_id": link.rule_id, "hazardous_code": link.hazardous_code,
            "forced": tx.word(tx.YES_NO, bool(link.forced), lang), "factor_ids": _join(link.factor_ids),
            "notes": pick(" | ".join(link.notes), " | ".join(link.notes_zh), lang),
        })
    return pd.DataFrame(rows, columns=list(LINK_COLUMNS))


def _interval(a: Analysis, link_id: str) -> dict[str, float | None]:
    """The link's Monte Carlo (docs/uncertainty.md): median, 5 % and 95 % of its net, P(net > 0); None when not drawn."""
    x = a.uncertainty.links.get(link_id) if a.uncertainty is not None else None
    return {"net_median": x.median if x else None, "net_p5": x.p5 if x else None, "net_p95": x.p95 if x else None,
            "p_net_positive": x.p_positive if x else None}


def accounting(a: Analysis, lang: str) -> pd.DataFrame:
    """Every accounting line of every link: item, scope, whose inventory, tCO2e/a and the factors behind it."""
    who = a.enterprise_names(lang)
    rows = [{"rank": link.rank, "link_id": link.link_id,
             "accounting_item": tx.word(tx.ITEM_NAMES, line.item, lang),
             "scope": tx.word(tx.SCOPE_NAMES, line.scope, lang), "enterprise_id": line.enterprise_id,
             "enterprise_name": who.get(line.enterprise_id, ""), "tco2e": line.tco2e,
             "factor_ids": _join(line.factor_ids)}
            for link in sorted(a.plan.links, key=lambda x: x.rank) for line in link.accounting]
    return pd.DataFrame(rows, columns=["rank", "link_id", "accounting_item", "scope", "enterprise_id",
                                       "enterprise_name", "tco2e", "factor_ids"])


# --- indicators -----------------------------------------------------------------------------------------------------
def passed_word(value: Any, lang: str) -> str:
    if value is True:
        return tx.word(tx.PASS_NAMES, "pass", lang)
    if value is False:
        return tx.word(tx.PASS_NAMES, "fail", lang)
    return tx.word(tx.PASS_NAMES, "none", lang)


def indicator_value(row: dict[str, Any], lang: str) -> Any:
    """The value as a number, or — when the ledger cannot support it — the sentence saying what it needs."""
    if row["computable"]:
        return float(row["value"])
    return tx.t("not_computable_needs", lang, needs=pick(row["needs"], row["needs_zh"], lang))


def indicator_pairs(a: Analysis) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(today, with the plan) per indicator, in datasets/indicators.csv order. The core indicator's threshold band
    (and so its id) can differ between the two states, so they are paired by family (flows.indicators.join_key)."""
    def records(table: pd.DataFrame) -> list[dict[str, Any]]:
        return [{str(k): v for k, v in r.items()} for r in table.to_dict("records")]

    after = {join_key(r["indicator_id"]): r for r in records(a.indicators_after)}
    return [(r, after.get(join_key(r["indicator_id"]))) for r in records(a.indicators_before)]


def indicator_convention(row: dict[str, Any], lang: str) -> str:
    """How the figure is counted (flows: convention / convention_zh), written next to it."""
    return pick(str(row.get("convention") or ""), str(row.get("convention_zh") or ""), lang) or ""


def indicator_note(before: dict[str, Any], after: dict[str, Any] | None, lang: str) -> str:
    """The note of the figure today and, where it says something else, with the plan."""
    today = pick(str(before.get("note") or ""), str(before.get("note_zh") or ""), lang) or ""
    later = (pick(str(after.get("note") or ""), str(after.get("note_zh") or ""), lang) or "") if after else ""
    if not later or later == today:
        return today
    parts = [tx.t("note_today", lang, note=today) if today else "", tx.t("note_after", lang, note=later)]
    return tx.convention("list_sep", lang).join(p for p in parts if p)


def indicators(a: Analysis, lang: str) -> pd.DataFrame:
    rows = []
    for b, f in indicator_pairs(a):
        value_b = indicator_value(b, lang)
        value_a = indicator_value(f, lang) if f is not None else None
        change = (value_a - value_b) if isinstance(value_a, float) and isinstance(value_b, float) else None
        note = indicator_note(b, f, lang)
        rows.append({
            "indicator_id": b["indicator_id"], "indicator": pick(b["name_en"], b["name_zh"], lang),
            "framework": b["framework"], "unit": tx.word(tx.UNIT_NAMES, b["unit"], lang),
            "value_before": value_b, "passed_before": passed_word(b["passed"], lang),
            "value_after": value_a, "passed_after": passed_word(f["passed"], lang) if f is not None else "",
            "change": change, "convention": indicator_convention(b, lang), "threshold": _num(b["threshold"]),
            "direction": tx.word(tx.DIRECTION_NAMES, b["direction"], lang),
            "threshold_condition": b["threshold_condition"], "threshold_source": b["source"],
            "reliability": b["reliability"],
            "numerator_before": _num(b["numerator"]), "denominator_before": _num(b["denominator"]),
            "numerator_after": _num(f["numerator"]) if f is not None else None,
            "denominator_after": _num(f["denominator"]) if f is not None else None,
            "rows_before": len(b["rows"] or ()), "rows_after": len(f["rows"] or ()) if f is not None else 0,
            "factor_ids": _join(dict.fromkeys([*(b["factor_ids"] or ()), *((f or {}).get("factor_ids") or ())])),
            "note": note,
        })
    return pd.DataFrame(rows)


def indicator_rows(a: Analysis, lang: str) -> pd.DataFrame:
    """One line per (indicator, state, ledger row) that fed the value: the trace behind every indicator."""
    rows = []
    for state, table in (("before", a.indicators_before), ("after", a.indicators_after)):
        for r in table.to_dict("records"):
            name = pick(r["name_en"], r["name_zh"], lang)
            rows += [{"indicator_id": r["indicator_id"], "indicator": name,
                      "state": tx.word(tx.STATE_NAMES, state, lang), "row_id": str(row_id)}
                     for row_id in r["rows"] or ()]
    return pd.DataFrame(rows, columns=["indicator_id", "indicator", "state", "row_id"])


# --- balances, unmatched ------------------------------------------------------------------------------------------
def _balance_key(level: str, key: str, lang: str) -> str:
    if level == "dimension":
        return word(DIMENSION_NAMES, key, lang)
    return category_label(key, lang)


def balances(a: Analysis, lang: str, states: tuple[str, ...] = ("before", "after")) -> pd.DataFrame:
    frames = []
    for state in states:
        table = a.balances_before if state == "before" else a.balances_after
        frames.append(pd.DataFrame({
            "state": tx.word(tx.STATE_NAMES, state, lang),
            "enterprise_id": table["enterprise_id"], "enterprise_name": table["enterprise_name"],
            "level": table["level"].map(lambda v: tx.word(tx.LEVEL_NAMES, v, lang)),
            "key": [_balance_key(lv, k, lang) for lv, k in zip(table["level"], table["key"], strict=True)],
            "unit": table["unit"], "inflow": table["inflow"].astype(float),
            "outflow": table["outflow"].astype(float), "gap": table["gap"].astype(float),
            "relative_gap": table["relative_gap"].astype(float), "tolerance": table["tolerance"].astype(float),
            "status": table["status"].map(lambda v: tx.word(tx.BALANCE_STATUS, v, lang)),
            "flagged": table["flagged"].map(lambda v: "!" if v else ""),
            "note": table[lang_column("note", "note_zh", lang)].fillna(""),
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def unmatched(a: Analysis, lang: str) -> pd.DataFrame:
    who = a.enterprise_names(lang)
    u = a.unmatched
    if u.empty:
        return pd.DataFrame(columns=["stream_id", "enterprise_id", "enterprise_name", "direction", "material",
                                     "category", "quantity", "matched", "unmatched", "unit", "reason",
                                     "reason_text", "partner_id", "distance_km", "reach_km", "competitor_link",
                                     "competitor_quantity"])
    return pd.DataFrame({
        "stream_id": u["stream_id"], "enterprise_id": u["enterprise_id"],
        "enterprise_name": u["enterprise_id"].map(lambda e: who.get(str(e), "")),
        "direction": u["direction"].map(lambda d: tx.word(tx.DIRECTION_NAMES, d, lang)),
        "material": u["material"].map(lambda m: material_label(m, lang)),
        "category": u["category"].map(lambda c: category_label(c, lang)),
        "quantity": u["quantity"].astype(float), "matched": u["matched"].astype(float),
        "unmatched": u["unmatched"].astype(float), "unit": u["unit"], "reason": u["reason"],
        "reason_text": u[lang_column("reason_en", "reason_zh", lang)],
        "partner_id": u["partner_id"].map(lambda v: "" if _blank(v) else str(v)),
        "distance_km": u["distance_km"].astype(float), "reach_km": u["reach_km"].astype(float),
        "competitor_link": u["competitor_link"].map(lambda v: "" if _blank(v) else str(v)),
        "competitor_quantity": u["competitor_quantity"].astype(float),
    })


# --- factors, network, findings -------------------------------------------------------------------------------------
def factors(a: Analysis, lang: str) -> pd.DataFrame:
    """Every factor any link or indicator references, with value, unit, year, region, source and tag."""
    rows = []
    for use in a.factor_uses:
        f = use.factor
        used = []
        if use.links:
            used.append(tx.t("used_links", lang, n=len(use.links)))
        if use.indicators:
            used.append(tx.t("used_indicators", lang, ids=", ".join(use.indicators)))
        rows.append({
            "factor_id": use.factor_id,
            "factor_name": pick(f.name_en, f.name_zh, lang) if f else tx.t("unknown_factor", lang),
            "value": f.value if f else None, "unit": f.unit if f else "", "scope_role": f.scope_role if f else "",
            "applies_to": f.applies_to if f else "", "region": f.region if f else "", "year": f.year if f else "",
            "source": f.source if f else "", "tag": f.reliability if f else "",
            "overridden": tx.word(tx.YES_NO, bool(f and f.overridden), lang),
            "used_by": "; ".join(used), "link_id": _join(use.links),
        })
    return pd.DataFrame(rows, columns=["factor_id", "factor_name", "value", "unit", "scope_role", "applies_to",
                                       "region", "year", "source", "tag", "overridden", "used_by", "link_id"])


def network(a: Analysis, lang: str) -> pd.DataFrame:
    after = dict(zip(a.network_after["metric"], a.network_after["value"], strict=True))
    return pd.DataFrame([{"metric": tx.word(tx.METRIC_NAMES, m, lang), "value_before": _num(v),
                          "value_after": _num(after.get(m))}
                         for m, v in zip(a.network_before["metric"], a.network_before["value"], strict=True)])


def findings(a: Analysis, lang: str) -> pd.DataFrame:
    rows = [{"origin": tx.word(tx.ORIGIN_NAMES, f.origin, lang), "severity": tx.word(tx.SEVERITY_NAMES, f.severity, lang),
             "file": f.file, "row": f.row, "column": f.column, "value": f.value, "ref": f.ref,
             "message": f.message(lang), "accepted": f.accepted} for f in a.findings]
    return pd.DataFrame(rows, columns=["origin", "severity", "file", "row", "column", "value", "ref", "message",
                                       "accepted"])


# --- solver, settings, summary --------------------------------------------------------------------------------------
def status_sentence(a: Analysis, lang: str) -> str:
    """The one sentence saying how far the plan can be trusted; the first thing on the report's first page."""
    return tx.t(f"banner_{a.plan.status}", lang, gap=tx.gap_text(a.plan.gap, lang))


def status_detail(a: Analysis, lang: str) -> str:
    p = a.plan
    return tx.t("banner_detail", lang, objective=tx.number(p.objective_value), bound=tx.number(p.bound_value),
                unit=p.objective_unit, links=len(p.links), build=f"{p.build_seconds:.2f}",
                solve=f"{p.solve_seconds:.2f}")


def plan_messages(a: Analysis, lang: str) -> list[str]:
    """The solver's messages in `lang` (each Chinese one when the plan carries one per message)."""
    p = a.plan
    if len(p.messages_zh) != len(p.messages):
        return list(p.messages)
    return [pick(en, zh, lang) for en, zh in zip(p.messages, p.messages_zh, strict=True)]


def solver(a: Analysis, lang: str) -> pd.DataFrame:
    p = a.plan
    items: list[tuple[str, Any]] = [
        (tx.t("v_status", lang), tx.word(tx.STATUS_NAMES, p.status, lang)),
        (tx.t("v_status_code", lang), p.status),
        (tx.t("s_status_sentence", lang), status_sentence(a, lang)),
        (tx.t("v_objective_sense", lang), tx.word(tx.OBJECTIVE_NAMES, p.objective_sense, lang)),
        (tx.t("v_objective", lang), p.objective_value), (tx.t("v_bound", lang), p.bound_value),
        (tx.t("v_objective_unit", lang), p.objective_unit),
        (tx.t("v_objective_tco2e", lang), p.objective_tco2e), (tx.t("v_bound_tco2e", lang), p.bound_tco2e),
        (tx.t("v_gap", lang), p.gap), (tx.t("v_build", lang), p.build_seconds),
        (tx.t("v_solve", lang), p.solve_seconds), (tx.t("v_solver", lang), p.solver),
        (tx.t("v_subproblems", lang), p.subproblems),
    ]
    items += [(tx.t("v_message", lang), m) for m in plan_messages(a, lang)]
    items += [(tx.t("v_step", lang, step=tx.t(f"step_{k}", lang)), round(v, 3)) for k, v in a.timings.items()]
    return pd.DataFrame(items, columns=["item", "value"])


def _setting_text(value: Any) -> Any:
    if isinstance(value, dict):
        return "; ".join(f"{k}={v:g}" if isinstance(v, int | float) else f"{k}={v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    return value


def settings(a: Analysis, lang: str) -> pd.DataFrame:
    """The concrete settings of the run (explicit option > scenario > park.toml > default, resolved)."""
    record = a.settings.as_record()
    rows: list[tuple[str, Any]] = []
    for key, value in record.items():
        shown = tx.word(tx.OBJECTIVE_NAMES, value, lang) if key == "objective" else _setting_text(value)
        if isinstance(value, bool):
            shown = tx.word(tx.YES_NO, value, lang)
        rows.append((tx.word(tx.SETTING_NAMES, key, lang), shown))
    rows.append((tx.t("s_scenario", lang), a.scenario_title(lang)))
    rows += [(tx.t("m_edit", lang, stream=e.stream_id, column=e.column, value=e.value), "") for e in a.scenario.edits]
    return pd.DataFrame(rows, columns=["setting", "value"])


def plan_totals(a: Analysis) -> dict[str, float]:
    ls = a.plan.links
    return {"scope1": sum(x.avoided_scope1_tco2e for x in ls), "scope2": sum(x.avoided_scope2_tco2e for x in ls),
            "scope3": sum(x.avoided_scope3_tco2e for x in ls), "added": sum(x.added_tco2e for x in ls),
            "net": a.plan.net_tco2e}


def _total_interval(a: Analysis, lang: str) -> list[tuple[str, Any]]:
    """The plan total's Monte Carlo as two summary items (none when it was not drawn)."""
    u = a.uncertainty
    if u is None or u.total is None:
        return []
    return [(tx.col("net_interval", lang), format_interval(u.total.median, u.total.p5, u.total.p95)),
            (tx.col("p_net_positive", lang), f"{u.total.p_positive:.0%}")]


def passing(table: pd.DataFrame) -> int:
    return int(sum(v is True for v in table["passed"]))


def summary(a: Analysis, lang: str) -> pd.DataFrame:
    """Key figures, each a number (or a short text) with what it is; the solve status comes first."""
    p, park = a.plan, a.park
    totals = plan_totals(a)
    flagged = int(a.balances_before["flagged"].sum())
    items: list[tuple[str, Any]] = [
        (tx.t("s_status", lang), tx.word(tx.STATUS_NAMES, p.status, lang)),
        (tx.t("s_status_sentence", lang), status_sentence(a, lang)),
        (tx.t("s_gap", lang), p.gap),
        (tx.t("s_park", lang), a.park_title(lang)),
        (tx.t("s_source", lang), park.source),
        (tx.t("s_region_year", lang), f"{tx.word(tx.REGION_NAMES, park.config.region, lang)} {park.config.year}"),
        (tx.t("s_scenario", lang), a.scenario_title(lang)),
        (tx.t("s_generated", lang), a.generated_at),
        (tx.t("s_version", lang), a.version),
        (tx.t("s_enterprises", lang), len(park.enterprises)),
        (tx.t("s_streams", lang), len(park.streams)),
        (tx.t("s_exchanges", lang), len(park.exchanges)),
        (tx.t("s_links", lang), len(p.links)),
        (tx.t("s_net", lang), totals["net"]),
        *_total_interval(a, lang),
        (tx.t("s_scope1", lang), totals["scope1"]),
        (tx.t("s_scope3", lang), totals["scope3"]),
        (tx.t("s_added", lang), totals["added"]),
        (tx.t("s_scope2_in" if p.include_scope2 else "s_scope2", lang), totals["scope2"]),
        (tx.t("s_heat", lang), p.heat_recovered_gj),
        *_heat_periods(p, lang),
        (tx.t("s_cost", lang), p.annual_cost_cny),
        (tx.t("s_pass_before", lang), passing(a.indicators_before)),
        (tx.t("s_pass_after", lang), passing(a.indicators_after)),
        (tx.t("s_judged", lang), int(a.indicators_before["passed"].notna().sum())),
        (tx.t("s_flagged", lang), flagged),
        (tx.t("s_unmatched", lang), len(a.unmatched)),
        (tx.t("s_warnings", lang), len(a.findings)),
        (tx.t("s_factors", lang), len(a.factor_uses)),
    ]
    return pd.DataFrame(items, columns=["item", "value"])


def _heat_periods(p: Plan, lang: str) -> list[tuple[str, object]]:
    """One line: heat recovered per operating period (none with one period)."""
    frame = p.heat_period_frame()
    if frame.empty:
        return []
    by = frame.groupby("period")["gj"].sum()
    text = "; ".join(f"{period_label(k, lang)} {by[k]:,.0f}" for k in sorted(by.index, key=period_order))
    return [(tx.t("s_heat_periods", lang), text)]


# --- the cleaned ledger ---------------------------------------------------------------------------------------------
def ledger(a: Analysis, table: str, lang: str) -> pd.DataFrame:
    """A ledger table as entered (schema headers in the report language: the Chinese ones load back too), plus the
    canonical quantity every number in the report is computed from and the row's origin."""
    frame = a.park.ledger_tables()[table].reset_index(drop=True)
    source = getattr(a.park, table).reset_index(drop=True)
    if table in ("streams", "exchanges") and "quantity" in source.columns:
        frame["quantity_canonical"] = source["quantity"].astype(float)
        frame["unit_canonical"] = source["unit"]
    for c in ("source_file", "source_row"):
        if c in source.columns:
            frame[c] = source[c]
    # Vocabulary cells in the report's language: the loader reads these names back to the same keys.
    vocab = {"material": {k: m.name(lang) for k, m in materials().items()},
             "direction": {k: tx.word(tx.DIRECTION_NAMES, k, lang) for k in ("input", "output")},
             "baseline": {k: pick(b.name_en, b.name_zh, lang) for k, b in baselines().items()},
             "quality": {k: pick(g.name_en, g.name_zh, lang) for k, g in water_grades().items()}}
    for column, names in vocab.items():
        if column in frame.columns:
            frame[column] = [v if _blank(v) else names.get(str(v), v) for v in frame[column]]
    headers = {c.name: pick(c.name, c.header_zh, lang) for c in schema_columns(table)}
    headers.update({c: tx.col(c, lang) for c in ("quantity_canonical", "unit_canonical", "source_file", "source_row")})
    return frame.rename(columns=headers)


def economics(a: Analysis, lang: str) -> pd.DataFrame:
    """Every link's economics in MACC order (symbiosis.reporting.macc.TABLE_COLUMNS); empty when not computed."""
    if a.economics is None:
        return pd.DataFrame(columns=list(macc.TABLE_COLUMNS))
    return macc.economics_frame(a.economics, a.enterprise_names(lang), lang, macc.TABLE_COLUMNS)


def economic_rows(a: Analysis, lang: str) -> pd.DataFrame:
    """The rows of datasets/economics.csv the links used, with their sources and tags."""
    if a.economics is None:
        return pd.DataFrame(columns=list(macc.ROW_COLUMNS))
    return macc.rows_frame(a.economics, lang)


def all_tables(a: Analysis, lang: str) -> dict[str, pd.DataFrame]:
    """Every table of the workbook, keyed by sheet key, headers still as keys (ledger tables already localised)."""
    return {
        "summary": summary(a, lang), "links": links(a, lang), "accounting": accounting(a, lang),
        "indicators": indicators(a, lang), "indicator_rows": indicator_rows(a, lang), "balances": balances(a, lang),
        "unmatched": unmatched(a, lang), "factors": factors(a, lang), "network": network(a, lang),
        "warnings": findings(a, lang), "solver": solver(a, lang), "settings": settings(a, lang),
        "enterprises": ledger(a, "enterprises", lang), "streams": ledger(a, "streams", lang),
        "exchanges": ledger(a, "exchanges", lang),
        "economics": economics(a, lang), "economic_rows": economic_rows(a, lang),
    }
