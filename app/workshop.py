"""Workshop helpers: a group's session backed by the scenario store (symbiosis.workshop.store), and the
facilitator's comparison of the groups' chosen scenarios. Plain functions over a Workspace and a Store; the page
(app/pages/workshop.py) and the frame (app/shell.py) call them.

A group's session is a `Membership` in `Workspace.workshop`: the workshop's code, the group, and which stored
scenario ids are already in `ws.saved`. The code, the group's name and the group's key live in the page's URL
(?workshop=…&group=…&key=…, and &scenario=… for the scenario last opened), so a reload or another browser with the
group's link joins again and finds the group's scenarios and its last scenario applied; without the key an
existing group's name is refused (only the group writes its scenarios). Each store call is one short transaction: nothing is
held open across a solve (the solve happens in the page's script run, before the save).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import data as dh
from app import options as opts
from app.i18n import pick, t
from app.keys import park_key
from app.opportunities import encode, link_key, plan_totals
from app.state import Saved, StateLike, Workspace
from flows.labels import material_label
from flows.plan_io import plan_from_json_dict
from symbiosis.core.errors import ParkError
from symbiosis.core.i18n import Lang
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan
from symbiosis.core.scenario import Scenario, ScenarioError, apply_edits, scenario_bytes

LOG = logging.getLogger("symbiosis.app")
STORE_URL_ENV = "SYMBIOSIS_STORE_URL"  # a PostgreSQL URL; unset: SQLite in the workspace folder
STORE_DIR_ENV = "SYMBIOSIS_WORKSPACE"  # the workspace folder of the SQLite file (default ./workspace)
STORE_OFF_ENV = "SYMBIOSIS_STORE"  # "off": no store, the app works as a single session
DEFAULT_WORKSPACE = "workspace"
PARAM_CODE, PARAM_GROUP, PARAM_KEY, PARAM_SCENARIO = "workshop", "group", "key", "scenario"
PARAMS = (PARAM_CODE, PARAM_GROUP, PARAM_KEY, PARAM_SCENARIO)
FAILED_STATUSES: frozenset[str] = frozenset({"infeasible", "error", "not_solved"})  # no plan to keep
Loader: TypeAlias = Callable[[Mapping[str, bytes], str], Park]


# --- the store ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoreStatus:
    """The store the app writes to, or why there is none (the app then works without workshops)."""

    store: Any = None
    reason: str = ""
    where: str = ""

    @property
    def on(self) -> bool:
        return self.store is not None


def store_settings(env: Mapping[str, str] | None = None) -> tuple[str | None, str | None, bool]:
    """(URL, workspace folder, off) from the environment."""
    env = os.environ if env is None else env
    off = env.get(STORE_OFF_ENV, "").strip().lower() in ("off", "0", "no", "false")
    url = env.get(STORE_URL_ENV, "").strip() or None
    folder = env.get(STORE_DIR_ENV, "").strip() or DEFAULT_WORKSPACE
    return url, folder, off


def connect(url: str | None, folder: str | None, off: bool = False) -> StoreStatus:
    """Open the store (SQLite in `folder`, or PostgreSQL at `url`); never raises: a failure is the reason."""
    if off:
        return StoreStatus(reason=f"{STORE_OFF_ENV}=off")
    try:
        from symbiosis.workshop.store import Store

        store = Store.open(url=url, workspace=folder)
    except Exception as exc:  # any driver, permission or connection error: the app goes on without workshops
        LOG.warning("workshop store unavailable: %s", exc)
        return StoreStatus(reason=f"{type(exc).__name__}: {exc}", where=_where(url, folder))
    return StoreStatus(store=store, where=_where(url, folder))


def _where(url: str | None, folder: str | None) -> str:
    if url:  # never show a password
        head, _, tail = url.partition("@")
        return f"{head.split('://')[0]}://…@{tail}" if tail else url
    return str(Path(folder or DEFAULT_WORKSPACE).resolve())


@st.cache_resource(show_spinner=False)
def _open_store(url: str | None, folder: str | None, off: bool) -> StoreStatus:
    return connect(url, folder, off)


def open_store() -> StoreStatus:
    """The server's store, opened once per process and setting (shared by every browser session)."""
    return _open_store(*store_settings())


