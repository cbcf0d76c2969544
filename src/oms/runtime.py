"""The composition root's product: what one OMS process holds for its whole life."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from oms.config import Settings
from oms.db.database import Database
from oms.events.bus import EventBus
from oms.metrics import Metrics


class ConnectionRegistry(Protocol):
    """What the API needs to know of the gateway (for /health and /connections)."""

    def connection_count(self) -> int: ...

    def connection_rows(self) -> list[dict[str, object]]: ...


@dataclass
class Runtime:
    settings: Settings
    database: Database
    started_at: float = field(default_factory=time.monotonic)
    gateway: ConnectionRegistry | None = None
    metrics: Metrics = field(default_factory=Metrics)

    @property
    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started_at

    @property
    def bus(self) -> EventBus:
        return self.database.bus

    async def close(self) -> None:
        await self.database.bus.close()
        await self.database.dispose()
