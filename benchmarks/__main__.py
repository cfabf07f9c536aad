"""Run the benchmarks and print their figures: `python -m benchmarks [--quick]` (or `make bench`).

Medians of repeated runs for the interactive cases; each scale case in a fresh process for its peak memory;
ratios from the same run, side by side. Targets are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import sys
import time

from benchmarks.harness import isolated, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes and short limits (a smoke run)")
    parser.add_argument("--sizes", default="100,500,2000", help="enterprises per generated park")
    parser.add_argument("--repeats", type=int, default=5, help="runs per interactive case (median reported)")
    parser.add_argument("--naive-sizes", default="100,200", help="sizes for the monolithic CBC comparison")
    parser.add_argument("--naive-limit", type=float, default=600.0, help="time limit of the monolithic solve, s")
    parser.add_argument("--objectives", default="emissions,cost",
                        help="objectives for the monolithic comparison (cost: carbon price 100 CNY/t, fixed costs)")
    parser.add_argument("--sections", default="demo,scale,monolithic",
                        help="which sections to run: demo, scale, monolithic, workshop (20 groups saving and "
                             "solving at once: benchmarks/workshop_load.py; not in the default)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    naive_sizes = [int(s) for s in args.naive_sizes.split(",") if s]
    if args.quick:
        sizes, naive_sizes, args.naive_limit, args.repeats = [50, 100], [50], 60.0, 3
    print(f"# benchmarks — {time.strftime('%Y-%m-%d %H:%M')} — Python {platform.python_version()}, "
          f"{platform.machine()}, cores: 2 expected")
    sys.stdout.flush()

    from benchmarks.cases import demo_end_to_end, monolithic_case, scale_case
    from benchmarks.naive import naive_case

    sections = set(args.sections.split(","))
    if "demo" in sections:
        print("\n## Demo park, in-process and warm (median of runs)")
        print(table(demo_end_to_end(args.repeats), ["case", "median_s", "runs", "status", "gap"]))
        sys.stdout.flush()

    if "workshop" in sections:
        from benchmarks.workshop_load import report, run

        print("\n## A workshop under load (20 groups at once, threads, SQLite store)")
        print(report(run(20, 2 if args.quick else 5)))
        sys.stdout.flush()

    scale: list[dict[str, object]] = []
    if "scale" in sections:
        print("\n## Matching on generated parks (each in a fresh process; gap 0.5 %)")
    for n in sizes if "scale" in sections else []:
        scale.append(isolated(scale_case, n))
        print(f"  n={n}: {scale[-1].get('match_s', scale[-1].get('error'))}", file=sys.stderr)
    if scale:
        print(table(scale, ["case", "streams", "candidates", "in_model", "subproblems", "candidates_s", "build_s",
                            "solve_s", "match_s", "status", "gap", "links", "peak_mb"]))
        print()
        print(table(scale, ["case", "objective_t", "greedy_t", "optimiser_gain", "links", "greedy_links"]))
        sys.stdout.flush()
    if "monolithic" not in sections:
        return 0

    print(f"\n## Against one monolithic model solved by CBC (time limit {args.naive_limit:.0f} s)")
    print("naive: loose big-M, no warm start (the issue's baseline); tight: our formulation, one model, no warm start")
    rows = []
    for objective, n in itertools.product(args.objectives.split(","), naive_sizes):
        ours = (next((r for r in scale if r.get("enterprises") == n), None) if objective == "emissions" else None) \
            or isolated(scale_case, n, 1, 0.005, objective)
        for label, target in (("naive", naive_case), ("tight", monolithic_case)):
            mono = isolated(target, n, 1, args.naive_limit, 0.005, objective)
            speedup = mono["match_s"] / ours["match_s"] if "match_s" in mono and ours.get("match_s") else None
            ratio = (ours["objective_value"] / mono["objective_value"]
                     if ours.get("objective_value") and mono.get("objective_value") else None)
            rows.append({"objective": objective, "enterprises": n, "baseline": label, "ours_s": ours.get("match_s"),
                         "ours_status": ours.get("status"), "ours_gap": ours.get("gap"), "mono_s": mono.get("match_s"),
                         "mono_status": mono.get("status"), "mono_gap": mono.get("gap"), "speedup": speedup,
                         "objective_ratio": ratio, "mono_peak_mb": mono.get("peak_mb"), "error": mono.get("error")})
            print(f"  n={n} {label}: {mono.get('match_s', mono.get('error'))}", file=sys.stderr)
    print(table(rows, ["objective", "enterprises", "baseline", "ours_s", "ours_status", "ours_gap", "mono_s", "mono_status",
                       "mono_gap", "speedup", "objective_ratio", "mono_peak_mb", "error"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
