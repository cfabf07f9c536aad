"""The Monte Carlo over factors and ledger quantities (symbiosis.core.uncertainty, docs/uncertainty.md), on real
solves: a tiny park whose one link reads one factor, a park where two links share a factor, and the demo."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from park_builders import STREAMS_HEADER, write_park

from matching import MatchOptions
from symbiosis.core.plan import Plan, strict_json
from symbiosis.core.uncertainty import (
    RELIABILITY_HALF_WIDTH,
    Z90,
    PlanUncertainty,
    plan_pairs,
    plan_uncertainty,
    rank_links,
    sigma_of_relative_sd,
    simulate,
)
from symbiosis.session import Session

ROOT = Path(__file__).resolve().parent.parent
HEADER = [*STREAMS_HEADER, "uncertainty"]
ZERO = dict.fromkeys(RELIABILITY_HALF_WIDTH, 0.0)
ONLY_DERIVED = {**ZERO, "derived": 0.3}  # virgin_cement is 'derived'; the truck factor is 'B'


def _row(eid: str, direction: str, material: str, qty: float, baseline: str, unc: object = "") -> list[object]:
    return [eid, direction, material, qty, "t/a", "", "", "", baseline, "", "", unc]


def _park(folder: Path, cement_receivers: int = 1, ash: float = 30_000, unc_out: object = "",
          unc_in: object = "") -> Path:
    enterprises: list[list[object]] = [["E1", "电厂 Power", 0, 0], ["E2", "水泥 Cement A", 3, 4],
                                       ["E3", "水泥 Cement B", 0, 3]][: 1 + cement_receivers]
    streams = [_row("E1", "output", "fly_ash", ash, "stored", unc_out)]
    streams += [_row(e[0], "input", "cement", 100_000, "virgin", unc_in) for e in enterprises[1:]]
    return write_park(folder, enterprises, streams, streams_header=HEADER)


def _solve(folder: Path) -> tuple[Session, Plan]:
    session = Session.load(folder)
    plan = session.plan(MatchOptions(time_limit=math.inf))
    assert plan.status == "optimal"
    return session, plan


@pytest.fixture(scope="module")
def one_link(tmp_path_factory: pytest.TempPathFactory) -> tuple[Session, Plan]:
    return _solve(_park(tmp_path_factory.mktemp("one") / "park"))


@pytest.fixture(scope="module")
def two_links(tmp_path_factory: pytest.TempPathFactory) -> tuple[Session, Plan]:
    return _solve(_park(tmp_path_factory.mktemp("two") / "park", cement_receivers=2, ash=60_000))


def test_the_tiny_plan_is_as_computed_by_hand(one_link: tuple[Session, Plan]) -> None:
    session, plan = one_link
    (link,) = plan.links
    assert link.quantity == pytest.approx(30_000)  # 30 % of 100,000 t of cement (sub_002 share cap)
    assert link.avoided_scope3_cat1_tco2e == pytest.approx(30_000 * 0.59666)
    assert link.added_transport_tco2e == pytest.approx(30_000 * link.distance_km * 9.5e-5)
    pairs = plan_pairs(session.park, plan.links)
    assert pairs.loc[0, "baseline_out"] == "stored"
    assert pairs.loc[0, "baseline_in"] == "virgin"
    assert pairs.loc[0, "ratio"] == 1.0


def test_zero_spreads_collapse_to_the_point_value_exactly(one_link: tuple[Session, Plan]) -> None:
    session, plan = one_link
    result = plan_uncertainty(session.park, plan, session.factors(), 50, half_widths=ZERO, row_uncertainty=False)
    (interval,) = result.links.values()
    point = plan.links[0].net_tco2e()
    assert interval.point == interval.median == interval.p5 == interval.p95 == point
    assert result.total is not None
    assert result.total.p5 == result.total.p95 == plan.net_tco2e
    assert interval.p_positive == 1.0


@pytest.mark.slow
def test_the_demo_plan_collapses_exactly_with_zero_spreads() -> None:
    session = Session.load(ROOT / "datasets" / "demo_park")
    plan = session.plan(MatchOptions())
    draws = simulate(session.park, plan, session.factors(), 3, half_widths=ZERO, row_uncertainty=False)
    points = np.array([link.net_tco2e(plan.include_scope2) for link in plan.links])
    assert np.array_equal(draws, np.broadcast_to(points, draws.shape))
    still = plan_uncertainty(session.park, plan, session.factors(), 3, half_widths=ZERO, row_uncertainty=False)
    assert still.total is not None
    assert still.total.p5 == still.total.p95 == plan.net_tco2e
    result = plan_uncertainty(session.park, plan, session.factors(), 100)
    assert result.total is not None
    assert result.total.p5 < result.total.median < result.total.p95
    assert all(v.p5 <= v.median <= v.p95 for v in result.links.values())
    assert set(result.links) == {link.link_id for link in plan.links}


@pytest.mark.slow
def test_one_factor_spread_gives_the_analytic_lognormal_quantiles(one_link: tuple[Session, Plan]) -> None:
    session, plan = one_link
    link = plan.links[0]
    avoided, added = link.avoided_scope3_cat1_tco2e, link.added_tco2e
    result = plan_uncertainty(session.park, plan, session.factors(), 2_000, seed=7, half_widths=ONLY_DERIVED,
                              row_uncertainty=False)
    interval = result.links[link.link_id]
    # net = avoided x m - added, m lognormal with median 1 and 95th percentile 1.3 (sigma = ln 1.3 / 1.645); at
    # 2,000 samples the 5 % and 95 % quantiles of m carry a standard error of about 0.8 %
    assert interval.median == pytest.approx(avoided - added, rel=0.02)
    assert interval.p95 == pytest.approx(avoided * 1.3 - added, rel=0.025)
    assert interval.p5 == pytest.approx(avoided / 1.3 - added, rel=0.025)
    sigma = math.log(1.3) / Z90
    assert interval.mean == pytest.approx(avoided * math.exp(sigma**2 / 2) - added, rel=0.015)


def test_ledger_uncertainty_moves_the_quantity(tmp_path: Path) -> None:
    session, plan = _solve(_park(tmp_path / "park", unc_out=0.2, unc_in=0.1))
    link = plan.links[0]
    result = plan_uncertainty(session.park, plan, session.factors(), 20_000, seed=3, half_widths=ZERO)
    interval = result.links[link.link_id]
    sigma = math.hypot(sigma_of_relative_sd(0.2), sigma_of_relative_sd(0.1))  # product of the two rows' draws
    net = link.net_tco2e()
    assert interval.p95 == pytest.approx(net * math.exp(Z90 * sigma), rel=0.015)
    assert interval.p5 == pytest.approx(net * math.exp(-Z90 * sigma), rel=0.015)
    # a blank uncertainty takes the default (10 % standard uncertainty on each row)
    session2, plan2 = _solve(_park(tmp_path / "blank"))
    blank = plan_uncertainty(session2.park, plan2, session2.factors(), 20_000, seed=3, half_widths=ZERO)
    default = math.hypot(sigma_of_relative_sd(0.1), sigma_of_relative_sd(0.1))
    assert blank.links[plan2.links[0].link_id].p95 == pytest.approx(net * math.exp(Z90 * default), rel=0.015)


@pytest.mark.slow
def test_links_on_one_factor_move_together(two_links: tuple[Session, Plan]) -> None:
    session, plan = two_links
    assert len(plan.links) == 2
    assert {x.receiver_id for x in plan.links} == {"E2", "E3"}
    draws = simulate(session.park, plan, session.factors(), 1_000, seed=11, half_widths=ONLY_DERIVED,
                     row_uncertainty=False)
    assert np.corrcoef(draws[:, 0], draws[:, 1])[0, 1] > 0.999  # the one draw of virgin_cement
    result = plan_uncertainty(session.park, plan, session.factors(), 1_000, seed=11, half_widths=ONLY_DERIVED,
                              row_uncertainty=False)
    widths = [v.p95 - v.p5 for v in result.links.values()]
    assert result.total is not None
    total = result.total.p95 - result.total.p5
    assert total == pytest.approx(sum(widths), rel=1e-9)  # fully correlated (one draw, same ratio): widths add
    independent = math.sqrt(sum(w * w for w in widths))
    assert total > 1.3 * independent


def test_seeded_runs_are_reproducible(two_links: tuple[Session, Plan]) -> None:
    session, plan = two_links
    a = simulate(session.park, plan, session.factors(), 64, seed=5)
    b = simulate(session.park, plan, session.factors(), 64, seed=5)
    c = simulate(session.park, plan, session.factors(), 64, seed=6)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    # the first samples of a longer run are the samples of a shorter one (draws come in one block per run)
    assert plan_uncertainty(session.park, plan, session.factors(), 64, seed=5).to_record()["total"] == \
        plan_uncertainty(session.park, plan, session.factors(), 64, seed=5).to_record()["total"]


def test_json_round_trip(two_links: tuple[Session, Plan]) -> None:
    session, plan = two_links
    result = plan_uncertainty(session.park, plan, session.factors(), 100, seed=1)
    text = strict_json(result.to_record())
    back = PlanUncertainty.from_record(json.loads(text))
    assert back.links == result.links
    assert back.total == result.total
    assert (back.samples, back.seed, back.include_scope2) == (100, 1, False)
    assert back.reliability_half_width == RELIABILITY_HALF_WIDTH
    assert list(back.frame()["link_id"]) == [x.link_id for x in plan.links]


def test_rank_by_the_lower_bound(two_links: tuple[Session, Plan]) -> None:
    session, plan = two_links
    result = plan_uncertainty(session.park, plan, session.factors(), 200, seed=2)
    ranked = rank_links(plan, result, "p5")
    p5 = [result.links[x.link_id].p5 for x in ranked.links]
    assert p5 == sorted(p5, reverse=True)
    assert [x.rank for x in ranked.links] == [1, 2]
    with pytest.raises(ValueError, match="rank by"):
        rank_links(plan, result, "mean")


@pytest.mark.slow
def test_the_match_command_writes_the_intervals(tmp_path: Path) -> None:
    folder = _park(tmp_path / "park", cement_receivers=2, ash=60_000)
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "symbiosis", "match", str(folder), "--format", "json",
                             "--uncertainty", "120", "--seed", "4", "--rank-by", "p5", "--out", str(out),
                             "--time-limit", "inf"], capture_output=True, text=True, cwd=ROOT, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    unc = data["uncertainty"]
    assert (unc["samples"], unc["seed"]) == (120, 4)
    assert set(unc["total"]) == {"point", "median", "p5", "p95", "mean", "p_positive"}
    assert {x["link_id"] for x in unc["links"]} == {x["link_id"] for x in data["links"]}
    p5 = {x["link_id"]: x["p5"] for x in unc["links"]}
    ordered = [p5[x["link_id"]] for x in sorted(data["links"], key=lambda x: x["rank"])]
    assert ordered == sorted(ordered, reverse=True)
    saved = json.loads((out / "uncertainty.json").read_text(encoding="utf-8"))
    assert saved == unc | {"seconds": saved["seconds"]}
    assert "uncertainty" not in json.loads((out / "plan.json").read_text(encoding="utf-8"))
    header = (out / "links.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[-4:] == ["net_median", "net_p5", "net_p95", "p_net_positive"]
    off = subprocess.run([sys.executable, "-m", "symbiosis", "match", str(folder), "--format", "json",
                          "--uncertainty", "0", "--time-limit", "inf"], capture_output=True, text=True, cwd=ROOT,
                         timeout=300, check=False)
    assert off.returncode == 0, off.stderr
    assert json.loads(off.stdout)["uncertainty"] is None
    text = subprocess.run([sys.executable, "-m", "symbiosis", "match", str(folder), "--uncertainty", "50",
                           "--lang", "zh", "--time-limit", "inf"], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, check=False)
    assert text.returncode == 0, text.stderr
    assert "90% 区间" in text.stdout
    assert "净减排为正的概率" in text.stdout
