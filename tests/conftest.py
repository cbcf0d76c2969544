"""Shared fixtures: a real database per test (SQLite, and PostgreSQL when configured), the app
over httpx, factories, and a recorder of what the event seam publishes.

`OMS_TEST_DATABASES` lists the backends of the run (default `sqlite`; the test command runs
`sqlite,postgresql`); `OMS_TEST_POSTGRES_URL` is the PostgreSQL server it starts. A database test
runs on SQLite unless the database itself is what it tests:

- `@pytest.mark.both_databases` — locks, id order, the outbox, races, query plans, migrations: on
  every backend of the run;
- `@pytest.mark.postgresql` — several processes sharing one database (multi-node), writers racing
  without a lock: on PostgreSQL always (a run without it fails them, saying how to run them,
  rather than skip them).

Under pytest-xdist each worker is a process of its own: it gets its own PostgreSQL database
(named after its pid) and its own SQLite files, and every server binds a free port.
"""

from __future__ import annotations

import asyncio
import fcntl
import gc
import os
import shutil
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from oms.api.app import create_api
from oms.clock import ManualClock
from oms.config import Settings
from oms.db.base import Base
from oms.db.database import Database
from oms.db.migrate import upgrade
from oms.events.bus import InProcessBus
from oms.events.envelope import PublishedEvent
from oms.runtime import Runtime
from tests.factories import Factory

