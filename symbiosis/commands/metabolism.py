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

import pandas as pd

from symbiosis.commands.common import add_park_argument, load_or_report, print_table
from symbiosis.core.excel import write_csv

CSV_ENCODING = "utf-8-sig"
BASES_DRAWN: tuple[str, ...] = ("mass", "water", "energy", "co2e")
MAX_PRINTED_BALANCES = 60


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("metabolism", help="flows, balances, indicators and Sankey diagrams / 园区代谢分析")
    add_park_argument(parser)
    parser.add_argument("--out", default="metabolism_out", help="folder for the HTML, DOT and CSV files / 输出目录")
    parser.add_argument("--plan", default=None,
                        help="plan JSON (from `symbiosis match`) to show the after-state / 方案 JSON 文件")


def _t(en: str, zh: str, lang: str) -> str:
    return zh if lang == "zh" else en


def _passed_text(value: object, lang: str) -> str:
    if value is True:
        return _t("pass", "达标", lang)
    if value is False:
        return _t("FAIL", "未达标", lang)
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
        row = {_t("indicator", "指标", lang): r["name_zh"] if lang == "zh" else r["name_en"]}
        if after_by_id is not None:
            row[_t("before", "现状", lang)] = format_value(r, lang)
            row[_t("passed", "达标", lang)] = _passed_text(r["passed"], lang)
            key = join_key(r["indicator_id"])
            a = after_by_id.loc[[key]].iloc[0] if key in after_by_id.index else None
            row[_t("with plan", "方案后", lang)] = format_value(a, lang) if a is not None else "—"
            row[_t("passed ", "达标 ", lang)] = _passed_text(a["passed"], lang) if a is not None else "—"
        else:
            row[_t("value", "数值", lang)] = format_value(r, lang)
            row[_t("passed", "达标", lang)] = _passed_text(r["passed"], lang)
        row[_t("threshold", "阈值", lang)] = _threshold_text(r)
        row[_t("reliability", "可靠性", lang)] = r["reliability"]
        rows.append(row)
    return pd.DataFrame(rows)


