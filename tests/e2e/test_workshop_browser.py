"""A workshop in real browsers (Debian's chromium via Playwright) against a real `streamlit run` server whose
store is SQLite in a temporary folder (the `store_workspace` fixture of conftest.py).

The facilitator creates a workshop on the demo park; three groups in three browser contexts join it (one with the
form, two with the link), each solves its own scenario, saves it and marks it as its choice; one group reloads its
page and finds its workshop, its choice and its plan again; the facilitator compares the three (screenshot
test-artifacts/workshop-compare.png) and downloads the comparison; a fourth context with another workshop's code
sees nothing of the first.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from test_app_browser import VIEWPORT, go, open_app, settle

from app.i18n import t
from symbiosis.core.datasets import demo_park_path
from symbiosis.workshop.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GROUPS = ("Group A", "Group B", "Group C")
SCENARIOS = {"Group A": "defaults", "Group B": "best value", "Group C": "short trucks"}


def type_into(page: Any, key: str, value: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(value)
    box.press("Enter")
    settle(page)


def lap(start: float, what: str) -> None:
    print(f"  {time.monotonic() - start:5.1f} s  {what}")


def solve_save_choose(page: Any, group: str) -> None:
    """The group's own options, a solve, a save on the Scenarios page, and its choice on the Workshop page."""
    go(page, "Opportunities")
    if group == "Group B":
        page.get_by_text(t("objective_cost", "en")).click()  # the label as the app writes it
        settle(page)
    elif group == "Group C":
        type_into(page, "opt_reach_truck", "5")
    page.get_by_role("button", name="Run matching").click()
    page.get_by_text("Ranked links").first.wait_for()
    settle(page)
    go(page, "Scenarios")
    type_into(page, "scenario_name", SCENARIOS[group])
    page.get_by_role("button", name="Save the current scenario").click()
    page.get_by_text(f"Saved “{SCENARIOS[group]}” with its plan.").wait_for()
    settle(page)
    go(page, "Workshop")
    page.get_by_role("button", name="Mark as our choice").click()
    page.get_by_text(f"“{SCENARIOS[group]}” is your group's choice").wait_for()
    settle(page)


def test_three_groups_a_reload_and_the_facilitators_comparison(browser: Any, app_url: str, artifacts: Path,
                                                               store_workspace: Path) -> None:
    start = time.monotonic()
    # the facilitator's window is tall: the whole comparison in one screenshot (streamlit scrolls inside the page)
    contexts = [browser.new_context(viewport=viewport, locale="en-US", accept_downloads=True)
                for viewport in ({"width": 1400, "height": 4200}, VIEWPORT, VIEWPORT, VIEWPORT, VIEWPORT)]
    try:
        # the facilitator creates the workshop on the demo park: two codes, shown big
        fac = open_app(contexts[0], app_url)
        go(fac, "Workshop")
        type_into(fac, "ws_create_name", "Morning workshop")
        fac.get_by_role("button", name="Create the workshop").click()
        fac.locator(".st-key-ws_join_code_box code").wait_for()
        settle(fac)
        code = fac.locator(".st-key-ws_join_code_box code").inner_text().strip()
        fcode = fac.locator(".st-key-ws_facilitator_code_box code").inner_text().strip()
        assert len(code) == 6 and len(fcode) == 12

        # three groups: A joins with the form, B and C with the link
        pages: dict[str, Any] = {}
        for i, group in enumerate(GROUPS):
            if i == 0:
                page = open_app(contexts[1], app_url)
                go(page, "Workshop")
                type_into(page, "ws_join_code", code)
                type_into(page, "ws_join_group", group)
                page.get_by_role("button", name="Join", exact=True).click()
                page.get_by_text(f"You are “{group}”").wait_for()
                settle(page)
            else:
                page = open_app(contexts[i + 1], f"{app_url}/?{urlencode({'workshop': code, 'group': group})}")
            assert f"group “{group}”" in page.get_by_test_id("stSidebar").inner_text()
            pages[group] = page
        lap(start, "three groups joined")
        for group in GROUPS:
            solve_save_choose(pages[group], group)
            lap(start, f"{group} solved, saved, chose")
        assert "workshop=" in pages["Group A"].url and "scenario=defaults" in pages["Group A"].url

        # Group B reloads: its workshop, its choice and its scenario (with its plan) are back (the URL carries the
        # group's key, issued at its first join: without it the name alone is refused, see the end)
        b = pages["Group B"]
        assert "key=" in b.url
        b.reload()
        b.get_by_role("heading", name="Workshop", exact=True).wait_for()
        settle(b)
        b.get_by_text("Your group's choice: best value").wait_for()
        assert "group “Group B”" in b.get_by_test_id("stSidebar").inner_text()
        assert "current plan" in b.get_by_test_id("stSidebar").inner_text()

        lap(start, "reloaded")
        # the store holds the three groups' scenarios, each with a result, each chosen
        store = Store.open(workspace=store_workspace)
        workshop = store.facilitated(fcode)
        assert workshop is not None
        rows = store.scenarios(workshop, facilitator_code=fcode)
        assert sorted((r.group_name, r.name, r.chosen) for r in rows) == [(g, SCENARIOS[g], True) for g in GROUPS]
        assert all(store.result(r.id) is not None for r in rows)

        # the facilitator compares the three chosen scenarios and downloads the comparison
        assert fac.locator(".st-key-ws_facilitator_code input").input_value() == fcode  # filled in on creation
        fac.get_by_text("No group has marked a chosen scenario yet.").wait_for()  # as it was before the groups
        fac.get_by_role("button", name="Read the groups' choices again").click()
        fac.get_by_text("The groups' chosen scenarios side by side").wait_for()
        chart = fac.locator(".st-key-ws_difference_box .js-plotly-plot").first
        chart.scroll_into_view_if_needed()
        chart.wait_for()
        settle(fac)
        fac.evaluate("window.scrollTo(0, 0)")
        fac.screenshot(path=str(artifacts / "workshop-compare.png"), full_page=True)
        lap(start, "compared")
        with fac.expect_download() as info:
            fac.get_by_role("button", name="Download the comparison (HTML)").click()
        report = Path(info.value.path()).read_text(encoding="utf-8")
        assert all(g in report and SCENARIOS[g] in report for g in GROUPS) and code in report

        # another workshop: a group there (even with the same group name) sees nothing of the first
        other = store.create_workshop("Afternoon", {p.name: p.read_bytes() for p in demo_park_path().iterdir()
                                                    if p.is_file()})
        fourth = open_app(contexts[4], f"{app_url}/?{urlencode({'workshop': other.code, 'group': 'Group A'})}")
        go(fourth, "Workshop")
        fourth.get_by_text("Your group has no saved scenario yet").wait_for()
        text = fourth.locator("body").inner_text()
        assert other.code in text and code not in text
        assert not any(SCENARIOS[g] in text for g in GROUPS)
        go(fourth, "Scenarios")
        fourth.get_by_text("Nothing saved yet in this browser session.").wait_for()
        # the first workshop's Group B by name, without its key: refused, with where to get the link
        fourth.goto(f"{app_url}/?{urlencode({'workshop': code, 'group': 'Group B'})}")
        fourth.get_by_text("ask its members for the group's link", exact=False).first.wait_for()
        assert "best value" not in fourth.locator("body").inner_text()
        store.close()
    finally:
        for context in contexts:
            context.close()
    print(f"workshop browser test: {time.monotonic() - start:.0f} s")
