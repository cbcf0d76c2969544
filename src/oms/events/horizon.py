"""The settled horizon: the newest event id below which no event can still appear.

Replay and the dispatcher's watermark rely on "a reader that saw id N has seen every id below
N". Event ids come from a sequence when the row is inserted, so on PostgreSQL event 11 can be
committed while event 10's transaction is still open; a reader that took 11 as its position would
skip 10 for good. Writers do not serialize to prevent it (no lock: `recorder` only makes each
writer take its transaction id before its event id). A reader settles instead:

1. One statement reads the newest visible id N and the transactions in flight in that same
   snapshot (`pg_snapshot_xip(pg_current_snapshot())`).
2. It waits until each of those has committed or rolled back (`pg_xact_status`).

Then every id up to N is final: an id below N was taken after its transaction got its xid
(recorder) and before N was taken, so that transaction was either committed in the snapshot
(visible), or in flight in it (waited for), or rolled back. Transactions that started later
take ids above N. The wait is as long as the writers' transactions in flight, which are short;
readers wait, writers never do.

SQLite serializes writers (IMMEDIATE transactions): the newest id is always settled.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import EventRecord

# How long a reader waits for transactions in flight before giving up (the caller retries): an
# event-recording transaction is milliseconds; this only bounds a stuck "idle in transaction".
SETTLE_TIMEOUT = 10.0
_FIRST_POLL = 0.001
_MAX_POLL = 0.02

_SNAPSHOT = text(
    "SELECT (SELECT max(id) FROM events),"
    " ARRAY(SELECT x::text FROM pg_snapshot_xip(pg_current_snapshot()) AS x"
    "       WHERE x IS DISTINCT FROM pg_current_xact_id_if_assigned())"
)
_STILL_RUNNING = text(
    "SELECT x FROM unnest(CAST(:xids AS text[])) AS x"
    " WHERE pg_xact_status(CAST(x AS xid8)) = 'in progress'"
)


async def settled_horizon(
    session: AsyncSession, *, on_wait: Callable[[list[str]], None] | None = None
) -> int:
    """The newest event id N such that every event with an id up to N is committed (and visible
    to this session's next statements) or will never be. `on_wait` is told the transactions it
    waits for (tests use it as a fence)."""
    if session.get_bind().dialect.name != "postgresql":
        value = await session.scalar(select(func.max(EventRecord.id)))
        return int(value or 0)
    newest, in_flight = (await session.execute(_SNAPSHOT)).one()
    xids = list(in_flight or [])
    if xids and on_wait is not None:
        on_wait(xids)
    await _wait_for(session, xids)
    return int(newest or 0)


async def _wait_for(session: AsyncSession, xids: list[str]) -> None:
    deadline = time.monotonic() + SETTLE_TIMEOUT
    delay = _FIRST_POLL
    while xids:
        xids = list((await session.scalars(_STILL_RUNNING, {"xids": xids})).all())
        if not xids:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"transactions {', '.join(xids)} are still in flight")
        # Polling: PostgreSQL has no SQL function that waits for another transaction's end.
        await asyncio.sleep(delay)
        delay = min(delay * 2, _MAX_POLL)
