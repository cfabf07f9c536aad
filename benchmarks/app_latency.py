"""Interaction latency of the workshop app on the demo park: medians of page switch, re-render, re-solve.

    python benchmarks/app_latency.py              # server side (streamlit's AppTest: one script run each)
    python benchmarks/app_latency.py --browser    # also in Debian's chromium against `streamlit run`

Server side is what a user waits for on the server (one script run); the browser figures add the websocket
round trip and drawing. A re-solve changes one option to a value not tried before, so the cache cannot answer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ("data", "metabolism", "opportunities", "indicators", "scenarios", "export")


def timed(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:8.0f} ms  (n={len(samples)}, max {max(samples) * 1000:.0f} ms)"


def server_side(repeats: int) -> dict[str, list[float]]:
    from streamlit.testing.v1 import AppTest

    os.environ.pop("SYMBIOSIS_APP_PARK", None)
    at = AppTest.from_file(str(ROOT / "app_streamlit.py"), default_timeout=120)
    out: dict[str, list[float]] = {"first visit (demo park opened)": [timed(at.run)]}
    # first render of each page (graphs, indicators computed), then cached switches
    def show(page: str) -> None:
        at.switch_page(f"app/pages/{page}.py").run()

    def run_matching() -> None:
        at.button(key="run_matching").click().run()

    out["first render of a page"] = [timed(partial(show, p)) for p in PAGES]
    at.switch_page("app/pages/opportunities.py").run()
    out["first solve (Run matching)"] = [timed(run_matching)]
    switches: list[float] = []
    for _ in range(repeats):
        for page in PAGES:
            switches.append(timed(partial(show, page)))
    out["page switch (cached)"] = switches
    rerenders = {}
    for page in ("metabolism", "opportunities", "indicators"):
        at.switch_page(f"app/pages/{page}.py").run()
        rerenders[page] = [timed(at.run) for _ in range(repeats)]
    for page, samples in rerenders.items():
        out[f"re-render, {page}"] = samples
    at.switch_page("app/pages/opportunities.py").run()
    resolves, cached = [], []
    for i in range(repeats):
        value = 40.0 - i  # a truck reach not used before: the solve cannot come from the cache
        at.number_input(key="opt_reach_truck").set_value(value).run()
        resolves.append(timed(run_matching))
    for i in range(repeats):
        at.number_input(key="opt_reach_truck").set_value(40.0 - i).run()
        cached.append(timed(run_matching))
    out["re-solve after one option change"] = resolves
    out["re-solve of options solved before (cache)"] = cached
    at.switch_page("app/pages/metabolism.py").run()

    def basis(value: str) -> None:
        at.radio(key="sk_basis").set_value(value).run()

    out["Sankey basis change (cached graph)"] = [timed(partial(basis, b)) for b in ("water", "heat", "co2e", "mass")]
    return out


def browser_side(repeats: int) -> dict[str, list[float]]:
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    from conftest import CHROMIUM, CHROMIUM_ARGS, free_port, wait_healthy  # the e2e tests' server helpers
    from playwright.sync_api import sync_playwright

    port = free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / "app_latency_server.log"
    env = {k: v for k, v in os.environ.items() if k != "SYMBIOSIS_APP_PARK"}
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app_streamlit.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    out: dict[str, list[float]] = {}
    try:
        wait_healthy(url, server, log)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)

            def settle() -> None:
                page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
                                       " && !document.querySelector('[data-stale=\"true\"]')", polling=20)

            last_heading = {"Data": "Edit the ledger", "Metabolism": "Balances", "Opportunities": "Why not matched?",
                            "Indicators": "Indicators", "Scenarios": "Saved scenarios", "Export": "Everything"}

            def go(title: str, last: str | None = None) -> None:
                """Click a page in the sidebar and wait until its last section is drawn and the run is over."""
                page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
                page.get_by_role("heading", name=title, exact=True).first.wait_for()
                page.get_by_role("heading", name=last or last_heading[title], exact=True).first.wait_for()
                settle()

            def first_visit() -> None:
                page.goto(url)
                page.get_by_role("heading", name="Edit the ledger").wait_for()
                settle()

            def solve() -> None:
                page.get_by_role("button", name="Run matching").click()
                page.wait_for_timeout(50)
                settle()

            out["browser: first visit to a drawn Data page"] = [timed(first_visit)]
            go("Opportunities", "Force or forbid links")
            page.get_by_role("button", name="Run matching").click()
            page.get_by_role("heading", name="Ranked links").wait_for()
            settle()
            titles = ("Data", "Metabolism", "Opportunities", "Indicators", "Scenarios", "Export")
            out["browser: page switch"] = [timed(partial(go, t)) for _ in range(repeats) for t in titles]
            go("Opportunities")
            resolves = []
            for i in range(repeats):
                box = page.get_by_label("truck")
                box.fill(f"{30 - i}")
                box.press("Enter")
                settle()
                resolves.append(timed(solve))
            out["browser: re-solve after one option change"] = resolves
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also measure in chromium (needs /usr/bin/chromium)")
    args = parser.parse_args()
    results = server_side(args.repeats)
    if args.browser:
        results.update(browser_side(max(2, args.repeats // 2)))
    width = max(len(k) for k in results)
    print("median latency on the demo park (47 enterprises, 398 streams)")
    for name, samples in results.items():
        print(f"  {name:<{width}}  {median_ms(samples)}")


if __name__ == "__main__":
    main()
