"""The socket.io server: connect auth, channels, and the wiring of dispatcher and replay.

Clients may send exactly two events, `join` and `leave`, each answered by an acknowledgement.
Anything else is ignored: there is no handler that emits to anyone but the caller's own ack.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import socketio
from sqlalchemy import select
from starlette.types import ASGIApp

from oms.db.models import Branch
from oms.domain.actors import Actor, load_actor
from oms.events.store import latest_event_id
from oms.gateway import channels, gclog
from oms.gateway.connections import Connection, Registry, describe
from oms.gateway.dispatcher import Dispatcher
from oms.gateway.replay import start_connection
from oms.gateway.transport import adopt, message_frame, writer_of
from oms.runtime import Runtime
from oms.security.tokens import TokenError, read_token

log = logging.getLogger(__name__)

NAMESPACE = "/"
_NO_ENVIRON: dict[str, Any] = {}
# A client sends only small join/leave packets; anything bigger is refused by engine.io itself.
MAX_CLIENT_PACKET = 16 * 1024


def refusal(code: str, message: str) -> socketio.exceptions.ConnectionRefusedError:
    """A connect refusal the clients read as `{message, code}`.

    The JS client exposes `err.message` and `err.data`; the Python client passes the packet as is.
    So the code is both at the top level and under `data`.
    """
    error = socketio.exceptions.ConnectionRefusedError(message)
    error.error_args = {
        "message": message,
        "code": code,
        "data": {"message": message, "code": code},
    }
    return error


def last_event_id_from(auth: dict[str, Any]) -> int | None:
    """`auth.last_event_id` as a non-negative int; absent or malformed means live only."""
    value = auth.get("last_event_id")
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and value >= 0 else None


class _SocketServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio whose engine.io sockets write websocket frames directly (transport.py)."""

    async def _handle_eio_connect(self, eio_sid: str, environ: dict[str, Any]) -> Any:
        adopt(self.eio.sockets.get(eio_sid))
        return await super()._handle_eio_connect(eio_sid, environ)


