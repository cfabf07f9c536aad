"""The workshop store: workshops, their park, groups, scenarios and results, in SQLite or PostgreSQL.

One small interface (`Store`) over SQLAlchemy 2 Core. SQLite is the default (one file in the workspace folder,
nothing to install); PostgreSQL when a `postgresql+psycopg://` URL is given (argument or SYMBIOSIS_STORE_URL).

Rules kept here, not in the app:
- every write is one transaction (`Store._write`); nothing is pickled: the park is kept as the uploaded files'
  bytes, a scenario as its TOML text, a result as the plan's JSON text;
- a failed solve is stored as status 'failed' with its error and no plan; a result with a plan has no error;
- access: a join code finds a workshop (its facilitator code is not given out with it); a group writes only its own
  scenarios and sees the others' only while the facilitator has opened them (`shared`); the facilitator code sees
  everything of its workshop; nothing of one workshop is reachable through another's codes or groups.
  The codes are shared secrets handed out in the room, not authentication (docs/workshop.md).
- the schema carries a version; a store written by a newer program is refused with a clear message.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import secrets
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar, get_args

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, Connection, CursorResult, Engine, Row, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError, OperationalError

from symbiosis.core.errors import SymbiosisError
from symbiosis.core.i18n import Lang, pair, register, render
from symbiosis.core.plan import SolveStatus
from symbiosis.core.scenario import Scenario, ScenarioError, read_scenario_bytes

T = TypeVar("T")

STORE_MESSAGES = register("store", {
    "unknown_code": ("No workshop has the code '{code}': check the code with the facilitator",
                     "没有代码为“{code}”的研讨会：请向主持人核对代码"),
    "wrong_facilitator_code": ("This is not the facilitator code of the workshop: the facilitator's view needs the "
                               "facilitator code, not the groups' join code",
                               "这不是本研讨会的主持人代码：主持人视图需要主持人代码，而不是小组的加入代码"),
    "unknown_workshop": ("Workshop {workshop} is not in this store", "本存储中没有研讨会 {workshop}"),
    "group_not_in_workshop": ("Group '{group}' does not belong to workshop '{workshop}': a group reads and writes "
                              "only in its own workshop",
                              "小组“{group}”不属于研讨会“{workshop}”：小组只能在自己的研讨会中读写"),
    "unknown_group": ("Group '{group}' is not in this store (join the workshop again with its code)",
                      "本存储中没有小组“{group}”（请用代码重新加入研讨会）"),
    "need_group_or_facilitator": ("Say who is asking: a group of the workshop or the facilitator code",
                                  "请说明查看者：研讨会中的小组，或主持人代码"),
    "unknown_scenario": ("Scenario {scenario_id} is not in this store", "本存储中没有方案 {scenario_id}"),
    "scenario_of_other_group": ("Scenario {scenario_id} belongs to another group: group '{group}' chooses only "
                                "among its own scenarios",
                                "方案 {scenario_id} 属于其他小组：小组“{group}”只能在自己的方案中选择"),
    "bad_name": ("{what} must be text of 1 to {limit} characters; got '{value}'",
                 "{what}须为 1 至 {limit} 个字符的文字；实际为“{value}”"),
    "bad_scenario": ("Scenario '{name}' is not a scenario file: {reason}", "方案“{name}”不是有效的方案文件：{reason}"),
    "too_large": ("{what} is {size} bytes; at most {limit} bytes are kept", "{what}为 {size} 字节；最多保存 {limit} 字节"),
    "failed_with_plan": ("A failed solve is stored with its error and without a plan; got a plan with status "
                         "'failed'",
                         "求解失败时只保存错误信息，不保存方案结果；但状态为“failed”时给出了方案"),
    "failed_without_error": ("A failed solve is stored with its error: give the error text",
                             "求解失败时须保存错误信息：请给出错误文字"),
    "error_not_failed": ("A solve with an error is stored as status 'failed' (got status '{status}')",
                         "有错误的求解须以状态“failed”保存（实际状态为“{status}”）"),
    "result_without_plan": ("A result with status '{status}' needs the plan JSON; a solve without a plan is stored "
                            "as 'failed' with its error",
                            "状态为“{status}”的结果需要方案 JSON；没有方案的求解须以“failed”及其错误保存"),
    "bad_plan_json": ("The plan is not a JSON object: {reason}", "方案不是 JSON 对象：{reason}"),
    "bad_number": ("{what} must be a finite number{more}; got {value}", "{what}须为有限数值{more}；实际为 {value}"),
    "bad_file_name": ("Park file name '{value}' is not accepted: a relative path without '..', '\\' or a leading '/'",
                      "园区文件名“{value}”不可接受：须为不含“..”、“\\”且不以“/”开头的相对路径"),
    "no_park_files": ("The park package holds no files", "园区数据包中没有文件"),
    "newer_schema": ("The store at {url} has schema version {found}, newer than this program knows ({known}): "
                     "upgrade symbiosis-analyzer before using this store",
                     "位于 {url} 的存储的结构版本为 {found}，高于本程序所知的版本（{known}）：请先升级 "
                     "symbiosis-analyzer 再使用此存储"),
    "bad_url": ("Store URL '{url}' is not accepted: {reason}. Accepted: a SQLite file path, sqlite:///PATH, or "
                "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE",
                "存储 URL“{url}”不可接受：{reason}。可接受：SQLite 文件路径、sqlite:///路径，或 "
                "postgresql+psycopg://用户:密码@主机:端口/数据库"),
    "cannot_connect": ("Cannot open the store at {url}: {reason}", "无法打开位于 {url} 的存储：{reason}"),
    "unavailable": ("The store at {url} cannot be reached now ({reason}); nothing was written, try again",
                    "暂时无法访问位于 {url} 的存储（{reason}）；未写入任何内容，请重试"),
    "write_conflict": ("The store kept refusing this write ({reason}); nothing was written, try again",
                       "存储多次拒绝此次写入（{reason}）；未写入任何内容，请重试"),
    "export_not_empty": ("The folder {path} is not empty: export into a new or empty folder",
                         "文件夹 {path} 不为空：请导出到新的或空的文件夹"),
    "import_no_manifest": ("{path} holds no manifest.json of a workshop export (written by `symbiosis workshop "
                           "export`)",
                           "{path} 中没有研讨会导出的 manifest.json（由 `symbiosis workshop export` 写出）"),
    "import_bad": ("The workshop export in {path} cannot be imported: {reason}",
                   "{path} 中的研讨会导出无法导入：{reason}"),
    "bad_status": ("The status '{value}' is not a solve status; accepted: {accepted}",
                   "状态“{value}”不是求解状态；可接受：{accepted}"),
    "bad_error": ("The error of a failed solve must be text; got {value}", "求解失败的错误信息须为文字；实际为 {value}"),
    "database_error": ("The store refused this request ({reason}); nothing was written",
                       "存储拒绝了此次请求（{reason}）；未写入任何内容"),
    "group_exists": ("The group '{group}' already exists in this workshop: ask its members for the group's link "
                     "(it carries the group's key), or choose another group name",
                     "小组“{group}”在本研讨会中已存在：请向该小组成员索取小组链接（链接中含小组密钥），或换一个小组名称"),
    "wrong_group_key": ("This is not the key of group '{group}': only the group writes its scenarios (open the "
                        "group's link again)",
                        "这不是小组“{group}”的密钥：只有该小组才能写入其方案（请重新打开小组链接）"),
    "what.workshop": ("The workshop name", "研讨会名称"),
    "what.group": ("The group name", "小组名称"),
    "what.scenario": ("The scenario name", "方案名称"),
    "what.author": ("The author", "作者"),
    "what.status": ("The status", "状态"),
    "what.gap": ("The gap", "间隙"),
    "what.seconds": ("The solve time", "求解时间"),
    "what.scenario_file": ("The scenario file", "方案文件"),
    "what.plan": ("The plan JSON", "方案 JSON"),
    "more.not_negative": (" not below 0", "且不小于 0"),
})


class StoreError(SymbiosisError):
    """A request the store refuses: a wrong code, a group writing outside its workshop, a bad value, a newer
    schema. `code` names the message (store.<code>); `text(lang)` renders it; str() is the English text."""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.code = f"store.{key}"
        self.params = params
        super().__init__(render(self.code, "en", **params))

    def text(self, lang: Lang | str = "en") -> str:
        return render(self.code, lang, **self.params)

    def pair(self) -> tuple[str, str]:
        """(English, 中文)."""
        return pair(self.code, **self.params)


def _what(key: str) -> dict[str, str]:
    en, zh = pair(f"store.what.{key}")
    return {"what": en, "what_zh": zh}


# --- codes ---------------------------------------------------------------------------------------------------------
# No 0/O, 1/I/L: a code read aloud or copied from a projector is typed right the first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
FACILITATOR_CODE_LENGTH = 12
GROUP_KEY_LENGTH = 8  # a group's secret, in its link: 31**8 (about 8.5e11) keys


def new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalize_code(code: str) -> str:
    """A code as typed -> as stored: full-width characters folded (NFKC, a Chinese keyboard), upper case, spaces
    and dashes dropped ("abc-def" -> "ABCDEF")."""
    folded = unicodedata.normalize("NFKC", str(code)).upper()
    return "".join(ch for ch in folded if not ch.isspace() and ch != "-")


def _is_code(code: str, length: int) -> bool:
    return len(code) == length and all(ch in CODE_ALPHABET for ch in code)


# --- limits --------------------------------------------------------------------------------------------------------
NAME_LIMITS = {"workshop": 200, "group": 80, "scenario": 200, "author": 80, "status": 40}
MAX_SCENARIO_BYTES = 1_000_000
MAX_PLAN_BYTES = 64_000_000
BUSY_SECONDS = 60.0  # SQLite: a writer waits this long for another writer before giving up
WRITE_ATTEMPTS = 8  # a unique-key race (two saves of one name at once) is retried this often


def _name(value: object, what: str, *, empty_ok: bool = False) -> str:
    """A name as shown: NFC, outer spaces dropped, inner runs of spaces as one."""
    limit = NAME_LIMITS[what]
    if not isinstance(value, str):
        raise StoreError("bad_name", limit=limit, value=repr(value), **_what(what))
    clean = " ".join(unicodedata.normalize("NFC", value).split())
    if (not clean and not empty_ok) or len(clean) > limit:
        raise StoreError("bad_name", limit=limit, value=clean[:limit + 10], **_what(what))
    return clean


def name_key(name: str) -> str:
    """What makes two names the same name: 'Group A', 'group a' and 'Ｇｒｏｕｐ A' are one group."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def park_hash(files: Mapping[str, bytes]) -> str:
    """Content hash of a park package: sha256 over the sorted (name, sha256(bytes)) pairs, hex."""
    h = hashlib.sha256()
    for name in sorted(files):
        encoded = name.encode("utf-8")
        h.update(len(encoded).to_bytes(4, "big"))
        h.update(encoded)
        h.update(hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def _file_name(name: object) -> str:
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        raise StoreError("bad_file_name", value=str(name))
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("..", ".", "") for part in name.split("/")):
        raise StoreError("bad_file_name", value=name)
    return name


