"""How the timeline works a batch: one read finds what is due, then each item is a transaction
of its own, so one item's failure, or a claim another process won, undoes none of the others."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.database import Database

Item = TypeVar("Item")


async def work_each(
    database: Database,
    find: Callable[[AsyncSession], Awaitable[Sequence[Item]]],
    act: Callable[[AsyncSession, Item], Awaitable[bool]],
) -> int:
    """`act` on every item `find` returns, each in a session of its own; returns how many
    `act` did (it answers False where there was nothing left to do)."""
    async with database.session() as session:
        items = await find(session)
        await session.rollback()  # end the read: each item is a transaction of its own
    done = 0
    for item in items:
        async with database.session() as session:
            if await act(session, item):
                done += 1
    return done
