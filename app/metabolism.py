"""Metabolism page helpers: Sankey filters and titles, balance tables in the user's language."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from app.i18n import lang_column, t, word
from flows.labels import BASES, BASIS_NAMES
from symbiosis.core.i18n import Lang
from symbiosis.core.taxonomy import CATEGORY_NAMES

BASIS_ORDER: tuple[str, ...] = ("mass", "water", "heat", "co2e", "energy")
LEVEL_ORDER: tuple[str, ...] = ("category", "material", "enterprise")


def basis_label(basis: str, lang: Lang) -> str:
    """A short label for the basis radio, e.g. "water (m³/a)"; basis_help has the long definition."""
    unit = BASES[basis][0].replace("m3", "m³").replace("CO2", "CO₂")
    return f"{t(f'basis_{basis}', lang)} ({unit})"


def basis_help(lang: Lang) -> str:
    return "  \n".join(f"**{t(f'basis_{b}', lang)}**: {word(BASIS_NAMES, b, lang)}" for b in BASIS_ORDER)


def sankey_height(links: pd.DataFrame) -> int:
    """Tall enough for the nodes to be read: grows with how many nodes the diagram has."""
    nodes = len(set(links["source"]) | set(links["target"])) if len(links) else 0
    return int(min(1600, max(520, 260 + 14 * nodes)))


def category_label(category: str, lang: Lang) -> str:
    return word(CATEGORY_NAMES, category, lang)


def filter_links(links: pd.DataFrame, categories: Iterable[str] = (), enterprises: Iterable[str] = (),
                 min_share: float = 0.0, boundary: bool = True) -> pd.DataFrame:
    """The Sankey links kept by the filters.

    categories: keep links of these material categories (none given: all). enterprises: keep links with one of
    these enterprises at either end (none: all). min_share: drop links smaller than this share of the largest.
    boundary: False drops flows to and from outside the park (supplies and fates), leaving exchanges and links.
    """
    out = links
    cats = set(categories)
    if cats:
        out = out[out["category"].isin(cats)]
    ents = set(enterprises)
    if ents:
        out = out[out["source"].isin(ents) | out["target"].isin(ents)]
    if not boundary:
        out = out[~out["source"].str.startswith("boundary:") & ~out["target"].str.startswith("boundary:")]
    if min_share > 0 and len(out):
        out = out[out["value"] >= min_share * float(out["value"].max())]
    return out.reset_index(drop=True)


_EDGE = re.compile(r"^\s*(n\d+) -> (n\d+)", re.M)
_NODE = re.compile(r'^\t(n\d+) \[label="(?:[^"\\]|\\.)*"[^\]]*\]\n', re.M | re.S)


def linked_only(dot: str) -> tuple[str, int]:
    """The network's DOT without the enterprises that have no link at all, and how many were left out.

    A park of dozens of enterprises with a few exchanges otherwise draws as one long column of lone boxes.
    Works on the DOT that flows.network_dot writes (nodes n0, n1, ... with one quoted label each).
    """
    linked = {name for pair in _EDGE.findall(dot) for name in pair}
    dropped = 0

    def keep(match: re.Match[str]) -> str:
        nonlocal dropped
        if match.group(1) in linked:
            return match.group(0)
        dropped += 1
        return ""

    return _NODE.sub(keep, dot), dropped


def sankey_title(park_name: str, basis: str, state: str, lang: Lang) -> str:
    return t("sankey_title", lang, park=park_name, basis=basis_label(basis, lang), state=t(f"state_{state}", lang))


def balance_table(table: pd.DataFrame, lang: Lang, flagged_only: bool = True) -> pd.DataFrame:
    """Balances for a user: enterprise, what is balanced, in, out, gap, status and the note, in `lang`."""
    rows = table[table["flagged"]] if flagged_only else table
    if flagged_only:
        rows = rows.reindex(rows["gap"].abs().sort_values(ascending=False).index)
    status = {s: t(f"balance_{s}", lang) for s in ("balanced", "in_exceeds_out", "out_exceeds_in")}
    out = pd.DataFrame({
        t("col_enterprise", lang): rows["enterprise_id"] + " " + rows["enterprise_name"].astype(str),
        t("col_balance_of", lang): rows[lang_column("name_en", "name_zh", lang)],
        t("col_unit", lang): rows["unit"].str.replace("m3", "m³"),
        t("col_in", lang): rows["inflow"].round(3),
        t("col_out", lang): rows["outflow"].round(3),
        t("col_gap", lang): rows["gap"].round(3),
        t("col_status", lang): rows["status"].map(status),
        t("col_note", lang): rows[lang_column("note", "note_zh", lang)],
    })
    return out.reset_index(drop=True)


def enterprise_options(enterprises: pd.DataFrame) -> dict[str, str]:
    """enterprise_id -> "id name", for the enterprise filter."""
    return {str(e): f"{e} {n}" for e, n in zip(enterprises["enterprise_id"], enterprises["name"], strict=True)}


KEYSTONE_COLUMNS: tuple[str, ...] = ("enterprise_id", "name", "links", "existing_links", "proposed_links", "partners",
                                     "avoided_tco2e_lost", "stranded")


def keystones_table(table: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """flows.keystones with headers in `lang`."""
    out = table[list(KEYSTONE_COLUMNS)].copy()
    out["avoided_tco2e_lost"] = out["avoided_tco2e_lost"].round(1)
    return out.rename(columns={c: t(f"ks_{c}", lang) for c in KEYSTONE_COLUMNS})


def metrics_table(table: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    names = table[lang_column("name_en", "name_zh", lang)]
    return pd.DataFrame({t("col_metric", lang): names, t("col_value", lang): table["value"].round(4)})


def notes_table(table: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Graph warnings and assumptions (compute.flow_warnings) with headers in `lang`."""
    out = table[["ref", "file", "row", "message"]].copy()
    return out.rename(columns={c: t(f"note_{c}", lang) for c in ("ref", "file", "row", "message")})
