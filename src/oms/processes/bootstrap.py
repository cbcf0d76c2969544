"""What every process holds for its whole life: the runtime (database, event bus, cluster view).

Light on purpose: the database commands (`oms seed`, `oms users`, `oms notify`) build a runtime
too, and import nothing of the web, socket or delivery stacks through this module.
"""

from __future__ import annotations

from collections.abc import Sequence

import redis.asyncio as redis

from oms.cluster import Keys, RedisDirectory
from oms.config import Settings
from oms.db.database import Database
from oms.events.bus import EventBus, InProcessBus
from oms.events.envelope import PublishedEvent
from oms.events.redis_bus import RedisBus, channel_for
from oms.metrics import Metrics
from oms.runtime import Runtime


class StartupError(Exception):
    """The process cannot start; the message is one line for the operator."""


def build_bus(settings: Settings, metrics: Metrics) -> EventBus:
    if settings.redis_url:
        return RedisBus(
            settings.redis_url,
            channel=channel_for(settings.app_key),
            on_published=metrics.published.inc,
        )
    bus = InProcessBus()

    async def count(events: Sequence[PublishedEvent]) -> None:
        metrics.published.inc(len(events))

    bus.subscribe(count)
    return bus


def build_runtime(settings: Settings) -> Runtime:
    metrics = Metrics()
    database = Database(settings.database, build_bus(settings, metrics))
    runtime = Runtime(settings=settings, database=database, metrics=metrics)
    if settings.redis_url:
        # The cluster view (DESIGN §12): every gateway node's sockets, through Redis.
        runtime.directory = redis_directory(settings, runtime)
    return runtime


def redis_directory(settings: Settings, runtime: Runtime) -> RedisDirectory:
    assert settings.redis_url
    return RedisDirectory(
        redis.Redis.from_url(settings.redis_url, socket_connect_timeout=1.0, socket_timeout=2.0),
        Keys(settings.app_key),
        runtime.clock,
        ttl_seconds=settings.oms_node_ttl_seconds,
        local=lambda: runtime.gateway,
        local_node=runtime.node_id,
    )
