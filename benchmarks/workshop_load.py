"""A workshop under load: 20 groups at once joining one workshop, solving and saving scenarios on the demo park.

    .venv/bin/python benchmarks/workshop_load.py [--workers 20] [--iterations 5] [--store-url URL] [--processes]
    .venv/bin/python -m benchmarks --sections workshop

What a Streamlit server does for 20 browser sessions, without the browsers: each worker (a thread, as a session's
script run is a thread of the one server process; or a process with --processes, each with its own Store on the
same database) joins as its own group, then repeatedly solves a scenario of its own on the one prepared Session
the server shares between sessions of a park (app.compute.session) and saves it with the solve's result in the
store, as the Scenarios page's save does (app.workshop.Membership.record). Then every row is counted: each
save must be there with its result (no lost write), and no worker may have met an error.

Printed: the time per save and per solve (median, max), and the total wall time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.options import SolveRequest, complete  # noqa: E402
from app.workshop import result_fields  # noqa: E402
from symbiosis.core.datasets import demo_park_path  # noqa: E402
from symbiosis.core.loader import load_files  # noqa: E402
from symbiosis.core.park import Park  # noqa: E402
from symbiosis.core.plan import Plan  # noqa: E402
from symbiosis.core.scenario import Scenario, scenario_bytes  # noqa: E402
from symbiosis.session import Session  # noqa: E402
from symbiosis.workshop.store import ResultInput  # noqa: E402

CARBON_PRICES = (0.0, 50.0, 80.0, 120.0, 200.0)  # each iteration's option: a different scenario per save
REACHES_KM = (5.0, 10.0, 20.0, 30.0)


@dataclass
class Figures:
    saves: list[float] = field(default_factory=list)
    solves: list[float] = field(default_factory=list)
    prepares: list[float] = field(default_factory=list)  # of each solve: the prepared model (Session lock held)
    errors: list[str] = field(default_factory=list)
    saved: int = 0
    results: int = 0


def park_files(path: Path | None = None) -> dict[str, bytes]:
    folder = path or demo_park_path()
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def scenario_for(park: Park, worker: int, iteration: int) -> Scenario:
    """A group's scenario: its own reach and carbon price (objective cost every other worker)."""
    options = complete({"objective": "cost" if worker % 2 else "emissions",
                        "carbon_price": CARBON_PRICES[(worker + iteration) % len(CARBON_PRICES)],
                        "reach_km": {"truck": REACHES_KM[(worker * 3 + iteration) % len(REACHES_KM)]}}, park)
    return Scenario(name=f"g{worker} try {iteration}", options=options.table(), park=park.config.name)


def work(store: Any, session: Session, code: str, worker: int, iterations: int, figures: Figures,
         lock: threading.Lock) -> None:
    """One group: join, then solve and save `iterations` scenarios."""
    try:
        group = store.join(code, f"group {worker:02d}")
        for i in range(iterations):
            scenario = scenario_for(session.park, worker, i)
            options = SolveRequest.of(scenario, session.park).match_options()
            t0 = time.perf_counter()
            try:
                session.model(options)  # what Session.plan does first, timed apart: built under the Session's lock
                prepare = time.perf_counter() - t0
                plan = session.plan(options)
            except Exception as exc:  # a failed solve is stored as failed, never as a result
                prepare = time.perf_counter() - t0
                plan = Plan(status="error", messages=(f"{type(exc).__name__}: {exc}",))
            solve = time.perf_counter() - t0
            scenario = replace(scenario, result={"status": plan.status})
            t0 = time.perf_counter()
            fields = result_fields(plan)  # the scenario and its result in one transaction, as the app saves
            store.save_scenario(group, scenario.name, scenario_bytes(scenario), f"group {worker:02d}",
                                result=ResultInput(**fields) if fields is not None else None)
            save = time.perf_counter() - t0
            with lock:
                figures.solves.append(solve)
                figures.prepares.append(prepare)
                figures.saves.append(save)
    except Exception as exc:
        with lock:
            figures.errors.append(f"worker {worker}: {type(exc).__name__}: {exc}")


