"""The Monte Carlo of the demo plan (symbiosis.core.uncertainty): 1,000 samples, target < 2 min on 2 cores.

    .venv/bin/python benchmarks/uncertainty_bench.py [--samples 1000] [--repeats 5] [--seed S]

The demo park is loaded and its plan solved once (not timed); then `plan_uncertainty` runs `--repeats` times on
it, in one process on one core (the samples are not split over processes: one core is well within the target). It
prints each run's seconds, the median, the per-sample cost, samples per second, and the plan total as median
[p5, p95] with P(net > 0). docs/uncertainty.md keeps the last figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matching import MatchOptions  # noqa: E402
from symbiosis.core.datasets import demo_park_path  # noqa: E402
from symbiosis.core.uncertainty import DEFAULT_SEED, PlanUncertainty, plan_uncertainty  # noqa: E402
from symbiosis.session import Session  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    session = Session.load(demo_park_path())
    options = MatchOptions()
    plan = session.plan(options)
    factors = session.factors(options)
    print(f"demo plan: {plan.status}, {len(plan.links)} links, net {plan.net_tco2e:,.1f} tCO2e/a")
    seconds: list[float] = []
    result: PlanUncertainty | None = None
    for k in range(args.repeats):
        t0 = time.perf_counter()
        result = plan_uncertainty(session.park, plan, factors, args.samples, args.seed)
        seconds.append(time.perf_counter() - t0)
        print(f"  run {k + 1}: {seconds[-1]:.2f} s")
    median = statistics.median(seconds)
    print(f"{args.samples} samples: median {median:.2f} s over {args.repeats} runs (min {min(seconds):.2f}, "
          f"max {max(seconds):.2f}); {1000 * median / args.samples:.2f} ms per sample; "
          f"{args.samples / median:,.0f} samples/s")
    if result is not None and result.total is not None:
        t = result.total
        print(f"plan total: median {t.median:,.0f} [{t.p5:,.0f} – {t.p95:,.0f}] tCO2e/a, P(net > 0) "
              f"{t.p_positive:.0%} (point {t.point:,.0f}; seed {args.seed})")
        low = min(result.links.values(), key=lambda v: v.p_positive)
        print(f"links with P(net > 0) < 95 %: {sum(v.p_positive < 0.95 for v in result.links.values())}; "
              f"lowest P(net > 0): {low.p_positive:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