# --- a group's session -------------------------------------------------------------------------------------------
@dataclass
class Membership:
    """This browser session as a workshop group: what `app.scenarios` calls when a scenario is saved or opened."""

    store: Any
    workshop: Any  # symbiosis.workshop.store.Workshop
    group: Any  # symbiosis.workshop.store.Group
    park_key: str = ""  # the workshop's park as loaded here: a scenario made on another park is not written
    known: dict[int, str] = field(default_factory=dict)  # stored scenario id -> its name in ws.saved
    own: dict[str, int] = field(default_factory=dict)  # this group's scenario name -> its latest stored id
    last: str = ""  # the scenario last saved or opened (goes into the URL)
    error: tuple[str, str] = ("", "")  # the last store write that failed (English, 中文), shown in the sidebar
    problems: dict[str, tuple[str, str]] = field(default_factory=dict)  # stored scenario -> why not (fully) read
    shown: dict[str, int] = field(default_factory=dict)  # name in ws.saved -> the stored id it holds

    @property
    def code(self) -> str:
        return str(self.workshop.code)

    @property
    def group_name(self) -> str:
        return str(self.group.name)

    @property
    def key(self) -> str:
        return str(getattr(self.group, "key", "") or "")

    def error_text(self, lang: Lang) -> str:
        return pick(self.error[0], self.error[1], lang)

    def record(self, saved: Saved) -> None:
        """Write a saved scenario (TOML) and its solve's result to the store, in one transaction."""
        from symbiosis.workshop.store import ResultInput, StoreError

        name = saved.scenario.name
        if self.park_key and saved.scenario.park_hash != self.park_key:
            self.error = _both("ws_other_park", name=name)
            return
        try:
            fields = result_fields(saved.plan)
            rec = self.store.save_scenario(self.group, name, scenario_bytes(saved.scenario), self.group_name,
                                           result=None if fields is None else ResultInput(**fields))
        except StoreError as exc:  # the session keeps the scenario; the sidebar says it is not in the store
            LOG.warning("workshop store write refused: %s", exc)
            self.error = exc.pair()
            return
        except Exception as exc:  # a driver's or the network's own error: said, never a traceback
            LOG.exception("workshop store write failed")
            self.error = _both("ws_write_error", kind=type(exc).__name__, detail=str(exc))
            return
        self.known[int(rec.id)] = name
        self.own[name] = self.shown[name] = int(rec.id)
        self.last, self.error = name, ("", "")

    def opened(self, name: str) -> None:
        self.last = name


def _both(key: str, **params: Any) -> tuple[str, str]:
    return t(key, "en", **params), t(key, "zh", **params)


def result_fields(plan: Plan | None) -> dict[str, Any] | None:
    """What the store keeps of a solve: status, gap, plan JSON, seconds; a failed solve as failed (no plan)."""
    if plan is None:
        return None
    seconds = float(plan.build_seconds + plan.solve_seconds)
    if plan.status in FAILED_STATUSES:
        return {"status": "failed", "gap": None, "plan_json": None, "seconds": seconds,
                "error": f"{plan.status}: " + "; ".join(plan.messages)}
    return {"status": str(plan.status), "gap": plan.gap, "plan_json": plan.to_json(), "error": None,
            "seconds": seconds}


def workshop_source(workshop: Any) -> str:
    """The source every group's park is loaded with: the same bytes and source give the same park key (one
    prepared session for the whole workshop)."""
    return f"workshop {workshop.code}"


