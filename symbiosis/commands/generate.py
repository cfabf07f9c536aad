"""`symbiosis generate --enterprises N --seed S --out DIR`: write a synthetic park data package."""

from __future__ import annotations

import argparse

from symbiosis.core.generate import write_generated


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("generate", help="write a seeded synthetic park / 生成合成园区数据包")
    parser.add_argument("--enterprises", type=int, required=True, help="number of enterprises / 企业数量")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-park", type=int, default=150, help="enterprises per park before a new park starts")
    parser.add_argument("--region", default="east", help="grid region key")
    parser.add_argument("--out", required=True, help="output folder / 输出文件夹")


def run(args: argparse.Namespace) -> int:
    if args.enterprises < 1:
        print("--enterprises must be at least 1")
        return 2
    path = write_generated(args.enterprises, args.seed, args.out, enterprises_per_park=args.per_park,
                           region=args.region)
    print(f"wrote {path}")
    return 0
