"""Driving the app in AppTest: shared by the page tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from app.state import Workspace


def ws_of(at: AppTest) -> Workspace:
    ws = at.session_state["workspace"]
    assert isinstance(ws, Workspace)
    return ws


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app/pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at
