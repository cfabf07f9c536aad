"""Timing and memory helpers: medians from repeated runs, each case in a fresh process for its peak memory."""

from __future__ import annotations

import multiprocessing as mp
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any


def median_seconds(step: Callable[[], object], repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def _child(target: Callable[..., dict[str, Any]], args: tuple[Any, ...], queue: Any) -> None:
    try:
        result = target(*args)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        queue.put(result)
    except Exception as exc:  # report, do not hang the parent
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def isolated(target: Callable[..., dict[str, Any]], *args: Any, timeout: float = 3600.0) -> dict[str, Any]:
    """Run target(*args) in a fresh interpreter; its dict result gains `peak_mb` (the child's peak RSS)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(target, args, queue))
    proc.start()
    try:
        result: dict[str, Any] = queue.get(timeout=timeout)
    except Exception:
        proc.kill()
        result = {"error": f"no result within {timeout:.0f} s"}
    proc.join(timeout=10)
    return result


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain fixed-width table."""
    def cell(v: Any) -> str:
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
        return str(v)
    cells = [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)