def join(ws: Workspace, status: StoreStatus, code: str, group_name: str, state: StateLike,
         loader: Loader, lang: Lang = "en", scenario: str = "", key: str = "") -> str:
    """Join workshop `code` as `group_name` (a group that exists needs its `key`, from the group's link): open
    the workshop's park, the group's stored scenarios in ws.saved, and the scenario `scenario` (else the chosen
    one, else the latest) applied. "" or what went wrong, in `lang`; on a problem the session stays as it was."""
    from symbiosis.workshop.store import StoreError

    code, group_name, key = code.strip(), group_name.strip(), key.strip()
    if not status.on:
        return t("ws_off", lang)
    if not code or not group_name:
        return t("ws_need_code_group", lang)
    store = status.store
    workshop = store.workshop(code)
    if workshop is None:
        return t("ws_unknown_code", lang, code=code)
    try:
        group = store.join(code, group_name, key or None)
        files = store.park_package(workshop)
    except StoreError as exc:  # a group name too long, an existing group without its key, a code gone meanwhile
        return exc.text(lang)
    try:
        park = loader(files, workshop_source(workshop))
    except ParkError as exc:
        dh.fail(ws, exc.problems, "upload")
        return t("ws_park_failed", lang)
    dh.open_park(ws, park, str(workshop.name))
    ws.started, ws.repair, ws.saved = True, None, {}
    ws.workshop = Membership(store=store, workshop=workshop, group=group, park_key=ws.base_key)
    refresh(ws)
    member = ws.workshop
    wanted = scenario if scenario in ws.saved else chosen_name(ws) or _latest_own(member)
    if wanted and wanted in ws.saved:
        from app.scenarios import load_saved  # app.scenarios calls back into Membership: import here

        if load_saved(ws, wanted, state):
            member.last = wanted
    return ""


def leave(ws: Workspace) -> None:
    ws.workshop = None


def _latest_own(member: Membership) -> str:
    return max(member.own.items(), key=lambda kv: kv[1])[0] if member.own else ""


def refresh(ws: Workspace) -> int:
    """Bring the group's stored scenarios (and the others', when the facilitator shared them) into ws.saved;
    only scenarios not already there are rebuilt. The number added."""
    member = ws.workshop
    if not isinstance(member, Membership) or ws.base_park is None:
        return 0
    added = 0
    for rec in member.store.scenarios(member.workshop, group=member.group):  # by group, name, version
        rid = int(rec.id)
        if rid in member.known:
            continue
        mine = int(rec.group_id) == int(member.group.id)
        name = str(rec.name) if mine else f"{rec.group_name} · {rec.name}"
        saved, result, problem = restore(member.store, rec, ws.base_park)
        if problem:
            member.problems[name] = problem
        else:
            member.problems.pop(name, None)
        if saved is None:
            member.known[rid] = name  # its edits no longer apply: it never will, do not try on every rerun
            continue
        if result is not None:  # a scenario seen without its solve (written by an older program, or a failed
            member.known[rid] = name  # write) is read again next time, when its result may be there
        if rid >= member.shown.get(name, 0):  # an older version read again never hides a newer one
            added += name not in ws.saved
            ws.saved[name] = saved
            member.shown[name] = rid
        if mine:
            member.own[str(rec.name)] = max(rid, member.own.get(str(rec.name), 0))
    return added


def chosen_name(ws: Workspace) -> str:
    """The name of the scenario the group marked as its choice ("" for none)."""
    member = ws.workshop
    if not isinstance(member, Membership):
        return ""
    picks = member.store.chosen_scenarios(member.workshop, group=member.group)
    return next((str(r.name) for r in picks if int(r.group_id) == int(member.group.id)), "")


def choose(ws: Workspace, name: str) -> bool:
    """Mark this group's scenario `name` (its latest save) as the group's choice."""
    member = ws.workshop
    if not isinstance(member, Membership) or name not in member.own:
        return False
    member.store.choose(member.group, member.own[name])
    return True


def rebuild(store: Any, rec: Any, base_park: Park) -> Saved | None:
    """A stored scenario as the app holds a saved one (see `restore`); None when its edits no longer apply."""
    return restore(store, rec, base_park)[0]


