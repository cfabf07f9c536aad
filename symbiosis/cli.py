"""The `symbiosis` command (also `python -m symbiosis`)."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import importlib
import io
import os
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType

from symbiosis.commands import COMMAND_MODULES
from symbiosis.core.errors import SymbiosisError


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


def _flush_c_stdio() -> None:
    """Flush the C library's stdio buffers (HiGHS and other native code print through them), so that what they
    wrote while fd 1 pointed at stderr is not flushed later into the real stdout."""
    with contextlib.suppress(Exception):  # no C library to ask (an unusual platform): nothing to flush
        ctypes.CDLL(None).fflush(None)


@contextlib.contextmanager
def solver_output_to_stderr(machine: bool) -> Iterator[None]:
    """While a command computes, file descriptor 1 points at stderr: whatever native code prints on the process's
    stdout (highspy prints "Running HiGHS ... Copyright" when PuLP creates a solver, even with msg=False; the
    solver log with --verbose) lands on stderr. Python's own `print` still reaches the real stdout: with
    `machine` (--format json) it is collected and written to the saved real stdout only when the command is done,
    so stdout holds the JSON document and nothing else; otherwise it goes there as it is printed."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        _flush_c_stdio()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):  # no usable fd 1 (closed, or an embedding without one)
        yield
        return
    original = sys.stdout
    direct: io.TextIOWrapper | None = None
    if machine:
        sys.stdout = io.StringIO()
    elif original is sys.__stdout__ and isinstance(original, io.TextIOWrapper):
        # Python's stdout is fd 1 itself: give print a stream on the real stdout
        direct = io.TextIOWrapper(os.fdopen(os.dup(saved), "wb"), encoding=original.encoding,
                                  errors=original.errors, line_buffering=True)
        sys.stdout = direct
    # else: print already goes somewhere else (a caller's redirect, pytest's capsys); leave it there
    collected: str = ""
    try:
        os.dup2(sys.stderr.fileno() if _has_fileno(sys.stderr) else 2, 1)
        yield
    finally:
        _flush_c_stdio()
        if machine:
            collected = sys.stdout.getvalue() if isinstance(sys.stdout, io.StringIO) else ""
        elif direct is not None:
            direct.flush()
        sys.stdout = original
        os.dup2(saved, 1)
        os.close(saved)
        if direct is not None:
            direct.close()
    if collected:
        original.write(collected)
        original.flush()


def _has_fileno(stream: object) -> bool:
    try:
        stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser, modules = build_parser()
    args = parser.parse_args(argv)
    try:
        with solver_output_to_stderr(getattr(args, "format", None) == "json"):
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