class Gateway:
    def __init__(
        self,
        runtime: Runtime,
        *,
        tick_seconds: float = 1.0,
        replay_page_size: int = 500,
        expiry_sweep_seconds: float = 5.0,
    ) -> None:
        self.expiry_sweep_seconds = expiry_sweep_seconds
        self._sweeper: asyncio.Task[None] | None = None
        self.runtime = runtime
        self.replay_page_size = replay_page_size
        self.database = runtime.database
        self.metrics = runtime.metrics
        self.registry = Registry()
        self.sio = _SocketServer(
            async_mode="asgi",
            cors_allowed_origins=runtime.settings.cors_origin_list,
            max_http_buffer_size=MAX_CLIENT_PACKET,
            logger=False,
            engineio_logger=False,
        )
        self.dispatcher = Dispatcher(
            self.database, self.registry, self._send, self.metrics, tick_seconds=tick_seconds
        )
        self._starting: set[asyncio.Task[None]] = set()
        self._stopped = False
        self._gc_log = gclog.from_environment()
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)
        self.sio.on("join", self._join)
        self.sio.on("leave", self._leave)

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        await self.dispatcher.start()
        bus = self.database.bus
        on_subscribed = getattr(bus, "on_subscribed", None)
        if on_subscribed is not None:
            on_subscribed(self.dispatcher.on_bus_reconnected)
        await bus.start()
        self._sweeper = asyncio.create_task(self._sweep_expired(), name="oms-token-expiry")
        if self._gc_log is not None:
            self._gc_log.start()

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await self.dispatcher.stop()
        if self._gc_log is not None:
            await self._gc_log.stop()
        for task in list(self._starting):
            task.cancel()
        await self.sio.shutdown()

    def asgi_app(self, other: ASGIApp | None = None) -> ASGIApp:
        """The socket.io endpoint at `/socket.io`, everything else to `other`."""
        app: ASGIApp = socketio.ASGIApp(self.sio, other_asgi_app=other, socketio_path="socket.io")
        return app

    # --- the runtime's ConnectionRegistry ---------------------------------------------------------

    def connection_count(self) -> int:
        return len(self.registry)

    def connection_rows(self) -> list[dict[str, object]]:
        return [
            describe(connection, self._transport(connection.sid))
            for connection in self.registry.all()
        ]

    def _transport(self, sid: str) -> str:
        try:
            return str(self.sio.transport(sid, NAMESPACE))
        except KeyError:
            return "closed"

    # --- socket events ----------------------------------------------------------------------------

    async def _send(self, eio_sid: str, text: str) -> None:
        writer = writer_of(self.sio.eio.sockets.get(eio_sid))
        if writer is not None:
            writer.write(message_frame(text))
        else:
            await self.sio.eio.send(eio_sid, text)

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        auth = auth if isinstance(auth, dict) else {}
        try:
            actor, expires_at, replay_after = await self._authenticate(
                auth.get("token"), last_event_id_from(auth)
            )
        except TokenError as error:
            self.metrics.auth_failures.labels(error.code).inc()
            raise refusal(error.code, error.message) from None
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, NAMESPACE)
        connection = Connection(
            sid=sid,
            eio_sid=eio_sid,
            actor=actor,
            socket=self.sio.eio.sockets.get(eio_sid),
            channels=set(channels.own_channels(actor)),
            expires_at=expires_at,
            last_event_id=replay_after or 0,
        )
        self.registry.add(connection)
        self.metrics.connections.set(len(self.registry))
        # python-socketio keeps each socket's whole request environ (every header, twice) for its
        # life; this handler was its only reader. A shared empty one saves KBs per socket.
        self.sio.environ[eio_sid] = _NO_ENVIRON
        task = asyncio.create_task(self._start(connection, replay_after))
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def _authenticate(
        self, token: object, replay_after: int | None
    ) -> tuple[Actor, int, int | None]:
        """The socket's user, its token's expiry, and the position to replay from."""
        claims = read_token(self.runtime.settings.app_key, token)
        async with self.database.session() as session:
            actor = await load_actor(session, claims.user_id)
            if actor is None:
                raise TokenError("invalid_token", "this account no longer exists or is disabled")
            if replay_after and replay_after > await latest_event_id(session):
                # No client can have seen an id that was never committed: this database was reset
                # or restored, so the position means nothing here. Replay the whole inbox rather
                # than stay silent until new ids pass the stale one.
                replay_after = 0
        return actor, claims.expires_at, replay_after

    async def _sweep_expired(self) -> None:
        """A socket lives no longer than the token it connected with: the client must come back
        with a fresh one (and its last_event_id, so it misses nothing)."""
        while True:
            await asyncio.sleep(self.expiry_sweep_seconds)
            now = time.time()
            for connection in self.registry.all():
                if connection.expires_at <= now:
                    await self.sio.disconnect(connection.sid)

    async def _start(self, connection: Connection, replay_after: int | None) -> None:
        try:
            await start_connection(
                connection,
                replay_after=replay_after,
                database=self.database,
                send=self._send,
                metrics=self.metrics,
                page_size=self.replay_page_size,
            )
        except Exception:
            await self.sio.disconnect(connection.sid)

    async def _disconnect(self, sid: str, reason: object = None) -> None:
        self.registry.remove(sid)
        self.metrics.connections.set(len(self.registry))

    async def _join(self, sid: str, data: Any = None) -> dict[str, object]:
        connection = self.registry.get(sid)
        if connection is None:
            return channels.UNKNOWN.ack()
        channel = channels.parse(_channel_name(data))
        branch_exists = False
        if channel is not None and channel.kind == "branch" and connection.actor.is_admin:
            branch_exists = await self._branch_exists(channel.number or 0)
        refused = channels.join_refusal(connection.actor, channel, branch_exists=branch_exists)
        if refused is not None:
            self.metrics.join_denials.labels(refused.code).inc()
            return refused.ack()
        assert channel is not None
        connection.channels.add(channel.name)
        return {"ok": True, "channel": channel.name}

    async def _leave(self, sid: str, data: Any = None) -> dict[str, object]:
        connection = self.registry.get(sid)
        if connection is None:
            return channels.UNKNOWN.ack()
        channel = channels.parse(_channel_name(data))
        refused = channels.leave_refusal(connection.actor, channel, frozenset(connection.channels))
        if refused is not None:
            return refused.ack()
        assert channel is not None
        connection.channels.discard(channel.name)
        return {"ok": True, "channel": channel.name}

    async def _branch_exists(self, branch_id: int) -> bool:
        async with self.database.session() as session:
            found = await session.scalar(select(Branch.id).where(Branch.id == branch_id))
        return found is not None


def _channel_name(data: Any) -> object:
    """`join("branch.1")` as the seed's client sends it, or `join({channel: "branch.1"})`."""
    if isinstance(data, dict):
        return data.get("channel")
    return data
