"""Small streamlit helpers the pages share (kept thin: decisions are made in the plain modules)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import pandas as pd
import streamlit as st

from app.i18n import t
from app.shell import lang, workspace
from app.state import Workspace
from app.tables import readable
from symbiosis.core.i18n import Lang

__all__ = ["attempt", "keep", "lang", "need_park", "remember", "show_table", "workspace"]
LOG = logging.getLogger("symbiosis.app")
T = TypeVar("T")


def attempt(step: Callable[[], T], lg: Lang, what: str) -> T | None:
    """Run one step (a solve, an explanation); on an unexpected error say so on the page and go on.

    A workshop session must survive a bug in a library: the error is logged with its traceback on the server
    and shown in one line; the session's park, scenarios and plan stay as they were.
    """
    try:
        return step()
    except Exception as exc:
        LOG.exception("app step %s failed", what)
        st.error(t("step_failed", lg, what=t(what, lg), error=f"{type(exc).__name__}: {exc}"), icon=":material/bug_report:")
        return None


def keep(key: str, default: Any) -> None:
    """Give a widget the value it had when its page was last shown (streamlit forgets widgets not on screen)."""
    ws = workspace()
    if key not in st.session_state:
        st.session_state[key] = ws.ui.get(key, default)


def remember(*keys: str) -> None:
    """Store the current values of widgets so `keep` can restore them on the next visit to the page."""
    ws = workspace()
    for key in keys:
        if key in st.session_state:
            ws.ui[key] = st.session_state[key]


def need_park(ws: Workspace, lg: Lang) -> bool:
    """True when a park is open; else say how to open one."""
    if ws.park is not None:
        return True
    st.info(t("open_a_park_first", lg))
    st.page_link("app/pages/data.py", label=t("page_data", lg),
                 icon=":material/table:")
    return False


def show_table(frame: pd.DataFrame, key: str, height: int | Literal["auto", "stretch", "content"] = "auto",
               keep: tuple[str, ...] = (), **kwargs: Any) -> None:
    """A read-only table through app.tables.readable: headers and keys in the user's language, numbers formatted,
    no None/nan, widths that fit; `keep`: columns shown as typed."""
    shown, config = readable(frame, lang(), keep=keep)
    config.update(kwargs.pop("column_config", None) or {})
    st.dataframe(shown, key=key, hide_index=True, height=height, column_config=config, **kwargs)
