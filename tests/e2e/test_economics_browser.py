"""The Economics page in a real browser (Debian's chromium via Playwright): the demo park matched, its MACC drawn,
the widest bar hovered and its facts read from plotly's hover label, the trade-off curve computed, and the hover
in Chinese. Screenshots test-artifacts/macc-demo.png, tradeoff-demo.png and macc-demo-zh.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_app_browser import VIEWPORT, go, open_app, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SOLVE_MS = 300_000


def test_the_demo_macc_hovers_a_links_facts(browser: Any, app_url: str, artifacts: Path) -> None:
    context = browser.new_context(viewport={**VIEWPORT, "height": 1100}, locale="en-US")
    try:
        page = open_app(context, app_url)
        page.get_by_test_id("stSidebar").get_by_text("Binjiang Circular Economy Demo Park").wait_for()
        go(page, "Opportunities")
        page.get_by_role("button", name="Run matching").click()
        page.get_by_text("OPTIMAL: the plan is proven").wait_for()
        settle(page)
        go(page, "Economics")
        chart = page.locator(".st-key-macc_box .js-plotly-plot")
        chart.wait_for()
        page.get_by_role("heading", name="Marginal abatement cost curve").scroll_into_view_if_needed()
        settle(page)
        bars = chart.locator(".barlayer .point path")
        assert bars.count() > 50  # one bar per link of the demo plan
        boxes = [b for b in (bars.nth(i).bounding_box() for i in range(bars.count())) if b]
        widest = max(boxes, key=lambda b: b["width"])
        assert widest["width"] > 50
        page.mouse.move(widest["x"] + widest["width"] / 2, widest["y"] + min(widest["height"] / 2, 40))
        label = chart.locator(".hoverlayer .hovertext")
        label.first.wait_for()
        text = label.first.text_content() or ""
        assert re.search(r"E\d+-\d+->E\d+-\d+", text), text  # the link id
        for fact in ("avoided:", "tCO2e/a", "investment (CAPEX):", "net present value:", "pays:", "gains:",
                     "transfer price:", "placeholder rows (tag R):"):
            assert fact in text, (fact, text)
        line = chart.locator(".shapelayer path")
        assert line.count() >= 1  # the carbon price line
        page.screenshot(path=str(artifacts / "macc-demo.png"), full_page=False)

        # the trade-off curve, computed on the button (several MILPs on the demo park)
        page.get_by_role("button", name="Compute the trade-off curve").click()
        curve = page.locator(".st-key-tradeoff_box .js-plotly-plot")
        curve.wait_for(timeout=SOLVE_MS)
        settle(page)
        assert curve.locator(".scatterlayer .point").count() >= 2
        curve.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "tradeoff-demo.png"), full_page=False)

        # the same page in Chinese: hover words from the same table
        page.get_by_test_id("stSidebar").get_by_text("中文").click()
        page.get_by_role("heading", name="经济性", exact=True).wait_for()
        settle(page)
        chart = page.locator(".st-key-macc_box .js-plotly-plot")
        chart.scroll_into_view_if_needed()
        settle(page)
        bars = chart.locator(".barlayer .point path")
        boxes = [b for b in (bars.nth(i).bounding_box() for i in range(bars.count())) if b]
        widest = max(boxes, key=lambda b: b["width"])
        page.mouse.move(widest["x"] + widest["width"] / 2, widest["y"] + min(widest["height"] / 2, 40))
        label = chart.locator(".hoverlayer .hovertext")
        label.first.wait_for()
        text = label.first.text_content() or ""
        assert "投资（CAPEX）" in text and "净现值" in text, text
        page.screenshot(path=str(artifacts / "macc-demo-zh.png"), full_page=False)
    finally:
        context.close()
