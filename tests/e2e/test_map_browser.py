"""The map's labels as chromium draws them (tests/e2e): on the demo park and on a generated park of 300
enterprises, no label (a top link's label or an enterprise's name) covers an enterprise dot or a point of a link
line, the top links are labelled, and the plot area is at least the size the placement assumes
(app.opportunities.PLOT_PX). Screenshots map_demo_<lang>.png and map_300_<lang>.png in test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_app_browser import SETTLED, VIEWPORT, go, open_app, settle, upload
from test_difference_browser import SOLVE_MS, park_zip

from app.opportunities import PLOT_PX
from symbiosis.core.generate import write_generated

pytestmark = pytest.mark.browser

# In the page: the plot area, the dots (centres, radius), the label boxes (link labels' backings and the names'
# text) and points every 2 px along every link line, all in screen pixels.
GEOMETRY = """(root) => {
  const rect = (e) => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const plot = root.querySelector('.nsewdrag');
  const dots = [], labels = [], points = [];
  for (const trace of root.querySelectorAll('.scatterlayer .trace')) {
    const marks = trace.querySelectorAll('.points path.point');
    const enterprises = marks.length > 0 && marks[0].style.fill === 'rgb(53, 96, 141)';
    if (enterprises) {
      for (const p of marks) dots.push(rect(p));
      for (const t of trace.querySelectorAll('.textpoint text')) if (t.textContent.trim()) labels.push(rect(t));
    }
    const line = trace.querySelector('path.js-line');
    if (line && marks.length && !enterprises) {  // a link: a line with its arrowhead
      const m = line.getScreenCTM(), n = line.getTotalLength();
      for (let s = 0; s <= n; s += 2) {
        const q = line.getPointAtLength(s);
        points.push([m.a * q.x + m.c * q.y + m.e, m.b * q.x + m.d * q.y + m.f]);
      }
    }
  }
  for (const a of root.querySelectorAll('.annotation-text-g rect.bg')) labels.push(rect(a));
  return {plot: rect(plot), dots, labels, points,
          texts: Array.from(root.querySelectorAll('.annotation-text-g text')).map(t => t.textContent)};
}"""


def covered(labels: list[list[float]], dots: list[list[float]], points: list[list[float]]) -> list[str]:
    """Labels over a dot (its drawn box, 1 px in) or a line point (1 px in)."""
    bad = []
    for lb in labels:
        x0, y0, x1, y1 = lb[0] + 1, lb[1] + 1, lb[2] - 1, lb[3] - 1
        for d in dots:
            if d[0] + 1 < x1 and x0 < d[2] - 1 and d[1] + 1 < y1 and y0 < d[3] - 1:
                bad.append(f"label {lb} on dot {d}")
        for p in points:
            if x0 < p[0] < x1 and y0 < p[1] < y1:
                bad.append(f"label {lb} on line point {p}")
                break
    return bad


def check_map(page: Any, artifacts: Path, name: str, top: int | None) -> dict[str, Any]:
    """The map on the page: screenshot, plot size, no label on a dot or a line, the top ranks 1..top labelled
    (top None, a zoomed view: at least 10 top links of the frame labelled)."""
    chart = page.locator(".stPlotlyChart").filter(has_text=re.compile("Enterprises and proposed links|企业与拟建链接"))
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    chart.screenshot(path=str(artifacts / f"{name}.png"))
    geometry: dict[str, Any] = chart.locator(".js-plotly-plot").evaluate(GEOMETRY)
    plot = geometry["plot"]
    assert plot[2] - plot[0] >= PLOT_PX[0] and plot[3] - plot[1] >= PLOT_PX[1], plot  # as big as assumed
    assert len(geometry["dots"]) >= 20 and len(geometry["points"]) > 500
    bad = covered(geometry["labels"], geometry["dots"], geometry["points"])
    assert not bad, "; ".join(bad[:6])
    ranks = {int(t.split(" ")[0][1:]) for t in geometry["texts"] if t.startswith("#")}
    if top is None:
        assert len(ranks) >= 10, sorted(ranks)
    else:
        assert set(range(1, top + 1)) <= ranks, sorted(ranks)
    return geometry


def run_matching(page: Any) -> None:
    go(page, "Opportunities")
    page.get_by_role("button", name="Run matching").click()
    page.get_by_text("link(s) proposed").wait_for(timeout=SOLVE_MS)
    page.wait_for_timeout(300)
    page.wait_for_function(SETTLED, timeout=SOLVE_MS)  # the page's work after the solve, on a large park too
    settle(page)


def test_demo_map_labels_clear_of_dots_and_lines(browser: Any, app_url: str, artifacts: Path) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    try:
        page = open_app(context, app_url)
        run_matching(page)
        check_map(page, artifacts, "map_demo_en", top=10)
        page.get_by_test_id("stSidebar").get_by_text("中文").click()
        page.get_by_role("heading", name="机会", exact=True).wait_for()
        settle(page)
        check_map(page, artifacts, "map_demo_zh", top=10)
    finally:
        context.close()


@pytest.mark.slow
def test_300_park_map_labels_clear_of_dots_and_lines(browser: Any, app_url: str, artifacts: Path,
                                                    tmp_path: Path) -> None:
    folder = write_generated(300, 1, tmp_path / "p300")
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    try:
        page = open_app(context, app_url)
        upload(page, [{"name": "p300.zip", "mimeType": "application/zip", "buffer": park_zip(folder)}])
        page.get_by_text("Open park:").first.wait_for()
        settle(page)
        run_matching(page)
        check_map(page, artifacts, "map_300_en", top=None)  # zoomed to the first cluster (the default)
        page.locator(".st-key-map_zoom_2 input").click()
        page.keyboard.type("All enterprises")
        page.get_by_role("option", name="All enterprises").click()
        settle(page)
        check_map(page, artifacts, "map_300_en_all", top=10)
    finally:
        context.close()
