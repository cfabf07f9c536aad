"""Helpers shared by the subcommands: loading a park with a clean error report, printing tables."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from symbiosis.core.errors import ParkError, Problem
from symbiosis.core.i18n import Lang, MessageTable, register, render, word
from symbiosis.core.loader import load_park
from symbiosis.core.park import Park

# What the commands print (codes "cli.<key>"): headings and summary lines; the column headers of their tables
# ("cli.problem.*", "cli.account.*", "cli.summary.*", "cli.link.*") and the severities of a problem.
CLI = register("cli", {
    "not_loaded": ("{errors} error(s); the park was not loaded:", "{errors} 个错误，数据包未加载："),
    "scenario_invalid": ("the scenario's ledger edits make the park invalid:", "情景中的台账修改使数据包无效："),
    "rows_per_file": ("Rows per file:", "各文件的行："),
    "warnings": ("Warnings:", "警告："),
    "park_valid": ("Park: {park} ({source}) — valid", "园区：{park}（{source}）— 有效"),
    "park_counts": ("{enterprises} enterprises, {streams} streams, {exchanges} existing exchanges; {warnings} "
                    "warning(s)", "企业 {enterprises} 家，物料流 {streams} 条，现有交换 {exchanges} 条；警告 {warnings} 条"),
    "status": ("Status: {status}; objective {objective} {unit}, bound {bound}, gap {gap}; build {build:.2f} s, solve "
               "{solve:.2f} s, {subproblems} sub-problem(s)",
               "状态：{status}；目标值 {objective} {unit}，界 {bound}，相对间隙 {gap}；建模 {build:.2f} 秒，求解 {solve:.2f} 秒，"
               "子问题 {subproblems} 个"),
    "totals": ("{links} link(s), net avoided {net:,.1f} tCO2e/a, heat recovered {heat:,.0f} GJ/a",
               "链接 {links} 条，净减排 {net:,.1f} tCO2e/a，回收热量 {heat:,.0f} GJ/a"),
    "unmatched_why": ("Unmatched (why):", "未匹配（原因）："),
    "alternative": ("Alternative {k}: {status}, {objective} {unit}, {links} link(s) ({dropped} dropped, {added} added "
                    "vs the best plan)", "备选方案 {k}：{status}，{objective} {unit}，链接 {links} 条（少 {dropped} 条，多 {added} 条）"),
})
PROBLEM_HEADERS = register("cli.problem", {
    "severity": ("severity", "级别"), "file": ("file", "文件"), "row": ("row", "行"), "column": ("column", "列"),
    "value": ("value", "值"), "message": ("message", "问题"), "accepted": ("accepted", "可接受"),
})
SEVERITY_NAMES = register("cli.severity", {"error": ("error", "错误"), "warning": ("warning", "警告")})


def say(key: str, lang: Lang | str, **params: Any) -> str:
    """A line the commands print: render of "cli.<key>"."""
    return render(CLI.code(key), lang, **params)


def headers(table: MessageTable[str], lang: Lang | str) -> list[str]:
    """The column headers of a table registered by the commands, in `lang` (in the table's order)."""
    return [word(table, key, lang) for key in table]


def add_park_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("park", help="park data package: a folder, an .xlsx or a .zip / 园区数据包")
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="language of messages / 语言")


def problems_frame(problems: list[Problem], lang: Lang = "en") -> pd.DataFrame:
    rows = []
    for p in problems:
        rows.append((word(SEVERITY_NAMES, p.severity, lang), p.file, "" if p.row is None else p.row, p.column, p.value, p.text(lang), p.accepted))
    return pd.DataFrame(rows, columns=headers(PROBLEM_HEADERS, lang))


def print_table(frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 80):
        print(frame.to_string(index=False))


def load_or_report(path: str, lang: Lang, fmt: str = "text") -> Park | None:
    """Load the park; on errors print every problem (table or JSON) and return None."""
    if not Path(path).exists():
        problem = Problem("package_unknown", file=path, params=(("reason", "no such file or folder"),))
        _report([problem], lang, fmt)
        return None
    try:
        return load_park(path)
    except ParkError as exc:
        _report(exc.problems, lang, fmt)
        return None


def _report(problems: list[Problem], lang: Lang, fmt: str) -> None:
    errors = sum(p.severity == "error" for p in problems)
    if fmt == "json":
        print(json.dumps({"valid": False, "errors": errors, "problems": [p.as_record(lang) for p in problems]},
                         ensure_ascii=False, indent=2))
        return
    print(say("not_loaded", lang, errors=errors), file=sys.stderr)
    print_table(problems_frame(problems, lang))


def dump_json(data: Any) -> str:
    """Strict JSON for machines: NaN/inf as null, and a non-finite number that slips through raises
    (symbiosis.core.plan.strict_json, the writer of plan.json too)."""
    from symbiosis.core.plan import strict_json

    return strict_json(data)
