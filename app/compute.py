"""Results cached by content: every cached function is pure in (park content hash, plan/options hash, choices).

Arguments that start with an underscore are not hashed by streamlit: the key is the content hash passed beside
them, computed once when the park or plan was made (app.data.park_key, plan_key). Moving between pages or
re-rendering therefore never rebuilds a graph or re-solves a model that was already built or solved for the same
content — in this session or any other, since the same content gives the same result. The cached values are
copies (st.cache_data), so no session can change what another one reads.

Behind them, one prepared session (symbiosis.session.Session) per loaded park, kept by st.cache_resource on the
park's content hash and shared by every browser session that has that park open: its candidate links, prepared
models and graphs are built once, so a re-solve after a change of the objective, carbon price, gap or time limit
reuses the candidates (they depend on matching.options.CANDIDATE_FIELDS only). The session is thread-safe and
never changes what it handed out.

flows/ and matching/ are called from here (the app is an entry point, the only kind of place that calls both).
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import pandas as pd
import streamlit as st

import flows
from app.keys import files_key, options_key, plan_key
from app.opportunities import CANDIDATE_COLUMNS
from app.options import SolveRequest
from symbiosis.core.i18n import as_lang, pick
from symbiosis.core.loader import load_files
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan
from symbiosis.session import Session

CACHE_ENTRIES = 64
__all__ = ["options_key", "plan_key"]  # re-exported for the pages


@st.cache_data(max_entries=16, show_spinner=False)
def _load(files_key: str, source: str, _files: Mapping[str, bytes]) -> Park:
    return load_files(dict(_files), source=source)


def load(files: Mapping[str, bytes], source: str) -> Park:
    """symbiosis.load_files, cached on the files' content (a ParkError is raised again each time, not cached)."""
    return _load(files_key(files), source, files)


@st.cache_resource(max_entries=16, show_spinner=False)
def session(park_key: str, _park: Park) -> Session:
    """The prepared session of a loaded park, one per park content (shared, read-only)."""
    return Session(_park)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def graph(park_key: str, plan_key: str, _park: Park, _plan: Plan | None) -> nx.MultiDiGraph:
    return session(park_key, _park).graph(_plan)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def sankey_links(park_key: str, plan_key: str, basis: str, level: str, lang: str, _park: Park,
                 _plan: Plan | None) -> pd.DataFrame:
    return flows.sankey_links(graph(park_key, plan_key, _park, _plan), basis=basis, level=level,
                              lang=as_lang(lang))


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def network_dot(park_key: str, plan_key: str, lang: str, _park: Park, _plan: Plan | None) -> str:
    return flows.network_dot(graph(park_key, plan_key, _park, _plan), lang=as_lang(lang))


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def balances(park_key: str, plan_key: str, _park: Park, _plan: Plan | None) -> pd.DataFrame:
    return flows.balances(graph(park_key, plan_key, _park, _plan))


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def indicators(park_key: str, plan_key: str, _park: Park, _plan: Plan | None) -> pd.DataFrame:
    return flows.indicators(_park, _plan)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def network_metrics(park_key: str, plan_key: str, _park: Park, _plan: Plan | None) -> pd.DataFrame:
    return flows.network_metrics(graph(park_key, plan_key, _park, _plan))


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def keystones(park_key: str, plan_key: str, _park: Park, _plan: Plan | None) -> pd.DataFrame:
    return flows.keystones(graph(park_key, plan_key, _park, _plan))


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def flow_warnings(park_key: str, plan_key: str, lang: str, _park: Park, _plan: Plan | None) -> pd.DataFrame:
    g = graph(park_key, plan_key, _park, _plan)
    records = [w.as_record(lang) for w in g.graph.get("warnings", [])]
    for a in g.graph.get("assumptions", []):
        records.append({"code": "assumption", "file": "", "row": None, "ref": a.get("stream_id", ""),
                        "message": pick(a.get("message_en", ""), a.get("message_zh", ""), lang)})
    return pd.DataFrame(records, columns=["code", "file", "row", "ref", "message"])


# --- matching ------------------------------------------------------------------------------------------------------
@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def plan(park_key: str, request_key: str, _park: Park, _request: SolveRequest) -> Plan:
    """The proposed plan for this park and these options (forced and forbidden links included)."""
    return session(park_key, _park).plan(_request.match_options())


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def candidates(park_key: str, request_key: str, _park: Park, _request: SolveRequest) -> pd.DataFrame:
    """Every candidate link for these options (before forcing or forbidding): what a user may force or forbid."""
    links = session(park_key, _park).candidate_table(_request.match_options())
    return links[[c for c in CANDIDATE_COLUMNS if c in links.columns]].reset_index(drop=True)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def explain(park_key: str, request_key: str, plan_key: str, _park: Park, _plan: Plan,
            _request: SolveRequest) -> pd.DataFrame:
    """Every output or input with something left after the plan, and why (matching.explain_unmatched)."""
    return session(park_key, _park).explain(_plan, _request.match_options())
