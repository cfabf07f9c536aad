"""Scenarios page helpers: save the current options, edits and plan under a name; compare two side by side."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from app import data as dh
from app import options as opts
from app.i18n import pick, t, word
from app.opportunities import encode, link_key, text_units
from app.state import Saved, StateLike, Workspace
from flows.difference import kind_label as diff_kind_label
from flows.labels import BASES, category_label, fmt_quantity, material_label, unit_label
from symbiosis.core.i18n import Lang
from symbiosis.core.plan import Link, Plan
from symbiosis.core.scenario import LinkKey, Scenario, ScenarioError
from symbiosis.core.taxonomy import CATEGORY_NAMES


def result_summary(plan: Plan | None) -> dict[str, Any]:
    """What a saved scenario file records about its plan (informative; a plan is re-solved, not read back)."""
    if plan is None:
        return {}
    return {"status": plan.status, "objective_tco2e": plan.objective_tco2e, "gap": plan.gap,
            "net_tco2e": plan.net_tco2e, "links": [encode(link_key(x)) for x in plan.links]}


def save_preview(ws: Workspace, name: str | None = None) -> Scenario:
    """The current scenario as it would be saved: every option explicit, the park named, the plan summarised."""
    if ws.park is None:
        return ws.scenario
    key = opts.SolveRequest.of(ws.scenario, ws.park).key()
    plan = ws.plan if ws.plan_is_current(key) else None
    return replace(ws.scenario, name=name or ws.scenario.name,
                   options=opts.complete(ws.scenario.options, ws.park).table(),
                   park=ws.park.config.name, park_hash=ws.base_key, result=result_summary(plan))


def save_current(ws: Workspace, name: str) -> Saved | None:
    """Save the current scenario (options, forced/forbidden links, edits) with its park and plan under `name`.

    The plan is saved only when it was solved for exactly this park and these options; else the scenario is
    saved without one (and says so on the page). Saving under an existing name replaces it.
    """
    name = name.strip()
    if not name or ws.park is None:
        return None
    request = opts.SolveRequest.of(ws.scenario, ws.park)
    key = request.key()
    plan = ws.plan if ws.plan_is_current(key) else None
    scenario = replace(ws.scenario, name=name, options=request.options.table(),
                       park=ws.park.config.name, park_hash=ws.base_key, result=result_summary(plan))
    ws.scenario = replace(ws.scenario, name=name)
    saved = Saved(scenario=scenario, park=ws.park, park_key=ws.park_key, plan=plan, options_key=key)
    ws.saved[name] = saved
    if ws.workshop is not None:  # a workshop group: the scenario and its solve go to the store (app.workshop)
        ws.workshop.record(saved)
    return saved


def load_saved(ws: Workspace, name: str, state: StateLike) -> bool:
    """Make a saved scenario current again: its edits, its options (in the option widgets too) and its plan."""
    saved = ws.saved.get(name)
    if saved is None or ws.base_park is None:
        return False
    if not dh.set_scenario(ws, saved.scenario):
        return False
    push_to_widgets(ws, saved.scenario, state)
    if saved.plan is not None and saved.park_key == ws.park_key:
        ws.plan, ws.plan_park_key, ws.plan_options_key = saved.plan, ws.park_key, saved.options_key
        ws.plan_request = opts.SolveRequest.of(saved.scenario, ws.park) if ws.park is not None else None
    if ws.workshop is not None:  # remembered in the URL: a reload opens it again
        ws.workshop.opened(name)
    return True


def open_scenario_file(ws: Workspace, scenario: Scenario, state: StateLike) -> bool:
    """Apply a scenario read from a file to the open park (edits re-validated); the plan must be re-run."""
    if ws.base_park is None:
        return False
    try:  # check the options first, so a bad file changes nothing
        opts.complete(scenario.options, ws.base_park).widgets()
    except (TypeError, ValueError, KeyError) as exc:
        raise ScenarioError(f"scenario [options]: {exc}") from exc
    if not dh.set_scenario(ws, scenario):
        return False
    push_to_widgets(ws, scenario, state)
    return True


def push_to_widgets(ws: Workspace, scenario: Scenario, state: StateLike) -> None:
    """Set the Opportunities page's widgets (and their remembered values) to a scenario's options and links."""
    if ws.park is None:
        return
    values = opts.complete(scenario.options, ws.park).widgets()
    values["forced_links"] = [encode(k) for k in scenario.forced]
    values["forbidden_links"] = [encode(k) for k in scenario.forbidden]
    for key, value in values.items():
        ws.ui[key] = value
        state[key] = value


def saved_table(ws: Workspace, lang: Lang) -> pd.DataFrame:
    rows = []
    for name, s in ws.saved.items():
        rows.append({
            t("sc_name", lang): name,
            t("sc_edits", lang): len(s.scenario.edits),
            t("sc_forced", lang): len(s.scenario.forced),
            t("sc_forbidden", lang): len(s.scenario.forbidden),
            t("sc_objective", lang): t(f"objective_{s.scenario.options.get('objective', 'emissions')}", lang),
            t("sc_status", lang): t(f"short_{s.plan.status}", lang) if s.plan is not None else t("sc_no_plan", lang),
            t("sc_links", lang): len(s.plan.links) if s.plan is not None else 0,
            t("sc_net", lang): round(s.plan.net_tco2e, 1) if s.plan is not None else None,
        })
    return pd.DataFrame(rows)


# --- comparing two -------------------------------------------------------------------------------------------------
def _links(plan: Plan | None) -> dict[LinkKey, Link]:
    return {link_key(x): x for x in plan.links} if plan is not None else {}


def link_changes(a: Saved, b: Saved, lang: Lang) -> pd.DataFrame:
    """Links in B and not in A (added), in A and not in B (removed), and in both with a different quantity."""
    la, lb = _links(a.plan), _links(b.plan)
    rows = []
    for key in sorted(set(la) | set(lb)):
        x, y = la.get(key), lb.get(key)
        if x is not None and y is not None and abs(x.quantity - y.quantity) <= 1e-6 * max(abs(x.quantity), 1.0):
            continue
        change = "added" if x is None else "removed" if y is None else "changed"
        link = y or x
        assert link is not None
        rows.append({
            t("cmp_change", lang): t(f"cmp_{change}", lang),
            t("lk_link", lang): encode(key),
            t("lk_material", lang): f"{material_label(link.material_out, lang)} → {material_label(link.material_in, lang)}",
            t("cmp_quantity_a", lang): round(x.quantity, 1) if x else None,
            t("cmp_quantity_b", lang): round(y.quantity, 1) if y else None,
            t("lk_unit", lang): link.unit.replace("m3", "m³"),
            t("cmp_net_a", lang): round(x.net_tco2e(a.plan.include_scope2), 1) if x and a.plan else None,
            t("cmp_net_b", lang): round(y.net_tco2e(b.plan.include_scope2), 1) if y and b.plan else None,
        })
    return pd.DataFrame(rows)


def change_counts(a: Saved, b: Saved) -> dict[str, int]:
    la, lb = _links(a.plan), _links(b.plan)
    return {"added": len(set(lb) - set(la)), "removed": len(set(la) - set(lb)), "both": len(set(la) & set(lb))}


def indicator_comparison(ind_a: pd.DataFrame, ind_b: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Two scenarios' indicators (each with its plan) side by side, with the threshold and pass/fail."""
    from app.indicators import _passed, threshold_text  # the same wording as the Indicators page
    from flows import format_value

    b = ind_b.set_index("indicator_id")
    rows = []
    for r in ind_a.to_dict("records"):
        other = b.loc[r["indicator_id"]] if r["indicator_id"] in b.index else None
        rows.append({
            t("col_indicator", lang): pick(str(r["name_en"]), str(r["name_zh"]), lang),
            t("col_threshold", lang): threshold_text(r, lang),
            t("cmp_value_a", lang): format_value(pd.Series(r), lang),
            t("cmp_pass_a", lang): _passed(r["passed"], lang),
            t("cmp_value_b", lang): format_value(other, lang) if other is not None else "—",
            t("cmp_pass_b", lang): _passed(other["passed"], lang) if other is not None else "—",
        })
    return pd.DataFrame(rows)


