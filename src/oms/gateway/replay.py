"""Starting a socket: replay what it missed, then flush what arrived meanwhile, then go live.

A socket is registered before this runs, with `pending` set: from that moment the dispatcher
parks its live frames there instead of writing them. The replay reads the user's inbox after
`last_event_id` in pages and writes each event; then the parked frames above what the replay sent
are written in order, and only then is `pending` cleared (with no await in between, so no live
frame can slip past the flush). Events committed while the replay runs are either in a page it
reads or parked by the dispatcher, and `last_event_id` drops the copies: no gap, no duplicate.
"""

from __future__ import annotations

import asyncio
import logging

from oms.db.database import Database
from oms.events.envelope import PublishedEvent
from oms.events.horizon import settled_horizon
from oms.events.store import events_for_user
from oms.gateway.connections import Connection
from oms.gateway.frames import encode
from oms.metrics import Metrics

log = logging.getLogger(__name__)


async def start_connection(
    connection: Connection,
    *,
    replay_after: int | None,
    database: Database,
    metrics: Metrics,
    page_size: int = 500,
) -> None:
    # Runs as its own task, created in the connect handler: yielding once lets the socket.io
    # CONNECT packet be queued before any event.
    await asyncio.sleep(0)
    try:
        if replay_after is not None:
            await _replay(connection, database, metrics, page_size)
    except Exception:
        # The socket cannot be brought up to date: drop it so the client reconnects and retries,
        # rather than leave it live with a hole.
        log.exception("replay failed for socket %s", connection.sid)
        connection.pending = None
        connection.closed = True
        raise
    await _flush(connection, metrics)


async def _replay(
    connection: Connection, database: Database, metrics: Metrics, page_size: int
) -> None:
    while not connection.closed:
        page = await read_page(database, connection.user_id, connection.last_event_id, page_size)
        for inbox_id, event in page:
            if connection.closed:
                return
            if event.event_id <= connection.last_event_id:
                continue
            connection.last_event_id = event.event_id
            await connection.link.send(encode(event).for_inbox(inbox_id))
            metrics.replayed.inc()
        if len(page) < page_size:
            return


async def read_page(
    database: Database, user_id: int, after: int, limit: int
) -> list[tuple[int, PublishedEvent]]:
    """One page of the user's inbox after `after`, in its own short read transaction: it reads
    beside any writer and stays open only for the read, never while frames are written.

    Only up to the settled horizon: an event committed while a lower one of this user is still in
    flight waits for the next page or, committed later, reaches the socket through `pending`, in
    order — the socket's position never passes an id that can still appear."""
    async with database.read_session() as session:
        horizon = await settled_horizon(session)
        return await events_for_user(session, user_id, after, limit=limit, up_to_id=horizon)


async def _flush(connection: Connection, metrics: Metrics) -> None:
    pending = connection.pending or []
    index = 0
    while index < len(pending):
        event_id, text = pending[index]
        index += 1
        if event_id <= connection.last_event_id or connection.closed:
            continue
        connection.last_event_id = event_id
        await connection.link.send(text)
        metrics.delivered.inc()
    connection.pending = None
