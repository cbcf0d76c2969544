"""One object per process that owns the engine, hands out sessions and carries the event bus.

The bus belongs to the events layer (oms.events.bus), which sits above this one: the database
only carries it, as `SessionBus`, and puts it on each session it opens, where
`oms.events.recorder.commit` finds it to publish after the commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.engine import create_engine, create_read_sessionmaker, create_sessionmaker, ping

# Where a session carries its bus (read by oms.events.recorder.commit).
SESSION_BUS = "oms.bus"


class SessionBus(Protocol):
    """The event bus as the database sees it (oms.events.bus.EventBus satisfies it)."""

    async def publish(self, events: Sequence[Any]) -> None: ...

    def subscribe(
        self, handler: Callable[[Sequence[Any]], Awaitable[None]]
    ) -> Callable[[], None]: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> bool | None: ...


class Database:
    def __init__(self, url: str, bus: SessionBus) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._sessions = create_sessionmaker(self.engine)
        self._read_sessions = create_read_sessionmaker(self.engine)
        self.bus = bus

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> AsyncSession:
        """A session whose `commit()` (oms.events.recorder.commit) publishes to this bus."""
        session = self._sessions()
        session.info[SESSION_BUS] = self.bus
        return session

    def read_session(self) -> AsyncSession:
        """A session for reading only: it never waits for a writer (on SQLite it begins
        deferred, not IMMEDIATE; under WAL it reads a snapshot) and refuses to write."""
        return self._read_sessions()

    async def ping(self) -> bool:
        return await ping(self.engine)

    async def dispose(self) -> None:
        await self.engine.dispose()