OPTION_LABELS: dict[str, str] = opts.SCALAR_KEYS  # an option's label is its widget's text


def _flat_options(options: dict[str, Any], lang: Lang) -> dict[str, str]:
    """Options as (label in `lang`) -> value text, tables spread out per mode and per category."""
    out: dict[str, str] = {}
    for name, key in OPTION_LABELS.items():
        if name in options:
            value = options[name]
            if name == "objective":
                value = t(f"objective_{value}", lang)
            elif value is None:  # no budget, no target
                value = "—"
            elif name == "budget_capex_cny":  # the label says million CNY, as the widget
                value = f"{float(value) / opts.BUDGET_UNIT:g}"
            elif isinstance(value, bool):
                value = t("yes" if value else "no", lang)
            out[t(key, lang)] = str(value)
    for mode, km in (options.get("reach_km") or {}).items():
        out[f"{t('sc_reach', lang)}: {word('mode', mode, lang)}"] = f"{km:g} km"
    for category, q in (options.get("min_link_quantity") or {}).items():
        out[f"{t('sc_min', lang)}: {word(CATEGORY_NAMES, category, lang)}"] = f"{q:g} {t(f'unit_of_{category}', lang)}"
    return out


def differences(a: Saved, b: Saved, lang: Lang) -> pd.DataFrame:
    """What differs between the two scenarios' settings: options, forced/forbidden links, edits."""
    rows: list[tuple[str, str, str]] = []
    oa, ob = _flat_options(a.scenario.options, lang), _flat_options(b.scenario.options, lang)
    for label in oa | ob:
        if oa.get(label) != ob.get(label):
            rows.append((label, oa.get(label, "—"), ob.get(label, "—")))
    for what, x, y in (("forced", a.scenario.forced, b.scenario.forced),
                       ("forbidden", a.scenario.forbidden, b.scenario.forbidden)):
        if set(x) != set(y):
            rows.append((t(f"sc_{what}", lang), ", ".join(encode(k) for k in x) or "—",
                         ", ".join(encode(k) for k in y) or "—"))
    ea = {(e.stream_id, e.column): e.value for e in a.scenario.edits}
    eb = {(e.stream_id, e.column): e.value for e in b.scenario.edits}
    for key in sorted(set(ea) | set(eb)):
        if ea.get(key) != eb.get(key):
            rows.append((f"{t('sc_edit', lang)} {key[0]}.{key[1]}", str(ea.get(key, "—")), str(eb.get(key, "—"))))
    return pd.DataFrame(rows, columns=[t("cmp_setting", lang), t("cmp_a", lang), t("cmp_b", lang)])