def balance_view(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    from flows.labels import fmt_quantity

    dims = table[table["level"] == "dimension"]
    status_zh = {"balanced": "平衡", "in_exceeds_out": "投入>产出", "out_exceeds_in": "产出>投入"}
    return pd.DataFrame({
        _t("enterprise", "企业", lang): dims["enterprise_id"] + " " + dims["enterprise_name"],
        _t("dimension", "维度", lang): dims["key"],
        _t("unit", "单位", lang): dims["unit"],
        _t("in", "投入", lang): dims["inflow"].map(fmt_quantity),
        _t("out", "产出", lang): dims["outflow"].map(fmt_quantity),
        _t("gap", "差额", lang): dims["gap"].map(fmt_quantity),
        _t("status", "状态", lang): dims["status"].map(lambda s: status_zh.get(s, s) if lang == "zh" else s),
        _t("flag", "标记", lang): dims["flagged"].map(lambda f: "!" if f else ""),
    })


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    out = frame.copy()
    for col in out.columns:  # lists (rows, factor ids) as one ;-joined cell, readable in Excel
        if out[col].map(lambda v: isinstance(v, list | tuple)).any():
            out[col] = out[col].map(lambda v: ";".join(map(str, v)) if isinstance(v, list | tuple) else v)
    write_csv(out, path, encoding=CSV_ENCODING)  # the export guard: formula-like text neutralised, CR/LF quoted


def run(args: argparse.Namespace) -> int:
    from flows import (
        balances,
        compare_indicators,
        edges_frame,
        indicators,
        keystones,
        network_dot,
        network_metrics,
        read_plan,
        sankey_figure,
        sankey_links,
    )

    lang = args.lang
    park = load_or_report(args.park, lang)
    if park is None:
        return 1
    plan = None
    if args.plan:
        try:
            plan = read_plan(args.plan)
        except (OSError, ValueError, TypeError, json.JSONDecodeError) as exc:
            print(_t(f"error: cannot read the plan {args.plan}: {exc}", f"错误：无法读取方案 {args.plan}：{exc}", lang))
            return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from symbiosis.session import Session

    session = Session(park)
    before = session.graph()
    after = session.graph(plan) if plan is not None else None
    graphs = {"before": before, **({"after": after} if after is not None else {})}

    title = park.config.name_zh if lang == "zh" and park.config.name_zh else park.name
    print(_t(f"Park metabolism: {title}", f"园区代谢分析：{title}", lang))
    state_names = {"before": _t("current state", "现状", lang), "after": _t("with plan", "方案后", lang)}
    for state, graph in graphs.items():
        for w in graph.graph["warnings"]:
            print(_t(f"warning ({state_names[state]}): ", f"警告（{state_names[state]}）：", lang) + w.text(lang))

    table_bal = balances(before)
    print()
    print(_t("Balances (in against out; ! = more leaves than enters, an input is missing or a number is wrong):",
             "物料平衡（投入对产出；! 表示产出多于投入：缺少投入行或数值有误）：", lang))
    view = balance_view(table_bal, lang)
    flagged = table_bal[(table_bal["level"] == "dimension") & table_bal["flagged"]]
    if len(view) > MAX_PRINTED_BALANCES:
        print(_t(f"({len(view)} rows; flagged rows shown, all in balances.csv)",
                 f"（共 {len(view)} 行；仅显示标记行，全部见 balances.csv）", lang))
        view = balance_view(flagged, lang)
    print_table(view)
    if flagged.empty:
        print(_t("No enterprise gives off more than it takes in.", "没有企业的产出多于投入。", lang))

    ind_before = indicators(before)
    ind_after = indicators(after) if after is not None else None
    print()
    print(_t("Indicators:", "园区指标：", lang))
    print_table(indicator_view(ind_before, lang, ind_after))
    if ind_after is not None:  # an intensity that moves against the plan's total CO2 says why
        for r in compare_indicators(ind_before, ind_after).to_dict("records"):
            text = r["explanation_zh"] if lang == "zh" else r["explanation"]
            if text:
                name = r["name_zh"] if lang == "zh" else r["name_en"]
                print(_t(f"Note — {name}: {text}", f"说明——{name}：{text}", lang))

    metrics = network_metrics(after if after is not None else before)
    keys = keystones(after if after is not None else before)

    # one offline HTML file: plotly.js embedded once, then every diagram
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
    (out / "network.dot").write_text(network_dot(after if after is not None else before, lang=lang),
                                     encoding="utf-8")
    _write_csv(table_bal, out / "balances.csv")
    if ind_after is not None:
        _write_csv(compare_indicators(ind_before, ind_after), out / "indicators.csv")
        _write_csv(balances(after), out / "balances_after.csv")
    else:
        _write_csv(ind_before, out / "indicators.csv")
    _write_csv(metrics, out / "network_metrics.csv")
    _write_csv(keys, out / "keystones.csv")
    for state, graph in graphs.items():
        edges = edges_frame(graph)
        edges["rows"] = edges["rows"].map(lambda rows: [r.as_text() for r in rows])
        _write_csv(edges, out / f"flows_{state}.csv")
    warnings = [dict(w.as_record(lang), state=state) for state, g in graphs.items() for w in g.graph["warnings"]]
    _write_csv(pd.DataFrame(warnings, columns=["state", "code", "file", "row", "ref", "message"]),
               out / "warnings.csv")
    print()
    print(_t(f"Written to {out}: sankey.html, network.dot, balances.csv, indicators.csv, network_metrics.csv, "
             "keystones.csv, flows_*.csv, sankey_*.csv, warnings.csv",
             f"已写入 {out}：sankey.html、network.dot、balances.csv、indicators.csv、network_metrics.csv、"
             "keystones.csv、flows_*.csv、sankey_*.csv、warnings.csv", lang))
    return 0
