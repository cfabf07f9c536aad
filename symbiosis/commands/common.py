"""Helpers shared by the subcommands: loading a park with a clean error report, printing tables."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from symbiosis.core.errors import ParkError, Problem
from symbiosis.core.i18n import Lang
from symbiosis.core.loader import load_park
from symbiosis.core.park import Park

PROBLEM_HEADERS: dict[str, tuple[str, ...]] = {
    "en": ("severity", "file", "row", "column", "value", "message", "accepted"),
    "zh": ("级别", "文件", "行", "列", "值", "问题", "可接受"),
}
SEVERITY_ZH = {"error": "错误", "warning": "警告"}


def add_park_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("park", help="park data package: a folder, an .xlsx or a .zip / 园区数据包")
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="language of messages / 语言")


def problems_frame(problems: list[Problem], lang: Lang = "en") -> pd.DataFrame:
    rows = []
    for p in problems:
        severity = SEVERITY_ZH[p.severity] if lang == "zh" else p.severity
        rows.append((severity, p.file, "" if p.row is None else p.row, p.column, p.value, p.text(lang), p.accepted))
    return pd.DataFrame(rows, columns=list(PROBLEM_HEADERS[lang]))


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
    head = f"{errors} 个错误，数据包未加载：" if lang == "zh" else f"{errors} error(s); the park was not loaded:"
    print(head, file=sys.stderr)
    print_table(problems_frame(problems, lang))


def dump_json(data: Any) -> str:
    """Strict JSON for machines: NaN/inf as null, and a non-finite number that slips through raises
    (symbiosis.core.plan.strict_json, the writer of plan.json too)."""
    from symbiosis.core.plan import strict_json

    return strict_json(data)
