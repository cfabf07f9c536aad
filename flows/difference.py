"""What changed between two states of a park: the Sankey link tables of A and B joined, each flow classified.

A and B are two plans on a park (two saved scenarios), or the park before and after one plan (plan A = None).
Both sides come from `flows.sankey.sankey_links` in one basis and at one level, so units never mix and a flow
is the same Sankey band a planner already knows. The tables are outer-joined on (source, target) and, by
level, the material category or the material; a flow only in B is "added", only in A "removed", in both
"grown", "shrunk" or "unchanged" (within a relative tolerance). The sum of the changes is B's total minus A's.

The figure is a diverging bar chart, one bar per changed flow ("from → to · material"), sorted by the size of
the change: increases to the right in green, decreases to the left in red, added/removed drawn solid and
grown/shrunk lighter, the signed change written on each bar. A Sankey of |change| would add a node's
increases and decreases into one thickness (a node whose flows grew by 100 and shrank by 100 would look busy
although nothing changed in total) and hides the sign in a colour; bars keep the sign in the position, the
label on its own row (never overlapping), and the height grows with the number of bars.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from flows.labels import BASES, BASIS_NAMES, Lang, category_label, fmt_quantity, material_label, unit_label
from flows.sankey import FONT_FAMILY, LEVELS, sankey_links
from symbiosis.core.factors import FactorTable
from symbiosis.core.i18n import register, render, word
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan

KINDS: tuple[str, ...] = ("added", "removed", "grown", "shrunk", "unchanged")
DIFF_COLUMNS: tuple[str, ...] = ("source", "target", "source_label", "target_label", "category", "material",
                                 "value_a", "value_b", "change", "kind", "unit")
KIND_COLOURS: dict[str, str] = {"added": "#1a7f37", "grown": "#7cc38b", "removed": "#c0392b", "shrunk": "#f0a097",
                                "unchanged": "#bbbbbb"}
MAX_BARS = 30
REL_TOL = 1e-6

KIND_NAMES = register("flows.change", {
    "added": ("added", "新增"),
    "removed": ("removed", "取消"),
    "grown": ("grown", "增加"),
    "shrunk": ("shrunk", "减少"),
    "unchanged": ("unchanged", "不变"),
})
TEXTS = register("flows.difference", {
    "heading": ("What changes, B against A: {basis} ({unit})", "B 相对于 A 的变化：{basis}（{unit}）"),
    "axis": ("change, B − A ({unit})", "变化量，B − A（{unit}）"),
    "other_up": ("{n} other increases", "其余 {n} 项增加"),
    "other_down": ("{n} other decreases", "其余 {n} 项减少"),
    "no_change": ("no flow in {basis} changes", "以{basis}计的流没有变化"),
    "hover": ("{link}<br>{kind}: <b>{change} {unit}</b><br>A: {a} {unit} → B: {b} {unit}",
              "{link}<br>{kind}：<b>{change} {unit}</b><br>A：{a} {unit} → B：{b} {unit}"),
    "flow": ("{source} → {target} · {what}", "{source} → {target}：{what}"),
    "names_sep": (", ", "、"),
})


def _t(key: str, lang: Lang, **params: object) -> str:
    return render(TEXTS.code(key), lang, **params)


def _key_column(level: str) -> str | None:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return {"enterprise": None, "category": "category", "material": "material"}[level]


def _union(*texts: object) -> str:
    items: list[str] = []
    for text in texts:
        if isinstance(text, str):
            items.extend(m for m in text.split(";") if m and m not in items)
    return ";".join(items)


def classify(value_a: float, value_b: float, in_a: bool, in_b: bool, rel_tol: float = REL_TOL) -> str:
    """added / removed / grown / shrunk / unchanged for one flow (absent = not a link of that side's table)."""
    if in_b and not in_a:
        return "added"
    if in_a and not in_b:
        return "removed"
    change = value_b - value_a
    if abs(change) <= rel_tol * max(abs(value_a), abs(value_b), 1.0):
        return "unchanged"
    return "grown" if change > 0 else "shrunk"


def difference(links_a: pd.DataFrame, links_b: pd.DataFrame, *, level: str = "category",
               rel_tol: float = REL_TOL) -> pd.DataFrame:
    """Two sankey_links() tables (same basis and level) joined and classified (columns DIFF_COLUMNS).

    Rows are sorted by |change|, largest first; `change` = value_b − value_a with an absent side as 0.
    """
    key = _key_column(level)
    on = ["source", "target"] + ([key] if key else [])

    def side(links: pd.DataFrame, tag: str) -> pd.DataFrame:
        cols = ["source", "target", "source_label", "target_label", "category", "material", "value", "unit"]
        frame = links[cols].copy() if len(links) else pd.DataFrame(columns=cols)
        frame["value"] = frame["value"].astype(float)
        return frame.rename(columns={c: f"{c}_{tag}" for c in cols if c not in on}).assign(**{f"in_{tag}": True})

    merged = side(links_a, "a").merge(side(links_b, "b"), on=on, how="outer")
    records = []
    for r in merged.to_dict("records"):
        in_a, in_b = r.get("in_a") is True, r.get("in_b") is True
        a = float(r["value_a"]) if in_a else 0.0
        b = float(r["value_b"]) if in_b else 0.0

        def both(name: str, r: dict = r, in_b: bool = in_b) -> object:  # B's text where B has the flow
            return r[f"{name}_b"] if in_b else r[f"{name}_a"]

        category = r["category"] if key == "category" else (
            str(both("category")) if not (in_a and in_b) or r["category_a"] == r["category_b"] else "mixed")
        records.append({
            "source": r["source"], "target": r["target"], "source_label": both("source_label"),
            "target_label": both("target_label"), "category": category,
            "material": r["material"] if key == "material" else _union(r.get("material_a"), r.get("material_b")),
            "value_a": a, "value_b": b, "change": b - a, "kind": classify(a, b, in_a, in_b, rel_tol),
            "unit": both("unit")})
    out = pd.DataFrame.from_records(records, columns=list(DIFF_COLUMNS))
    if len(out):
        out = out.assign(_size=out["change"].abs()).sort_values(
            ["_size", "source", "target"], ascending=[False, True, True], kind="stable").drop(columns="_size")
    return out.reset_index(drop=True)


def difference_links(park_a: Park | nx.MultiDiGraph, plan_a: Plan | None,
                     park_b: Park | nx.MultiDiGraph | None = None, plan_b: Plan | None = None, *,
                     basis: str = "mass", level: str = "category", lang: Lang = "en",
                     factors: FactorTable | None = None, rel_tol: float = REL_TOL) -> pd.DataFrame:
    """The difference between A = (park_a, plan_a) and B = (park_b or park_a, plan_b); plan_a None = before."""
    links_a = sankey_links(park_a, plan_a, basis=basis, level=level, lang=lang, factors=factors)
    links_b = sankey_links(park_a if park_b is None else park_b, plan_b, basis=basis, level=level, lang=lang,
                           factors=factors)
    return difference(links_a, links_b, level=level, rel_tol=rel_tol)


def kind_label(kind: str, lang: Lang) -> str:
    return word(KIND_NAMES, kind, lang)


def flow_label(rec: dict | pd.Series, lang: Lang, level: str = "category") -> str:
    """"from → to · what": the material(s) at level material, the category otherwise (enterprise: both)."""
    materials = _t("names_sep", lang).join(material_label(m, lang) for m in str(rec["material"]).split(";") if m)
    category = category_label(str(rec["category"]), lang) if rec["category"] != "mixed" else materials
    what = materials if level == "material" else category
    return _t("flow", lang, source=rec["source_label"], target=rec["target_label"], what=what)


def difference_figure(diff: pd.DataFrame, *, basis: str = "mass", level: str = "category", lang: Lang = "en",
                      title: str | None = None, max_bars: int = MAX_BARS) -> go.Figure:
    """A diverging bar chart of a difference() table: one bar per changed flow, the rest summed by sign."""
    unit = unit_label(BASES[basis][0])
    basis_name = word(BASIS_NAMES, basis, lang)
    changed = diff[diff["kind"] != "unchanged"] if len(diff) else diff
    shown, rest = changed.iloc[:max_bars], changed.iloc[max_bars:]
    labels, values, colours, hovers, texts = [], [], [], [], []
    for rec in shown.to_dict("records"):
        link = flow_label(rec, lang, level)
        labels.append(link)
        values.append(float(rec["change"]))
        colours.append(KIND_COLOURS[rec["kind"]])
        texts.append(f"{'+' if rec['change'] > 0 else ''}{fmt_quantity(rec['change'])}")
        hovers.append(_t("hover", lang, link=link, kind=kind_label(rec["kind"], lang),
                         change=texts[-1], unit=unit, a=fmt_quantity(rec["value_a"]),
                         b=fmt_quantity(rec["value_b"])))
    for sign, key, colour in ((1, "other_up", KIND_COLOURS["grown"]), (-1, "other_down", KIND_COLOURS["shrunk"])):
        part = rest[rest["change"] * sign > 0] if len(rest) else rest
        if len(part):
            total = float(part["change"].sum())
            labels.append(_t(key, lang, n=len(part)))
            values.append(total)
            colours.append(colour)
            texts.append(f"{'+' if total > 0 else ''}{fmt_quantity(total)}")
            hovers.append(labels[-1])
    # one row per bar, the largest change at the top (the y axis is reversed)
    bars = go.Bar(x=values, y=list(range(len(values))), orientation="h", marker={"color": colours},
                  text=texts, textposition="outside", customdata=hovers,
                  hovertemplate="%{customdata}<extra></extra>", showlegend=False, cliponaxis=False)
    fig = go.Figure(bars)
    for kind in ("added", "grown", "shrunk", "removed"):  # a legend of the four kinds
        fig.add_trace(go.Bar(x=[None], y=[None], orientation="h", name=kind_label(kind, lang),
                             marker={"color": KIND_COLOURS[kind]}, showlegend=True))
    n = max(len(values), 1)
    low, high = min([0.0, *values]), max([0.0, *values])
    pad = 0.18 * ((high - low) or 1.0)  # room for the value written outside the longest bars
    fig.update_layout(
        title={"text": title or _t("heading", lang, basis=basis_name, unit=unit)},
        font={"family": FONT_FAMILY, "size": 12}, height=160 + 28 * n, barmode="overlay", bargap=0.25,
        margin={"l": 20, "r": 40, "t": 70, "b": 50}, plot_bgcolor="white",
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1.0, "xanchor": "right"},
        xaxis={"title": {"text": _t("axis", lang, unit=unit)}, "zeroline": True, "zerolinecolor": "#333333",
               "zerolinewidth": 1.5, "gridcolor": "#eeeeee", "separatethousands": True, "automargin": True,
               "range": [low - (pad if low < 0 else 0), high + (pad if high > 0 else 0)]},
        yaxis={"tickmode": "array", "tickvals": list(range(len(values))), "ticktext": labels,
               "autorange": "reversed", "automargin": True})
    if not len(values):
        fig.add_annotation(text=_t("no_change", lang, basis=basis_name), showarrow=False, x=0.5, y=0.5,
                           xref="paper", yref="paper")
    return fig
