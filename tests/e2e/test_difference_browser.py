"""The difference view in a real browser on a generated park of 300 enterprises (two parks 60 km apart): a
scenario saved before matching and one with the plan, compared on the Scenarios page. Screenshots
difference_300_<lang>_<level>.png in test-artifacts/ (gitignored)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from test_app_browser import SETTLED, VIEWPORT, go, open_app, settle, upload

from symbiosis.core.generate import write_generated

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SOLVE_MS = 300_000


def park_zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def save_scenario(page: Any, name: str) -> None:
    box = page.locator(".st-key-scenario_name input")
    box.fill(name)
    box.press("Enter")
    settle(page)
    page.locator(".st-key-save_scenario button").click()
    settle(page)


def boxes(locator: Any) -> list[dict[str, float]]:
    return [b for b in (locator.nth(i).bounding_box() for i in range(locator.count())) if b]


def assert_readable(chart: Any) -> None:
    """Every row label, the title and the axis title inside the chart; no value written over a row label."""
    box = chart.bounding_box()
    assert box is not None
    ticks = boxes(chart.locator("g.ytick text"))
    values = boxes(chart.locator("g.barlayer text"))
    assert ticks and values
    for b in ticks + boxes(chart.locator("text.gtitle")) + boxes(chart.locator("text.xtitle")):
        assert box["x"] - 1 <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"] + 1, b
        assert box["y"] - 1 <= b["y"] and b["y"] + b["height"] <= box["y"] + box["height"] + 1, b
    labels_end = max(b["x"] + b["width"] for b in ticks)
    assert all(v["x"] >= labels_end for v in values), (labels_end, min(v["x"] for v in values))
    plot = chart.locator("g.cartesianlayer .bglayer rect, rect.nsewdrag").first.bounding_box()
    assert plot is not None and plot["width"] > 0.45 * box["width"]  # the bars keep most of the width


def test_difference_view_on_a_300_enterprise_park(browser: Any, app_url: str, artifacts: Path,
                                                  tmp_path: Path) -> None:
    folder = write_generated(300, 1, tmp_path / "p300")
    context = browser.new_context(viewport={**VIEWPORT, "height": 2400}, locale="en-US")  # the chart whole
    try:
        page = open_app(context, app_url)
        upload(page, [{"name": "p300.zip", "mimeType": "application/zip", "buffer": park_zip(folder)}])
        page.get_by_text("Open park:").first.wait_for()
        settle(page)
        go(page, "Scenarios")
        save_scenario(page, "before")
        go(page, "Opportunities")
        page.get_by_role("button", name="Run matching").click()
        try:
            page.get_by_text("link(s) proposed").wait_for(timeout=SOLVE_MS)
        finally:
            page.screenshot(path=str(artifacts / "difference_300_solve.png"))
        page.wait_for_timeout(300)
        page.wait_for_function(SETTLED, timeout=SOLVE_MS)  # the page's work after the solve
        settle(page)
        go(page, "Scenarios")
        save_scenario(page, "plan")
        section = page.locator(".st-key-difference_box")
        section.wait_for()
        chart = section.locator(".js-plotly-plot")
        chart.wait_for()
        for level in ("category", "enterprise"):
            if level != "category":
                page.locator(".st-key-compare_level input").click()
                page.keyboard.type("enterprises")
                page.get_by_role("option", name="enterprises", exact=True).click()
                settle(page)
            chart.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            bars = chart.locator("g.barlayer g.point")
            assert bars.count() >= 5
            ticks = chart.locator("g.ytick text")
            texts = [ticks.nth(i).text_content() or "" for i in range(ticks.count())]
            assert texts and all(t.strip() for t in texts)
            assert not any("boundary:" in t or t.startswith("E0") for t in texts)  # names, not keys
            box = chart.bounding_box()
            assert box is not None and box["width"] > 600
            chart.screenshot(path=str(artifacts / f"difference_300_en_{level}.png"))
            assert_readable(chart)
        table = page.locator("[data-testid='stDataFrame']").last  # the table of the same changes
        table.scroll_into_view_if_needed()
        assert table.bounding_box()["height"] > 100  # type: ignore[index]
        page.get_by_test_id("stSidebar").get_by_text("中文").click()
        page.get_by_role("heading", name="情景", exact=True).wait_for()
        settle(page)
        chart = page.locator(".st-key-difference_box .js-plotly-plot")
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        chart.screenshot(path=str(artifacts / "difference_300_zh_enterprise.png"))
    finally:
        context.close()