def restore(store: Any, rec: Any, base_park: Park) -> tuple[Saved | None, Any, tuple[str, str] | None]:
    """(the stored scenario as the app holds a saved one, its latest result or None, what went wrong or None).
    The Saved has its park (edits applied to the workshop's park) and its plan (from the stored plan JSON; none
    for a failed or missing solve, or a plan this program cannot read: then the problem says so). Saved is None
    when the scenario itself cannot be read or its edits no longer apply."""
    where = {"name": str(rec.name), "group": str(rec.group_name)}
    try:
        scenario = Scenario.from_toml(bytes(rec.scenario_toml).decode("utf-8"))
        park = apply_edits(base_park, scenario.edits, source=base_park.source) if scenario.edits else base_park
    except (ScenarioError, ParkError, UnicodeDecodeError, ValueError) as exc:
        LOG.warning("stored scenario %s not restored: %s", rec.id, exc)
        return None, None, _both("ws_not_restored", reason=str(exc), **where)
    result = store.result(rec.id)
    plan, problem = None, None
    if result is not None and result.plan_json:
        try:
            plan = plan_from_json_dict(json.loads(result.plan_json))
        except (ValueError, KeyError, TypeError) as exc:  # e.g. {} -> "not a plan": the scenario without it
            LOG.warning("stored plan of scenario %s not read: %s", rec.id, exc)
            problem = _both("ws_plan_not_read", reason=f"{type(exc).__name__}: {exc}", **where)
    key = opts.SolveRequest.of(scenario, park).key()
    return Saved(scenario=scenario, park=park, park_key=park_key(park), plan=plan, options_key=key), result, problem


def sync_url(ws: Workspace, params: MutableMapping[str, Any]) -> None:
    """Write the group's code, name and last scenario into the URL, so a reload or a shared link restores them."""
    member = ws.workshop
    if not isinstance(member, Membership):
        return
    wanted = {PARAM_CODE: member.code, PARAM_GROUP: member.group_name, PARAM_KEY: member.key,
              PARAM_SCENARIO: member.last}
    for key, value in wanted.items():
        if not value:
            if key in params:
                del params[key]
        elif params.get(key) != value:
            params[key] = value


def restore_from_url(ws: Workspace, params: Mapping[str, Any], status: StoreStatus, state: StateLike,
                     loader: Loader, lang: Lang = "en") -> str:
    """On a page load with ?workshop=…&group=…&key=… (a reload, the group's link): join, once per session. ""
    or what went wrong, in `lang`."""
    code, group_name = str(params.get(PARAM_CODE, "") or ""), str(params.get(PARAM_GROUP, "") or "")
    key = str(params.get(PARAM_KEY, "") or "")
    if not code or not group_name:
        return ""
    member = ws.workshop
    if isinstance(member, Membership) and member.code == code and member.group_name == group_name:
        return ""
    tried = ws.ui.get("_workshop_tried")
    if tried is not None and tried[:4] == (code, group_name, key, lang):
        return str(tried[4])  # tried in this session and failed: say why again, do not retry on every rerun
    problem = join(ws, status, code, group_name, state, loader, lang,
                   scenario=str(params.get(PARAM_SCENARIO, "") or ""), key=key)
    ws.ui["_workshop_tried"] = (code, group_name, key, lang, problem)
    return problem


def group_link(member: Membership, base_url: str = "") -> str:
    """The group's link: the app's address with the workshop's code, the group's name and its key. Whoever has
    it writes as the group; the group shares it among its members only."""
    from urllib.parse import urlencode

    query = urlencode({PARAM_CODE: member.code, PARAM_GROUP: member.group_name, PARAM_KEY: member.key})
    return f"{base_url.split('?')[0].rstrip('/')}/?{query}"


# --- in the frame (app/shell.py) --------------------------------------------------------------------------------
def frame_start(ws: Workspace, lang: Lang) -> None:
    """Before the page: join the workshop named in the URL (once per session); say so when that fails."""
    if not st.query_params.get(PARAM_CODE):
        return
    from app import compute
    from symbiosis.workshop.store import StoreError

    try:
        problem = restore_from_url(ws, st.query_params, open_store(), st.session_state, compute.load, lang)
    except StoreError as exc:  # the store went away after the server started: the app goes on without it
        problem = t("ws_unreachable", lang, reason=exc.text(lang))
    if problem:
        st.sidebar.warning(problem, icon=":material/groups:")


