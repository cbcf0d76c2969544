"""The composition root's product: what one OMS process holds for its whole life."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from oms.clock import SYSTEM_CLOCK, Clock
from oms.config import Settings
from oms.db.database import Database
from oms.events.bus import EventBus
from oms.gateway.metrics import Metrics
from oms.security.rate_limits import RateLimits


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
    # "Now" for every decision made by the clock (slots, reminders, retries); tests move it.
    clock: Clock = SYSTEM_CLOCK
    # Shared by REST and the gateway of this process (and, through Redis, with every node).
    rate_limits: RateLimits = field(init=False)

    def __post_init__(self) -> None:
        self.rate_limits = RateLimits(self.settings)

    @property
    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started_at

    @property
    def bus(self) -> EventBus:
        return self.database.bus

    async def close(self) -> None:
        await self.database.bus.close()
        await self.database.dispose()
