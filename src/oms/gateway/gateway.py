"""The socket.io gateway: connect auth, channels, and the wiring of dispatcher and replay.

Two endpoints speak socket.io to clients and share everything here: websocket clients reach the
gateway's own endpoint (`websocket.GatewayWebSocket`, set as uvicorn's websocket protocol), and
polling clients (and their upgrades) python-socketio's server, mounted as the ASGI app.

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

from oms.clock import SYSTEM_CLOCK, Clock
from oms.cluster import Announced, NodeAnnouncer, RedisDirectory
from oms.db.models import Branch
from oms.domain.actors import Actor
from oms.domain.errors import RateLimited
from oms.domain.sessions import authenticate_token, current_actor
from oms.errors import CodedError, connect_refusal, refusal_ack
from oms.events.envelope import PublishedEvent
from oms.events.store import newest_event_id
from oms.gateway import channels, gclog
from oms.gateway.capacity import SocketCapacity, socket_cap
from oms.gateway.connections import Connection, Link, Registry, describe
from oms.gateway.connections_signal import SIGNAL_SECONDS, ConnectionsSignal, Pause, pause_for
from oms.gateway.dispatcher import Dispatcher
from oms.gateway.engine_sessions import EngineSessions
from oms.gateway.heartbeat import ConnectDeadlines, Heartbeat
from oms.gateway.polling import PollingGuard
from oms.gateway.presence import (
    RECONCILE_SECONDS,
    AnnouncedStore,
    MemoryStore,
    PresenceWatch,
    RedisStore,
)
from oms.gateway.replay import start_connection
from oms.gateway.revocation import REVOKED_REASON, Revocations, reason_packet
from oms.gateway.transport import EngineLink
from oms.gateway.websocket import MAX_MESSAGE_BYTES, GatewayWebSocket, endpoint_for
from oms.rate_limits import Rule
from oms.runtime import Runtime
from oms.security.client_address import client_address
from oms.security.tokens import TokenClaims, TokenError, TokenRevoked

log = logging.getLogger(__name__)

# How long stop() lets in-flight connect/replay/join steps finish before cancelling them.
_STOP_SECONDS = 5.0


def refusal(error: CodedError) -> socketio.exceptions.ConnectionRefusedError:
    refused = socketio.exceptions.ConnectionRefusedError(error.message)
    refused.error_args = connect_refusal(error)
    return refused


def last_event_id_from(auth: dict[str, Any]) -> int | None:
    """`auth.last_event_id` as a non-negative int; absent or malformed means live only."""
    value = auth.get("last_event_id")
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and value >= 0 else None


class Gateway:
    def __init__(
        self,
        runtime: Runtime,
        *,
        tick_seconds: float = 1.0,
        replay_page_size: int = 500,
        expiry_sweep_seconds: float = 5.0,
        ping_interval: float = 25.0,
        ping_timeout: float = 20.0,
        connect_timeout: float | None = None,
        max_sockets: int | None = None,
        clock: Clock = SYSTEM_CLOCK,
        presence_seconds: float | None = RECONCILE_SECONDS,
        connections_signal_pause: Pause | None = None,
    ) -> None:
        settings = runtime.settings
        self.expiry_sweep_seconds = expiry_sweep_seconds
        # Sockets held at once, in all and per client address; an engine.io socket must CONNECT
        # within connect_timeout (capacity.py, heartbeat.ConnectDeadlines).
        self.capacity = SocketCapacity(
            max_sockets=max_sockets
            or socket_cap(settings.max_sockets, settings.file_descriptor_reserve),
            per_address=settings.sockets_per_address,
        )
        self.connect_deadlines = ConnectDeadlines(
            connect_timeout or settings.socket_connect_timeout_seconds, clock
        )
        # engine.io's heartbeat (python-engineio's and Node's defaults), on both endpoints.
        self.heartbeat = Heartbeat(ping_interval, ping_timeout, clock)
        self._sweeper: asyncio.Task[None] | None = None
        self.runtime = runtime
        self.replay_page_size = replay_page_size
        self.database = runtime.database
        self.metrics = runtime.metrics
        self.registry = Registry()
        # Polling clients and their upgrades: stock python-socketio, driven through its public API
        # only (transport.py); its engine.io sessions are counted and timed by `engine_sessions`.
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            cors_allowed_origins=runtime.settings.cors_origin_list,
            # A client sends only small join/leave packets; engine.io refuses anything bigger.
            max_http_buffer_size=MAX_MESSAGE_BYTES,
            ping_interval=ping_interval,
            ping_timeout=ping_timeout,
            logger=False,
            engineio_logger=False,
        )
        self.dispatcher = Dispatcher(
            self.database, self.registry, self.metrics, tick_seconds=tick_seconds
        )
        self.revocations = Revocations()
        self.dispatcher.on_control = self.on_control_event
        self.allowed_origins = tuple(runtime.settings.cors_origin_list)
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = False
        self.engine_sessions = EngineSessions(
            self.sio, self.capacity, self.connect_deadlines.interval, self.spawn
        )
        self._gc_log = gclog.from_environment()
        self.announcer, store = self._cluster_membership(runtime)
        self.connections_signal = self._connections_signal(
            runtime, connections_signal_pause or pause_for(SIGNAL_SECONDS)
        )
        self.presence = PresenceWatch(runtime.cluster(), store, self.database, runtime.clock)
        # How often presence.changed is reconciled (None: never, by itself; tests call it).
        self.presence_seconds = presence_seconds
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)
        self.sio.on("join", self._join)
        self.sio.on("leave", self._leave)

    def _cluster_membership(self, runtime: Runtime) -> tuple[NodeAnnouncer | None, AnnouncedStore]:
        """With Redis, this node's sockets go there (cluster.py) and presence is announced by
        whichever node holds the lease; without it, this process is the whole cluster."""
        directory = runtime.cluster()
        if not isinstance(directory, RedisDirectory):
            return None, MemoryStore()
        ttl = directory.ttl_seconds
        announcer = NodeAnnouncer(
            directory.client,
            directory.keys,
            runtime.clock,
            runtime.node_id,
            self.connection_rows,
            ttl_seconds=ttl,
        )
        return announcer, RedisStore(
            directory.client, directory.keys, runtime.node_id, lease_seconds=ttl
        )

    def _connections_signal(self, runtime: Runtime, pause: Pause) -> ConnectionsSignal:
        """Admins' connections views re-read on `connections.changed`: with Redis, once this
        node's changed rows are written there, through pub/sub to every node; without it, here."""
        directory = runtime.cluster()
        if self.announcer is None or not isinstance(directory, RedisDirectory):
            return ConnectionsSignal(self.registry, pause=pause)
        signal = ConnectionsSignal(
            self.registry,
            pause=pause,
            client=directory.client,
            channel=directory.keys.connections_changed,
        )
        self.announcer.on_written = signal.changed
        return signal

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        await self.dispatcher.start()
        bus = self.database.bus
        on_subscribed = getattr(bus, "on_subscribed", None)
        if on_subscribed is not None:
            on_subscribed(self.dispatcher.on_bus_reconnected)
        await bus.start()
        self._sweeper = asyncio.create_task(self._sweep_expired(), name="oms-token-expiry")
        self.heartbeat.start()
        self.connect_deadlines.start()
        if self._gc_log is not None:
            self._gc_log.start()
        await self.connections_signal.start()
        if self.announcer is not None:
            await self.announcer.start()
        if self.presence_seconds is not None:
            await self.presence.start(self.presence_seconds)

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await self.presence.stop()
        await self.connections_signal.stop()
        if self.announcer is not None:
            await self.announcer.stop()
        await self.dispatcher.stop()
        await self.heartbeat.stop()
        await self.connect_deadlines.stop()
        self.engine_sessions.stop()
        if self._gc_log is not None:
            await self._gc_log.stop()
        # Connect, replay and join steps read the database: let them finish rather than cut a read
        # off (on SQLite that can leave the write lock held; see Dispatcher.stop).
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=_STOP_SECONDS)
        for task in list(self._tasks):
            task.cancel()
        await self.sio.shutdown()

    def asgi_app(self, other: ASGIApp | None = None) -> ASGIApp:
        """python-socketio at `/socket.io`, everything else to `other`.

        Serve it with `websocket_protocol()` as uvicorn's websocket protocol, so websocket
        clients reach the gateway's own endpoint instead."""
        app: ASGIApp = socketio.ASGIApp(self.sio, other_asgi_app=other, socketio_path="socket.io")
        return PollingGuard(app, self)

    def websocket_protocol(self) -> type[GatewayWebSocket]:
        """uvicorn's `ws` protocol class for servers of this gateway."""
        return endpoint_for(self)

    async def close_engine_session(self, eio_sid: str) -> None:
        """Close a python-engineio session now (engine_sessions.EngineSessions.close)."""
        await self.engine_sessions.close(eio_sid)

    def spawn(self, work: Any) -> None:
        """Run a coroutine as a task the gateway cancels when it stops."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- the runtime's ConnectionRegistry ---------------------------------------------------------

    def connection_count(self) -> int:
        return len(self.registry)

    def connection_rows(self) -> list[dict[str, object]]:
        return [describe(connection) for connection in self.registry.all()]

    def staff_rows(self) -> list[dict[str, object]]:
        return self.registry.staff_rows()

    def announced(self) -> dict[int, Announced]:
        # Read through a LocalDirectory only, that is without Redis, where the store is memory.
        store = self.presence.store
        return dict(store.announced) if isinstance(store, MemoryStore) else {}

    # --- what both endpoints do -------------------------------------------------------------------

    async def authenticate(
        self, sid: str, link: Link, auth: object, *, address: str | None = None
    ) -> tuple[Connection, int | None]:
        """The connection for a socket.io CONNECT's `auth`, and the position to replay from;
        a CodedError (counted: TokenError, RateLimited) when it is refused. Not registered yet:
        see `register`.
        `address` is the client's (security.client_address), counted by the connect rate limit."""
        auth = auth if isinstance(auth, dict) else {}
        try:
            if address is not None:
                await self._limit("socket_connect_address", address)
            actor, claims, replay_after = await self._load_actor(
                auth.get("token"), last_event_id_from(auth)
            )
            connection = Connection(
                sid=sid,
                actor=actor,
                link=link,
                channels=set(channels.own_channels(actor)),
                expires_at=claims.expires_at,
                last_event_id=replay_after or 0,
                token_id=claims.token_id,
                token_version=claims.version,
            )
            # Revoked after the database said yes but before this node could see the socket?
            # Nothing awaits between here and `register`, so this check closes that gap.
            if self.revocations.revokes(connection):
                raise TokenRevoked()
        except (TokenError, RateLimited) as error:
            self.metrics.auth_failures.labels(error.code).inc()
            raise
        return connection, replay_after

    def register(self, connection: Connection) -> None:
        """From now on the dispatcher delivers to it (parked in `pending` until `go_live` ends)."""
        self.registry.add(connection)
        self.metrics.connections.set(len(self.registry))
        self._announce(connection)

    def forget(self, connection: Connection) -> None:
        if self.registry.remove(connection.sid) is not None:
            if self.announcer is not None:
                self.announcer.drop(connection.sid)
            else:
                self.connections_signal.changed()
        self.metrics.connections.set(len(self.registry))

    def _announce(self, connection: Connection) -> None:
        """Tell the cluster view about a new socket or its new channels (with Redis, the
        announcer signals `connections.changed` once the row is written)."""
        if connection.closed:
            return
        if self.announcer is not None:
            self.announcer.put(describe(connection))
        else:
            self.connections_signal.changed()

    async def _load_actor(
        self, token: object, replay_after: int | None
    ) -> tuple[Actor, TokenClaims, int | None]:
        """The socket's user, its token's claims, and the position to replay from."""
        async with self.database.read_session() as session:
            auth = await authenticate_token(session, self.runtime.settings.app_key, token)
            if replay_after and replay_after > await newest_event_id(session):
                # No client can have seen an id that was never committed: this database was reset
                # or restored, so the position means nothing here. Replay the whole inbox rather
                # than stay silent until new ids pass the stale one.
                replay_after = 0
        return auth.actor, auth.claims, replay_after

    async def _sweep_expired(self) -> None:
        """A socket lives no longer than the token it connected with: the client must come back
        with a fresh one (and its last_event_id, so it misses nothing)."""
        while True:
            await asyncio.sleep(self.expiry_sweep_seconds)
            now = time.time()
            for connection in self.registry.all():
                if connection.expires_at <= now:
                    await connection.link.disconnect()

    async def go_live(self, connection: Connection, replay_after: int | None) -> None:
        """Replay what the socket missed, then let it go live (replay.py)."""
        try:
            await start_connection(
                connection,
                replay_after=replay_after,
                database=self.database,
                metrics=self.metrics,
                page_size=self.replay_page_size,
            )
        except Exception:
            await connection.link.disconnect()

    async def _limit(self, rule: Rule, key: str) -> None:
        await self.runtime.rate_limits.hit(rule, key)

    async def join(self, connection: Connection, data: Any = None) -> dict[str, object]:
        try:
            await self._limit("socket_join", connection.sid)
        except RateLimited as error:
            self.metrics.join_denials.labels(error.code).inc()
            return refusal_ack(error)
        channel = channels.parse(_channel_name(data))
        actor = await self._current_actor(connection)
        if actor is None:
            return refusal_ack(TokenRevoked())
        branch_exists = False
        if channel is not None and channel.kind == "branch" and actor.is_admin:
            branch_exists = await self._branch_exists(channel.number or 0)
        refused = channels.join_refusal(actor, channel, branch_exists=branch_exists)
        if refused is not None:
            self.metrics.join_denials.labels(refused.code).inc()
            return refusal_ack(refused)
        assert channel is not None
        connection.channels.add(channel.name)
        self._announce(connection)
        return {"ok": True, "channel": channel.name}

    async def leave(self, connection: Connection, data: Any = None) -> dict[str, object]:
        channel = channels.parse(_channel_name(data))
        refused = channels.leave_refusal(connection.actor, channel, frozenset(connection.channels))
        if refused is not None:
            return refusal_ack(refused)
        assert channel is not None
        connection.channels.discard(channel.name)
        self._announce(connection)
        return {"ok": True, "channel": channel.name}

    async def _current_actor(self, connection: Connection) -> Actor | None:
        """The socket's user as they are now (a join is decided by today's role and branches, not
        those at connect); None, and the socket closed, when its token no longer holds."""
        async with self.database.read_session() as session:
            try:
                return await current_actor(
                    session,
                    connection.user_id,
                    token_id=connection.token_id,
                    version=connection.token_version,
                )
            except TokenError:
                pass
        await self.close_revoked(connection)
        return None

    async def on_control_event(self, event: PublishedEvent) -> None:
        """The dispatcher's hook for control events: close the sockets a revocation names."""
        if event.name != "session.revoked":
            return
        user_id = self.revocations.note(event.payload)
        for connection in list(self.registry.of_user(user_id)):
            if self.revocations.revokes(connection):
                await self.close_revoked(connection)

    async def close_revoked(self, connection: Connection) -> None:
        self.metrics.auth_failures.labels("token_revoked").inc()
        self.forget(connection)
        await connection.link.send(reason_packet(REVOKED_REASON, "access was revoked"))
        await connection.link.disconnect()

    async def _branch_exists(self, branch_id: int) -> bool:
        async with self.database.read_session() as session:
            found = await session.scalar(select(Branch.id).where(Branch.id == branch_id))
        return found is not None

    # --- python-socketio's handlers (polling clients) ---------------------------------------------

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        """python-socketio's public `connect` handler: False or ConnectionRefusedError refuse."""
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, "/")
        link = EngineLink(self.sio, sid, eio_sid)
        peer = environ.get("asgi.scope", {}).get("client")
        address = client_address(
            peer[0] if peer else None,
            environ.get("HTTP_X_FORWARDED_FOR"),
            self.runtime.settings.trusted_proxy_networks,
        )
        try:
            connection, replay_after = await self.authenticate(sid, link, auth, address=address)
        except CodedError as error:
            # The engine.io session stays open for another CONNECT, which must come in time.
            self.engine_sessions.connect_again(eio_sid)
            raise refusal(error) from None
        if not self.engine_sessions.is_open(eio_sid):
            # The session ended while the CONNECT was being authenticated: python-socketio calls
            # no disconnect handler for a socket it has not connected yet.
            self.engine_sessions.ended(eio_sid)
            return False
        self.register(connection)
        # After this handler returns python-socketio sends CONNECT; the start task runs after it.
        self.spawn(self.go_live(connection, replay_after))
        return True

    async def _disconnect(self, sid: str, reason: object = None) -> None:
        """python-socketio's public `disconnect` handler (any reason, either side)."""
        connection = self.registry.get(sid)
        if connection is not None:
            self.forget(connection)
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, "/")
        if eio_sid is None:
            return
        if self.engine_sessions.is_open(eio_sid):
            # A socket.io DISCONNECT leaves the engine.io session open for another CONNECT,
            # which must come in time again (as on the websocket endpoint).
            self.engine_sessions.connect_again(eio_sid)
        else:
            self.engine_sessions.ended(eio_sid)

    async def _join(self, sid: str, data: Any = None) -> dict[str, object]:
        connection = self.registry.get(sid)
        if connection is None:
            return refusal_ack(channels.UNKNOWN)
        return await self.join(connection, data)

    async def _leave(self, sid: str, data: Any = None) -> dict[str, object]:
        connection = self.registry.get(sid)
        if connection is None:
            return refusal_ack(channels.UNKNOWN)
        return await self.leave(connection, data)


def _channel_name(data: Any) -> object:
    """`join("branch.1")` as the seed's client sends it, or `join({channel: "branch.1"})`."""
    if isinstance(data, dict):
        return data.get("channel")
    return data
