"""The demo park's analysis before and after the prepared session (symbiosis.session.Session).

    .venv/bin/python benchmarks/session_bench.py [--repeats N]

One process, the paths interleaved round by round, medians printed:
  (1) full analysis, cold: load the demo park, then validate -> metabolism -> match -> explain -> indicators;
  (2) the app's re-solve after one option change, on a park already open: the candidate table the user forces or
      forbids from, the plan and its "why not matched?" table, for a value not tried before (no cache can answer):
      (2a) the MIP gap, objective emissions (the workshop's default objective);
      (2b) the carbon price, objective cost (here the MILP itself takes most of the time).
The "old" paths reproduce the code as it was before the session (each step calls matching/flows on the bare park:
allocate_exchanges four times and build_links twice per analysis; a re-solve rebuilds the candidates twice).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flows  # noqa: E402
import matching  # noqa: E402
from matching import MatchOptions  # noqa: E402
from symbiosis.core.datasets import demo_park_path  # noqa: E402
from symbiosis.core.factors import FactorTable  # noqa: E402
from symbiosis.core.loader import load_park  # noqa: E402
from symbiosis.core.park import Park  # noqa: E402
from symbiosis.session import Session  # noqa: E402


# --- before: the code path as it was ---------------------------------------------------------------------------
def old_analysis() -> object:
    """load -> resolve -> build_graph -> propose -> explain_unmatched -> build_graph(plan) -> balances/indicators."""
    park = load_park(demo_park_path())
    options = MatchOptions()
    settings = matching.resolve(park, options)
    factors = FactorTable(park.config, dict(settings.factor_overrides))
    before = flows.build_graph(park, factors=factors)
    flows.balances(before)
    plan = matching.propose(park, options)
    matching.explain_unmatched(park, plan, options)
    after = flows.build_graph(park, plan, factors=factors)
    flows.balances(after)
    flows.indicators(before, factors=factors)
    flows.indicators(after, factors=factors)
    flows.network_metrics(before)
    flows.network_metrics(after)
    return plan


def old_resolve(park: Park, options: MatchOptions) -> object:
    """The app's compute.candidates + compute.plan + compute.explain as they were, each from the bare park (the
    candidate table is keyed by every option, forced and forbidden links left out, so an option change rebuilds it)."""
    matching.build_model(park, options.replace(forced=(), forbidden=()))
    plan = matching.propose(park, options)
    matching.explain_unmatched(park, plan, options)
    return plan


# --- after: one prepared session ---------------------------------------------------------------------------------
def new_analysis() -> object:
    """The same steps through a Session (what symbiosis.reporting.analyse does now)."""
    session = Session(load_park(demo_park_path()))
    settings = session.settings(MatchOptions())
    before = session.graph(None, settings)
    flows.balances(before)
    plan = session.plan(settings)
    session.explain(plan, settings)
    after = session.graph(plan, settings)
    flows.balances(after)
    factors = session.factors(settings)
    flows.indicators(before, factors=factors)
    flows.indicators(after, factors=factors)
    flows.network_metrics(before)
    flows.network_metrics(after)
    return plan


def new_resolve(session: Session, options: MatchOptions) -> object:
    """The app's compute.candidates + compute.plan + compute.explain now: the park's session answers."""
    session.candidate_table(options)
    plan = session.plan(options)
    session.explain(plan, options)
    return plan


# --- measuring ------------------------------------------------------------------------------------------------
def timed(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def report(name: str, samples: dict[str, list[float]], before: str, after: str | None) -> None:
    med_b = statistics.median(samples[before])
    line = f"{name:<44} before {med_b * 1000:8.1f} ms"
    if after is not None:
        med_a = statistics.median(samples[after])
        line += f"   after {med_a * 1000:8.1f} ms   ratio before/after {med_b / med_a:5.2f}x"
    print(f"{line}   (n={len(samples[before])})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    park = load_park(demo_park_path())
    old_analysis()  # warm the imports and the dataset caches for both paths
    new_analysis()
    session = Session(park)  # the app's session of the open park, prepared by the first solve
    new_resolve(session, MatchOptions())
    new_resolve(session, MatchOptions(objective="cost"))
    samples: dict[str, list[float]] = {k: [] for k in ("analysis_old", "analysis_new", "gap_old", "gap_new",
                                                       "price_old", "price_new")}
    for i in range(args.repeats):  # interleaved: old, new, old, new ... for each measure
        samples["analysis_old"].append(timed(old_analysis))
        samples["analysis_new"].append(timed(new_analysis))
        for which, run in (("old", lambda o: old_resolve(park, o)), ("new", lambda o: new_resolve(session, o))):
            gap = MatchOptions(gap=1e-6 * (2 * i + 2 + (which == "new")))  # a value not tried before
            samples[f"gap_{which}"].append(timed(lambda r=run, o=gap: r(o)))  # type: ignore[misc]
            price = MatchOptions(objective="cost", carbon_price=101.0 + 2 * i + (which == "new"))
            samples[f"price_{which}"].append(timed(lambda r=run, o=price: r(o)))  # type: ignore[misc]
    report("(1) full analysis of the demo, cold", samples, "analysis_old", "analysis_new")
    report("(2a) app re-solve after a gap change", samples, "gap_old", "gap_new")
    report("(2b) app re-solve after a carbon price change", samples, "price_old", "price_new")
    return 0


if __name__ == "__main__":
    sys.exit(main())
