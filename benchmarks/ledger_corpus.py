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
The unknown words are listed: they are the vocabulary's gaps (or materials the taxonomy has no key for).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from symbiosis.core.taxonomy import MaterialContext, baseline_vocabulary, read_material, resolve_direction
from symbiosis.core.units import UnitError, parse_rate
from symbiosis.core.units import _amount_kind as amount_kind

ROOT = Path(__file__).resolve().parent.parent
LABELS = {"name": "resolved by name", "context": "resolved in context", "ambiguous": "ambiguous",
          "no_fit": "no key fits", "unknown": "unknown"}


def context_of(row: dict[str, str]) -> MaterialContext:
    kind, steam = None, False
    if row["unit"]:
        try:
            one, _, steam = parse_rate(row["unit"])
            kind = amount_kind(one)
        except UnitError:
            pass
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
    for how in ("context", "ambiguous", "no_fit"):
        shown = [f"{r['word']} -> {reading.key or '/'.join(reading.fitting or reading.candidates)}"
                 for r, reading in readings if reading.how == how]
        if shown:
            print(f"\n{LABELS[how]}: " + "; ".join(shown))
    unknown = [r["word"] for r, reading in readings if reading.how == "unknown"]
    print(f"\nunknown ({len(unknown)}): " + " ".join(unknown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
