"""The engine and session factory, with the per-backend settings correctness depends on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

# Execution option marking a read-only transaction (`Database.read_session`, `ping`).
READ_ONLY = "oms_read_only"


def _prepare_sqlite(engine: AsyncEngine) -> None:
    """WAL for concurrent readers; IMMEDIATE transactions so check-then-write is serialized.

    pysqlite's own transaction handling starts a transaction only before the first write, so a
    booking's overlap check would run outside it. We take over BEGIN (SQLAlchemy's documented
    recipe) and make every transaction take the write lock up front: SQLite has one writer anyway,
    and this makes a racing double booking wait instead of slipping through.

    Read-only transactions (the READ_ONLY execution option) begin DEFERRED instead: under WAL
    they read a snapshot beside the writer rather than queue for its lock, so GET routes, socket
    authentication, replay and gap filling never wait for a long write.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def create_engine(url: str, **options: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **options)
        _prepare_sqlite(engine)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, **options)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def reading(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, for read-only transactions: deferred on SQLite, READ ONLY on
    PostgreSQL (where a write then fails loudly instead of slipping into a read)."""
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return engine.execution_options(**options)


class _ReadOnlySession(Session):
    """A session that refuses to flush: a change made in a read session is a bug, and on SQLite
    it would turn a deferred read into a write that fails when another writer went first."""


@event.listens_for(_ReadOnlySession, "before_flush")
def _refuse_flush(session: Session, *_: Any) -> None:
    raise RuntimeError(
        "a read session cannot write: use Database.session() (GET routes read; change with POST)"
    )


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        reading(engine),
        expire_on_commit=False,
        autoflush=False,
        sync_session_class=_ReadOnlySession,
    )


async def ping(engine: AsyncEngine) -> bool:
    try:
        async with reading(engine).connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
