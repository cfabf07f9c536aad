"""Indicators page helpers: before/after table with threshold, pass/fail and where the threshold comes from."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from app.i18n import pick, t
from flows import compare_indicators, format_value
from symbiosis.core.i18n import Lang

PASS_MARK: dict[Any, str] = {True: "✓", False: "✗"}  # plain marks: every CJK font has them


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
    notes = before.set_index("indicator_id")[["note", "note_zh"]]
    rows = []
    for r in merged.to_dict("records"):
        note = notes.loc[r["indicator_id"]] if r["indicator_id"] in notes.index else None
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
        record[t("col_reliability", lang)] = r["reliability"]
        record[t("col_threshold_source", lang)] = r["source"]
        texts = [pick(str(note["note"]), str(note["note_zh"]), lang)] if note is not None else []
        if after is not None:
            texts.append(pick(str(r.get("explanation") or ""), str(r.get("explanation_zh") or ""), lang))
        if note is not None or any(texts):
            record[t("col_note", lang)] = "; ".join(x for x in texts if x)
        rows.append(record)
    return pd.DataFrame(rows)


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
    return merged[cols].reset_index(drop=True)


def summary_counts(before: pd.DataFrame, after: pd.DataFrame | None) -> dict[str, int]:
    """How many indicators pass today and with the plan, and how many cannot be computed."""
    return {"pass_before": int((before["passed"] == True).sum()),  # noqa: E712 - object column of True/False/None
            "pass_after": int((after["passed"] == True).sum()) if after is not None else -1,  # noqa: E712
            "judged": int(before["passed"].notna().sum()),
            "not_computable": int((~before["computable"].astype(bool)).sum())}