def _finite(value: object, what: str, *, optional: bool = False, not_negative: bool = False) -> float | None:
    more = {"more": "", "more_zh": ""}
    if not_negative:
        more = dict(zip(("more", "more_zh"), pair("store.more.not_negative"), strict=True))
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StoreError("bad_number", value=repr(value), **_what(what), **more)
    number = float(value)
    if not math.isfinite(number):
        if optional:  # a gap the solver could not give (NaN/inf) is kept as unknown
            return None
        raise StoreError("bad_number", value=repr(value), **_what(what), **more)
    if not_negative and number < 0:
        raise StoreError("bad_number", value=repr(value), **_what(what), **more)
    return number


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    # SQLite gives back naive datetimes (written as UTC); PostgreSQL gives them in the session's time zone
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- records -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Workshop:
    """A workshop. `facilitator_code` is "" when the workshop was found by its join code (`Store.workshop`): a
    group never learns it."""

    id: int
    name: str
    code: str
    facilitator_code: str
    park_hash: str
    shared: bool
    created_at: datetime | None = None


@dataclass(frozen=True)
class ImportedWorkshop(Workshop):
    """What `Store.import_workshop` made: the workshop, and the codes it had in the export. They differ from
    `code` / `facilitator_code` when the export's codes were already used in this store."""

    original_code: str = ""
    original_facilitator_code: str = ""

    @property
    def codes_changed(self) -> bool:
        return (self.code, self.facilitator_code) != (self.original_code, self.original_facilitator_code)


