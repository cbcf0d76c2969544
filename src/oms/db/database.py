"""One object per process that owns the engine, hands out sessions and knows the event bus."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.engine import create_engine, create_read_sessionmaker, create_sessionmaker, ping
from oms.events.bus import EventBus, InProcessBus
from oms.events.recorder import attach_bus


class Database:
    def __init__(self, url: str, bus: EventBus | None = None) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._sessions = create_sessionmaker(self.engine)
        self._read_sessions = create_read_sessionmaker(self.engine)
        self.bus: EventBus = bus or InProcessBus()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> AsyncSession:
        """A session whose `commit()` (oms.events.recorder.commit) publishes to this bus."""
        return attach_bus(self._sessions(), self.bus)

    def read_session(self) -> AsyncSession:
        """A session for reading only: it never waits for a writer (on SQLite it begins
        deferred, not IMMEDIATE; under WAL it reads a snapshot) and refuses to write."""
        return self._read_sessions()

    async def ping(self) -> bool:
        return await ping(self.engine)

    async def dispose(self) -> None:
        await self.engine.dispose()