def frame_end(ws: Workspace, lang: Lang) -> None:
    """After the page: the group in the sidebar (and a store write that failed), its code in the URL."""
    member = ws.workshop
    if not isinstance(member, Membership):
        return
    box = st.sidebar.container(border=True, key="workshop_status")
    box.markdown(t("ws_sidebar", lang, group=member.group_name, code=member.code))
    if any(member.error):
        box.warning(t("ws_write_failed", lang, error=member.error_text(lang)), icon=":material/warning:")
    sync_url(ws, st.query_params)


# --- the facilitator -------------------------------------------------------------------------------------------
def create(ws: Workspace, status: StoreStatus, name: str) -> Any:
    """A new workshop on the open park (its files as a clean package). The Workshop, or None without a park."""
    if not status.on or ws.base_park is None:
        return None
    return status.store.create_workshop(name.strip() or ws.base_park.config.name, ws.base_park.to_files())


@dataclass(frozen=True)
class Entry:
    """One group's chosen scenario, rebuilt for the comparison."""

    group: str
    name: str
    saved: Saved
    status: str  # the stored solve's status ("" when it was saved without a plan)


def chosen_entries(store: Any, workshop: Any, facilitator_code: str, base_park: Park,
                   cache: MutableMapping[int, Entry | None] | None = None,
                   problems: list[tuple[str, str]] | None = None) -> list[Entry]:
    """Every group's chosen scenario (groups that chose none are left out), by group name.
    `cache` (stored id -> Entry) spares rebuilding a scenario on every rerun: a stored scenario never changes,
    but one read without its result is read again next time. `problems` gets what could not be read, (en, 中文)."""
    cache = {} if cache is None else cache
    out: list[Entry] = []
    for rec in store.chosen_scenarios(workshop, facilitator_code=facilitator_code):
        rid = int(rec.id)
        entry = cache.get(rid)
        if rid not in cache:
            saved, result, problem = restore(store, rec, base_park)
            if problem is not None and problems is not None:
                problems.append(problem)
            entry = None if saved is None else Entry(
                group=str(rec.group_name), name=str(rec.name), saved=saved,
                status=str(result.status) if result is not None else "")
            if result is not None or saved is None:  # without its result: not kept, read again next time
                cache[rid] = entry
        if entry is not None:
            out.append(entry)
    return out


def workshop_park(store: Any, workshop: Any, loader: Loader) -> Park:
    return loader(store.park_package(workshop), workshop_source(workshop))


def totals_table(entries: Sequence[Entry], lang: Lang) -> pd.DataFrame:
    """Per group: scenario, solve status, links, net avoided and avoided by scope, added (tCO2e/a)."""
    rows = []
    for e in entries:
        plan = e.saved.plan
        tot = plan_totals(plan) if plan is not None else {}
        rows.append({
            t("ws_col_group", lang): e.group, t("sc_name", lang): e.name,
            t("sc_status", lang): t(f"short_{plan.status}", lang) if plan is not None else
            (t("ws_failed", lang) if e.status == "failed" else t("sc_no_plan", lang)),
            t("lk_links", lang): int(tot["links"]) if tot else 0,
            t("lk_net_total", lang): round(tot["net"], 1) if tot else None,
            t("lk_scope1", lang): round(tot["scope1"], 1) if tot else None,
            t("lk_scope2", lang): round(tot["scope2"], 1) if tot else None,
            t("lk_scope3", lang): round(tot["scope3"], 1) if tot else None,
            t("lk_added", lang): round(tot["added"], 1) if tot else None,
        })
    return pd.DataFrame(rows)


