"""How the material vocabulary reads real ledger words it was not written from (issue 15 item 1).

    python benchmarks/ledger_corpus.py [--corpus datasets/ledger_corpus.csv] [--lang en|zh]

datasets/ledger_corpus.csv holds ledger words gathered from standards, catalogues and sector texts (each with a
source and a seen/recalled tag), with a unit, a direction and, for heat, a temperature as a ledger row would give
them; none of them is an alias the project added (tests/test_context_names.py checks that). Each word is read the
way the loader reads a stream row (symbiosis.core.taxonomy.read_material with the row's context) and counted as:
  resolved by name     a name or alias of one key
  resolved in context  a generic word of which exactly one key fits the row
  ambiguous            several keys fit the row
  no key fits          a generic word none of whose keys fits the row
  unknown              not a word the vocabulary knows
A compound word the vocabulary does not hold is read by its head (窑头余热 by 余热: taxonomy.head_of), and a water
word naming a grade (冷却用水) as the supply of that grade; the counts say how many readings came that way, and
the ambiguous ones are split into those a column would decide and those only a more specific name would (an
open head: 铜渣 is a 渣, but no key is copper slag). The unknown words are listed, grouped by how they end: they
are the vocabulary's gaps (or materials the taxonomy has no key for).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from symbiosis.core.taxonomy import (
    OPEN_HEADS,
    MaterialContext,
    Reading,
    baseline_vocabulary,
    head_keys,
    read_material,
    resolve_direction,
)
from symbiosis.core.units import unit_kind

ROOT = Path(__file__).resolve().parent.parent
LABELS = {"name": "resolved by name", "context": "resolved in context", "ambiguous": "ambiguous",
          "no_fit": "no key fits", "unknown": "unknown"}


def context_of(row: dict[str, str]) -> MaterialContext:
    kind, steam = unit_kind(row["unit"]) if row["unit"] else (None, False)
    t = row.get("temperature_c", "").strip()
    base = row.get("baseline", "").strip()
    return MaterialContext(unit=row["unit"], unit_kind=kind, steam_unit=steam,
                           direction=resolve_direction(row["direction"]) if row["direction"] else None,
                           temperature_c=float(t) if t else None,
                           baseline=baseline_vocabulary().resolve(base) if base else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/ledger_corpus.py")
    parser.add_argument("--corpus", default=str(ROOT / "datasets" / "ledger_corpus.csv"))
    args = parser.parse_args(argv)
    with Path(args.corpus).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    readings = [(r, read_material(r["word"], context_of(r))) for r in rows]
    counts = Counter(reading.how for _, reading in readings)
    print(f"{len(rows)} ledger words ({Counter(r['reliability'] for r in rows)['seen']} seen in a cited text)")
    for how, label in LABELS.items():
        print(f"  {label:<20} {counts[how]:>4}  {100 * counts[how] / len(rows):5.1f} %")
    resolved = counts["name"] + counts["context"]
    print(f"  {'resolved in all':<20} {resolved:>4}  {100 * resolved / len(rows):5.1f} %")
    by_head = Counter(reading.how for _, reading in readings if reading.head)
    by_grade = sum(1 for _, r in readings if r.how == "context" and r.grade and not r.head)
    print(f"  read by a head: {by_head['context']} in context, {by_head['ambiguous']} ambiguous, "
          f"{by_head['no_fit']} no key fits; by the water grade a word names: {by_grade} in context")
    name_only = sum(1 for _, r in readings if r.how == "ambiguous" and r.deciding == ("material",))
    print(f"  ambiguous: {counts['ambiguous'] - name_only} a column would decide, {name_only} only a more "
          "specific name would")
    for how in ("context", "ambiguous", "no_fit"):
        shown = [f"{r['word']} -> {reading.key or '/'.join(reading.fitting or reading.candidates)}"
                 + (f" (head {reading.head})" if reading.head else "")
                 + (f" [grade {reading.grade}]" if reading.grade else "")
                 for r, reading in readings if reading.how == how and not open_head(reading)]
        if shown:
            print(f"\n{LABELS[how]}: " + "; ".join(shown))
    by_open: dict[str, list[str]] = {}
    for r, reading in readings:
        if open_head(reading):
            by_open.setdefault(reading.head, []).append(r["word"])
    for head, words in by_open.items():
        print(f"\nambiguous, open head {head} ({len(words)}; a more specific name decides among "
              f"{'/'.join(head_keys(head))}): " + " ".join(words))
    unknown = [r["word"] for r, reading in readings if reading.how == "unknown"]
    print(f"\nunknown ({len(unknown)}), by ending:")
    for ending, words in sorted(group_by_ending(unknown).items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print(f"  …{ending} ({len(words)}): " + " ".join(words))
    return 0


ENDINGS: tuple[str, ...] = ("废物", "液", "用水", "水", "气", "泥", "尘", "煤", "油", "热", "石膏", "石", "料",
                            "屑", "电")


def open_head(reading: Reading) -> bool:
    return reading.how == "ambiguous" and reading.head in OPEN_HEADS


def group_by_ending(words: list[str]) -> dict[str, list[str]]:
    """Words grouped by the first of ENDINGS they end with ("other" for the rest): where the gaps are."""
    out: dict[str, list[str]] = {}
    for w in words:
        out.setdefault(next((e for e in ENDINGS if w.endswith(e)), "other"), []).append(w)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
