"""The plan's Monte Carlo where a reader sees it: the report (tables, HTML, uncertainty.json) and the app's ranked
links table (docs/uncertainty.md, "Where it is shown"). On the two-link park of tests/test_uncertainty.py."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from test_uncertainty import _park

from app import opportunities
from matching import MatchOptions
from symbiosis.core.i18n import render
from symbiosis.core.loader import load_park
from symbiosis.core.uncertainty import TEXTS, PlanUncertainty, format_interval, plan_uncertainty
from symbiosis.reporting import analyse, report_files
from symbiosis.reporting import tables as report_tables
from symbiosis.reporting.analysis import Analysis


@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    park = load_park(_park(tmp_path_factory.mktemp("surf") / "park", cement_receivers=2, ash=60_000))
    return analyse(park, MatchOptions(time_limit=math.inf), uncertainty_samples=150)


def test_the_report_carries_the_intervals(analysis: Analysis) -> None:
    u = analysis.uncertainty
    assert u is not None and u.samples == 150 and u.total is not None
    links = report_tables.links(analysis, "en")
    for column in ("net_median", "net_p5", "net_p95", "p_net_positive"):
        assert links[column].notna().all()
    first = links.iloc[0]
    assert first["net_p5"] <= first["net_median"] <= first["net_p95"]
    assert first["net_median"] == u.links[first["link_id"]].median
    summary = report_tables.summary(analysis, "zh")
    assert format_interval(u.total.median, u.total.p5, u.total.p95) in set(summary["value"])
    files = report_files(analysis, "both")
    saved = PlanUncertainty.from_record(json.loads(files["uncertainty.json"]))
    assert saved.total == u.total
    assert "uncertainty" not in json.loads(files["plan.json"])  # plan.json stays the plan schema
    html_en = files["report.en.html"].decode("utf-8")
    html_zh = files["report.zh.html"].decode("utf-8")
    assert "P(net &gt; 0)" in html_en or "P(net > 0)" in html_en
    assert "净减排为正的概率" in html_zh


def test_no_samples_no_interval(tmp_path: Path) -> None:
    park = load_park(_park(tmp_path / "park"))
    a = analyse(park, MatchOptions(time_limit=math.inf), uncertainty_samples=0)
    assert a.uncertainty is None
    assert report_tables.links(a, "en")["net_median"].isna().all()
    assert "uncertainty.json" not in report_files(a, "en")


def test_the_app_links_table_shows_median_interval_and_probability(analysis: Analysis) -> None:
    plan, park = analysis.plan, analysis.park
    plain = opportunities.links_table(plan, park, "en")
    result = plan_uncertainty(park, plan, analysis.factors, 100, seed=3)
    for lang in ("en", "zh"):
        shown = opportunities.links_table(plan, park, lang, result)
        interval, probability = render(TEXTS.code("column"), lang), render(TEXTS.code("p_positive"), lang)
        columns = list(shown.columns)
        assert columns[columns.index(interval) + 1] == probability
        assert len(columns) == len(opportunities.links_table(plan, park, lang).columns) + 2
        first = min(plan.links, key=lambda x: x.rank)
        cell = result.links[first.link_id]
        assert shown[interval].iloc[0] == format_interval(cell.median, cell.p5, cell.p95)
        assert shown[probability].iloc[0] == f"{cell.p_positive:.0%}"
    assert interval not in plain.columns
