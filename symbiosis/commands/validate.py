"""`symbiosis validate PARK`: load and check a park data package; print a summary or every problem."""

from __future__ import annotations

import argparse

import pandas as pd

from symbiosis.commands.common import (
    add_park_argument,
    dump_json,
    headers,
    load_or_report,
    print_table,
    problems_frame,
    say,
)
from symbiosis.core.errors import ParkError
from symbiosis.core.i18n import as_lang, pick, register, render, word
from symbiosis.core.loader import FileAccount, build_park, read_package
from symbiosis.core.park import Park
from symbiosis.core.quality import QUALITY_TEXTS, QualityReport, quality
from symbiosis.core.taxonomy import CATEGORY_NAMES

# The columns of the summary (codes "cli.summary.<column>"; in English the column names themselves) and the
# directions shown in it.
SUMMARY_COLUMNS = register("cli.summary", {
    "category": ("category", "类别"), "name": ("name", "名称"), "direction": ("direction", "方向"),
    "unit": ("unit", "单位"), "streams": ("streams", "条数"), "total": ("total", "合计"),
})
DIRECTION_NAMES = register("cli.direction", {"output": ("output", "产出"), "input": ("input", "投入")})


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
    table.insert(1, "name", table["category"].map(lambda c: word(CATEGORY_NAMES, c, lang)))
    table["direction"] = table["direction"].map(lambda d: word(DIRECTION_NAMES, d, lang))
    return table.rename(columns={c: word(SUMMARY_COLUMNS, c, lang) for c in SUMMARY_COLUMNS})


ACCOUNT_HEADERS = register("cli.account", {
    "file": ("file", "文件"), "rows_read": ("rows read", "读取行数"), "rows_loaded": ("rows loaded", "载入行数"),
    "rows_with_errors": ("rows with errors", "有错误的行"), "rows_with_warnings": ("rows with warnings", "有警告的行"),
    "blank_rows": ("blank rows", "空行"), "file_errors": ("file errors", "文件级错误"),
})


def accounts_frame(accounts: list[FileAccount], lang: str = "en") -> pd.DataFrame:
    """Per file: what became of its rows (header = row 1 is not counted)."""
    rows = [(a.file, a.rows_read, a.rows_loaded, a.rows_with_errors, a.rows_with_warnings, a.blank_rows,
             a.file_errors) for a in accounts]
    return pd.DataFrame(rows, columns=headers(ACCOUNT_HEADERS, lang))


def _print_accounts(accounts: list[FileAccount], lang: str) -> None:
    if accounts:
        print()
        print(say("rows_per_file", lang))
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
    total_col = word(SUMMARY_COLUMNS, "total", args.lang)
    shown[total_col] = shown[total_col].map(lambda v: f"{v:,.1f}")
    if args.format == "json":
        print(dump_json({
            "valid": True, "park": park.name, "enterprises": len(park.enterprises), "streams": len(park.streams),
            "exchanges": len(park.exchanges), "by_category": table.to_dict(orient="records"),
            "warnings": [w.as_record(args.lang) for w in park.warnings],
            "files": [a.as_record() for a in package.accounts],
            "quality": quality(park).as_record(as_lang(args.lang)),
        }))
        return 0
    print(say("park_valid", args.lang, park=pick(park.name, park.config.name_zh, args.lang), source=park.source))
    print(say("park_counts", args.lang, enterprises=len(park.enterprises), streams=len(park.streams),
              exchanges=len(park.exchanges), warnings=len(park.warnings)))
    print()
    print_table(shown)
    _print_accounts(package.accounts, args.lang)
    if park.warnings:
        print()
        print(say("warnings", args.lang))
        print_table(problems_frame(list(park.warnings), args.lang))
    _print_quality(quality(park), args.lang)
    return 0


MISSING_SHOWN = 10  # rows of the ranked missing values printed (the JSON holds all)


def _print_quality(report: QualityReport, lang: str) -> None:
    """The data-quality summary: per enterprise, then the missing values that would change the plan most."""
    lg = as_lang(lang)
    print()
    print(render(QUALITY_TEXTS.code("heading"), lg), report.headline(lg))
    print_table(report.enterprise_frame(lg))
    if report.missing:
        print()
        print(render(QUALITY_TEXTS.code("heading_missing"), lg))
        print_table(report.missing_frame(lg, top=MISSING_SHOWN))


def load_or_report_problems(exc: ParkError, lang: str) -> None:
    """The problems of a failed load, printed as every command prints them (stderr head, table on stdout)."""
    import sys

    print(say("not_loaded", lang, errors=len(exc.errors)), file=sys.stderr)
    print_table(problems_frame(exc.problems, as_lang(lang)))
