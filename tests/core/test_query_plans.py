"""The queries every gap fill runs find their rows through an index, on both databases.

The statement is the one `events_between` really sends (captured from the engine), explained by the
database itself (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL) over a table with statistics.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from oms.db.database import Database
from oms.db.models import EventRecord, Notification
from oms.events.store import events_between
from tests.factories import Factory

pytestmark = pytest.mark.both_databases

EVENTS = 300
USERS = 12


@contextmanager
def captured(engine: AsyncEngine) -> Iterator[list[tuple[str, Sequence[Any]]]]:
    """Every statement the engine sends to the driver, with its parameters, while open."""
    statements: list[tuple[str, Sequence[Any]]] = []

    def remember(*args: Any) -> None:
        _connection, _cursor, statement, parameters = args[:4]
        statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", remember)


async def _fill(database: Database, factory: Factory) -> list[int]:
    """EVENTS events, each in the inbox of every one of USERS users; returns the event ids."""
    user_ids = [(await factory.customer()).id for _ in range(USERS)]
    async with database.session() as session:
        await session.execute(
            insert(EventRecord), [{"name": "notification.general", "payload": {}}] * EVENTS
        )
        event_ids = list((await session.scalars(select(EventRecord.id))).all())
        await session.execute(
            insert(Notification),
            [{"user_id": user, "event_id": event} for event in event_ids for user in user_ids],
        )
        await session.commit()
    async with database.engine.connect() as connection:
        await connection.execute(text("ANALYZE"))
        await connection.commit()
    return sorted(event_ids)


async def _plan(database: Database, statement: str, parameters: Sequence[Any]) -> str:
    explain = "EXPLAIN QUERY PLAN " if database.dialect == "sqlite" else "EXPLAIN "
    async with database.engine.connect() as connection:
        rows = await connection.exec_driver_sql(explain + statement, tuple(parameters))
        # SQLite: (id, parent, notused, detail); PostgreSQL: one text column per plan line.
        return "\n".join(str(row[-1]) for row in rows)


async def test_events_between_reads_inbox_rows_through_the_event_index(
    database: Database, factory: Factory
) -> None:
    event_ids = await _fill(database, factory)
    after, up_to = event_ids[100], event_ids[105]
    with captured(database.engine) as statements:
        async with database.session() as session:
            events = await events_between(session, after, up_to)
    assert [published.event_id for published in events] == event_ids[101:106]
    assert all(len(published.recipients) == USERS for published in events)

    (lookup,) = [(sql, params) for sql, params in statements if "FROM notifications" in sql]
    plan = await _plan(database, *lookup)
    assert "ix_notifications_event_user" in plan, plan
    assert "SCAN notifications" not in plan, plan  # SQLite's full scan
    assert "Seq Scan" not in plan, plan  # PostgreSQL's
