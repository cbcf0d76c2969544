"""The fan-out seam between committed events and whoever delivers them.

Two backends share one contract: `InProcessBus` for a single process, `RedisBus`
(`oms.events.redis_bus`) when the API, the CLI and gateway nodes are separate processes. The bus is
a fast path only: the event table is the source of truth, and subscribers fill any gap from it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from oms.events.envelope import PublishedEvent

log = logging.getLogger(__name__)

EventHandler = Callable[[Sequence[PublishedEvent]], Awaitable[None]]


class EventBus(Protocol):
    async def publish(self, events: Sequence[PublishedEvent]) -> None:
        """Hand committed events, in id order, to every subscriber (best effort, never raises)."""

    def subscribe(self, handler: EventHandler) -> Callable[[], None]:
        """Register a handler; returns a function that removes it."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> bool | None:
        """True/False when a broker answers or not; None when there is no broker."""


async def call_handlers(handlers: Sequence[EventHandler], events: Sequence[PublishedEvent]) -> None:
    """Hand events to each handler; one failing must not stop the others or the publisher."""
    for handler in list(handlers):
        try:
            await handler(events)
        except Exception:
            # The change is committed; a failing subscriber must not turn it into an error.
            log.exception("event subscriber failed; it will catch up from the event table")


class InProcessBus:
    def __init__(self) -> None:
        self._handlers: list[EventHandler] = []

    def subscribe(self, handler: EventHandler) -> Callable[[], None]:
        self._handlers.append(handler)
        return lambda: self._handlers.remove(handler)

    async def publish(self, events: Sequence[PublishedEvent]) -> None:
        await call_handlers(self._handlers, events)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._handlers.clear()

    async def ping(self) -> bool | None:
        return None
