"""Delivers committed events to this node's sockets, in id order, each at most once per socket.

The bus is a fast path; the event table is the truth. One consumer task handles everything in
order (bus batches, the periodic tick, Redis reconnects), so the watermark needs no lock:

- `watermark` is the highest event id this node has handled. It starts at the newest committed id
  (clients connecting later catch up by replay, not by live delivery).
- A batch's ids at or below the watermark are dropped (a second copy, e.g. the local call and the
  Redis echo). An id above watermark + 1 first loads the missing range from the table: once id N
  is committed, every lower id is committed or rolled back for good as soon as the transactions
  in flight have ended (events/horizon.py: readers settle, writers never wait; SQLite has one
  writer), so the range read is complete. Holes left by rolled-back transactions are skipped.
- Every `tick_seconds` (and whenever the bus reconnects) the newest committed id is compared with
  the watermark and any tail the bus never brought is loaded: a lost pub/sub message, Redis down,
  or a process that died between its commit and its publish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from oms.db.database import Database
from oms.events.catalogue import is_control
from oms.events.envelope import PublishedEvent
from oms.events.horizon import settled_horizon
from oms.events.store import events_between, latest_event_id
from oms.gateway.connections import Registry
from oms.gateway.frames import encode
from oms.metrics import Metrics

log = logging.getLogger(__name__)

_CATCH_UP = None  # queue marker: compare the table's newest id with the watermark
_WAKE = ("wake", ())  # queue item that only wakes the consumer (to see that it must stop)
_STOP_SECONDS = 5.0  # how long stop() lets the item in hand finish before cancelling it
_YIELD_EVERY = 1000  # recipients written between two passes of the event loop


class Dispatcher:
    def __init__(
        self,
        database: Database,
        registry: Registry,
        metrics: Metrics,
        *,
        tick_seconds: float = 1.0,
        page_size: int = 1000,
    ) -> None:
        self.database = database
        self.registry = registry
        self.metrics = metrics
        self.tick_seconds = tick_seconds
        self.page_size = page_size
        self.watermark = 0
        self._queue: asyncio.Queue[tuple[str, Sequence[PublishedEvent]] | None] = asyncio.Queue()
        self._catch_up_queued = False
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self._unsubscribe: Callable[[], None] | None = None
        # Control events (a revocation) go here instead of to sockets, in their place in id order.
        self.on_control: Callable[[PublishedEvent], Awaitable[None]] | None = None

    async def start(self) -> None:
        async with self.database.read_session() as session:
            self.watermark = await latest_event_id(session)
        self._unsubscribe = self.database.bus.subscribe(self.on_bus)
        self._tasks = [
            asyncio.create_task(self._consume(), name="oms-dispatcher"),
            asyncio.create_task(self._tick(), name="oms-dispatcher-tick"),
        ]

    async def stop(self) -> None:
        """Stop once the item in hand is handled, not in the middle of it: a database read cut
        off by cancellation can leave its SQLite connection holding the write lock until the
        connection is garbage-collected (seen as "database is locked" in the next writer)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stopping = True
        self._queue.put_nowait(_WAKE)
        for task in self._tasks:
            if task.get_name() != "oms-dispatcher":
                task.cancel()  # the tick only sleeps and queues
        for task in self._tasks:
            try:
                await asyncio.wait_for(asyncio.shield(task), _STOP_SECONDS)
            except (asyncio.CancelledError, TimeoutError):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._tasks = []

    async def on_bus(self, events: Sequence[PublishedEvent]) -> None:
        """The bus handler: returns at once, so a commit never waits for delivery."""
        self._queue.put_nowait(("bus", events))

    def request_catch_up(self) -> None:
        if not self._catch_up_queued:
            self._catch_up_queued = True
            self._queue.put_nowait(_CATCH_UP)

    async def on_bus_reconnected(self) -> None:
        self.request_catch_up()

    async def idle(self) -> None:
        """Wait until everything queued so far has been handled (for tests and shutdown)."""
        await self._queue.join()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            self.request_catch_up()

    async def _consume(self) -> None:
        while True:
            item = await self._queue.get()
            if self._stopping:
                self._queue.task_done()
                return
            try:
                if item is _CATCH_UP:
                    self._catch_up_queued = False
                    await self.catch_up()
                elif item is not _WAKE:
                    await self.handle(item[1], source=item[0])
            except asyncio.CancelledError:
                raise
            except Exception:
                # Typically the database is unreachable; the next tick retries from the watermark.
                log.exception("event dispatch failed; retrying from event %d", self.watermark)
            finally:
                self._queue.task_done()

    async def handle(self, events: Sequence[PublishedEvent], *, source: str) -> None:
        for event in sorted(events, key=lambda e: e.event_id):
            if event.event_id <= self.watermark:
                continue
            if event.event_id > self.watermark + 1:
                await self._fill(event.event_id - 1)
            await self.deliver(event, source=source)

    async def catch_up(self) -> None:
        async with self.database.read_session() as session:
            newest = await latest_event_id(session)
        if newest > self.watermark:
            await self._fill(newest)

    async def _fill(self, up_to: int) -> None:
        """Deliver every committed event in (watermark, up_to], reading the table in pages.

        `up_to` is below an id known to be committed, so once the transactions in flight now have
        ended every id up to it is final (events/horizon.py)."""
        async with self.database.session() as session:
            up_to = min(up_to, await settled_horizon(session))
        while self.watermark < up_to:
            async with self.database.read_session() as session:
                page = await events_between(session, self.watermark, up_to, limit=self.page_size)
            for event in page:
                await self.deliver(event, source="table")
            if len(page) < self.page_size:
                break
        # Whatever is still missing below `up_to` was rolled back: a permanent hole.
        self.watermark = max(self.watermark, up_to)

    async def deliver(self, event: PublishedEvent, *, source: str) -> None:
        event_id = event.event_id
        self.watermark = event_id
        self.metrics.dispatched.labels(source).inc()
        if is_control(event.name):
            if self.on_control is not None:
                await self.on_control(event)
            return
        frame = None
        written = 0
        since_yield = 0
        by_user = self.registry.by_user
        for user_id, inbox_id in event.recipients:
            connections = by_user.get(user_id)
            if not connections:
                continue
            if frame is None:
                frame = encode(event)
            ws_frame = None
            for connection in tuple(connections) if len(connections) > 1 else connections:
                if connection.last_event_id >= event_id:
                    continue
                if connection.pending is not None:
                    # Still replaying: the starter flushes this after the replay, in order.
                    connection.pending.append((event_id, frame.for_inbox(inbox_id)))
                    continue
                connection.last_event_id = event_id
                writer = connection.link.direct
                if writer is not None:
                    # Websocket endpoint (websocket.py): the finished frame, written at once.
                    if ws_frame is None:
                        ws_frame = frame.ws_frame(inbox_id)
                    if writer.write(ws_frame):
                        written += 1
                else:
                    await connection.link.send(frame.for_inbox(inbox_id))
                    written += 1
            since_yield += 1
            if since_yield >= _YIELD_EVERY:
                # Let the loop read (pongs, joins, new sockets) in the middle of a big fan-out,
                # so a long broadcast never starves pings into timeouts.
                since_yield = 0
                await asyncio.sleep(0)
        if written:
            self.metrics.delivered.inc(written)
            self.metrics.delivery_latency.observe(_age(event))


def _age(event: PublishedEvent) -> float:
    try:
        stamp = datetime.fromisoformat(str(event.payload["timestamp"])).timestamp()
    except (KeyError, ValueError):
        return 0.0
    return max(0.0, time.time() - stamp)