TEST_APP_KEY = "test-key-for-the-oms-test-suite-only-0123456789"
BACKENDS = [b.strip() for b in os.environ.get("OMS_TEST_DATABASES", "sqlite").split(",") if b]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once; each test copies the file (faster than migrating per test)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this test run's own on the test server (runs may overlap), dropped after."""
    server_url = os.environ.get("OMS_TEST_POSTGRES_URL")
    if not server_url:
        raise RuntimeError(
            "this test needs PostgreSQL but OMS_TEST_POSTGRES_URL is not set; "
            "run the suite with scripts/test, which starts PostgreSQL"
        )
    name = f"oms_test_{os.getpid()}"
    admin_url = server_url.rsplit("/", 1)[0] + "/postgres"
    asyncio.run(
        admin_statements(admin_url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    )
    url = server_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    yield url
    asyncio.run(admin_statements(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def admin_statements(url: str, *statements: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        for statement in statements:
            await connection.execute(text(statement))
    await engine.dispose()


async def _truncate_postgres(url: str) -> None:
    engine = create_async_engine(url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


def backends_for(metafunc: pytest.Metafunc) -> list[str]:
    """The backends a database test runs on in this run (see the module docstring)."""
    definition = metafunc.definition
    if definition.get_closest_marker("both_databases"):
        return BACKENDS
    if definition.get_closest_marker("postgresql"):
        # Never silently on SQLite or skipped: without OMS_TEST_POSTGRES_URL the postgres_url
        # fixture fails and says how to run it (scripts/test starts PostgreSQL).
        return ["postgresql"]
    return ["sqlite"] if "sqlite" in BACKENDS else BACKENDS[:1]


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, the controller builds Hypothesis's table of the characters UTF-8 can
    encode before the workers start (~2 s of CPU; it is kept in .hypothesis/). Schemathesis
    needs it, and every worker that runs a contract shard of a clean checkout would otherwise
    build it at the same moment."""
    if os.environ.get("PYTEST_XDIST_WORKER") or not getattr(config.option, "numprocesses", None):
        return
    import warnings

    from hypothesis import strategies

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # .example() is meant for a shell, and this is one use
        strategies.characters(codec="utf-8").example()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `slow` (servers in subprocesses, clusters) first, the rest in file order.
    pytest-xdist hands tests out in this order, so the long ones start early and a run ends on
    short tests the workers share, not on one worker finishing a long test alone while the
    others idle. Stable, so every worker collects the same order."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection built (every test module, the oms package, Hypothesis, Schemathesis,
    Playwright: ~270,000 objects that live until the end) is set aside from the
    garbage collector: otherwise each of its full collections during the run walks them all
    again. ~8 % less CPU for the in-process tests (36.7 s instead of 40.4 s over orders,
    inventory and appointments)."""
    gc.collect()
    gc.freeze()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", backends_for(metafunc), indirect=True)


WEB = Path(__file__).resolve().parents[1] / "web"


@pytest.fixture(scope="session")
def web_packages() -> Path:
    """web/, its packages installed, for the tests that run its tools or serve its bundle.
    scripts/test installs and builds it while pytest already runs, holding the lock
    `$OMS_TEST_WEB_READY.lock` until that is done and its exit status is written in
    OMS_TEST_WEB_READY: wait for the lock (a shared lock is granted the moment the job lets go),
    then read the status. A run without scripts/test needs `npm ci` in web/ done (never a skip:
    a missing tool fails)."""
    ready = os.environ.get("OMS_TEST_WEB_READY")
    if ready:
        with open(f"{ready}.lock") as lock:
            waiting = threading.Thread(target=fcntl.flock, args=(lock, fcntl.LOCK_SH), daemon=True)
            waiting.start()
            waiting.join(timeout=900)
            assert not waiting.is_alive(), "the web app's install and build never finished"
        status = Path(ready).read_text().strip() if Path(ready).is_file() else "none"
        assert status == "0", (
            f"installing or building the web app failed (status {status}): "
            "scripts/test prints the `web` log"
        )
    assert shutil.which("npx"), "Node's npx is needed for the web app's tests"
    assert (WEB / "node_modules").is_dir(), "run `npm ci` in web/ first (scripts/test does)"
    return WEB


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "oms.sqlite3"
        shutil.copy(template, path)
        return f"sqlite+aiosqlite:///{path}"
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        asyncio.run(_truncate_postgres(url))
        return url
    raise ValueError(f"unknown test database backend {request.param!r}")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "APP_ENV": "test",
            "APP_KEY": TEST_APP_KEY,
            "DATABASE_URL": database_url,
            "OMS_DATA_DIR": str(tmp_path),
            "HTTP_PORT": 0,
            "WEBSOCKET_PORT": 0,
        }
    )


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.database, InProcessBus())
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    """The runtime's clock: starts at the real now (so dates relative to today keep working) and
    moves only when a test advances it."""
    return ManualClock(datetime.now(UTC))


@pytest.fixture
def runtime(settings: Settings, database: Database, clock: ManualClock) -> Runtime:
    return Runtime(settings=settings, database=database, clock=clock)


# One API app per worker process and configuration. FastAPI builds every route's dependency
# graph and validators on an app's first request (~0.15 s of CPU): a new app per test paid that
# for each of several hundred tests. `app.state.runtime` is the only thing that binds an app to a
# test's runtime (database, clock, rate limits live there), so the `client` fixture points the
# shared app at its test's runtime. Settings other than the per-test database and data directory
# (CORS, CSP, body limits...) are part of the key: a test with other settings gets its own app.
_APPS: dict[str, FastAPI] = {}


def api_for(runtime: Runtime) -> FastAPI:
    key = runtime.settings.model_dump_json(exclude={"database_url", "oms_data_dir"})
    app = _APPS.get(key)
    if app is None:
        app = _APPS[key] = create_api(runtime)
    app.state.runtime = runtime
    return app


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=api_for(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as client:
        yield client


@pytest.fixture
def factory(database: Database, settings: Settings) -> Factory:
    return Factory(database, settings)


class PublishedLog:
    """Everything the event seam published after commit, in order."""

    def __init__(self) -> None:
        self.events: list[PublishedEvent] = []

    async def __call__(self, events: Sequence[PublishedEvent]) -> None:
        self.events.extend(events)

    def names(self) -> list[str]:
        return [event.name for event in self.events]

    def clear(self) -> None:
        self.events.clear()

    def only(self) -> PublishedEvent:
        assert len(self.events) == 1, f"expected one event, got {self.names()}"
        return self.events[0]

    def recipients(self, index: int = 0) -> set[int]:
        return {user_id for user_id, _ in self.events[index].recipients}


@pytest.fixture
def published(database: Database) -> Iterator[PublishedLog]:
    log = PublishedLog()
    unsubscribe = database.bus.subscribe(log)
    yield log
    unsubscribe()
