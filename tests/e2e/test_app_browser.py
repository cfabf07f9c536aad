"""The app in a real browser (Debian's chromium via Playwright) against a real `streamlit run` server.

1. a planner's path: a broken upload shows the validation table (the demo stays open), the demo park's Sankey,
   matching gives ranked links, the language switch shows Chinese;
2. two browser contexts at once, each with its own park, neither seeing the other's.
Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1400, "height": 1000}
BROKEN_STREAMS = b"enterprise_id,direction,material,quantity,unit\nE1,sideways,fly_ash,lots,t/a\n"
PARK_B_FILES = {
    "enterprises.csv": "enterprise_id,name,x_km,y_km\nB1,Brick works B,0,0\nB2,Power plant B,1,1\n",
    "streams.csv": ("enterprise_id,direction,material,quantity,unit,baseline\n"
                    "B2,output,fly_ash,20000,t/a,landfill\nB1,input,clay,50000,t/a,virgin\n"),
    "park.toml": 'name = "Second park B"\nname_zh = "第二园区B"\n',
}


def park_b_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in PARK_B_FILES.items():
            zf.writestr(name, text)
    return buffer.getvalue()


SETTLED = ("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
           " && !document.querySelector('[data-stale=\"true\"]')")


def settle(page: Any) -> None:
    """Wait until streamlit has finished the current run: no running indicator and no stale elements, twice
    (the running indicator shows only after a short delay, so one look can come too early)."""
    for _ in range(2):
        page.wait_for_timeout(300)
        page.wait_for_function(SETTLED, timeout=TIMEOUT_MS)


def open_app(context: Any, url: str) -> Any:
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.get_by_role("heading", name="Data").wait_for()
    settle(page)
    return page


def go(page: Any, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title, exact=True).first.wait_for()
    settle(page)


def upload(page: Any, files: list[dict[str, Any]]) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(files)


def test_planner_path_in_a_browser(browser: Any, app_url: str, artifacts: Path) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    try:
        page = open_app(context, app_url)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Binjiang Circular Economy Demo Park").wait_for()  # the demo is open on first visit

        # a broken upload: the validation table, and the demo park stays open
        upload(page, [{"name": "streams.csv", "mimeType": "text/csv", "buffer": BROKEN_STREAMS}])
        page.get_by_text("the upload was not loaded").wait_for()
        settle(page)
        report = page.locator(".st-key-validation_report [data-testid='stDataFrame']")
        report.wait_for()
        assert report.bounding_box()["height"] > 100  # type: ignore[index]
        assert sidebar.get_by_text("Binjiang Circular Economy Demo Park").is_visible()
        page.screenshot(path=str(artifacts / "01_validation_report.png"), full_page=True)

        # open the demo park in one click and see its Sankey
        page.get_by_role("button", name="Open the demo park").click()
        page.get_by_text("Open park: Binjiang").wait_for()
        settle(page)
        go(page, "Metabolism")
        page.locator(".js-plotly-plot g.sankey").first.wait_for()
        assert page.locator(".js-plotly-plot .sankey-node").count() > 10
        page.get_by_test_id("stGraphVizChart").first.wait_for()
        page.screenshot(path=str(artifacts / "02_sankey.png"), full_page=False)

        # run matching and see ranked links with an honest status
        go(page, "Opportunities")
        page.get_by_role("button", name="Run matching").click()
        page.get_by_text("OPTIMAL: the plan is proven").wait_for()
        settle(page)
        page.get_by_role("heading", name="Ranked links").wait_for()
        ranked = page.locator(".st-key-ranked_links_box [data-testid='stDataFrame']")
        ranked.scroll_into_view_if_needed()
        assert ranked.bounding_box()["height"] > 200  # type: ignore[index]
        ranked.screenshot(path=str(artifacts / "03_ranked_links.png"))
        page.locator(".js-plotly-plot").last.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "04_map.png"), full_page=False)

        # the same page in Chinese
        page.get_by_test_id("stSidebar").get_by_text("中文").click()
        page.get_by_role("heading", name="机会", exact=True).wait_for()
        settle(page)
        page.get_by_text("最优：已证明方案为最优").wait_for()
        page.get_by_role("heading", name="链接排序").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "05_opportunities_zh.png"), full_page=False)
        go(page, "代谢")
        page.locator(".js-plotly-plot g.sankey").first.wait_for()
        page.screenshot(path=str(artifacts / "06_sankey_zh.png"), full_page=False)
    finally:
        context.close()


def test_two_browsers_each_see_only_their_own_park(browser: Any, app_url: str, artifacts: Path) -> None:
    first = browser.new_context(viewport=VIEWPORT)
    second = browser.new_context(viewport=VIEWPORT)
    try:
        a = open_app(first, app_url)
        b = open_app(second, app_url)
        upload(b, [{"name": "park_b.zip", "mimeType": "application/zip", "buffer": park_b_zip()}])
        b.get_by_text("Open park: Second park B").wait_for()
        settle(b)

        go(a, "Opportunities")  # A solves on the demo while B holds park B
        a.get_by_role("button", name="Run matching").click()
        a.get_by_text("OPTIMAL: the plan is proven").wait_for()
        settle(a)
        go(b, "Opportunities")
        b.get_by_text("No plan yet").wait_for()

        a_side = a.get_by_test_id("stSidebar").inner_text()
        b_side = b.get_by_test_id("stSidebar").inner_text()
        assert "Binjiang" in a_side and "Second park B" not in a_side
        assert "Second park B" in b_side and "Binjiang" not in b_side
        assert "current plan" in a_side and "current plan" not in b_side
        a.screenshot(path=str(artifacts / "07_session_a.png"))
        b.screenshot(path=str(artifacts / "08_session_b.png"))
    finally:
        first.close()
        second.close()


FIX_FILES = {
    "enterprises.csv": "enterprise_id,name,x_km,y_km\nF1,热电厂 CHP plant,0,0\nF2,水泥厂 Cement works,2,1\n",
    "streams.csv": ("enterprise_id,direction,material,quantity,unit,baseline\n"
                    "F1,output,fly_ash,很多,t/a,landfill\nF2,input,clay,50000,t/a,virgin\n"),
}


def fix_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in FIX_FILES.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def test_fix_a_row_in_the_browser(browser: Any, app_url: str, artifacts: Path) -> None:
    """A quantity '很多' is typed over with a number in the fix table: the park loads without a new upload, the
    change log names the edit, and the uploaded zip downloads unchanged."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US", accept_downloads=True)
    try:
        page = open_app(context, app_url)
        original = fix_zip()
        upload(page, [{"name": "broken_park.zip", "mimeType": "application/zip", "buffer": original}])
        page.get_by_text("the upload was not loaded").wait_for()
        settle(page)
        box = page.locator(".st-key-fix_rows")
        box.get_by_text("Fix rows: broken_park.zip").wait_for()
        grid = box.locator("[data-testid='stDataFrame']").first
        grid.evaluate("e => e.scrollIntoView({block: 'center'})")
        settle(page)
        bounds = grid.bounding_box()
        assert bounds is not None
        # the first data row's first cell (the row number), then right to `quantity` (row, problems,
        # enterprise_id, direction, material, quantity); Enter opens the cell's editor, Enter again commits
        page.mouse.click(bounds["x"] + 20, bounds["y"] + 35 + 17)
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type("30000")
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
        page.get_by_text("Fixed: the park is loaded").wait_for(timeout=10000)
        settle(page)
        page.get_by_test_id("stSidebar").get_by_text("Unnamed park").wait_for()
        box.get_by_text("Change log", exact=True).wait_for()
        box.scroll_into_view_if_needed()
        box.screenshot(path=str(artifacts / "fix_rows.png"))
        with page.expect_download() as info:
            box.get_by_role("button", name="Download the original broken_park.zip (unchanged)").click()
        assert Path(info.value.path()).read_bytes() == original
        with page.expect_download() as info:
            box.get_by_role("button", name="Download the change log (.csv)").click()
        log = Path(info.value.path()).read_text(encoding="utf-8-sig")
        assert "很多" in log and "30000" in log and "streams.csv" in log
    finally:
        context.close()


