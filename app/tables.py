"""One formatter for every table the app shows: `readable(frame, lang)` gives the frame a planner reads and the
column widths to show it with (app.ui.show_table applies it to every read-only table of every page).

Rules: a header that is a schema key is shown by its name in the user's language (its Chinese header in 中文;
in English with spaces for underscores, identifiers such as stream_id kept as written); a cell that is a key of a
vocabulary is shown by its name — baselines, scopes (scope3_cat1 → "Scope 3 cat. 1"), substitution rules (their
short description), grid regions, transport modes, categories, materials; numbers get thousands separators and
about four significant digits, never an exponent (3.456e+05 → 345,600, also inside text); an empty cell (None,
NaN) is blank. Columns named in `keep` are shown as typed (the validation table's value). Small whole numbers
(ranks, counts, rows) stay numbers, so they sort as numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import cache
from typing import Any, Literal

import pandas as pd
import streamlit as st

from app.i18n import t
from symbiosis.core.i18n import MODE_NAMES, Lang, is_zh, pick, word

__all__ = ["number_text", "readable"]

E_NOTATION = re.compile(r"-?\d+(?:\.\d+)?[eE][+-]?\d+")
RULE_ID = re.compile(r"\bsub_\d+\b")  # a substitution rule named inside a sentence
SMALL_INT = 10_000  # whole numbers below this stay numbers (ranks, rows, counts)
LONG_TEXT = 40  # characters: a column with longer cells is given a wide column


def number_text(value: float) -> str:
    """A number with thousands separators and about four significant digits, never in e-notation."""
    if value != value or value in (math.inf, -math.inf):
        return "" if value != value else str(value)
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude == 0:
        return "0"
    decimals = min(max(3 - math.floor(math.log10(magnitude)), 0), 9)
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _short_rule(text: str) -> str:
    """A substitution rule's description up to its first sentence break, at most 80 characters."""
    first = re.split(r"(?<=[a-z0-9%)])\. |[。；;]", text.strip(), maxsplit=1)[0].strip()
    return first if len(first) <= 80 else first[:79] + "…"


@cache
def _names(lang: Lang) -> dict[str, str]:
    """Every known key (baselines, scopes, rules, regions, modes, categories, materials) -> its name in `lang`."""
    from symbiosis.core.datasets import read_records
    from symbiosis.core.taxonomy import CATEGORY_NAMES, baselines, materials
    from symbiosis.reporting.texts import REGION_NAMES, SCOPE_NAMES

    names: dict[str, str] = {}
    for key, material in materials().items():
        names[key] = pick(material.name_en, material.name_zh, lang)
    for table in (CATEGORY_NAMES, REGION_NAMES, SCOPE_NAMES, MODE_NAMES):
        for key in table:
            names[str(key)] = word(table, key, lang)
    for key, baseline in baselines().items():
        names[key] = pick(baseline.name_en, baseline.name_zh, lang)
    for row in read_records("substitutions"):
        names[row["rule_id"]] = _short_rule(pick(row["description_en"], row["description_zh"], lang))
    names["global"] = t("region_global", lang)
    return names


@cache
def _headers(lang: Lang) -> dict[str, str]:
    """Schema keys -> the header a user of `lang` knows."""
    from symbiosis.core.schema import TABLES, columns

    shown: dict[str, str] = {}
    for table in TABLES:
        for col in columns(table):
            if is_zh(lang):
                shown.setdefault(col.name, col.header_zh or col.name)
            elif not col.name.endswith("_id"):
                shown.setdefault(col.name, col.name.replace("_", " "))
    return shown


def _cell(value: Any, names: dict[str, str], sep: str, as_typed: bool) -> Any:
    if value is None or value is pd.NA or value is pd.NaT or isinstance(value, bool):
        return "" if not isinstance(value, bool) else value
    if isinstance(value, int | float):
        if value != value:
            return ""
        if float(value).is_integer() and abs(value) < SMALL_INT:
            return int(value)
        return number_text(float(value))
    text = str(value)
    if text in ("None", "nan", "NaN", "<NA>", "NaT"):
        return ""
    if as_typed:
        return text
    if text in names:
        return names[text]
    if ", " in text:
        parts = text.split(", ")
        if all(p in names for p in parts):
            return sep.join(names[p] for p in parts)
    text = RULE_ID.sub(lambda m: f"“{names[m.group()]}”" if m.group() in names else m.group(), text)
    return E_NOTATION.sub(lambda m: number_text(float(m.group())), text)


def _column(series: pd.Series, names: dict[str, str], sep: str, as_typed: bool) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        return series
    if pd.api.types.is_integer_dtype(series) and (series.abs() < SMALL_INT).all():
        return series
    values = [_cell(v, names, sep, as_typed) for v in series.tolist()]
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pd.Series(values, index=series.index, dtype="int64")
    return pd.Series([v if isinstance(v, bool) else str(v) if not isinstance(v, str) else v for v in values],
                     index=series.index, dtype=object)


def readable(frame: pd.DataFrame, lang: Lang, *, keep: Iterable[str] = ()) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The frame as a planner reads it (see the module) and a column_config whose widths fit the cells."""
    names = _names("zh" if is_zh(lang) else "en")
    headers = _headers("zh" if is_zh(lang) else "en")
    kept = set(keep)
    out = pd.DataFrame(index=frame.index)
    config: dict[str, Any] = {}
    for position, column in enumerate(frame.columns):
        series = frame.iloc[:, position]
        label = headers.get(str(column), str(column))
        while label in out.columns:
            label += " "
        out[label] = _column(series, names, "、" if is_zh(lang) else ", ", str(column) in kept)
        longest = max((len(str(v)) for v in out[label].tolist()), default=0)
        width: Literal["small", "medium", "large"] = (
            "large" if longest > LONG_TEXT else "medium" if longest > 12 or len(label) > 12 else "small")
        config[label] = st.column_config.Column(label, width=width, help=str(column) if label != column else None)
    return out.reset_index(drop=True), config
