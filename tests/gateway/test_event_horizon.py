"""No global lock on the write path (issue 12, point 2), and still no reader skips an id.

On PostgreSQL event ids are taken at insert, so event B (a higher id) can commit while A (a lower
id) is still in flight. Writers no longer wait for each other; readers settle instead
(`oms.events.horizon`). Each test holds A open, commits B, and only then lets A commit: a reader
that took B's id as its position before A committed would have lost A for good."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.database import Database
from oms.db.models import EventRecord
from oms.events.catalogue import NotificationDraft
from oms.events.horizon import settled_horizon
from oms.events.recorder import commit, record_event
from oms.events.store import events_between
from tests.gateway.conftest import LiveGateway
from tests.gateway.scenario import Chain

WAIT = 10.0


# Several writers on one PostgreSQL database (SQLite serializes writers: nothing to show there).
pytestmark = pytest.mark.postgresql


async def _record(session: AsyncSession, user_id: int, title: str) -> int:
    event = await record_event(
        session,
        NotificationDraft(
            event="notification.general", title=title, message=title, level="info", data={}
        ),
        recipients={user_id},
    )
    return event.event_id


@pytest.fixture
async def held_open(database: Database) -> AsyncIterator[AsyncSession]:
    """Transaction A: an event recorded and not committed yet."""
    session = database.session()
    try:
        yield session
    finally:
        await session.close()


async def _readers_wait(database: Database, count: int = 1) -> None:
    """Until `count` sessions are waiting for transactions in flight (horizon.py's poll)."""
    async with asyncio.timeout(WAIT), database.session() as session:
        while (
            await session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE state <> 'idle'"
                    " AND query LIKE '%virtualtransaction = v%' AND pid <> pg_backend_pid()"
                )
            )
            or 0
        ) < count:
            await session.rollback()
            await asyncio.sleep(0.01)


async def test_writers_do_not_wait_and_a_reader_settles_before_taking_a_position(
    database: Database, chain: Chain, held_open: AsyncSession
) -> None:
    user = chain.customer.id
    first = await _record(held_open, user, "A")  # in flight
    async with asyncio.timeout(WAIT), database.session() as other:
        # With one lock across event-recording transactions this would wait for A to end.
        second = await _record(other, user, "B")
        await commit(other)
    assert second > first

    async with database.session() as session:
        # The hazard is real: a plain read sees B's id with A's missing below it.
        assert await session.scalar(select(func.max(EventRecord.id))) == second
        assert [e.event_id for e in await events_between(session, 0, second)] == [second]

    waiting = asyncio.Event()
    async with database.session() as reader:
        settling = asyncio.create_task(settled_horizon(reader, on_wait=lambda _: waiting.set()))
        await asyncio.wait_for(waiting.wait(), WAIT)
        assert not settling.done()
        await commit(held_open)  # A commits after B, with the lower id
        horizon = await asyncio.wait_for(settling, WAIT)
        assert horizon == second
        found = [e.event_id for e in await events_between(reader, 0, horizon)]
    assert found == [first, second]


async def test_a_rolled_back_transaction_in_flight_leaves_a_hole_not_a_wait(
    database: Database, chain: Chain, held_open: AsyncSession
) -> None:
    await _record(held_open, chain.customer.id, "A")
    async with database.session() as other:
        second = await _record(other, chain.customer.id, "B")
        await commit(other)
    waiting = asyncio.Event()
    async with database.session() as reader:
        settling = asyncio.create_task(settled_horizon(reader, on_wait=lambda _: waiting.set()))
        await asyncio.wait_for(waiting.wait(), WAIT)
        await held_open.rollback()
        assert await asyncio.wait_for(settling, WAIT) == second
        assert [e.event_id for e in await events_between(reader, 0, second)] == [second]


async def test_live_delivery_keeps_an_id_that_commits_after_a_higher_one(
    live: LiveGateway, chain: Chain, database: Database, held_open: AsyncSession
) -> None:
    probe = await live.probe(chain.customer.token)
    first = await _record(held_open, chain.customer.id, "A")
    async with database.session() as other:
        second = await _record(other, chain.customer.id, "B")
        await commit(other)  # published: the dispatcher sees a gap below B
    await _readers_wait(database)
    await commit(held_open)
    await probe.wait_for_ids(first, second)
    assert probe.ids() == [first, second]


async def test_replay_keeps_an_id_that_commits_after_a_higher_one(
    live: LiveGateway, chain: Chain, database: Database, held_open: AsyncSession
) -> None:
    first = await _record(held_open, chain.customer.id, "A")
    async with database.session() as other:
        second = await _record(other, chain.customer.id, "B")
        await commit(other)
    connecting = asyncio.create_task(live.probe(chain.customer.token, last_event_id=first - 1))
    # Both wait for A: the dispatcher (a gap below B) and the new socket's replay.
    await _readers_wait(database, count=2)
    await commit(held_open)
    probe = await asyncio.wait_for(connecting, WAIT)
    await probe.wait_for_ids(first, second)
    assert probe.ids() == [first, second]