@dataclass(frozen=True)
class Group:
    """A group of a workshop. `key` is the group's secret (in its link): only `Store.join` with the join code and
    this key (or the first join of the name) gives it out, and every write checks it. A Group read by the
    facilitator or another group has key "" and cannot write."""

    id: int
    workshop_id: int
    name: str
    created_at: datetime | None = None
    key: str = ""


@dataclass(frozen=True)
class ScenarioRecord:
    """One saved version of a group's scenario. `scenario_toml` is the file as saved (UTF-8 TOML)."""

    id: int
    workshop_id: int
    group_id: int
    group_name: str
    name: str
    version: int
    scenario_toml: bytes
    author: str
    created_at: datetime
    chosen: bool

    def scenario(self) -> Scenario:
        return read_scenario_bytes(self.scenario_toml)


@dataclass(frozen=True)
class ResultRecord:
    """A solve of a scenario: a plan (`plan_json`, the text of Plan.to_json(); read it back with
    flows.plan_io.plan_from_json_dict(json.loads(...))) or, for status 'failed', the error and no plan."""

    id: int
    scenario_id: int
    status: str
    gap: float | None
    plan_json: str | None
    error: str | None
    seconds: float
    created_at: datetime

    @property
    def failed(self) -> bool:
        return self.status == FAILED


FAILED = "failed"
# a stored solve: 'failed' (no plan), or a plan's status (the app stores infeasible/error/not_solved as failed)
RESULT_STATUSES: tuple[str, ...] = (FAILED, *(x for x in get_args(SolveStatus)
                                             if x not in ("infeasible", "error", "not_solved")))


@dataclass(frozen=True)
class ResultInput:
    """A solve to store with its scenario (`Store.save_scenario(..., result=...)`), checked as `save_result`."""

    status: str
    gap: float | None
    plan_json: str | None
    error: str | None
    seconds: float

# --- schema --------------------------------------------------------------------------------------------------------
metadata = MetaData()
_WHEN = DateTime(timezone=True)

schema_version_table = Table("schema_version", metadata, Column("version", Integer, nullable=False))
parks_table = Table(
    "parks", metadata,
    Column("hash", String(64), primary_key=True),
    Column("created_at", _WHEN, nullable=False),
)
park_files_table = Table(
    "park_files", metadata,
    Column("park_hash", String(64), ForeignKey("parks.hash"), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)
workshops_table = Table(
    "workshops", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(NAME_LIMITS["workshop"]), nullable=False),
    Column("code", String(16), nullable=False, unique=True),
    Column("facilitator_code", String(32), nullable=False, unique=True),
    Column("park_hash", String(64), ForeignKey("parks.hash"), nullable=False),
    Column("shared", Boolean, nullable=False),
    Column("created_at", _WHEN, nullable=False),
)
groups_table = Table(
    "groups", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workshop_id", Integer, ForeignKey("workshops.id"), nullable=False),
    Column("name", String(NAME_LIMITS["group"]), nullable=False),
    Column("name_key", String(NAME_LIMITS["group"]), nullable=False),
    Column("created_at", _WHEN, nullable=False),
    Column("token", String(16), nullable=True),  # the group's key; set on every row (migration 2 fills old rows)
    UniqueConstraint("workshop_id", "name_key", name="uq_group_name"),
)
scenarios_table = Table(
    "scenarios", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_id", Integer, ForeignKey("groups.id"), nullable=False),
    Column("name", String(NAME_LIMITS["scenario"]), nullable=False),
    Column("name_key", String(NAME_LIMITS["scenario"]), nullable=False),
    Column("version", Integer, nullable=False),
    Column("toml", Text, nullable=False),
    Column("author", String(NAME_LIMITS["author"]), nullable=False),
    Column("created_at", _WHEN, nullable=False),
    Column("chosen", Boolean, nullable=False),
    UniqueConstraint("group_id", "name_key", "version", name="uq_scenario_version"),
)
results_table = Table(
    "results", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scenario_id", Integer, ForeignKey("scenarios.id"), nullable=False),
    Column("status", String(NAME_LIMITS["status"]), nullable=False),
    Column("gap", Float, nullable=True),
    Column("plan_json", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("seconds", Float, nullable=False),
    Column("created_at", _WHEN, nullable=False),
    Index("ix_results_scenario", "scenario_id"),
)


def _migrate_1(conn: Connection) -> None:
    """Version 1: the tables as defined above."""
    metadata.create_all(conn, tables=[parks_table, park_files_table, workshops_table, groups_table,
                                      scenarios_table, results_table])


def _migrate_2(conn: Connection) -> None:
    """Version 2: a key per group (groups.token), issued at the first join; groups made before get one now."""
    from sqlalchemy import inspect

    if "token" not in {c["name"] for c in inspect(conn).get_columns("groups")}:  # a version-1 store
        conn.execute(text("ALTER TABLE groups ADD COLUMN token VARCHAR(16)"))
    for (group_id,) in conn.execute(select(groups_table.c.id).where(groups_table.c.token.is_(None))).all():
        conn.execute(update(groups_table).where(groups_table.c.id == group_id)
                     .values(token=new_code(GROUP_KEY_LENGTH)))


# Ordered: MIGRATIONS[i] brings a store from version i to i + 1. A later change appends a function (ALTER TABLE
# ...) and leaves the earlier ones as they are. (_migrate_1 creates the tables as defined now; _migrate_2 then
# finds the token column there and only fills it.)
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_migrate_1, _migrate_2)
SCHEMA_VERSION = len(MIGRATIONS)
_PG_MIGRATION_LOCK = 0x5359_4D42  # pg_advisory_xact_lock key: one process migrates, the others wait


# --- the store -----------------------------------------------------------------------------------------------------
def _store_url(url: str) -> URL:
    if "://" not in url:  # a plain path: a SQLite file
        return URL.create("sqlite+pysqlite", database=str(Path(url).expanduser().resolve()))
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError("bad_url", url=url, reason=str(exc)) from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StoreError("bad_url", url=url, reason="an in-memory SQLite database is not shared between "
                                                          "sessions; give a file")
        return parsed
    raise StoreError("bad_url", url=url, reason=f"backend '{backend}' is not supported")


