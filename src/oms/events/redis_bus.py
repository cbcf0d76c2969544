"""The bus across processes: Redis pub/sub, one channel, one message per committed batch.

Same contract as `InProcessBus`: `publish` never raises (the event table is the truth and every
subscriber repairs gaps from it), handlers get batches in the order this process saw them.

- Local handlers are called first, directly: a process that both commits and delivers (`oms serve`
  with REDIS_URL) does not wait for the round trip, and keeps delivering while Redis is down. The
  copy that comes back through Redis is dropped by the subscriber's watermark.
- The listener runs only when something subscribed (an API or CLI process is write-only) and
  reconnects by itself with backoff; after every (re)subscribe it calls the `on_subscribed`
  callbacks, so a gateway catches up on what was published while it was away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

import orjson
import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from oms.events.bus import EventHandler, call_handlers
from oms.events.envelope import PublishedEvent, from_envelope
from oms.security.tokens import derive_key

log = logging.getLogger(__name__)

CHANNEL = "oms:events"
_BACKOFF_START = 0.1
_BACKOFF_MAX = 2.0

Callback = Callable[[], Awaitable[None]]
PublishCounter = Callable[[int], None]


def channel_for(app_key: str) -> str:
    """The deployment's own channel. Pub/sub channels are shared by every client of a Redis server
    (database numbers do not separate them), and a foreign envelope would move a dispatcher's
    watermark past ids its own table has not reached yet — so each deployment (one APP_KEY, as
    every node must share it to read tokens) gets a channel no other deployment uses."""
    return f"{CHANNEL}:{derive_key(app_key, 'redis-channel').hex()[:16]}"


def encode_batch(events: Sequence[PublishedEvent]) -> bytes:
    return b"[" + b",".join(event.to_json() for event in events) + b"]"


def decode_batch(raw: bytes | str) -> list[PublishedEvent]:
    """The inverse of `encode_batch` (the envelope format of `PublishedEvent.to_json`)."""
    return [from_envelope(item) for item in orjson.loads(raw)]


class RedisBus:
    def __init__(
        self,
        url: str,
        *,
        channel: str = CHANNEL,
        publish_timeout: float = 1.0,
        on_published: PublishCounter | None = None,
    ) -> None:
        self.url = url
        self.channel = channel
        # Short timeouts on the publishing connection: a commit must not hang on a dead Redis.
        self._client = redis.Redis.from_url(
            url,
            socket_connect_timeout=publish_timeout,
            socket_timeout=publish_timeout,
            # One immediate retry: the first publish after a Redis restart meets a dead pooled
            # connection; no backoff, since the caller is a request waiting on its commit.
            retry=Retry(NoBackoff(), 1),
        )
        self._handlers: list[EventHandler] = []
        self._on_subscribed: list[Callback] = []
        self._on_published = on_published
        self._listener: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    def subscribe(self, handler: EventHandler) -> Callable[[], None]:
        self._handlers.append(handler)
        return lambda: self._handlers.remove(handler)

    def on_subscribed(self, callback: Callback) -> None:
        self._on_subscribed.append(callback)

    async def publish(self, events: Sequence[PublishedEvent]) -> None:
        if not events:
            return
        await self._call_handlers(events)
        try:
            await self._client.publish(self.channel, encode_batch(events))
        except (RedisError, OSError):
            log.warning(
                "could not publish %d event(s) to Redis; subscribers will catch up from "
                "the event table",
                len(events),
            )
            return
        if self._on_published is not None:
            self._on_published(len(events))

    async def _call_handlers(self, events: Sequence[PublishedEvent]) -> None:
        await call_handlers(self._handlers, events)

    async def start(self) -> None:
        if self._handlers and self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="oms-redis-listener")

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        self._handlers.clear()
        await self._client.aclose()

    async def ping(self) -> bool | None:
        try:
            return bool(await self._client.ping())
        except (RedisError, OSError):
            return False

    async def _listen(self) -> None:
        backoff = _BACKOFF_START
        while True:
            # No socket timeout here: a quiet channel is normal; a dead server closes the socket.
            client = redis.Redis.from_url(self.url, socket_connect_timeout=1.0)
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    backoff = _BACKOFF_START
                    self.subscribed.set()
                    log.info("subscribed to Redis channel %s", self.channel)
                    await self._after_subscribe()
                    async for message in pubsub.listen():
                        await self._receive(message)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError):
                self.subscribed.clear()
                log.warning("lost Redis; reconnecting in %.1fs", backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX)
            finally:
                with contextlib.suppress(Exception):
                    await client.aclose()

    async def _after_subscribe(self) -> None:
        for callback in list(self._on_subscribed):
            try:
                await callback()
            except Exception:
                log.exception("on_subscribed callback failed")

    async def _receive(self, message: dict[str, object]) -> None:
        if message.get("type") != "message":
            return
        data = message.get("data")
        if not isinstance(data, bytes | str):
            return
        try:
            events = decode_batch(data)
        except Exception:
            log.exception("dropped a malformed message on %s", self.channel)
            return
        await self._call_handlers(events)
