"""Median time to read one unit cell (symbiosis.core.units.parse_rate), for normal and hostile cells.

    python benchmarks/units_bench.py [--repeats 200]

Every hostile cell is refused with a UnitError; the figures show that a cell's cost does not grow with what
it asks for (9**9**9 is not computed) nor with its length (one pass over at most 64 characters; a cell of
more than 256 characters is refused before it is read).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from symbiosis.core.units import UnitError, parse_rate

N = 40_000
NORMAL = ["t/a", "万t/a", "10万吨/年", "kg/h", "m³/h", "万Nm³/a", "万kWh/a", "kW", "tce/a", "t/h蒸汽", "kW·h/a",
          "千克标准煤/小时"]
HOSTILE = {
    "9**9**9 t/a": "9**9**9 t/a",
    "10**10**10": "10**10**10",
    "t*10**400": "t*10**400",
    "(((((t)))))": "(((((t)))))",
    "64 chars of 亿 + t": "亿" * 63 + "t",
    "64 chars of 9": "9" * 64,
    "NUL + emoji": "t\x00😀/a",
    "256 chars (at the raw cap)": " " * 253 + "t/a",
    "256 x 'ﷺ' (NFKC x18, then refused)": "ﷺ" * 256,
    "40k x 't'": "t" * N,
    "40k x '('…')'": "(" * N + "t" + ")" * N,
    "40k x '9**'": "9**" * (N // 3),
    "40k x '万'": "万" * N,
    "40k x 'ﷺ' (NFKC x18)": "ﷺ" * N,
}


def median_us(text: str, repeats: int) -> tuple[float, str]:
    times = []
    outcome = ""
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            parse_rate(text)
            outcome = "ok"
        except UnitError as error:
            outcome = error.code
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/units_bench.py")
    parser.add_argument("--repeats", type=int, default=200, help="calls per cell (median reported)")
    args = parser.parse_args(argv)
    parse_rate("t/a")  # build the registry once, outside the figures
    print(f"{'cell':40} {'result':15} {'median µs':>10}")
    for label, cells in (("normal", {c: c for c in NORMAL}), ("hostile", HOSTILE)):
        worst = 0.0
        for name, text in cells.items():
            us, outcome = median_us(text, args.repeats)
            worst = max(worst, us)
            print(f"{name:40} {outcome:15} {us:10.1f}")
        print(f"-- {label}: slowest median {worst:.1f} µs\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
