"""The loader under fuzzing: a few hundred seeded hostile packages (benchmarks/fuzz.py makes them).

Every case must end in a loaded Park or the product's ParkError, within the hang bound, and a package that
loads must have lost nothing silently. `python -m benchmarks.fuzz --cases 10000` runs the long version.
"""

from __future__ import annotations

import os

import pytest

from benchmarks.fuzz import make_case, run_case

CASES = int(os.environ.get("FUZZ_CASES", "300"))


@pytest.mark.slow
@pytest.mark.parametrize("block", range(6))
def test_fuzzed_packages_end_in_a_park_or_a_park_error(block: int) -> None:
    numbers = range(block, CASES, 6)
    failures = []
    for number in numbers:
        outcome = run_case(make_case(number, seed=0))
        if outcome.result in ("crash", "hang", "silent_loss"):
            failures.append(f"case {number} ({outcome.case.kind}, {outcome.case.mutation}): {outcome.result}\n"
                            f"{outcome.detail}")
    assert not failures, "\n".join(failures[:5])


def test_the_fuzzer_produces_every_kind_of_package() -> None:
    kinds = {make_case(n, seed=0).kind for n in range(40)}
    assert kinds == {"folder", "zip", "xlsx"}
