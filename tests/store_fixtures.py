"""A throwaway PostgreSQL server for the store tests, and the stores the tests run against.

The server is Debian's `postgresql` package (installed by .ci/run): `initdb` into a temporary folder, `pg_ctl start`
on a free port of 127.0.0.1 with its unix socket in that folder, trust authentication, fsync off (test data only).
initdb refuses to run as root; as root the binaries run as the `postgres` user the package creates (`runuser`).
Each test gets its own database (CREATE DATABASE), dropped afterwards.

SYMBIOSIS_TEST_POSTGRES_URL=postgresql+psycopg://USER@HOST:PORT/DB uses a server that is already running instead
(the tests create and drop databases on it). If no server can be started the PostgreSQL tests FAIL with the
reason: CI must not pass without them. A developer without PostgreSQL may set SYMBIOSIS_SKIP_POSTGRES=1 to skip
them knowingly.

Use in a test module:  pytest_plugins = ("store_fixtures",)
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from symbiosis.workshop import Store

BACKENDS = ("sqlite", "postgresql")


@dataclass
class PostgresServer:
    """A running server: `admin_url` reaches its maintenance database `postgres`."""

    host: str
    port: int
    user: str
    folder: Path | None = None  # the data folder of a server these fixtures started (None: an existing server)
    bin_dir: Path | None = None

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user=self.user, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]  # our own fixed statements, not user input


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError("no PostgreSQL server binaries (initdb) under /usr/lib/postgresql/*/bin or on PATH: "
                       "install Debian's 'postgresql' package (.ci/run does)")


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise RuntimeError("running as root, and there is no 'postgres' user to run the server as (Debian's "
                           "postgresql package creates it)") from exc
    return ["runuser", "-u", "postgres", "--", *command]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(command: list[str], log: Path) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    log.write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {(done.stdout + done.stderr)[-2000:]}")


def start_postgres() -> PostgresServer:
    """initdb + pg_ctl start in a new temporary folder; raises RuntimeError with the reason if it cannot."""
    bin_dir = _bin_dir()
    if os.geteuid() == 0:  # the server runs as postgres: a folder under /tmp it can reach (not root's TMPDIR)
        folder = Path(tempfile.mkdtemp(prefix="symbiosis-pg-", dir="/tmp"))
        shutil.chown(folder, user="postgres")
    else:
        folder = Path(tempfile.mkdtemp(prefix="symbiosis-pg-"))
    data = folder / "data"
    _run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                          "--no-locale", "--no-sync"]), folder / "initdb.log")
    last = ""
    for _ in range(3):  # the free port may be taken between asking and starting: try another
        port = _free_port()
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        try:
            _run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
                                  "-w", "-t", "60", "-o", options, "start"]), folder / "pg_ctl.log")
        except RuntimeError as exc:
            last = str(exc)
            continue
        return PostgresServer("127.0.0.1", port, "postgres", folder, bin_dir)
    raise RuntimeError(last)


def stop_postgres(server: PostgresServer) -> None:
    if server.folder is None or server.bin_dir is None:
        return
    subprocess.run(_as_server_user([str(server.bin_dir / "pg_ctl"), "-D", str(server.folder / "data"), "-m",
                                    "immediate", "-w", "stop"]), capture_output=True, timeout=60, check=False)
    shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if os.environ.get("SYMBIOSIS_SKIP_POSTGRES") == "1":
        pytest.skip("SYMBIOSIS_SKIP_POSTGRES=1: the PostgreSQL store tests are skipped on purpose")
    existing = os.environ.get("SYMBIOSIS_TEST_POSTGRES_URL", "").strip()
    if existing:
        from sqlalchemy.engine import make_url

        parsed = make_url(existing)
        yield PostgresServer(parsed.host or "127.0.0.1", parsed.port or 5432, parsed.username or "postgres")
        return
    try:
        server = start_postgres()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        pytest.fail(f"could not start a PostgreSQL server for the store tests: {exc}", pytrace=False)
    try:
        yield server
    finally:
        stop_postgres(server)


_databases = itertools.count(1)


def new_store_url(backend: str, request: pytest.FixtureRequest, folder: Path) -> str:
    """A URL of a new, empty store of `backend`; a PostgreSQL database is dropped when the test ends."""
    if backend == "sqlite":
        return str(folder / f"store-{next(_databases)}.sqlite")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"symbiosis_test_{os.getpid()}_{next(_databases)}"
    server.execute(f"CREATE DATABASE {name}")
    request.addfinalizer(lambda: server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    return server.url(name)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return new_store_url(backend, request, tmp_path)


@pytest.fixture(name="new_store_url")
def new_store_url_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """new_store_url(backend) -> the URL of a new, empty store: for tests that need two stores."""
    return lambda backend: new_store_url(backend, request, tmp_path)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    try:
        yield opened
    finally:
        opened.close()