def default_url(workspace: str | Path | None = None) -> str:
    """SYMBIOSIS_STORE_URL, else the SQLite file <workspace>/workshops.sqlite (workspace: the argument, else
    SYMBIOSIS_WORKSPACE, else ./workspace; created)."""
    env_url = os.environ.get("SYMBIOSIS_STORE_URL", "").strip()
    if env_url:
        return env_url
    folder = Path(workspace or os.environ.get("SYMBIOSIS_WORKSPACE", "").strip() or "workspace")
    folder.mkdir(parents=True, exist_ok=True)
    return str((folder / "workshops.sqlite").resolve())


class Store:
    """The workshop store. Open with `Store.open(url=None, workspace=None)`; close with `close()` (or `with`).

    Safe to share between threads (one connection pool) and between processes (SQLite in WAL mode: writers wait
    for each other up to BUSY_SECONDS; PostgreSQL: row locks and unique keys)."""

    def __init__(self, url: str | URL) -> None:
        self._url = url if isinstance(url, URL) else _store_url(url)
        self.backend = self._url.get_backend_name()
        shown = self._url.render_as_string(hide_password=True)
        try:
            if self.backend == "sqlite":
                self._engine = create_engine(self._url, connect_args={"timeout": BUSY_SECONDS,
                                                                      "check_same_thread": False},
                                             pool_size=10, max_overflow=40, pool_timeout=120)
                _sqlite_events(self._engine)
            else:
                self._engine = create_engine(self._url, pool_pre_ping=True, pool_size=10, max_overflow=30,
                                             pool_timeout=120)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:  # ImportError: psycopg not installed
            raise StoreError("bad_url", url=shown, reason=str(exc)) from exc
        # writes go through this view of the engine: on SQLite it begins with BEGIN IMMEDIATE (see _sqlite_events)
        self._writer = self._engine.execution_options(symbiosis_write=True)
        # SQLite takes one writer at a time anyway: this process's threads queue here, in order, instead of
        # polling the file lock (SQLite's busy handler sleeps up to 100 ms between tries, so with 20 waiting
        # writers an unlucky one waited over a second); other processes still meet at the file lock
        self._queue: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if self.backend == "sqlite" else contextlib.nullcontext())
        try:
            self._prepare_schema()
        except StoreError as exc:
            self._engine.dispose()
            if exc.code == "store.unavailable":  # the first contact: say so, with the reason
                raise StoreError("cannot_connect", url=shown, reason=exc.params["reason"]) from exc
            raise
        except DBAPIError as exc:  # e.g. no right to create the tables
            self._engine.dispose()
            raise StoreError("cannot_connect", url=shown, reason=_reason(exc)) from exc
        except BaseException:
            self._engine.dispose()
            raise

    @classmethod
    def open(cls, url: str | None = None, workspace: str | Path | None = None) -> Store:
        """The store at `url`; without one, SYMBIOSIS_STORE_URL; without that, the SQLite file
        <workspace>/workshops.sqlite (workspace: the argument, SYMBIOSIS_WORKSPACE, or ./workspace)."""
        return cls(url if url else default_url(workspace))

    @property
    def url(self) -> str:
        """The store's URL with the password hidden."""
        return self._url.render_as_string(hide_password=True)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ------------------------------------------------------------------------------------------
    @contextmanager
    def _read(self, *, snapshot: bool = False) -> Iterator[Connection]:
        """A read transaction. `snapshot`: every statement sees the same moment (PostgreSQL: REPEATABLE READ;
        SQLite in WAL mode always reads one snapshot per transaction) — for an export read in several queries."""
        try:
            with self._engine.connect() as conn:
                if snapshot and self.backend == "postgresql":
                    conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    yield conn
        except OperationalError as exc:  # the server went away, the file cannot be read
            raise StoreError("unavailable", url=self.url, reason=_reason(exc)) from exc
        except DBAPIError as exc:  # any other refusal of the database: a message, never a traceback
            raise StoreError("database_error", reason=_reason(exc)) from exc

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one write transaction; a unique-key race (another writer took the version number or the
        code at the same moment) rolls it back and runs it again."""
        last: IntegrityError | None = None
        for _ in range(WRITE_ATTEMPTS):
            try:
                with self._queue, self._writer.begin() as conn:
                    return work(conn)
            except IntegrityError as exc:
                last = exc
            except OperationalError as exc:  # the server went away; SQLite still locked after BUSY_SECONDS
                raise StoreError("unavailable", url=self.url, reason=_reason(exc)) from exc
            except DBAPIError as exc:  # e.g. a value the column refuses (PostgreSQL: a NUL in text)
                raise StoreError("database_error", reason=_reason(exc)) from exc
        raise StoreError("write_conflict", reason=_reason(last) if last else "") from last

    def _prepare_schema(self) -> None:
        def work(conn: Connection) -> None:
            if self.backend == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            schema_version_table.create(conn, checkfirst=True)
            found = conn.execute(select(func.max(schema_version_table.c.version))).scalar()
            current = int(found or 0)
            if current > SCHEMA_VERSION:
                raise StoreError("newer_schema", url=self.url, found=current, known=SCHEMA_VERSION)
            if current == SCHEMA_VERSION:
                return
            for migrate in MIGRATIONS[current:]:
                migrate(conn)
            conn.execute(delete(schema_version_table))
            conn.execute(insert(schema_version_table).values(version=SCHEMA_VERSION))

        self._write(work)

    def schema_version(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.max(schema_version_table.c.version))).scalar() or 0)

    # --- workshops ---------------------------------------------------------------------------------------------
    def create_workshop(self, name: str, park_files: Mapping[str, bytes]) -> Workshop:
        """A new workshop on the park package `park_files` (name -> bytes, e.g.
        symbiosis.core.scenario.park_files(park)); its join code and facilitator code are new random codes. The
        package is stored once per content hash."""
        clean = _name(name, "workshop")
        files = _package(park_files)
        digest = park_hash(files)

        def work(conn: Connection) -> Workshop:
            _put_park(conn, digest, files)
            code, facilitator = _free_codes(conn)
            return _insert_workshop(conn, clean, code, facilitator, digest, shared=False, created_at=_now())

        return self._write(work)

    def workshop(self, code: str) -> Workshop | None:
        """The workshop with this join code (as typed: case, spaces and dashes do not matter), or None. The
        facilitator code is not given out: `facilitator_code` is ""."""
        found = normalize_code(code)
        if not _is_code(found, JOIN_CODE_LENGTH):
            return None
        with self._read() as conn:
            row = conn.execute(select(workshops_table).where(workshops_table.c.code == found)).first()
        return None if row is None else _workshop(row, with_facilitator=False)

    def facilitated(self, facilitator_code: str) -> Workshop | None:
        """The workshop with this facilitator code (the full record), or None."""
        found = normalize_code(facilitator_code)
        if not _is_code(found, FACILITATOR_CODE_LENGTH):
            return None
        with self._read() as conn:
            row = conn.execute(select(workshops_table)
                               .where(workshops_table.c.facilitator_code == found)).first()
        return None if row is None else _workshop(row, with_facilitator=True)

    def workshops(self) -> list[Workshop]:
        """Every workshop in the store, codes included (for the `symbiosis workshop list` command: whoever can
        open the store file or database sees everything anyway)."""
        with self._read() as conn:
            rows = conn.execute(select(workshops_table).order_by(workshops_table.c.id)).all()
        return [_workshop(r, with_facilitator=True) for r in rows]

    def set_shared(self, facilitator_code: str, shared: bool) -> Workshop:
        """Open (True) or close (False) the groups' scenarios to each other. StoreError for a wrong code."""
        found = normalize_code(facilitator_code)
        if not _is_code(found, FACILITATOR_CODE_LENGTH):  # never an empty or malformed code matching a row
            raise StoreError("wrong_facilitator_code")

        def work(conn: Connection) -> Workshop:
            done = conn.execute(update(workshops_table).where(workshops_table.c.facilitator_code == found)
                                .values(shared=bool(shared)))
            if done.rowcount != 1:
                raise StoreError("wrong_facilitator_code")
            row = conn.execute(select(workshops_table)
                               .where(workshops_table.c.facilitator_code == found)).one()
            return _workshop(row, with_facilitator=True)

        return self._write(work)

    def park_package(self, workshop: Workshop) -> dict[str, bytes]:
        """The workshop's park package as uploaded: file name -> bytes."""
        with self._read() as conn:
            row = _workshop_row(conn, workshop.id)
            return _park_files(conn, row.park_hash)

    # --- groups ------------------------------------------------------------------------------------------------
    def join(self, code: str, group_name: str, key: str | None = None) -> Group:
        """The group `group_name` of the workshop with join code `code`. The first join makes the group and
        issues its key (`Group.key`, kept in the group's link); joining again with the same name (case and
        spacing aside) needs that key, so a reload or another browser with the link finds the group, and nobody
        else writes for it. StoreError for an unknown code, or an existing group without its key."""
        clean = _name(group_name, "group")
        given = normalize_code(key or "")
        found = self.workshop(code)
        if found is None:
            raise StoreError("unknown_code", code=str(code).strip())
        key = name_key(clean)

        def work(conn: Connection) -> Group:
            row = conn.execute(select(groups_table).where(groups_table.c.workshop_id == found.id,
                                                          groups_table.c.name_key == key)).first()
            if row is not None:
                if not _key_matches(row, given):
                    raise StoreError("group_exists", group=row.name)
                return _group(row, with_key=True)
            conn.execute(insert(groups_table).values(workshop_id=found.id, name=clean, name_key=key,
                                                     created_at=_now(), token=new_code(GROUP_KEY_LENGTH)))
            row = conn.execute(select(groups_table).where(groups_table.c.workshop_id == found.id,
                                                          groups_table.c.name_key == key)).one()
            return _group(row, with_key=True)

        return self._write(work)

    def groups(self, workshop: Workshop, *, group: Group | None = None,
               facilitator_code: str | None = None) -> list[Group]:
        """The workshop's groups as `scenarios` would show them: the facilitator sees all; a group sees itself,
        and all groups while the workshop is shared."""
        with self._read() as conn:
            row = _workshop_row(conn, workshop.id)
            query = select(groups_table).where(groups_table.c.workshop_id == row.id)
            if not _sees_all(conn, row, group, facilitator_code):
                assert group is not None
                query = query.where(groups_table.c.id == group.id)
            return [_group(r) for r in conn.execute(query.order_by(groups_table.c.name_key)).all()]

    # --- scenarios ---------------------------------------------------------------------------------------------
    def save_scenario(self, group: Group, name: str, scenario_toml: bytes, author: str, *,
                      result: ResultInput | None = None) -> ScenarioRecord:
        """Save the group's scenario `name` (a scenario TOML file: options, forced, forbidden, edits). The same
        name again (case and spacing aside) in the same group is a new version; the latest wins, and a chosen
        scenario stays chosen in its new version. No other group's scenario is touched. `result`: its solve,
        written in the same transaction (a reader never sees the scenario without it). StoreError for a group
        not in the store or without its key, a bad name, a file that is not a scenario, or a bad result."""
        checked = None if result is None else _checked_result(result.status, result.gap, result.plan_json,
                                                               result.error, result.seconds)
        clean = _name(name, "scenario")
        who = _name(author, "author", empty_ok=True)
        if not isinstance(scenario_toml, bytes | bytearray):
            raise StoreError("bad_scenario", name=clean, reason=f"expected the file's bytes, got "
                                                                 f"{type(scenario_toml).__name__}")
        if len(scenario_toml) > MAX_SCENARIO_BYTES:
            raise StoreError("too_large", size=len(scenario_toml), limit=MAX_SCENARIO_BYTES, **_what("scenario_file"))
        try:
            read_scenario_bytes(bytes(scenario_toml))
        except ScenarioError as exc:
            raise StoreError("bad_scenario", name=clean, reason=str(exc)) from exc
        body = bytes(scenario_toml).decode("utf-8-sig")
        key = name_key(clean)

        def work(conn: Connection) -> ScenarioRecord:
            _group_row(conn, group, lock=True, write=True)
            same = and_(scenarios_table.c.group_id == group.id, scenarios_table.c.name_key == key)
            last, chosen = conn.execute(
                select(func.max(scenarios_table.c.version),
                       func.count().filter(scenarios_table.c.chosen.is_(True))).where(same)).one()
            if chosen:  # the group's pick follows its scenario to the new version
                conn.execute(update(scenarios_table).where(same).values(chosen=False))
            new_id = _new_id(conn.execute(insert(scenarios_table).values(
                group_id=group.id, name=clean, name_key=key, version=int(last or 0) + 1, toml=body, author=who,
                created_at=_now(), chosen=bool(chosen))))
            if checked is not None:
                conn.execute(insert(results_table).values(scenario_id=int(new_id), created_at=_now(), **checked))
            return _scenario_by_id(conn, int(new_id))

        return self._write(work)

    def scenarios(self, workshop: Workshop, *, group: Group | None = None, facilitator_code: str | None = None,
                  all_versions: bool = False) -> list[ScenarioRecord]:
        """The scenarios `group` or the facilitator may see in `workshop`: a group its own, and the other groups'
        only while the workshop is shared; the facilitator (with the facilitator code) all. The latest version of
        each name (and a chosen older version), or every version with `all_versions`. Ordered by group, name,
        version. StoreError for a wrong facilitator code or a group of another workshop."""
        with self._read() as conn:
            row = _workshop_row(conn, workshop.id)
            query = _scenario_select().where(groups_table.c.workshop_id == row.id)
            if not _sees_all(conn, row, group, facilitator_code):
                assert group is not None
                query = query.where(scenarios_table.c.group_id == group.id)
            if not all_versions:
                latest = (select(scenarios_table.c.group_id, scenarios_table.c.name_key,
                                 func.max(scenarios_table.c.version).label("latest"))
                          .group_by(scenarios_table.c.group_id, scenarios_table.c.name_key).subquery())
                query = query.join(latest, and_(latest.c.group_id == scenarios_table.c.group_id,
                                                latest.c.name_key == scenarios_table.c.name_key)).where(
                    or_(scenarios_table.c.version == latest.c.latest, scenarios_table.c.chosen.is_(True)))
            query = query.order_by(groups_table.c.name_key, scenarios_table.c.name_key, scenarios_table.c.version)
            return [_scenario(r) for r in conn.execute(query).all()]

    def chosen_scenarios(self, workshop: Workshop, *, group: Group | None = None,
                         facilitator_code: str | None = None) -> list[ScenarioRecord]:
        """Each group's pick (at most one per group), as `scenarios` lets the asker see them."""
        return [r for r in self.scenarios(workshop, group=group, facilitator_code=facilitator_code) if r.chosen]

    def scenario(self, scenario_id: int) -> ScenarioRecord | None:
        """One saved scenario version by id (the app's own handle on a record it saved or listed), or None."""
        with self._read() as conn:
            row = conn.execute(_scenario_select().where(scenarios_table.c.id == int(scenario_id))).first()
        return None if row is None else _scenario(row)

    def choose(self, group: Group, scenario_id: int | None) -> ScenarioRecord | None:
        """Make `scenario_id` (one of the group's own scenarios) the group's pick for the comparison; the group's
        previous pick is dropped. None drops the pick. StoreError for another group's scenario."""

        def work(conn: Connection) -> ScenarioRecord | None:
            _group_row(conn, group, lock=True, write=True)
            if scenario_id is not None:
                owner = conn.execute(select(scenarios_table.c.group_id)
                                     .where(scenarios_table.c.id == int(scenario_id))).first()
                if owner is None:
                    raise StoreError("unknown_scenario", scenario_id=scenario_id)
                if owner.group_id != group.id:
                    raise StoreError("scenario_of_other_group", scenario_id=scenario_id, group=group.name)
            conn.execute(update(scenarios_table).where(scenarios_table.c.group_id == group.id,
                                                       scenarios_table.c.chosen.is_(True)).values(chosen=False))
            if scenario_id is None:
                return None
            conn.execute(update(scenarios_table).where(scenarios_table.c.id == int(scenario_id)).values(chosen=True))
            return _scenario_by_id(conn, int(scenario_id))

        return self._write(work)

    # --- results -----------------------------------------------------------------------------------------------
    def save_result(self, scenario_id: int, *, status: str, gap: float | None, plan_json: str | None,
                    error: str | None, seconds: float) -> ResultRecord:
        """Store a solve of a saved scenario. A failed solve: status 'failed', its error, no plan. Any other
        status: the plan's JSON (Plan.to_json()) and no error. A later result of the same scenario replaces the
        earlier one in `result` (both are kept). To store a new scenario with its solve, give the result to
        `save_scenario` instead: one transaction."""
        checked = _checked_result(status, gap, plan_json, error, seconds)

        def work(conn: Connection) -> ResultRecord:
            found = conn.execute(select(scenarios_table.c.id)
                                 .where(scenarios_table.c.id == int(scenario_id))).first()
            if found is None:
                raise StoreError("unknown_scenario", scenario_id=scenario_id)
            new_id = _new_id(conn.execute(insert(results_table).values(
                scenario_id=int(scenario_id), created_at=_now(), **checked)))
            row = conn.execute(select(results_table).where(results_table.c.id == new_id)).one()
            return _result(row)

        return self._write(work)

    def result(self, scenario_id: int) -> ResultRecord | None:
        """The latest result of a scenario, or None if it was never solved."""
        with self._read() as conn:
            row = conn.execute(select(results_table).where(results_table.c.scenario_id == int(scenario_id))
                               .order_by(results_table.c.id.desc()).limit(1)).first()
        return None if row is None else _result(row)

    def results(self, scenario_id: int) -> list[ResultRecord]:
        """Every result of a scenario, oldest first."""
        with self._read() as conn:
            rows = conn.execute(select(results_table).where(results_table.c.scenario_id == int(scenario_id))
                                .order_by(results_table.c.id)).all()
        return [_result(r) for r in rows]

    # --- moving a workshop -------------------------------------------------------------------------------------
    def export_workshop(self, code_or_facilitator_code: str, out_dir: str | Path) -> Path:
        """Write the whole workshop (park files, every group, every scenario version, every result) into the new
        or empty folder `out_dir`; returns the manifest's path. See symbiosis.workshop.transfer."""
        from symbiosis.workshop.transfer import export_workshop

        return export_workshop(self, code_or_facilitator_code, out_dir)

    def import_workshop(self, in_dir: str | Path) -> ImportedWorkshop:
        """Read a folder written by `export_workshop` into this store as a new workshop, in one transaction. The
        codes are kept unless this store already uses one of them; then both are new, and the returned
        ImportedWorkshop says so (`codes_changed`, `original_code`)."""
        from symbiosis.workshop.transfer import import_workshop

        return import_workshop(self, in_dir)

    # --- for transfer.py (same package) ------------------------------------------------------------------------
    def _dump(self, workshop: Workshop) -> dict[str, Any]:
        """Everything of a workshop, in plain values, read in one transaction (one snapshot)."""
        with self._read(snapshot=True) as conn:
            row = _workshop_row(conn, workshop.id)
            files = _park_files(conn, row.park_hash)
            groups = conn.execute(select(groups_table).where(groups_table.c.workshop_id == row.id)
                                  .order_by(groups_table.c.id)).all()
            out_groups = []
            for g in groups:
                scen_rows = conn.execute(select(scenarios_table).where(scenarios_table.c.group_id == g.id)
                                         .order_by(scenarios_table.c.name_key, scenarios_table.c.version)).all()
                scens = []
                for s in scen_rows:
                    res = conn.execute(select(results_table).where(results_table.c.scenario_id == s.id)
                                       .order_by(results_table.c.id)).all()
                    scens.append({"name": s.name, "version": s.version, "toml": s.toml, "author": s.author,
                                  "created_at": _utc(s.created_at), "chosen": bool(s.chosen),
                                  "results": [_result(r) for r in res]})
                out_groups.append({"name": g.name, "created_at": _utc(g.created_at), "key": g.token or "",
                                   "scenarios": scens})
            return {"workshop": _workshop(row, with_facilitator=True), "files": files, "groups": out_groups}

    def _load(self, name: str, code: str, facilitator_code: str, shared: bool, created_at: datetime,
              files: Mapping[str, bytes], groups: list[dict[str, Any]]) -> ImportedWorkshop:
        """Insert a dumped workshop (see `_dump`) in one transaction; new codes if these are taken here."""
        files = _package(files)  # the names checked as on create: they become paths on export
        digest = park_hash(files)

        def work(conn: Connection) -> ImportedWorkshop:
            _put_park(conn, digest, files)
            taken = conn.execute(select(workshops_table.c.id).where(or_(
                workshops_table.c.code.in_([code, facilitator_code]),
                workshops_table.c.facilitator_code.in_([code, facilitator_code])))).first()
            use_code, use_facilitator = _free_codes(conn) if taken else (code, facilitator_code)
            made = _insert_workshop(conn, name, use_code, use_facilitator, digest, shared=shared,
                                    created_at=created_at)
            for g in groups:
                group_id = _new_id(conn.execute(insert(groups_table).values(
                    workshop_id=made.id, name=g["name"], name_key=name_key(g["name"]),
                    created_at=g["created_at"], token=g.get("key") or new_code(GROUP_KEY_LENGTH))))
                for s in g["scenarios"]:
                    scenario_id = _new_id(conn.execute(insert(scenarios_table).values(
                        group_id=group_id, name=s["name"], name_key=name_key(s["name"]), version=s["version"],
                        toml=s["toml"], author=s["author"], created_at=s["created_at"],
                        chosen=s["chosen"])))
                    for r in s["results"]:
                        conn.execute(insert(results_table).values(
                            scenario_id=scenario_id, status=r["status"], gap=r["gap"], plan_json=r["plan_json"],
                            error=r["error"], seconds=r["seconds"], created_at=r["created_at"]))
            return ImportedWorkshop(id=made.id, name=made.name, code=made.code,
                                    facilitator_code=made.facilitator_code, park_hash=made.park_hash,
                                    shared=made.shared, created_at=made.created_at, original_code=code,
                                    original_facilitator_code=facilitator_code)

        return self._write(work)


