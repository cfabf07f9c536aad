"""Finn cycling index on hand-computed examples, and on a park graph.

Two compartments (Finn 1976 definition, throughflow T_i, G[i, j] = f_ij / T_i, N = (I - G)^-1,
CI = sum T_i (n_ii - 1)/n_ii / sum T_i):
    boundary -> A 100;  A -> B 50, A -> out 75;  B -> A 25, B -> out 25.
    Balanced: T_A = 100 + 25 = 50 + 75 = 125, T_B = 50 = 25 + 25.
    G = [[0, 0.4], [0.5, 0]]; I - G has determinant 0.8, so N = [[1.25, 0.5], [0.625, 1.25]].
    (n_ii - 1)/n_ii = 0.2 for both: a unit at A comes back with probability 0.4 * 0.5 = 0.2.
    CI = (0.2 * 125 + 0.2 * 50) / 175 = 35/175 = 0.2.

Three compartments in a ring with a self-loop:
    boundary -> A 100; A -> B 80, A -> out 40; B -> C 80; C -> A 20, C -> out 60; C -> C 20 (re-used).
    T_A = 100 + 20 = 80 + 40 = 120, T_B = 80, T_C = 80 + 20 = 100 = 20 + 60 + 20.
    Return to A: A->B->C->A with 80/120 * 1 * 20/100 = 2/15 per visit, C's self-loop makes more passes:
    G = [[0, 2/3, 0], [0, 0, 1], [0.2, 0, 0.2]]; det(I - G) = 0.8 - 2/15 = 2/3.
    n_AA = (1 - 0.2) / (2/3) = 1.2, n_BB = (0.8) / (2/3) = 1.2, n_CC = 1 / (2/3) = 1.5.
    Cycled: 120 * (0.2/1.2) + 80 * (0.2/1.2) + 100 * (0.5/1.5) = 20 + 13.333 + 33.333 = 66.667.
    CI = 66.667 / 300 = 2/9.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_flows_park import write_package

import flows
from symbiosis import load_park


def test_finn_two_compartments() -> None:
    f = np.array([[0.0, 50.0], [25.0, 0.0]])
    assert flows.finn_from_matrix(f, np.array([100.0, 0.0]), np.array([75.0, 25.0])) == pytest.approx(0.2)


def test_finn_three_compartments_with_self_loop() -> None:
    f = np.array([[0.0, 80.0, 0.0], [0.0, 0.0, 80.0], [20.0, 0.0, 20.0]])
    ci = flows.finn_from_matrix(f, np.array([100.0, 0.0, 0.0]), np.array([40.0, 0.0, 60.0]))
    assert ci == pytest.approx(2 / 9)


def test_finn_without_cycles_is_zero_and_without_flows_nan() -> None:
    f = np.array([[0.0, 10.0], [0.0, 0.0]])
    assert flows.finn_from_matrix(f, np.array([10.0, 0.0]), np.array([0.0, 10.0])) == 0.0
    assert np.isnan(flows.finn_from_matrix(np.zeros((2, 2)), np.zeros(2), np.zeros(2)))


def test_finn_of_a_park_graph(tmp_path: Path) -> None:
    """The two-compartment example as a ledger: water from A to B and back (m3/a)."""
    streams = ("stream_id,enterprise_id,direction,material,quantity,unit,quality,baseline\n"
               "A1,A,input,tap_water,100,m3/a,potable,tap_water\n"
               "A2,A,input,industrial_water,25,m3/a,cooling,tap_water\n"
               "A3,A,output,treated_effluent,125,m3/a,washing,discharge\n"
               "B1,B,input,industrial_water,50,m3/a,cooling,tap_water\n"
               "B2,B,output,reclaimed_water,50,m3/a,cooling,discharge\n")
    exchanges = ("exchange_id,supplier_id,receiver_id,material,quantity,unit\n"
                 "X1,A,B,treated_effluent,50,m3/a\nX2,B,A,reclaimed_water,25,m3/a\n")
    park = load_park(write_package(tmp_path / "ring", "enterprise_id,name,x_km,y_km\nA,甲厂,0,0\nB,乙厂,1,0\n",
                                   streams, exchanges))
    graph = flows.build_graph(park)
    assert graph.graph["warnings"] == []
    assert flows.finn_cycling_index(graph, "water") == pytest.approx(0.2)
    assert np.isnan(flows.finn_cycling_index(graph, "mass"))  # nothing measured in t/a
    metrics = flows.network_metrics(graph).set_index("metric")["value"]
    assert metrics["finn_water"] == pytest.approx(0.2)
    assert (metrics["links"], metrics["connectance"]) == (2, pytest.approx(1.0))
