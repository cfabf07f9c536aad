"""`symbiosis validate PARK`: load and check a park data package; print a summary or every problem."""

from __future__ import annotations

import argparse

import pandas as pd

from symbiosis.commands.common import (
    add_park_argument,
    dump_json,
    load_or_report,
    print_table,
    problems_frame,
)
from symbiosis.core.errors import ParkError
from symbiosis.core.loader import FileAccount, build_park, read_package
from symbiosis.core.park import Park
from symbiosis.core.taxonomy import CATEGORY_NAMES


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("validate", help="check a park data package / 校验园区数据包")
    add_park_argument(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")


def summary(park: Park, lang: str = "en") -> pd.DataFrame:
    """Streams by category and direction with canonical totals."""
    s = park.streams
    table = (s.groupby(["category", "direction", "unit"], sort=True)
             .agg(streams=("stream_id", "size"), total=("quantity", "sum")).reset_index())
    table["total"] = table["total"].round(1)
    names = table["category"].map(lambda c: CATEGORY_NAMES.get(c, (c, c))[1 if lang == "zh" else 0])
    table.insert(1, "name", names)
    if lang == "zh":
        table = table.rename(columns={"category": "类别", "name": "名称", "direction": "方向", "unit": "单位",
                                      "streams": "条数", "total": "合计"})
        table["方向"] = table["方向"].map({"output": "产出", "input": "投入"})
    return table


ACCOUNT_HEADERS = {
    "en": ("file", "rows read", "rows loaded", "rows with errors", "rows with warnings", "blank rows", "file errors"),
    "zh": ("文件", "读取行数", "载入行数", "有错误的行", "有警告的行", "空行", "文件级错误"),
}


def accounts_frame(accounts: list[FileAccount], lang: str = "en") -> pd.DataFrame:
    """Per file: what became of its rows (header = row 1 is not counted)."""
    rows = [(a.file, a.rows_read, a.rows_loaded, a.rows_with_errors, a.rows_with_warnings, a.blank_rows,
             a.file_errors) for a in accounts]
    return pd.DataFrame(rows, columns=list(ACCOUNT_HEADERS["zh" if lang == "zh" else "en"]))


def _print_accounts(accounts: list[FileAccount], lang: str) -> None:
    if accounts:
        print()
        print("各文件的行：" if lang == "zh" else "Rows per file:")
        print_table(accounts_frame(accounts, lang))


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    if not Path(args.park).exists():
        load_or_report(args.park, args.lang, args.format)  # reports the missing path
        return 1
    package = read_package(args.park)
    try:
        park = build_park(package)
    except ParkError as exc:
        if args.format == "json":
            print(dump_json({"valid": False, "errors": len(exc.errors),
                             "problems": [p.as_record(args.lang) for p in exc.problems],
                             "files": [a.as_record() for a in exc.accounts]}))
            return 1
        load_or_report_problems(exc, args.lang)
        _print_accounts(exc.accounts, args.lang)
        return 1
    table = summary(park, args.lang)
    shown = table.copy()
    total_col = "合计" if args.lang == "zh" else "total"
    shown[total_col] = shown[total_col].map(lambda v: f"{v:,.1f}")
    if args.format == "json":
        print(dump_json({
            "valid": True, "park": park.name, "enterprises": len(park.enterprises), "streams": len(park.streams),
            "exchanges": len(park.exchanges), "by_category": table.to_dict(orient="records"),
            "warnings": [w.as_record(args.lang) for w in park.warnings],
            "files": [a.as_record() for a in package.accounts],
        }))
        return 0
    if args.lang == "zh":
        print(f"园区：{park.config.name_zh or park.name}（{park.source}）— 有效")
        print(f"企业 {len(park.enterprises)} 家，物料流 {len(park.streams)} 条，现有交换 {len(park.exchanges)} 条；"
              f"警告 {len(park.warnings)} 条")
    else:
        print(f"Park: {park.name} ({park.source}) — valid")
        print(f"{len(park.enterprises)} enterprises, {len(park.streams)} streams, {len(park.exchanges)} existing "
              f"exchanges; {len(park.warnings)} warning(s)")
    print()
    print_table(shown)
    _print_accounts(package.accounts, args.lang)
    if park.warnings:
        print()
        print("警告：" if args.lang == "zh" else "Warnings:")
        print_table(problems_frame(list(park.warnings), args.lang))
    return 0


def load_or_report_problems(exc: ParkError, lang: str) -> None:
    """The problems of a failed load, printed as every command prints them (stderr head, table on stdout)."""
    import sys

    errors = len(exc.errors)
    head = f"{errors} 个错误，数据包未加载：" if lang == "zh" else f"{errors} error(s); the park was not loaded:"
    print(head, file=sys.stderr)
    print_table(problems_frame(exc.problems, "zh" if lang == "zh" else "en"))
