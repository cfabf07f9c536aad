"""Metabolism page helpers: Sankey filters and titles, balance tables in the user's language."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from app.i18n import lang_column, t, word
from flows.labels import BASES, BASIS_NAMES
from flows.sankey import sector_label
from symbiosis.core.i18n import Lang, register, render
from symbiosis.core.taxonomy import CATEGORY_NAMES

BASIS_ORDER: tuple[str, ...] = ("mass", "water", "heat", "co2e", "energy")
LEVEL_ORDER: tuple[str, ...] = ("category", "material", "enterprise")
GROUP_NONE = "__none__"  # every enterprise its own node
GROUP_ALL = "__all__"  # every sector one node
GROUP_BY_DEFAULT_FROM = 30  # parks with more enterprises than this open grouped by sector
OTHER_SHARE_DEFAULT = 0.5  # percent of the basis total

# The Sankey's legibility controls (codes "app.metabolism.<key>").
SK = register("app.metabolism", {
    "other_share": ("Merge enterprises carrying less than this share of the total into “other” (%)",
                    "占总量比例低于此值的企业并入“其他”（%）"),
    "other_help": ("The share of the sum of all flows in the basis shown. Flows are re-routed, never dropped: the "
                   "totals stay the same. Hover “other” to see what it holds.",
                   "按所选口径全部流量之和计。流量只是归并、不会删除，总量不变。鼠标悬停在“其他”上可查看其包含的企业。"),
    "group": ("Enterprises", "企业分组"),
    "group_none": ("each enterprise", "逐个企业"),
    "group_all": ("grouped by sector", "按行业分组"),
    "group_expand": ("by sector, {sector} expanded", "按行业分组，展开：{sector}"),
    "group_help": ("Draw the enterprises of a sector as one node; choose a sector to see its enterprises.",
                   "将同一行业的企业合为一个节点；选择某一行业可展开查看其中的企业。"),
})


def sk_text(key: str, lang: Lang, **params: object) -> str:
    return render(SK.code(key), lang, **params)


def park_sectors(enterprises: pd.DataFrame) -> dict[str, str]:
    """enterprise_id -> sector ("" when not given)."""
    column = enterprises["sector"] if "sector" in enterprises else pd.Series([""] * len(enterprises),
                                                                            index=enterprises.index)
    return {str(e): "" if pd.isna(s) else str(s) for e, s in zip(enterprises["enterprise_id"], column, strict=True)}


def group_options(sectors: dict[str, str]) -> list[str]:
    """The grouping choices: each enterprise, all sectors grouped, then each sector with two or more enterprises
    expanded (drill-down)."""
    counts: dict[str, int] = {}
    for sector in sectors.values():
        counts[sector] = counts.get(sector, 0) + 1
    return [GROUP_NONE, GROUP_ALL, *sorted(s for s, n in counts.items() if n > 1)]


def group_label(option: str, lang: Lang) -> str:
    if option == GROUP_NONE:
        return sk_text("group_none", lang)
    if option == GROUP_ALL:
        return sk_text("group_all", lang)
    return sk_text("group_expand", lang, sector=sector_label(option, lang))


def default_group(sectors: dict[str, str]) -> str:
    return GROUP_ALL if len(sectors) > GROUP_BY_DEFAULT_FROM and len(set(sectors.values())) > 1 else GROUP_NONE


def basis_label(basis: str, lang: Lang) -> str:
    """A short label for the basis radio, e.g. "water (m³/a)"; basis_help has the long definition."""
    unit = BASES[basis][0].replace("m3", "m³").replace("CO2", "CO₂")
    return f"{t(f'basis_{basis}', lang)} ({unit})"


def basis_help(lang: Lang) -> str:
    return "  \n".join(f"**{t(f'basis_{b}', lang)}**: {word(BASIS_NAMES, b, lang)}" for b in BASIS_ORDER)


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
