"""The composition root's product: what one OMS process holds for its whole life."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from oms.clock import SYSTEM_CLOCK, Clock
from oms.cluster import Announced, Directory, LocalDirectory, new_node_id
from oms.config import Settings
from oms.db.database import Database
from oms.events.bus import EventBus
from oms.metrics import Metrics
from oms.rate_limits import RateLimits


class ConnectionRegistry(Protocol):
    """What the API needs to know of the gateway (for /health and /connections)."""

    def connection_count(self) -> int: ...

    def connection_rows(self) -> list[dict[str, object]]: ...

    def staff_rows(self) -> list[dict[str, object]]: ...

    def announced(self) -> dict[int, Announced]: ...


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
    # The whole cluster's sockets (DESIGN §12): Redis when processes meet there, else this
    # process's gateway alone (`cluster()`); and this process's name as a gateway node.
    directory: Directory | None = None
    node_id: str = field(default_factory=new_node_id)

    def __post_init__(self) -> None:
        self.rate_limits = RateLimits(self.settings)

    def cluster(self) -> Directory:
        if self.directory is None:
            self.directory = LocalDirectory(lambda: self.gateway)
        return self.directory

    @property
    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started_at

    @property
    def bus(self) -> EventBus:
        return self.database.bus

    async def close(self) -> None:
        if self.directory is not None:
            await self.directory.close()
        await self.database.bus.close()
        await self.database.dispose()
