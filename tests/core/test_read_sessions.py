"""Reads never queue behind a writer: a read session (and every GET route) reads a snapshot while
another transaction holds the write lock, and refuses to write itself.

Each test keeps the writer open until the read has returned, so a read that waited for the lock
could never return (SQLite would give up after its 30 s busy timeout): no race, no timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.database import Database
from oms.db.models import Branch, User
from tests.factories import Factory, TestUser
from tests.gateway.scenario import notify

pytestmark = pytest.mark.both_databases

# Only a bound for a read that would otherwise wait forever; nothing is timed.
NEVER = 15.0


@asynccontextmanager
async def long_write(database: Database, user: TestUser) -> AsyncIterator[AsyncSession]:
    """A transaction that has written (so it holds the write lock) and stays open."""
    async with database.session() as writer:
        await writer.execute(update(User).where(User.id == user.id).values(name="Being renamed"))
        yield writer
        await writer.rollback()


async def test_a_read_session_reads_the_committed_state_beside_a_long_write(
    database: Database, factory: Factory
) -> None:
    user = await factory.customer()
    async with long_write(database, user), database.read_session() as reader:
        name = await asyncio.wait_for(
            reader.scalar(select(User.name).where(User.id == user.id)), NEVER
        )
    assert name == user.name  # the committed name, not the writer's


async def test_a_read_session_refuses_to_write(database: Database) -> None:
    async with database.read_session() as reader:
        reader.add(Branch(name="Nowhere", code="NOPE"))
        with pytest.raises(RuntimeError, match="read session cannot write"):
            await reader.commit()
    async with database.read_session() as reader:
        assert await reader.scalar(select(func.count()).select_from(Branch)) == 0


async def test_get_routes_answer_while_a_write_is_in_progress(
    database: Database, factory: Factory, client: httpx.AsyncClient
) -> None:
    customer = await factory.customer()
    event = await notify(database, {customer.id}, "before the write")
    async with long_write(database, customer):
        inbox = await asyncio.wait_for(
            client.get("/api/notifications", headers=customer.headers), NEVER
        )
        me = await asyncio.wait_for(client.get("/api/auth/me", headers=customer.headers), NEVER)
    assert inbox.status_code == 200
    assert [row["event_id"] for row in inbox.json()] == [event.event_id]
    assert me.json()["name"] == customer.name
