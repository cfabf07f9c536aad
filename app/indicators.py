"""Indicators page helpers: before/after table with threshold, pass/fail and where the threshold comes from."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from app.i18n import pick, t
from flows import compare_indicators, format_value
from flows.indicators import PRODUCT_ENERGY_ID
from symbiosis.core.i18n import Lang, register, render

PASS_MARK: dict[Any, str] = {True: "✓", False: "✗"}  # plain marks: every CJK font has them
# The Indicators page's own words (codes "app.indicators.<key>"): the convention beside each figure, the
# per-enterprise product energy table.
TEXTS = register("app.indicators", {
    "col_convention": ("how it is counted", "统计口径"),
    "note_today": ("today: {note}", "现状：{note}"),
    "note_after": ("with the plan: {note}", "方案后：{note}"),
    "product_energy": ("Product unit energy consumption by enterprise", "各企业单位产品综合能耗"),
    "product_energy_intro": ("Energy use counted where it enters the park / product outputs in t, per enterprise; "
                             "an enterprise whose ledger lists no product reads “not given”.",
                             "各企业在进入园区处计的能耗 / 产品产出（吨）；台账未列产品的企业显示“未给出”。"),
    "col_enterprise": ("enterprise", "企业"),
    "col_product_energy": ("product unit energy consumption", "单位产品综合能耗"),
    "col_products": ("products", "产品"),
    "not_given": ("not given", "未给出"),
})


def tx(key: str, lang: Lang, **params: Any) -> str:
    return render(TEXTS.code(key), lang, **params)


def _passed(value: Any, lang: Lang) -> str:
    if value is True or value is False:
        return f"{PASS_MARK[bool(value)]} {t('passes' if value else 'fails', lang)}"
    return "—"


def threshold_text(row: pd.Series | Mapping[Any, Any], lang: Lang) -> str:
    threshold = row["threshold"]
    if threshold is None or (isinstance(threshold, float) and math.isnan(threshold)):
        return t("no_threshold", lang) if row["direction"] == "report" else "—"
    unit = str(row["unit"])
    if unit == "fraction":
        shown = f"{float(threshold):.0%}"
    elif unit == "count":
        shown = f"{float(threshold):.0f}"
    else:
        shown = f"{float(threshold):,.4g} {unit}"
    return ("≤ " if row["direction"] == "max" else "≥ " if row["direction"] == "min" else "") + shown


def _value(row: Mapping[Any, Any], side: str, lang: Lang) -> str:
    view = {"computable": row[f"computable_{side}"], "needs": row[f"needs_{side}"],
            "needs_zh": row[f"needs_zh_{side}"], "value": row[f"value_{side}"], "unit": row["unit"]}
    if view["computable"] is not True and view["computable"] is not False:
        return "—"
    return format_value(view, lang)


def _in_order(merged: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """compare_indicators' rows in the order of datasets/indicators.csv (the core indicator first)."""
    order = {i: n for n, i in enumerate(before["indicator_id"])}
    return merged.sort_values("indicator_id", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def indicator_table(before: pd.DataFrame, after: pd.DataFrame | None, lang: Lang) -> pd.DataFrame:
    """One row per indicator: name, value today, value with the plan, threshold, pass/fail, framework, source.

    A value the ledger cannot support reads "not computable: needs …" (from flows), never a number.
    """
    merged = _in_order(compare_indicators(before, after if after is not None else before), before)
    frameworks = before.set_index("indicator_id")["framework"]
    rows = []
    for r in merged.to_dict("records"):
        record = {
            t("col_indicator", lang): pick(r["name_en"], r["name_zh"], lang),
            t("col_framework", lang): frameworks.get(r["indicator_id"], ""),
            t("col_before", lang): _value(r, "before", lang),
            t("col_threshold", lang): threshold_text(r, lang),
            t("col_pass_before", lang): _passed(r["passed_before"], lang),
        }
        if after is not None:
            record[t("col_after", lang)] = _value(r, "after", lang)
            record[t("col_pass_after", lang)] = _passed(r["passed_after"], lang)
        record[tx("col_convention", lang)] = convention_text(before, after, r, lang)
        record[t("col_reliability", lang)] = r["reliability"]
        record[t("col_threshold_source", lang)] = r["source"]
        texts = notes_text(before, after, r, lang)
        if after is not None:
            texts.append(pick(str(r.get("explanation") or ""), str(r.get("explanation_zh") or ""), lang))
        record[t("col_note", lang)] = "; ".join(x for x in texts if x)
        rows.append(record)
    return pd.DataFrame(rows)


def _state_row(table: pd.DataFrame | None, indicator_id: Any) -> Mapping[str, Any] | None:
    if table is None or "indicator_id" not in table:
        return None
    found = table[table["indicator_id"] == indicator_id]
    return None if found.empty else found.iloc[0].to_dict()


def convention_text(before: pd.DataFrame, after: pd.DataFrame | None, merged_row: Mapping[Any, Any],
                    lang: Lang) -> str:
    """How the figure is counted (flows: `convention` / `convention_zh`), shown beside it."""
    for table, key in ((before, "indicator_id"), (after, "indicator_id_after")):
        row = _state_row(table, merged_row.get(key, merged_row["indicator_id"]))
        if row is not None and row.get("convention"):
            return pick(str(row["convention"]), str(row.get("convention_zh") or ""), lang)
    return ""


def notes_text(before: pd.DataFrame, after: pd.DataFrame | None, merged_row: Mapping[Any, Any],
               lang: Lang) -> list[str]:
    """The notes of the figure today and with the plan (each said once; prefixed when the two differ)."""
    today = _state_row(before, merged_row["indicator_id"])
    later = _state_row(after, merged_row.get("indicator_id_after", merged_row["indicator_id"]))

    def text(row: Mapping[str, Any] | None) -> str:
        return pick(str(row.get("note") or ""), str(row.get("note_zh") or ""), lang) if row is not None else ""

    a, b = text(today), text(later) if after is not None else ""
    if not b or a == b:
        return [a] if a else []
    return [x for x in (tx("note_today", lang, note=a) if a else "", tx("note_after", lang, note=b)) if x]


def product_energy_view(before: pd.DataFrame, after: pd.DataFrame | None, enterprises: pd.DataFrame,
                        lang: Lang) -> pd.DataFrame:
    """Product unit energy consumption for every enterprise of the park: the value (today, with the plan) where
    its ledger lists products, "not given" / "未给出" where it lists none — never 0."""
    prefix = f"{PRODUCT_ENERGY_ID}:"

    def values(table: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
        if table is None:
            return {}
        rows = table[table["indicator_id"].astype(str).str.startswith(prefix)]
        return {str(r["indicator_id"])[len(prefix):]: {str(k): v for k, v in r.items()} for r in rows.to_dict("records")}

    today, later = values(before), values(after)
    out = []
    for e in enterprises.to_dict("records"):
        eid = str(e["enterprise_id"])
        name = str(e.get("name") or eid)
        record = {tx("col_enterprise", lang): f"{eid} {name}"}
        for label, found in ((t("col_before", lang), today), (t("col_after", lang), later)):
            if label == t("col_after", lang) and after is None:
                continue
            row = found.get(eid)
            record[label] = format_value(row, lang) if row is not None else tx("not_given", lang)
        row = today.get(eid)
        record[tx("col_products", lang)] = pick(str(row["note"]), str(row["note_zh"]), lang) if row else ""
        out.append(record)
    return pd.DataFrame(out)


def intensity_notes(before: pd.DataFrame, after: pd.DataFrame | None, lang: Lang) -> list[str]:
    """Why an intensity indicator moves against the plan's total, one sentence per such indicator (flows)."""
    if after is None:
        return []
    merged = _in_order(compare_indicators(before, after), before)
    notes = []
    for r in merged.to_dict("records"):
        text = pick(str(r.get("explanation") or ""), str(r.get("explanation_zh") or ""), lang)
        if text:
            notes.append(f"{pick(str(r['name_en']), str(r['name_zh']), lang)}{t('colon', lang)}{text}")
    return notes


def indicator_export(before: pd.DataFrame, after: pd.DataFrame | None) -> pd.DataFrame:
    """Indicators for download: ids, both names, numbers (not formatted), threshold and its source."""
    merged = _in_order(compare_indicators(before, after if after is not None else before), before)
    cols = ["indicator_id", "name_en", "name_zh", "unit", "value_before", "passed_before", "computable_before",
            "needs_before", "needs_zh_before"]
    if after is not None:
        cols += ["value_after", "passed_after", "computable_after", "needs_after", "needs_zh_after", "change",
                 "explanation", "explanation_zh"]
    cols += ["threshold", "direction", "reliability", "source"]
    out = merged[cols].reset_index(drop=True)
    extra = before.set_index("indicator_id")[["convention", "convention_zh", "note", "note_zh"]]
    for column in extra.columns:
        out[column] = out["indicator_id"].map(extra[column]).fillna("")
    return out


def summary_counts(before: pd.DataFrame, after: pd.DataFrame | None) -> dict[str, int]:
    """How many indicators pass today and with the plan, and how many cannot be computed."""
    return {"pass_before": int((before["passed"] == True).sum()),  # noqa: E712 - object column of True/False/None
            "pass_after": int((after["passed"] == True).sum()) if after is not None else -1,  # noqa: E712
            "judged": int(before["passed"].notna().sum()),
            "not_computable": int((~before["computable"].astype(bool)).sum())}
