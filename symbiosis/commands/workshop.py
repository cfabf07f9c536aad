"""`symbiosis workshop create|list|export|import`: the workshop store from the command line (docs/workshop.md).

    symbiosis workshop create --park DIR --name NAME     a new workshop on a park: prints its two codes
    symbiosis workshop list                              every workshop in the store, with codes and counts
    symbiosis workshop export CODE --out DIR             the whole workshop into a folder
    symbiosis workshop import DIR                        that folder into this store (codes kept unless taken)

`--store URL` picks the store (default as Store.open: SYMBIOSIS_STORE_URL, else workspace/workshops.sqlite).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from symbiosis.commands.common import headers, load_or_report, print_table
from symbiosis.core.i18n import Lang, as_lang, register, render
from symbiosis.core.scenario import park_files

if TYPE_CHECKING:
    from symbiosis.workshop import Store

MESSAGES = register("cli.workshop", {
    "created": ("Workshop '{name}' created in {store}\n  join code for the groups:   {code}\n"
                "  facilitator code (keep it): {facilitator_code}",
                "已在 {store} 中创建研讨会“{name}”\n  小组加入代码：        {code}\n"
                "  主持人代码（请保管）：{facilitator_code}"),
    "none": ("No workshop in {store}", "{store} 中没有研讨会"),
    "exported": ("Workshop '{name}' exported to {path}: {groups} group(s), {scenarios} scenario version(s), "
                 "{results} result(s)",
                 "研讨会“{name}”已导出到 {path}：小组 {groups} 个，方案版本 {scenarios} 个，结果 {results} 个"),
    "imported": ("Workshop '{name}' imported into {store}: join code {code}, facilitator code {facilitator_code}",
                 "研讨会“{name}”已导入 {store}：加入代码 {code}，主持人代码 {facilitator_code}"),
    "codes_changed": ("The export's codes ({original_code}, {original_facilitator_code}) are already used in this "
                      "store: the workshop has new codes; tell the groups",
                      "导出中的代码（{original_code}、{original_facilitator_code}）已在此存储中使用：研讨会使用了新代码，"
                      "请告知各小组"),
})
LIST_HEADERS = register("cli.workshop.list", {
    "name": ("name", "名称"), "code": ("join code", "加入代码"), "facilitator_code": ("facilitator code", "主持人代码"),
    "shared": ("shared", "已共享"), "groups": ("groups", "小组"), "scenarios": ("scenarios", "方案"),
    "created_at": ("created (UTC)", "创建时间（UTC）"),
})


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("workshop", help="the workshop store: create, list, export, import / 研讨会存储")
    actions = parser.add_subparsers(dest="action", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", default=None,
                       help="store URL or SQLite file (default: SYMBIOSIS_STORE_URL, else workspace/workshops.sqlite)"
                            " / 存储 URL 或 SQLite 文件")
        p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of messages / 语言")

    create = actions.add_parser("create", help="a new workshop on a park / 新建研讨会")
    create.add_argument("--park", required=True, help="park data package: a folder, an .xlsx or a .zip / 园区数据包")
    create.add_argument("--name", required=True, help="the workshop's name / 研讨会名称")
    common(create)
    listing = actions.add_parser("list", help="every workshop in the store / 列出研讨会")
    common(listing)
    export = actions.add_parser("export", help="a whole workshop into a folder / 导出研讨会")
    export.add_argument("code", help="join code or facilitator code / 加入代码或主持人代码")
    export.add_argument("--out", required=True, help="a new or empty folder / 新的或空的文件夹")
    common(export)
    imp = actions.add_parser("import", help="a folder written by export into this store / 导入研讨会")
    imp.add_argument("folder", help="the exported folder / 导出的文件夹")
    common(imp)


def run(args: argparse.Namespace) -> int:
    from symbiosis.workshop import Store, StoreError

    lang = as_lang(args.lang)
    try:
        with Store.open(args.store) as store:
            return _run(store, args, lang)
    except StoreError as exc:
        print(f"error: {exc.text(lang)}", file=sys.stderr)
        return 1


def _say(key: str, lang: Lang, **params: object) -> str:
    return render(MESSAGES.code(key), lang, **params)


def _run(store: Store, args: argparse.Namespace, lang: Lang) -> int:
    if args.action == "create":
        park = load_or_report(args.park, lang)
        if park is None:
            return 1
        made = store.create_workshop(args.name, park_files(park))
        print(_say("created", lang, name=made.name, store=store.url, code=made.code,
                   facilitator_code=made.facilitator_code))
        return 0
    if args.action == "list":
        import pandas as pd

        rows = []
        for w in store.workshops():
            groups = store.groups(w, facilitator_code=w.facilitator_code)
            scenarios = store.scenarios(w, facilitator_code=w.facilitator_code)
            rows.append((w.name, w.code, w.facilitator_code, w.shared, len(groups), len(scenarios),
                         w.created_at.strftime("%Y-%m-%d %H:%M") if w.created_at else ""))
        if not rows:
            print(_say("none", lang, store=store.url))
            return 0
        print_table(pd.DataFrame(rows, columns=headers(LIST_HEADERS, lang)))
        return 0
    if args.action == "export":
        import json

        manifest_path = store.export_workshop(args.code, args.out)
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        versions = [s for g in manifest["groups"] for s in g["scenarios"]]
        print(_say("exported", lang, name=manifest["workshop"]["name"], path=manifest_path.parent,
                   groups=len(manifest["groups"]), scenarios=len(versions),
                   results=sum(len(s["results"]) for s in versions)))
        return 0
    made = store.import_workshop(args.folder)
    print(_say("imported", lang, name=made.name, store=store.url, code=made.code,
               facilitator_code=made.facilitator_code))
    if made.codes_changed:
        print(_say("codes_changed", lang, original_code=made.original_code,
                   original_facilitator_code=made.original_facilitator_code))
    return 0