def test_force_one_link_by_name_and_the_map(browser: Any, app_url: str, artifacts: Path) -> None:
    """The force/forbid picker: a link found by typing names, forced alone (the forced list holds exactly one);
    the map in Chinese. Screenshots picker_en.png and map_zh.png."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    try:
        page = open_app(context, app_url)
        go(page, "Opportunities")
        page.get_by_role("button", name="Run matching").click()
        page.get_by_text("OPTIMAL: the plan is proven").wait_for()
        settle(page)
        picker = page.locator(".st-key-link_pick")
        picker.scroll_into_view_if_needed()
        picker.locator("input").click()
        page.keyboard.type("hydrogen → 滨江钢铁")
        options = page.get_by_role("option")
        options.first.wait_for()
        assert 1 <= options.count() < 10  # typing narrows the list; no "select all" is offered
        assert not page.get_by_text("Select all").count() and not page.get_by_text("matches").count()
        label = options.first.inner_text()
        assert "滨江氯碱化工有限公司 — hydrogen → 滨江钢铁集团有限公司" in label
        options.first.click()
        settle(page)
        page.locator(".st-key-pick_force button").click()
        settle(page)
        forced = page.locator(".st-key-forced_list")
        forced.get_by_text(label.strip()).wait_for()
        assert forced.get_by_role("button", name="Remove").count() == 1
        assert page.locator(".st-key-forbidden_list").get_by_role("button", name="Remove").count() == 0
        page.locator(".st-key-link_picker").screenshot(path=str(artifacts / "picker_en.png"))
        page.locator(".st-key-link_picker").evaluate("e => e.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(artifacts / "picker_en_page.png"), full_page=False)

        page.get_by_test_id("stSidebar").get_by_text("中文").click()
        page.get_by_role("heading", name="机会", exact=True).wait_for()
        settle(page)
        chart = page.locator(".stPlotlyChart").last
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        assert page.locator(".st-key-forced_list").get_by_role("button", name="移除").count() == 1
        chart.screenshot(path=str(artifacts / "map_zh.png"))
    finally:
        context.close()
