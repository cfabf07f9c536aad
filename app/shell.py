"""The frame every page shares: page config, the language switch, the first-visit park, the navigation."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import streamlit as st

from app import compute, workshop
from app.data import first_visit_park, open_path, park_label, shipped_park
from app.i18n import LANG_LABELS, t
from app.state import Workspace, get_workspace
from symbiosis.core.i18n import LANGS, Lang, as_lang

ROOT = Path(__file__).resolve().parent.parent
LOG = logging.getLogger("symbiosis.app")
PAGES: tuple[tuple[str, str, str], ...] = (  # (file, i18n key of the title, icon)
    ("app/pages/data.py", "page_data", ":material/table:"),
    ("app/pages/metabolism.py", "page_metabolism", ":material/account_tree:"),
    ("app/pages/opportunities.py", "page_opportunities", ":material/hub:"),
    ("app/pages/economics.py", "page_economics", ":material/savings:"),
    ("app/pages/indicators.py", "page_indicators", ":material/speed:"),
    ("app/pages/scenarios.py", "page_scenarios", ":material/compare:"),
    ("app/pages/export.py", "page_export", ":material/download:"),
    ("app/pages/workshop.py", "page_workshop", ":material/groups:"),
)


def lang() -> Lang:
    return as_lang(st.session_state.get("lang", "en"))


def workspace() -> Workspace:
    return get_workspace(st.session_state)


def language_switch() -> Lang:
    """中文 / English in the sidebar (key "lang"); ?lang=zh chooses the first one."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = as_lang(st.query_params.get("lang", "en"))
    st.sidebar.radio("Language / 语言", options=list(LANGS), key="lang", horizontal=True,
                     format_func=lambda code: LANG_LABELS[code])
    return lang()


def first_visit(ws: Workspace) -> None:
    """Open the demo park (or $SYMBIOSIS_APP_PARK, or ?park=NAME of a park in datasets/) once per session."""
    if ws.started:
        return
    ws.started = True
    wanted = st.query_params.get("park", "")
    path, label = first_visit_park()
    if wanted:
        chosen = shipped_park(wanted)
        if chosen is not None:
            path, label = chosen, wanted
    with st.spinner(t("loading_park", lang())):
        open_path(ws, path, label, loader=compute.load)


def sidebar_status(ws: Workspace, lg: Lang, slot: Any) -> None:
    """The open park, its edits and its plan, written into `slot` (filled after the page ran, so it is current)."""
    box = slot.container(border=True)
    if ws.park is None:
        box.caption(t("no_park_open", lg))
        return
    box.markdown(f"**{park_label(ws.park, lg)}**")
    box.caption(t("park_counts", lg, enterprises=len(ws.park.enterprises), streams=len(ws.park.streams)))
    if ws.scenario.edits:
        box.caption(t("edits_count", lg, n=len(ws.scenario.edits)))
    if ws.plan is not None:
        box.caption(t("plan_links_count", lg, n=len(ws.plan.links)))


def main() -> None:
    st.set_page_config(page_title="Industrial symbiosis / 产业共生", page_icon=":material/recycling:", layout="wide")
    lg = language_switch()
    ws = workspace()
    workshop.frame_start(ws, lg)  # ?workshop=…&group=… (a reload, a shared link): the group's park, not the demo
    first_visit(ws)
    pages: list[Any] = [st.Page(str(ROOT / path), title=t(title, lg), icon=icon, url_path=Path(path).stem,
                                default=(i == 0))
                        for i, (path, title, icon) in enumerate(PAGES)]
    page = st.navigation(pages)
    slot = st.sidebar.empty()
    try:
        page.run()
    except Exception as exc:  # a bug in a library must not end a workshop session: say so, keep the session
        LOG.exception("page %s failed", page.title)
        st.error(t("page_failed", lg, error=f"{type(exc).__name__}: {exc}"), icon=":material/bug_report:")
    sidebar_status(ws, lg, slot)
    workshop.frame_end(ws, lg)