# --- helpers over a connection -------------------------------------------------------------------------------------
def _sqlite_events(engine: Engine) -> None:
    """WAL (readers never wait for a writer), a busy timeout (a writer waits for another instead of failing), and
    write transactions that take the write lock at BEGIN (BEGIN IMMEDIATE): two writers never both read and then
    fail to upgrade. The pysqlite driver's own transaction handling is turned off, as SQLAlchemy's documentation
    recommends for this ("Serializable isolation / Savepoints / Transactional DDL")."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable at checkpoints, never corrupt
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("symbiosis_write") else "BEGIN")


def _reason(exc: DBAPIError) -> str:
    """The database's own words, first line (without SQLAlchemy's statement and parameters)."""
    text_ = str(exc.orig or exc).strip()
    return text_.splitlines()[0] if text_ else type(exc).__name__


def _package(files: Mapping[str, bytes]) -> dict[str, bytes]:
    if not files:
        raise StoreError("no_park_files")
    out: dict[str, bytes] = {}
    for name, data in files.items():
        if not isinstance(data, bytes | bytearray):
            raise StoreError("bad_file_name", value=f"{name} ({type(data).__name__}, not bytes)")
        out[_file_name(name)] = bytes(data)
    return out


def _put_park(conn: Connection, digest: str, files: Mapping[str, bytes]) -> None:
    if conn.execute(select(parks_table.c.hash).where(parks_table.c.hash == digest)).first() is not None:
        return
    conn.execute(insert(parks_table).values(hash=digest, created_at=_now()))
    conn.execute(insert(park_files_table), [{"park_hash": digest, "name": n, "content": d}
                                            for n, d in sorted(files.items())])


def _park_files(conn: Connection, digest: str) -> dict[str, bytes]:
    rows = conn.execute(select(park_files_table.c.name, park_files_table.c.content)
                        .where(park_files_table.c.park_hash == digest).order_by(park_files_table.c.name)).all()
    return {r.name: bytes(r.content) for r in rows}


def _free_codes(conn: Connection) -> tuple[str, str]:
    """A join code and a facilitator code not used in this store (a race with another writer is caught by the
    unique keys and the write retried)."""
    while True:
        code, facilitator = new_code(JOIN_CODE_LENGTH), new_code(FACILITATOR_CODE_LENGTH)
        used = conn.execute(select(workshops_table.c.id).where(or_(
            workshops_table.c.code == code, workshops_table.c.facilitator_code == facilitator))).first()
        if used is None:
            return code, facilitator


def _insert_workshop(conn: Connection, name: str, code: str, facilitator: str, digest: str, *, shared: bool,
                     created_at: datetime) -> Workshop:
    new_id = _new_id(conn.execute(insert(workshops_table).values(
        name=name, code=code, facilitator_code=facilitator, park_hash=digest, shared=shared,
        created_at=created_at)))
    row = conn.execute(select(workshops_table).where(workshops_table.c.id == new_id)).one()
    return _workshop(row, with_facilitator=True)


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None  # an INSERT of one row always has it
    return int(key[0])


def _workshop_row(conn: Connection, workshop_id: int) -> Row[Any]:
    row = conn.execute(select(workshops_table).where(workshops_table.c.id == int(workshop_id))).first()
    if row is None:
        raise StoreError("unknown_workshop", workshop=workshop_id)
    return row


def _key_matches(row: Row[Any], given: str) -> bool:
    return bool(row.token) and _is_code(given, GROUP_KEY_LENGTH) and secrets.compare_digest(row.token, given)


def _group_row(conn: Connection, group: Group, *, lock: bool = False, write: bool = False) -> Row[Any]:
    """The stored group behind a Group object; it must match in id, workshop and name. `lock`: hold the group's
    row until the transaction ends (PostgreSQL: SELECT ... FOR UPDATE), so that one group's writes run one after
    the other and two saves of one name never race for a version number (SQLite's BEGIN IMMEDIATE already
    serialises every write)."""
    query = select(groups_table).where(groups_table.c.id == int(group.id))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise StoreError("unknown_group", group=group.name)
    if row.workshop_id != group.workshop_id or row.name_key != name_key(group.name):
        ws = conn.execute(select(workshops_table.c.name).where(workshops_table.c.id == group.workshop_id)).first()
        raise StoreError("group_not_in_workshop", group=group.name, workshop=ws.name if ws else group.workshop_id)
    if write and not _key_matches(row, normalize_code(group.key or "")):  # only the group writes its scenarios
        raise StoreError("wrong_group_key", group=row.name)
    return row


def _sees_all(conn: Connection, workshop_row: Row[Any], group: Group | None, facilitator_code: str | None) -> bool:
    """True if the asker sees every group of the workshop; False if only its own group. Raises for an asker with
    no right to the workshop at all."""
    if facilitator_code is not None:
        if normalize_code(facilitator_code) != workshop_row.facilitator_code:
            raise StoreError("wrong_facilitator_code")
        return True
    if group is None:
        raise StoreError("need_group_or_facilitator")
    _group_row(conn, group)
    if group.workshop_id != workshop_row.id:
        raise StoreError("group_not_in_workshop", group=group.name, workshop=workshop_row.name)
    return bool(workshop_row.shared)


def _scenario_select() -> Any:
    return (select(scenarios_table, groups_table.c.workshop_id, groups_table.c.name.label("group_name"))
            .join(groups_table, groups_table.c.id == scenarios_table.c.group_id))


def _scenario_by_id(conn: Connection, scenario_id: int) -> ScenarioRecord:
    return _scenario(conn.execute(_scenario_select().where(scenarios_table.c.id == scenario_id)).one())


def _check_plan_json(plan_json: object) -> None:
    if not isinstance(plan_json, str):
        raise StoreError("bad_plan_json", reason=f"expected text, got {type(plan_json).__name__}")
    if len(plan_json) > MAX_PLAN_BYTES:
        raise StoreError("too_large", size=len(plan_json), limit=MAX_PLAN_BYTES, **_what("plan"))
    try:
        data = json.loads(plan_json)
    except ValueError as exc:
        raise StoreError("bad_plan_json", reason=str(exc)) from exc
    if not isinstance(data, dict):
        raise StoreError("bad_plan_json", reason=f"a JSON {type(data).__name__}")


def _checked_result(status: object, gap: object, plan_json: object, error: object,
                    seconds: object) -> dict[str, Any]:
    """A solve's fields as stored, or StoreError: a known status; 'failed' with its error text and no plan; any
    other status with the plan JSON and no error."""
    state = _name(status, "status")
    if state not in RESULT_STATUSES:
        raise StoreError("bad_status", value=state, accepted=", ".join(RESULT_STATUSES))
    number_gap = _finite(gap, "gap", optional=True)
    number_seconds = _finite(seconds, "seconds", not_negative=True)
    if error is not None and not isinstance(error, str):
        raise StoreError("bad_error", value=repr(error)[:80])
    if state == FAILED:
        if plan_json is not None:
            raise StoreError("failed_with_plan")
        if not isinstance(error, str) or not error.strip():
            raise StoreError("failed_without_error")
        number_gap = None
    else:
        if error is not None:
            raise StoreError("error_not_failed", status=state)
        if plan_json is None:
            raise StoreError("result_without_plan", status=state)
        _check_plan_json(plan_json)
    return {"status": state, "gap": number_gap, "plan_json": plan_json, "error": error, "seconds": number_seconds}


def _workshop(row: Row[Any], *, with_facilitator: bool) -> Workshop:
    return Workshop(id=row.id, name=row.name, code=row.code,
                    facilitator_code=row.facilitator_code if with_facilitator else "", park_hash=row.park_hash,
                    shared=bool(row.shared), created_at=_utc(row.created_at))


def _group(row: Row[Any], *, with_key: bool = False) -> Group:
    return Group(id=row.id, workshop_id=row.workshop_id, name=row.name, created_at=_utc(row.created_at),
                 key=(row.token or "") if with_key else "")


def _scenario(row: Row[Any]) -> ScenarioRecord:
    return ScenarioRecord(id=row.id, workshop_id=row.workshop_id, group_id=row.group_id, group_name=row.group_name,
                          name=row.name, version=row.version, scenario_toml=row.toml.encode("utf-8"),
                          author=row.author, created_at=_utc(row.created_at), chosen=bool(row.chosen))


def _result(row: Row[Any]) -> ResultRecord:
    return ResultRecord(id=row.id, scenario_id=row.scenario_id, status=row.status,
                        gap=None if row.gap is None else float(row.gap), plan_json=row.plan_json, error=row.error,
                        seconds=float(row.seconds), created_at=_utc(row.created_at))


__all__ = ["CODE_ALPHABET", "FAILED", "GROUP_KEY_LENGTH", "MIGRATIONS", "RESULT_STATUSES", "SCHEMA_VERSION", "Group",
           "ImportedWorkshop", "ResultInput", "ResultRecord", "ScenarioRecord", "Store", "StoreError", "Workshop", "default_url", "name_key", "new_code",
           "normalize_code", "park_hash"]
