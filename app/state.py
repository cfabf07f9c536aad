"""What one browser session holds: its park, its scenario, its plan and its saved scenarios.

Everything lives in one `Workspace` object inside that session's `st.session_state` (a plain mutable mapping
here, so tests pass a dict). There is no module-level mutable state: two browsers never share a workspace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, overload

from symbiosis.core.errors import Problem
from symbiosis.core.loader import RawPackage
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan
from symbiosis.core.scenario import Scenario

if TYPE_CHECKING:
    from app.options import SolveRequest

WORKSPACE_KEY = "workspace"


class StateLike(Protocol):
    """What the app needs of st.session_state; a plain dict is one too (tests)."""

    def __contains__(self, key: str, /) -> bool: ...

    def __getitem__(self, key: str, /) -> Any: ...

    def __setitem__(self, key: str, value: Any, /) -> None: ...

    @overload
    def get(self, key: str, /) -> Any: ...

    @overload
    def get(self, key: str, default: Any, /) -> Any: ...


@dataclass
class Saved:
    """A scenario saved under a name, with the park (edits applied) and the plan it gave."""

    scenario: Scenario
    park: Park
    park_key: str
    plan: Plan | None
    options_key: str = ""


@dataclass(frozen=True)
class Change:
    """One cell changed while fixing rows: where (file as the user knows it, spreadsheet row, column header as
    written), the value before and after, when (ISO time, UTC) and the workshop group that typed it."""

    file: str
    row: int
    column: str
    old: str
    new: str
    when: str
    group: str = ""


@dataclass
class Repair:
    """A package that failed to load, kept so its rows can be fixed on the Data page (app.data: the fix_*
    functions). `raw` and `files` are never changed: the cells typed live in `cells` and are laid over `raw`."""

    raw: RawPackage  # the package as read: every cell as the user wrote it
    files: dict[str, bytes]  # the uploaded files, byte for byte (downloadable unchanged)
    label: str  # the files' names, as the park's source
    cells: dict[tuple[str, int, str], str] = field(default_factory=dict)  # (table, row, header) -> value typed
    log: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # of the last check of the package with `cells`
    rows: dict[str, list[int]] = field(default_factory=dict)  # table -> rows shown (any that had a problem)
    park: Park | None = None  # the park the fixed package gave, once it loads
    group: str = ""  # the workshop group typing the fixes (optional)
    version: int = 0  # bumped after each check: the fix tables start afresh on the new cells

    def editor_key(self, table: str) -> str:
        return f"fix_rows_{table}_{self.version}"


@dataclass
class Workspace:
    base_park: Park | None = None  # as loaded, before the scenario's edits
    base_key: str = ""
    park: Park | None = None  # base_park with the scenario's edits applied
    park_key: str = ""  # content hash of `park`
    source_label: str = ""  # what the user opened: "demo park", file names
    scenario: Scenario = field(default_factory=Scenario)
    plan: Plan | None = None
    plan_park_key: str = ""  # the park and the options the plan was solved for
    plan_options_key: str = ""
    plan_request: SolveRequest | None = None  # the options (and links) the plan was solved with
    problems: list[Problem] = field(default_factory=list)  # of the last failed upload or edit
    problems_kind: str = ""  # "upload" or "edit"
    problem_streams: dict[int, str] = field(default_factory=dict)  # spreadsheet row -> stream_id, for edits
    last_upload_key: str = ""  # content hash of the last upload tried, so a rerun does not load it again
    editor_version: int = 0  # bumped after edits are applied: the editor starts afresh on the new ledger
    saved: dict[str, Saved] = field(default_factory=dict)
    ui: dict[str, Any] = field(default_factory=dict)  # widget values kept while their page is not shown
    started: bool = False  # the first-visit park has been opened (or tried)
    message: tuple[str, str] = ("", "")  # (kind, i18n key) shown once on the next render
    repair: Repair | None = None  # the last upload that failed to load, while its rows are being fixed
    workshop: Any = None  # app.workshop.Membership while this session is a workshop group (its saves go to the store)

    @property
    def has_park(self) -> bool:
        return self.park is not None

    def editor_key(self) -> str:
        return f"ledger_editor_{self.editor_version}"

    def plan_is_current(self, options_key: str) -> bool:
        return self.plan is not None and self.plan_park_key == self.park_key and self.plan_options_key == options_key


def get_workspace(state: StateLike) -> Workspace:
    """The session's workspace, created on first use."""
    ws = state.get(WORKSPACE_KEY)
    if not isinstance(ws, Workspace):
        ws = Workspace()
        state[WORKSPACE_KEY] = ws
    return ws