# --- the difference view: what changes in the park's flows, B against A ------------------------------------------
DIFF_LEVELS: tuple[str, ...] = ("category", "enterprise", "material")


def difference_table(diff: pd.DataFrame, basis: str, level: str, lang: Lang,
                     show_unchanged: bool = False) -> pd.DataFrame:
    """A flows.difference() table as a planner reads it: from → to, what, quantity A and B, change, kind."""
    unit = unit_label(BASES[basis][0])
    shown = diff if show_unchanged or not len(diff) else diff[diff["kind"] != "unchanged"]
    rows = []
    for r in shown.to_dict("records"):
        materials = ", ".join(material_label(m, lang) for m in str(r["material"]).split(";") if m)
        category = category_label(str(r["category"]), lang) if r["category"] != "mixed" else ""
        what = materials if level == "material" or not category else f"{category}: {materials}"
        rows.append({
            t("cmp_diff_from", lang): r["source_label"], t("cmp_diff_to", lang): r["target_label"],
            t("cmp_diff_what", lang): what,
            t("cmp_diff_a", lang, unit=unit): fmt_quantity(r["value_a"]),
            t("cmp_diff_b", lang, unit=unit): fmt_quantity(r["value_b"]),
            t("cmp_diff_change", lang, unit=unit): ("+" if r["change"] > 0 else "") + fmt_quantity(r["change"]),
            t("cmp_diff_kind", lang): diff_kind_label(r["kind"], lang),
        })
    columns = [t("cmp_diff_from", lang), t("cmp_diff_to", lang), t("cmp_diff_what", lang),
               t("cmp_diff_a", lang, unit=unit), t("cmp_diff_b", lang, unit=unit),
               t("cmp_diff_change", lang, unit=unit), t("cmp_diff_kind", lang)]
    return pd.DataFrame(rows, columns=columns)


def difference_totals(diff: pd.DataFrame, basis: str, lang: Lang) -> str:
    """One sentence: the totals of A and B in the basis, their difference, and how many flows of each kind."""
    counts = diff["kind"].value_counts().to_dict() if len(diff) else {}
    a, b = float(diff["value_a"].sum()) if len(diff) else 0.0, float(diff["value_b"].sum()) if len(diff) else 0.0
    change = b - a
    return t("cmp_diff_totals", lang, a=fmt_quantity(a), b=fmt_quantity(b),
             change=("+" if change > 0 else "") + fmt_quantity(change), unit=unit_label(BASES[basis][0]),
             **{k: counts.get(k, 0) for k in ("added", "removed", "grown", "shrunk")})


WRAP_UNITS = 46  # a bar label longer than this (in Latin letters, a Chinese character counting two) is wrapped
_BREAKS = re.compile(r"(?<=→ )|(?= · )|(?<=：)|(?<=, )|(?<=、)")


def wrap_label(text: str, units: int = WRAP_UNITS) -> str:
    """A long bar label on two or more lines: broken after "→", before "·" (after "：" in Chinese) and between
    names, never inside a name."""
    if text_units(text) <= units:
        return text
    lines, line = [], ""
    for part in _BREAKS.split(text):
        if line.strip() and text_units(line + part) > units:
            lines.append(line.rstrip())
            line = part.lstrip()
        else:
            line += part
    lines.append(line.strip())
    return "<br>".join(x for x in lines if x)


def readable_difference(fig: go.Figure) -> go.Figure:
    """The difference bar chart as it reads on a park of hundreds of enterprises: long row labels wrapped (the
    bars keep most of the width), rows as tall as their lines, room beside the bars for the value written
    outside the longest ones, the title clear above the legend and the axis title clear below."""
    ticks = [str(x) for x in (fig.layout.yaxis.ticktext or ())]
    if not ticks:
        return fig
    wrapped = [wrap_label(x) for x in ticks]
    lines = max(w.count("<br>") + 1 for w in wrapped)
    row = 28 if lines == 1 else 15 * lines + 10
    values = [float(v) for v in fig.data[0].x if v is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    pad = 0.3 * ((high - low) or 1.0)
    fig.update_layout(
        height=210 + row * len(ticks), margin={"l": 20, "r": 50, "t": 100, "b": 80},
        title={"yref": "container", "y": 1.0, "yanchor": "top", "pad": {"t": 12}, "x": 0.01, "xanchor": "left"},
        yaxis={"ticktext": wrapped},
        xaxis={"range": [low - (pad if low < 0 else 0), high + (pad if high > 0 else 0)]})
    return fig
