"""The `symbiosis` command (also `python -m symbiosis`)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from symbiosis.commands import COMMAND_MODULES
from symbiosis.errors import SymbiosisError


def _available_commands() -> list[ModuleType]:
    modules: list[ModuleType] = []
    for name in COMMAND_MODULES:
        try:
            modules.append(importlib.import_module(f"symbiosis.commands.{name}"))
        except ModuleNotFoundError as exc:  # a command not built yet is simply not offered
            if exc.name != f"symbiosis.commands.{name}":
                raise
    return modules


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    parser = argparse.ArgumentParser(prog="symbiosis", description=(
        "Industrial-symbiosis flow analyzer / 产业共生物质能量流分析工具"))
    sub = parser.add_subparsers(dest="command", required=True)
    modules: dict[str, ModuleType] = {}
    for module in _available_commands():
        before = set(sub.choices)
        module.add_parser(sub)
        for name in set(sub.choices) - before:
            modules[name] = module
    return parser, modules


def main(argv: Sequence[str] | None = None) -> int:
    parser, modules = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(modules[args.command].run(args))
    except SymbiosisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; say nothing more and do not let Python complain at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
