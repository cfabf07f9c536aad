"""`symbiosis template --lang zh|en --out FILE.xlsx`: write the fill-in template enterprises return as a park."""

from __future__ import annotations

import argparse
from pathlib import Path

from symbiosis.core.i18n import register, render
from symbiosis.core.template import TEMPLATE_ROWS, visible_sheets, write_template

MESSAGES = register("cli.template", {
    "written": ("wrote {path}: sheets {sheets}; dropdowns and hints on rows 2-{rows}, one example row per table "
                "(overwrite or delete it)",
                "已写出 {path}：工作表 {sheets}；第 2-{rows} 行带下拉列表和填写提示，每张表一行示例（请改写或删除）"),
    "not_xlsx": ("--out must name an .xlsx file, not '{path}'", "--out 须为 .xlsx 文件，而不是“{path}”"),
})


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("template", help="write a fill-in template (.xlsx) with dropdowns / 生成带下拉列表的填报模板")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of headers, hints and dropdowns (the other one is given as a note) / 语言")
    parser.add_argument("--out", required=True, help="the .xlsx file to write / 输出的 .xlsx 文件")


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print(render(MESSAGES.code("not_xlsx"), args.lang, path=out))
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    write_template(out, args.lang)
    print(render(MESSAGES.code("written"), args.lang, path=out, sheets=", ".join(visible_sheets(args.lang)),
                 rows=TEMPLATE_ROWS + 1))
    return 0
