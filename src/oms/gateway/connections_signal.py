"""`connections.changed`: admins' open connections views re-read GET /connections when the
cluster's sockets change, instead of polling it (DESIGN §6).

It is a bare socket.io message to admin sockets only: no payload, not an inbox event, never
stored, no event id (a missed one costs nothing: the view re-reads on every reconnect anyway).

- Without Redis the process is the whole cluster: a change here is told to this node's admins.
- With Redis each node's rows reach Redis by its `NodeAnnouncer`; once a write of changed rows
  is done, the node publishes on the deployment's channel (`cluster.Keys`), and every node (this
  one too) tells its own admins. Publishing after the write means a view re-reading on the signal
  already sees the change, from whichever process serves GET /connections.

Coalesced per node: after telling, the node pauses (`SIGNAL_SECONDS`, or a test's fence) and
changes during the pause make one more signal after it, so a reconnect storm of thousands of
sockets is a few re-reads per admin, not thousands.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as redis
from redis.exceptions import RedisError

from oms.gateway.connections import Registry
from oms.tasks import cancel_and_wait

log = logging.getLogger(__name__)

EVENT = "connections.changed"
PACKET = f'2["{EVENT}"]'
SIGNAL_SECONDS = 0.5
_BACKOFF_START, _BACKOFF_MAX = 0.5, 10.0

Pause = Callable[[], Awaitable[None]]


def pause_for(seconds: float) -> Pause:
    async def pause() -> None:
        await asyncio.sleep(seconds)

    return pause


async def tell_admins(registry: Registry) -> int:
    """Send the signal to this node's admin sockets; returns how many were told."""
    admins = [c for c in registry.all() if c.actor.is_admin and not c.closed]
    for connection in admins:
        # A socket that went away meanwhile is the transport's business, not the signal's.
        with contextlib.suppress(Exception):
            await connection.link.send(PACKET)
    return len(admins)


class ConnectionsSignal:
    """Coalesces this node's "my sockets changed" into at most one signal per pause."""

    def __init__(
        self,
        registry: Registry,
        *,
        pause: Pause,
        client: redis.Redis | None = None,
        channel: str = "",
    ) -> None:
        self.registry = registry
        self.client = client
        self.channel = channel
        self._pause = pause
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.sent = 0  # signals this node has sent out (published, or told locally)
        self.subscribed = asyncio.Event()  # set while the Redis subscription stands

    def changed(self) -> None:
        """Something in this node's socket set changed (synchronous: the connect path never
        waits for it)."""
        self._wake.set()

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._signal_forever(), name="oms-connections-signal")]
        if self.client is not None:
            self._tasks.append(
                asyncio.create_task(self._listen_forever(), name="oms-connections-listen")
            )

    async def stop(self) -> None:
        await cancel_and_wait(self._tasks)
        self._tasks = []

    async def _signal_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self._send()
            await self._pause()

    async def _send(self) -> None:
        self.sent += 1
        if self.client is None:
            await tell_admins(self.registry)
            return
        try:
            await self.client.publish(self.channel, b"1")
        except (RedisError, OSError):
            # Other nodes' admins miss this one (their views re-read on reconnect or Refresh);
            # this node's own admins need not.
            log.warning("could not publish %s to Redis; telling this node's admins only", EVENT)
            await tell_admins(self.registry)

    async def _listen_forever(self) -> None:
        assert self.client is not None
        backoff = _BACKOFF_START
        while True:
            try:
                async with self.client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    backoff = _BACKOFF_START
                    self.subscribed.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            await tell_admins(self.registry)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError):
                self.subscribed.clear()
                log.warning("lost Redis for %s; resubscribing in %.1fs", EVENT, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX)
