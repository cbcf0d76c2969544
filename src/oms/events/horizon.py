"""The settled horizon: the newest event id below which no event can still appear.

Replay and the dispatcher's watermark rely on "a reader that saw id N has seen every id below
N". Event ids come from a sequence when the row is inserted, so on PostgreSQL event 11 can be
committed while event 10's transaction is still open; a reader that took 11 as its position would
skip 10 for good. Writers do not serialize to prevent it: `recorder` only marks each writer, before
it takes an event id, with a *shared* transaction-level advisory lock (`EVENT_WRITER_LOCK`), which
never blocks another writer. A reader settles instead:

1. One statement reads the newest visible id N and the transactions holding the mark
   (`pg_locks`, each named by its `virtualtransaction`).
2. It waits until none of those transactions holds it any more (committed or rolled back).

Then every id up to N is final: an id below N was taken by a transaction that already held the
mark, so that transaction was either committed before the statement (visible to the next ones),
or still holding the mark when pg_locks was read (waited for), or rolled back. Transactions that
take the mark later take ids above N. The wait is as long as the event writers' transactions in
flight, which are short; a long transaction that records no event is not waited for; readers
wait, writers never do.

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

# Any constant works; it names the shared lock that marks a transaction as an event writer.
EVENT_WRITER_LOCK = 0x0E5E_1D
# pg_locks shows a one-bigint advisory key as classid (high half), objid (low half), objsubid 1.
_MARKED = (
    "locktype = 'advisory' AND granted AND objsubid = 1"
    f" AND classid = {EVENT_WRITER_LOCK >> 32} AND objid = {EVENT_WRITER_LOCK & 0xFFFFFFFF}"
)
_SNAPSHOT = text(
    "SELECT (SELECT max(id) FROM events),"
    f" ARRAY(SELECT virtualtransaction FROM pg_locks WHERE {_MARKED}"
    "       AND pid <> pg_backend_pid())"
)
_STILL_RUNNING = text(
    "SELECT v FROM unnest(CAST(:xids AS text[])) AS v"
    f" WHERE EXISTS (SELECT 1 FROM pg_locks WHERE {_MARKED} AND virtualtransaction = v)"
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
