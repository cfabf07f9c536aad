"""`symbiosis metabolism PARK [--out DIR] [--lang zh|en] [--plan PLAN_JSON]`: the park's metabolism.

Prints the balances and the indicators (before and after the plan when one is given); writes the Sankey diagrams
(one offline HTML file, plotly.js embedded), the enterprise network as DOT, and the tables as CSV in UTF-8 with
BOM so that Excel opens the Chinese text, through the export guard (symbiosis.core.excel): text a spreadsheet would
read as a formula gets a leading apostrophe, cells with line breaks are quoted.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from symbiosis.commands.common import add_park_argument, load_or_report, print_table
from symbiosis.core.excel import write_csv
from symbiosis.core.i18n import Lang, as_lang, lang_column, pick, register, render, word

if TYPE_CHECKING:
    import networkx as nx

    from symbiosis.core.plan import Plan

CSV_ENCODING = "utf-8-sig"
BASES_DRAWN: tuple[str, ...] = ("mass", "water", "energy", "co2e")
MAX_PRINTED_BALANCES = 60


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("metabolism", help="flows, balances, indicators and Sankey diagrams / 园区代谢分析")
    add_park_argument(parser)
    parser.add_argument("--out", default="metabolism_out", help="folder for the HTML, DOT and CSV files / 输出目录")
    parser.add_argument("--plan", default=None,
                        help="plan JSON (from `symbiosis match`) to show the after-state / 方案 JSON 文件")


TEXTS = register("cli.metabolism", {
    # column heads
    "indicator": ("indicator", "指标"), "before": ("before", "现状"), "passed": ("passed", "达标"),
    "with_plan": ("with plan", "方案后"), "passed_after": ("passed ", "达标 "),  # a second, distinct head
    "value": ("value", "数值"), "threshold": ("threshold", "阈值"), "reliability": ("reliability", "可靠性"),
    "enterprise": ("enterprise", "企业"), "dimension": ("dimension", "维度"), "unit": ("unit", "单位"),
    "in": ("in", "投入"), "out": ("out", "产出"), "gap": ("gap", "差额"), "status": ("status", "状态"),
    "flag": ("flag", "标记"),
    # a threshold met or not
    "pass": ("pass", "达标"), "fail": ("FAIL", "未达标"),
    # what is printed
    "plan_unreadable": ("error: cannot read the plan {path}: {error}", "错误：无法读取方案 {path}：{error}"),
    "title": ("Park metabolism: {title}", "园区代谢分析：{title}"),
    "warning": ("warning ({state}): {message}", "警告（{state}）：{message}"),
    "balances": ("Balances (in against out; ! = more leaves than enters, an input is missing or a number is wrong):",
                 "物料平衡（投入对产出；! 表示产出多于投入：缺少投入行或数值有误）："),
    "balances_flagged_only": ("({n} rows; flagged rows shown, all in balances.csv)",
                              "（共 {n} 行；仅显示标记行，全部见 balances.csv）"),
    "none_flagged": ("No enterprise gives off more than it takes in.", "没有企业的产出多于投入。"),
    "indicators": ("Indicators:", "园区指标："),
    "note": ("Note — {name}: {text}", "说明——{name}：{text}"),
    "written": ("Written to {out}: sankey.html, network.dot, balances.csv, indicators.csv, network_metrics.csv, "
                "keystones.csv, flows_*.csv, sankey_*.csv, warnings.csv",
                "已写入 {out}：sankey.html、network.dot、balances.csv、indicators.csv、network_metrics.csv、"
                "keystones.csv、flows_*.csv、sankey_*.csv、warnings.csv"),
})
BALANCE_STATUS = register("cli.metabolism.balance_status", {
    "balanced": ("balanced", "平衡"), "in_exceeds_out": ("in_exceeds_out", "投入>产出"),
    "out_exceeds_in": ("out_exceeds_in", "产出>投入"),
})
STATE_NAMES = register("cli.metabolism.state", {"before": ("current state", "现状"), "after": ("with plan", "方案后")})


def _t(key: str, lang: str, **params: object) -> str:
    """Message `key` of TEXTS in `lang`."""
    return render(TEXTS.code(key), lang, **params)


def _passed_text(value: object, lang: str) -> str:
    if value is True:
        return _t("pass", lang)
    if value is False:
        return _t("fail", lang)
    return "—"


def _threshold_text(row: pd.Series) -> str:
    threshold = row["threshold"]
    if threshold is None or (isinstance(threshold, float) and math.isnan(threshold)):
        return "—"
    sign = {"max": "≤", "min": "≥"}.get(str(row["direction"]), "")
    if row["unit"] == "fraction":
        return f"{sign} {float(threshold):.0%}"
    return f"{sign} {float(threshold):g} {row['unit'] if row['unit'] != 'count' else ''}".strip()


def indicator_view(table: pd.DataFrame, lang: str, after: pd.DataFrame | None = None) -> pd.DataFrame:
    """The indicators as printed: name, value (or what it needs), threshold, pass/fail, source reliability."""
    from flows import format_value
    from flows.indicators import join_key

    rows = []
    after_by_id = after.set_index(after["indicator_id"].map(join_key)) if after is not None else None
    for _, r in table.iterrows():
        row = {_t("indicator", lang): r[lang_column("name_en", "name_zh", lang)]}
        if after_by_id is not None:
            row[_t("before", lang)] = format_value(r, lang)
            row[_t("passed", lang)] = _passed_text(r["passed"], lang)
            key = join_key(r["indicator_id"])
            a = after_by_id.loc[[key]].iloc[0] if key in after_by_id.index else None
            row[_t("with_plan", lang)] = format_value(a, lang) if a is not None else "—"
            row[_t("passed_after", lang)] = _passed_text(a["passed"], lang) if a is not None else "—"
        else:
            row[_t("value", lang)] = format_value(r, lang)
            row[_t("passed", lang)] = _passed_text(r["passed"], lang)
        row[_t("threshold", lang)] = _threshold_text(r)
        row[_t("reliability", lang)] = r["reliability"]
        rows.append(row)
    return pd.DataFrame(rows)


def balance_view(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    from flows.labels import fmt_quantity

    dims = table[table["level"] == "dimension"]
    return pd.DataFrame({
        _t("enterprise", lang): dims["enterprise_id"] + " " + dims["enterprise_name"],
        _t("dimension", lang): dims["key"],
        _t("unit", lang): dims["unit"],
        _t("in", lang): dims["inflow"].map(fmt_quantity),
        _t("out", lang): dims["outflow"].map(fmt_quantity),
        _t("gap", lang): dims["gap"].map(fmt_quantity),
        _t("status", lang): dims["status"].map(lambda s: word(BALANCE_STATUS, s, lang)),
        _t("flag", lang): dims["flagged"].map(lambda f: "!" if f else ""),
    })


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    out = frame.copy()
    for col in out.columns:  # lists (rows, factor ids) as one ;-joined cell, readable in Excel
        if out[col].map(lambda v: isinstance(v, list | tuple)).any():
            out[col] = out[col].map(lambda v: ";".join(map(str, v)) if isinstance(v, list | tuple) else v)
    write_csv(out, path, encoding=CSV_ENCODING)  # the export guard: formula-like text neutralised, CR/LF quoted


def run(args: argparse.Namespace) -> int:
    from flows import balances, compare_indicators, indicators, keystones, network_dot, network_metrics

    lang = as_lang(args.lang)
    park = load_or_report(args.park, lang)
    if park is None:
        return 1
    try:
        plan = _read_plan(args.plan)
    except (OSError, ValueError, TypeError, json.JSONDecodeError) as exc:
        print(_t("plan_unreadable", lang, path=args.plan, error=exc))
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from symbiosis.session import Session

    session = Session(park)
    before = session.graph()
    after = session.graph(plan) if plan is not None else None
    graphs = {"before": before, **({"after": after} if after is not None else {})}

    title = pick(park.name, park.config.name_zh, lang)
    print(_t("title", lang, title=title))
    _print_warnings(graphs, lang)
    table_bal = balances(before)
    _print_balances(table_bal, lang)
    ind_before = indicators(before)
    ind_after = indicators(after) if after is not None else None
    _print_indicators(ind_before, ind_after, lang)

    _write_sankeys(graphs, out, title, lang)
    shown = after if after is not None else before
    (out / "network.dot").write_text(network_dot(shown, lang=lang), encoding="utf-8")
    _write_csv(table_bal, out / "balances.csv")
    if ind_after is not None:
        assert after is not None
        _write_csv(compare_indicators(ind_before, ind_after), out / "indicators.csv")
        _write_csv(balances(after), out / "balances_after.csv")
    else:
        _write_csv(ind_before, out / "indicators.csv")
    _write_csv(network_metrics(shown), out / "network_metrics.csv")
    _write_csv(keystones(shown), out / "keystones.csv")
    _write_flows(graphs, out, lang)
    print()
    print(_t("written", lang, out=out))
    return 0


def _read_plan(path: str | None) -> Plan | None:
    """The plan JSON given with --plan (None without one); raises what reading or parsing it raises."""
    from flows import read_plan

    return read_plan(path) if path else None


def _print_warnings(graphs: dict[str, nx.MultiDiGraph], lang: Lang) -> None:
    for state, graph in graphs.items():
        for w in graph.graph["warnings"]:
            print(_t("warning", lang, state=word(STATE_NAMES, state, lang), message=w.text(lang)))


def _print_balances(table_bal: pd.DataFrame, lang: Lang) -> None:
    """The balances by dimension; only the flagged rows when there are many (all of them go to balances.csv)."""
    print()
    print(_t("balances", lang))
    view = balance_view(table_bal, lang)
    flagged = table_bal[(table_bal["level"] == "dimension") & table_bal["flagged"]]
    if len(view) > MAX_PRINTED_BALANCES:
        print(_t("balances_flagged_only", lang, n=len(view)))
        view = balance_view(flagged, lang)
    print_table(view)
    if flagged.empty:
        print(_t("none_flagged", lang))


def _print_indicators(ind_before: pd.DataFrame, ind_after: pd.DataFrame | None, lang: Lang) -> None:
    """The indicators (before and after the plan when there is one), and why an intensity moves against the plan's
    total CO2."""
    from flows import compare_indicators

    print()
    print(_t("indicators", lang))
    print_table(indicator_view(ind_before, lang, ind_after))
    if ind_after is None:
        return
    for r in compare_indicators(ind_before, ind_after).to_dict("records"):
        text = r[lang_column("explanation", "explanation_zh", lang)]
        if text:
            print(_t("note", lang, name=r[lang_column("name_en", "name_zh", lang)], text=text))


def _write_sankeys(graphs: dict[str, nx.MultiDiGraph], out: Path, title: str, lang: Lang) -> None:
    """One offline HTML file (plotly.js embedded once, then every diagram) and each diagram's links as CSV."""
    from flows import sankey_figure, sankey_links

    parts: list[str] = []
    for state, graph in graphs.items():
        for basis in BASES_DRAWN:
            links = sankey_links(graph, basis=basis, level="category", lang=lang)
            if links.empty:
                continue
            fig = sankey_figure(graph, basis=basis, level="category", lang=lang)
            fig.update_layout(height=max(500, 28 * graph.number_of_nodes()))
            parts.append(fig.to_html(full_html=False, include_plotlyjs=not parts))
            _write_csv(links, out / f"sankey_{state}_{basis}.csv")
    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
            f"{title}</title></head><body>{''.join(parts)}</body></html>")
    (out / "sankey.html").write_text(html, encoding="utf-8")


def _write_flows(graphs: dict[str, nx.MultiDiGraph], out: Path, lang: Lang) -> None:
    """Every edge of each graph (its ledger rows as text) and every warning, as CSV."""
    from flows import edges_frame

    for state, graph in graphs.items():
        edges = edges_frame(graph)
        edges["rows"] = edges["rows"].map(lambda rows: [r.as_text() for r in rows])
        _write_csv(edges, out / f"flows_{state}.csv")
    warnings = [dict(w.as_record(lang), state=state) for state, g in graphs.items() for w in g.graph["warnings"]]
    _write_csv(pd.DataFrame(warnings, columns=["state", "code", "file", "row", "ref", "message"]),
               out / "warnings.csv")
