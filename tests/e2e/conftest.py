"""Browser tests: `streamlit run` on a free loopback port, driven by Debian's chromium through Playwright.

The chromium binary comes from apt (`apt-get install chromium fonts-noto-cjk`), never from `playwright install`.
A missing chromium is a failure with instructions, not a skip: CI installs it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("SYMBIOSIS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy in {STARTUP_SECONDS} s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def store_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the served app's workshop store (SQLite): fresh per test run, never the repository's."""
    return tmp_path_factory.mktemp("workshop-store")


@pytest.fixture(scope="session")
def app_url(store_workspace: Path) -> Iterator[str]:
    """The app served by a real `streamlit run` on 127.0.0.1:<free port>, stopped after the tests."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    log = ARTIFACTS / "streamlit-server.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "SYMBIOSIS_WORKSPACE": str(store_workspace)}
    env.pop("SYMBIOSIS_APP_PARK", None)
    env.pop("SYMBIOSIS_STORE_URL", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app_streamlit.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/ (gitignored): screenshots and the server log."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium, headless. Fails (does not skip) with instructions when it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get update && apt-get install -y chromium "
                    "fonts-noto-cjk` (never `playwright install`); .ci/run does this in CI.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()
