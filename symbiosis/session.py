"""A prepared session: one loaded park, built once and reused by every analysis of it.

The command (`symbiosis match`, `metabolism`, `report`), the report (symbiosis.reporting.analyse) and the app
(one Session per loaded park, app.compute.session) all ask a Session instead of calling flows/ and matching/ on the
bare park, so nothing is built twice:

    session = Session(park)                       # or Session.load(path)
    plan = session.plan(options)                  # MatchOptions (None: park.toml, then matching.DEFAULTS)
    unmatched = session.explain(plan, options)    # from the prepared model the plan was solved on
    before, after = session.graph(), session.graph(plan)

Each part is built lazily, once per what it depends on, and kept:

    part          depends on                                                   cached on
    settings      the options (matching.resolve)                               — (cheap)
    factors       the factor overrides                                         the overrides
    allocation    the factor table and the Scope 2 setting (which rows the     the overrides, include_scope2
                  existing exchanges take: symbiosis.core.exchanges)
    candidates    matching.options.CANDIDATE_FIELDS: streams after existing     candidate_key(settings)
                  exchanges (the allocation) and every candidate link
    model         + MODEL_FIELDS: objective, pruning, components (no PuLP)     model_key(settings)
    plan          + SOLVE_FIELDS: PuLP models, solve, read                     not kept: the caller keeps plans
    graph         the factor table and the allocation (the park as it is)      the factor overrides
    graph(plan)   + the plan: the after-state                                  not kept: the caller keeps it
                                                                               with its plan (hashing a plan
                                                                               costs about what building it does)

So a re-solve after a change of the objective, the carbon price, the gap or the time limit reuses the candidate
links (and, unless the objective's coefficients change, the prepared model). The existing exchanges are allocated
once per factor table and Scope 2 setting, and that one allocation is handed to the candidates, the graph before
and the graph after: one full analysis allocates once. A Session is safe to share between
threads (the app's sessions share one per park): every cache is filled under a lock, and what it hands out is
never changed afterwards.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import networkx as nx
import pandas as pd

import flows
import matching
from matching import Candidates, MatchModel, MatchOptions, Settings
from matching.explain import explain_model
from symbiosis.core.exchanges import ExchangeAllocation, allocate_exchanges
from symbiosis.core.factors import FactorTable
from symbiosis.core.loader import load_park
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan

T = TypeVar("T")
CACHE_ENTRIES = 8  # per part: enough for a workshop's back-and-forth between a few option sets


class _Cache:
    """A small LRU map shared by every browser session on a park.

    The shared lock guards only the map; a value is built under a lock of its own key, so one session preparing a
    model for its options never holds up another session's page, and two sessions asking for the same key build it
    once (the second waits for the first and takes its value)."""

    def __init__(self, lock: threading.RLock, entries: int = CACHE_ENTRIES) -> None:
        self.lock = lock
        self.entries = entries
        self.items: OrderedDict[Hashable, object] = OrderedDict()
        self.building: dict[Hashable, threading.RLock] = {}
        self.builds = 0  # how many times a value was built (tests and benchmarks read it)

    def _cached(self, key: Hashable) -> tuple[bool, object]:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return True, self.items[key]
            return False, None

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        found, value = self._cached(key)
        if found:
            return value  # type: ignore[return-value]
        with self.lock:
            key_lock = self.building.setdefault(key, threading.RLock())
        with key_lock:
            found, value = self._cached(key)  # built by another session while this one waited
            if found:
                return value  # type: ignore[return-value]
            try:
                built = build()
                with self.lock:
                    self.builds += 1
                    self.items[key] = built
                    while len(self.items) > self.entries:
                        self.items.popitem(last=False)
            finally:
                with self.lock:
                    self.building.pop(key, None)
            return built


class Session:
    """A loaded park with its settings, factor table, exchange allocation, graphs and candidate links."""

    def __init__(self, park: Park) -> None:
        self.park = park
        self._lock = threading.RLock()
        self._factors = _Cache(self._lock)
        self._allocations = _Cache(self._lock)
        self._candidates = _Cache(self._lock)
        self._models = _Cache(self._lock, entries=2 * CACHE_ENTRIES)
        self._graphs = _Cache(self._lock)

    @classmethod
    def load(cls, path: str | Path) -> Session:
        """A session on the park data package at `path` (folder, .xlsx or .zip); ParkError if it cannot load."""
        return cls(load_park(path))

    # --- settings and factors ------------------------------------------------------------------------------------
    def settings(self, options: MatchOptions | Settings | None = None) -> Settings:
        """The resolved settings (explicit option > park.toml > matching.DEFAULTS); OptionsError on a bad value."""
        if isinstance(options, Settings):
            return options
        return matching.resolve(self.park, options)

    def factors(self, options: MatchOptions | Settings | None = None) -> FactorTable:
        """The park's factor table with the options' factor overrides (None: the park's own)."""
        overrides = dict(self.settings(options).factor_overrides) if options is not None else {}
        return self._factors.get(self._factors_key(options),
                                 lambda: FactorTable(self.park.config, overrides))

    def _factors_key(self, options: MatchOptions | Settings | None) -> str:
        """The factor overrides the options' factor table is built with, as a cache key (None: the park's own)."""
        return json.dumps(dict(self.settings(options).factor_overrides) if options is not None else {}, sort_keys=True)

    def allocation(self, options: MatchOptions | Settings | None = None, *,
                   include_scope2: bool | None = None) -> ExchangeAllocation:
        """Which ledger rows the existing exchanges take (symbiosis.core.exchanges.allocate_exchanges), ranked with
        the options' factor table (None: the park's own) and Scope 2 setting (`include_scope2`, default: the
        options'; without options: Scope 1 + 3): one allocation per those two, shared (do not change it)."""
        if include_scope2 is None:
            include_scope2 = self.settings(options).include_scope2 if options is not None else False
        factors = self.factors(options)
        key = (self._factors_key(options), include_scope2)
        return self._allocations.get(key, lambda: allocate_exchanges(self.park, factors,
                                                                     include_scope2=include_scope2))

    # --- matching ------------------------------------------------------------------------------------------------
    def candidates(self, options: MatchOptions | Settings | None = None) -> Candidates:
        """Streams after existing exchanges and every candidate link, built once per candidate settings."""
        settings = self.settings(options)
        return self._candidates.get(matching.candidate_key(settings), lambda: matching.build_candidates(
            self.park, settings, allocation=self.allocation(settings)))

    def model(self, options: MatchOptions | Settings | None = None) -> MatchModel:
        """The prepared model (candidates with objective, pruning status and component; no PuLP yet) for these
        options, under exactly these settings (solve settings included). Shared: do not change it."""
        settings = self.settings(options)
        prepared = self._models.get(matching.model_key(settings),
                                    lambda: matching.prepare_model(self.candidates(settings), settings))
        return prepared if prepared.settings == settings else matching.with_settings(prepared, settings)

    def candidate_table(self, options: MatchOptions | Settings | None = None) -> pd.DataFrame:
        """Every candidate link with its pruning status, forced and forbidden links left out (what a user may
        force or forbid). Shared: copy before changing it."""
        return self.model(replace(self.settings(options), forced=(), forbidden=())).links

    def plan(self, options: MatchOptions | Settings | None = None) -> Plan:
        """Solve: the prepared model's PuLP components, the solver, the Plan. Not kept (plans are the caller's)."""
        t0 = time.perf_counter()
        built = matching.build_components(self.model(options))
        built.build_seconds = time.perf_counter() - t0  # what this call built (the candidates may be reused)
        return matching.propose_model(built)

    def explain(self, plan: Plan, options: MatchOptions | Settings | None = None) -> pd.DataFrame:
        """Every output or input with something left after `plan`, and why (matching.explain_unmatched), from the
        prepared model of the options the plan was solved with."""
        return explain_model(self.model(options), plan)

    # --- metabolism ----------------------------------------------------------------------------------------------
    def graph(self, plan: Plan | None = None, options: MatchOptions | Settings | None = None) -> nx.MultiDiGraph:
        """flows.build_graph of the park, counted with the options' factor table (None: the park's own): kept, and
        shared (do not change it). With `plan`, the after-state, built each time (the caller keeps it)."""
        factors = self.factors(options)
        if plan is not None:  # the after-state ranks the exchanges' inputs with the plan's Scope 2 setting
            allocation = self.allocation(options, include_scope2=plan.include_scope2)
            return flows.build_graph(self.park, plan, factors=factors, allocation=allocation)
        key = self._factors_key(options)
        return self._graphs.get(key, lambda: flows.build_graph(
            self.park, None, factors=factors, allocation=self.allocation(options, include_scope2=False)))

    def counts(self) -> dict[str, int]:
        """How many times each part was built in this session."""
        return {"factors": self._factors.builds, "allocations": self._allocations.builds,
                "candidates": self._candidates.builds, "models": self._models.builds, "graphs": self._graphs.builds}


__all__ = ["Session"]
