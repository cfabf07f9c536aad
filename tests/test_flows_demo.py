"""The demo park's balances against stored expected results (tests/data/expected/demo_balances.csv).

The expected file is written once, by hand, from a reviewed run:
    .venv/bin/python tests/test_flows_demo.py --write
and compared with a tolerance afterwards. When datasets/demo_park changes on purpose, review the diff of the
regenerated file before committing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

import flows
from symbiosis import load_park
from symbiosis.core.datasets import demo_park_path

EXPECTED = Path(__file__).resolve().parent / "data" / "expected" / "demo_balances.csv"
KEY = ["enterprise_id", "level", "key", "unit"]
NUMBERS = ["inflow", "outflow", "gap", "tolerance"]
STORED = [*KEY, *NUMBERS, "status", "flagged"]


def demo_balances() -> pd.DataFrame:
    table = flows.balances(load_park(demo_park_path()))
    return table[STORED].sort_values(KEY, kind="stable").reset_index(drop=True)


def test_demo_balances_match_stored_results() -> None:
    expected = pd.read_csv(EXPECTED, dtype={"enterprise_id": str, "key": str, "status": str},
                           keep_default_na=False).sort_values(KEY, kind="stable").reset_index(drop=True)
    actual = demo_balances()
    assert actual[KEY].equals(expected[KEY]), "rows differ: regenerate only if the demo park changed on purpose"
    for col in NUMBERS:
        assert actual[col].to_numpy() == pytest.approx(expected[col].to_numpy(dtype=float), rel=1e-6, abs=1e-6), col
    assert actual["status"].tolist() == expected["status"].tolist()
    assert actual["flagged"].tolist() == expected["flagged"].astype(bool).tolist()


def test_demo_park_whole_pipeline() -> None:
    park = load_park(demo_park_path())
    graph = flows.build_graph(park)
    table = flows.indicators(graph)
    assert table["computable"].all()
    assert set(table["passed"].dropna()) <= {True, False}
    for basis in ("mass", "water", "heat", "energy", "co2e"):
        fig = flows.sankey_figure(graph, basis=basis, lang="zh")
        assert len(fig.data[0].link.value) > 0, basis
    assert "digraph" in flows.network_dot(graph, lang="zh")
    assert len(flows.keystones(graph)) == len(park.enterprises)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_flows_demo.py --write   (rewrites the stored expected balances)")
    EXPECTED.parent.mkdir(parents=True, exist_ok=True)
    demo_balances().to_csv(EXPECTED, index=False, encoding="utf-8", float_format="%.10g")
    print(f"wrote {EXPECTED}")