def indicators_table(before: pd.DataFrame, after: Sequence[tuple[str, pd.DataFrame]], lang: Lang) -> pd.DataFrame:
    """The indicators today and with each group's plan, each value with ✓ (meets the threshold) or ✗ (does not):
    one column per group, kept narrow so several groups fit side by side."""
    from app.indicators import PASS_MARK, threshold_text  # the Indicators page's wording and marks
    from flows import format_value

    def cell(row: Any) -> str:
        mark = PASS_MARK.get(row["passed"]) if row["passed"] is True or row["passed"] is False else None
        return f"{format_value(row, lang)} {mark}" if mark else format_value(row, lang)

    indexed = [(g, frame.set_index("indicator_id")) for g, frame in after]
    rows = []
    for r in before.to_dict("records"):
        row = {t("col_indicator", lang): pick(str(r["name_en"]), str(r["name_zh"]), lang),
               t("col_threshold", lang): threshold_text(r, lang), t("ws_col_today", lang): cell(pd.Series(r))}
        for group, frame in indexed:  # "plan: <group>": a group named like a column never overwrites it
            row[group_column(group, lang)] = (cell(frame.loc[r["indicator_id"]]) if r["indicator_id"] in frame.index
                                              else "—")
        rows.append(row)
    return pd.DataFrame(rows)


def group_column(group: str, lang: Lang) -> str:
    """The indicators table's column of a group's plan."""
    return t("ws_col_plan_of", lang, group=group)


def link_overlap(entries: Sequence[Entry], lang: Lang) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per group: links, in common with every other group, unique to it; every link: which groups have it)."""
    sets = {e.group: {link_key(x): x for x in (e.saved.plan.links if e.saved.plan else ())} for e in entries}
    everyone = set.intersection(*(set(s) for s in sets.values())) if sets else set()
    summary = []
    for group, links in sets.items():
        others = set().union(*(set(s) for g, s in sets.items() if g != group))
        summary.append({t("ws_col_group", lang): group, t("lk_links", lang): len(links),
                        t("ws_col_common", lang): len(set(links) & everyone),
                        t("ws_col_unique", lang): len(set(links) - others)})
    rows = []
    for key in sorted(set().union(*(set(s) for s in sets.values())) if sets else set()):
        having = [g for g, s in sets.items() if key in s]
        link = next(s[key] for s in sets.values() if key in s)
        where = (t("ws_all_groups", lang) if len(having) == len(sets) and len(sets) > 1
                 else t("ws_only", lang, group=having[0]) if len(having) == 1 else ", ".join(having))
        rows.append({t("lk_link", lang): encode(key),
                     t("lk_material", lang): f"{material_label(link.material_out, lang)} → "
                                             f"{material_label(link.material_in, lang)}",
                     t("ws_col_groups", lang): where, t("ws_col_count", lang): len(having)})
    table = pd.DataFrame(rows)
    if len(table):  # links most groups share first; the count itself is said by the groups column
        table = table.sort_values(t("ws_col_count", lang), ascending=False, kind="stable")
        table = table.drop(columns=[t("ws_col_count", lang)]).reset_index(drop=True)
    return pd.DataFrame(summary), table


def report_html(title: str, sections: Iterable[tuple[str, pd.DataFrame | str]], figure: go.Figure | None,
                lang: Lang) -> bytes:
    """The comparison as one self-contained HTML file: the tables, and the difference figure (plotly.js inline),
    in the report's style (symbiosis.reporting.html)."""
    from symbiosis.reporting.html import CSS, esc, table_html

    parts = [f"<h1>{esc(title)}</h1>"]
    for heading, body in sections:
        parts.append(f"<section><h2>{esc(heading)}</h2>")
        parts.append(table_html(body, lang, limit=None) if isinstance(body, pd.DataFrame)
                     else f'<p class="note">{esc(body)}</p>')
        parts.append("</section>")
    if figure is not None:
        parts.append('<div class="figure">' + figure.to_html(full_html=False, include_plotlyjs=True,
                                                              config={"displaylogo": False}) + "</div>")
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8"><title>{esc(title)}</title>'
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>").encode()


__all__ = ["Entry", "Membership", "StoreStatus", "choose", "chosen_entries", "connect", "create", "frame_end",
           "frame_start", "group_column", "group_link", "indicators_table", "join", "link_overlap", "open_store",
           "rebuild", "refresh", "report_html", "restore", "restore_from_url", "result_fields", "store_settings",
           "sync_url", "totals_table"]