def _process_worker(args: tuple[str | None, str, str, int, int, str]) -> dict[str, Any]:
    """A worker in its own process: its own Store on the same database, its own Session."""
    from symbiosis.workshop.store import Store

    url, folder, code, worker, iterations, park_dir = args
    store = Store.open(url=url, workspace=folder)
    session = Session(load_files(park_files(Path(park_dir) if park_dir else None), source=f"workshop {code}"))
    figures = Figures()
    work(store, session, code, worker, iterations, figures, threading.Lock())
    return {"saves": figures.saves, "solves": figures.solves, "prepares": figures.prepares, "errors": figures.errors}


def run(workers: int = 20, iterations: int = 5, url: str | None = None, folder: str | None = None,
        processes: bool = False, park_dir: Path | None = None,
        progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the load and count the rows; returns the figures (seconds) and the counts."""
    from symbiosis.workshop.store import Store

    own_dir = None
    if url is None and folder is None:
        own_dir = tempfile.TemporaryDirectory(prefix="workshop-load-")
        folder = own_dir.name
    store = Store.open(url=url, workspace=folder)
    files = park_files(park_dir)
    workshop = store.create_workshop("load test", files)
    park = load_files(dict(store.park_package(workshop)), source=f"workshop {workshop.code}")
    session = Session(park)  # one per park, shared by every session, as app.compute.session
    session.model(SolveRequest.of(Scenario(), park).match_options())  # the first visitor's build, not timed
    figures, lock = Figures(), threading.Lock()
    start = time.perf_counter()
    if processes:
        jobs = [(url, str(folder), str(workshop.code), w, iterations, str(park_dir or "")) for w in range(workers)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for out in pool.map(_process_worker, jobs):
                figures.saves += out["saves"]
                figures.solves += out["solves"]
                figures.prepares += out["prepares"]
                figures.errors += out["errors"]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for w in range(workers):
                pool.submit(work, store, session, str(workshop.code), w, iterations, figures, lock)
    total = time.perf_counter() - start
    rows = store.scenarios(workshop, facilitator_code=workshop.facilitator_code)
    results = [store.result(r.id) for r in rows]
    out = {"workers": workers, "iterations": iterations, "expected": workers * iterations, "rows": len(rows),
           "results": sum(r is not None for r in results),
           "failed": sum(r is not None and r.status == "failed" for r in results),
           "groups": len({r.group_id for r in rows}), "errors": figures.errors, "total_s": total,
           "save_median_s": statistics.median(figures.saves) if figures.saves else None,
           "save_max_s": max(figures.saves, default=None),
           "solve_median_s": statistics.median(figures.solves) if figures.solves else None,
           "solve_max_s": max(figures.solves, default=None),
           "prepare_median_s": statistics.median(figures.prepares) if figures.prepares else None,
           "prepare_max_s": max(figures.prepares, default=None), "mode": "processes" if processes else "threads",
           "store": "postgresql" if url else "sqlite"}
    if own_dir is not None:
        if hasattr(store, "close"):
            store.close()
        own_dir.cleanup()
    return out


def report(out: dict[str, Any]) -> str:
    ms = {k: f"{out[k] * 1000:.0f} ms" if out[k] is not None else "—" for k in
          ("save_median_s", "save_max_s", "solve_median_s", "solve_max_s", "prepare_median_s", "prepare_max_s")}
    return (f"{out['workers']} {out['mode']} x {out['iterations']} saves on the demo park, {out['store']} store\n"
            f"  rows: {out['rows']} of {out['expected']} (results {out['results']}, failed solves {out['failed']}, "
            f"groups {out['groups']}), errors: {len(out['errors'])}\n"
            f"  save : median {ms['save_median_s']}, max {ms['save_max_s']}\n"
            f"  solve: median {ms['solve_median_s']}, max {ms['solve_max_s']} (of which the prepared model, "
            f"built under the shared Session's lock: median {ms['prepare_median_s']}, max {ms['prepare_max_s']})\n"
            f"  total: {out['total_s']:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/workshop_load.py")
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--store-url", default=None, help="a PostgreSQL URL (default: SQLite in a temporary folder)")
    parser.add_argument("--workspace", default=None, help="the SQLite store's folder (default: a temporary one)")
    parser.add_argument("--processes", action="store_true", help="one process per worker instead of threads")
    args = parser.parse_args(argv)
    out = run(args.workers, args.iterations, args.store_url, args.workspace, args.processes)
    print(report(out))
    for error in out["errors"]:
        print("  ERROR", error)
    ok = not out["errors"] and out["rows"] == out["expected"] == out["results"]
    print("  OK: no lost write, no error" if ok else "  FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
