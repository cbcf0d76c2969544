"""The composition root: builds the runtime and the ASGI apps, and runs the three processes.

- `oms serve`: REST + web app + socket.io (`/socket.io`) + ops on HTTP_PORT, and the same socket.io
  server + ops on WEBSOCKET_PORT: two uvicorn servers in one event loop, one gateway.
- `oms gateway`: socket.io + ops on WEBSOCKET_PORT only (a scale-out node).
- `oms api`: REST + ops on HTTP_PORT only; it publishes to Redis and delivers nothing itself.

With REDIS_URL the bus is Redis (processes meet there); without it, in process. A gateway without
Redis still delivers everything, through its one-second read of the event table.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import anyio
import redis.asyncio as redis
import uvicorn
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from starlette.types import ASGIApp

from oms.api.app import create_api
from oms.cluster import Keys, RedisDirectory
from oms.config import Settings
from oms.db.database import Database
from oms.db.migrate import upgrade_async
from oms.delivery.service import RunningWorker, start_delivery_worker
from oms.demo import DEMO_PASSWORD, database_is_empty, load_demo
from oms.events.bus import EventBus, InProcessBus
from oms.events.envelope import PublishedEvent
from oms.events.recorder import commit
from oms.events.redis_bus import RedisBus, channel_for
from oms.gateway.capacity import raise_file_limit
from oms.gateway.gateway import Gateway
from oms.gateway.ops import create_ops_app
from oms.gateway.ops import router as ops_router
from oms.http_timeouts import head_timeout_protocol
from oms.metrics import Metrics
from oms.runtime import Runtime
from oms.timeline.loop import timeline_for
from oms.web import SinglePageApp, web_dist

log = logging.getLogger("oms")


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


def build_http_app(runtime: Runtime) -> FastAPI:
    app = create_api(runtime)
    app.include_router(ops_router)
    dist = web_dist()
    if dist is not None:
        app.mount("/", SinglePageApp(directory=dist), name="web")
    return app


async def prepare_database(runtime: Runtime, *, demo: bool) -> None:
    await upgrade_async(runtime.settings.database)
    async with runtime.database.session() as session:
        if not await database_is_empty(session):
            if demo:
                print("Database already has users; the demo chain was not loaded.")
            return
        if not demo:
            print("The database has no users: create one with `oms users create --role admin`.")
            return
        logins = await load_demo(session)
        await commit(session)
    print(f"Demo chain loaded. Every account's password is {DEMO_PASSWORD!r}:")
    for login in logins:
        print(f"  {login.role:<12} {login.email}")


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to `run_servers` (one handler stops every server)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def uvicorn_server(
    app: ASGIApp,
    settings: Settings,
    host: str,
    port: int,
    *,
    gateway: Gateway | None = None,
) -> uvicorn.Server:
    """A uvicorn server; with `gateway`, websocket clients reach the gateway's own endpoint."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="uvloop",
        # httptools with a deadline on every request head (a websocket upgrade included):
        # uvicorn alone never closes a connection that sends nothing or a head byte by byte.
        http=head_timeout_protocol(settings.http_head_timeout_seconds),
        ws=gateway.websocket_protocol() if gateway is not None else "websockets-sansio",
        # Like Node socket.io (perMessageDeflate off by default): compressing every frame for every
        # recipient costs CPU per delivery and ~40 KB of zlib state per socket. The gateway's
        # direct frame writes (oms.gateway.transport) rely on it being off.
        ws_per_message_deflate=False,
        # engine.io has its own heartbeat (and ping timeout); websocket-level pings would be a
        # second timer and a second ping frame per socket.
        ws_ping_interval=None,
        lifespan="off",
        # The client's address is decided in one place (security.client_address, TRUSTED_PROXIES);
        # uvicorn's own X-Forwarded-For handling would believe any local peer.
        proxy_headers=False,
        log_level="warning",
        timeout_graceful_shutdown=3,
        ssl_certfile=str(settings.tls_cert_file) if settings.tls_cert_file else None,
        ssl_keyfile=str(settings.tls_key_file) if settings.tls_key_file else None,
    )
    return _Server(config)


@dataclass
class Listener:
    label: str
    server: uvicorn.Server

    def url(self, settings: Settings) -> str:
        scheme = "https" if settings.tls_cert_file else "http"
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        return f"{scheme}://{host}:{port}"


async def run_servers(settings: Settings, listeners: Sequence[Listener]) -> None:
    """Run the servers in this loop until SIGINT/SIGTERM, or until one of them stops."""
    loop = asyncio.get_running_loop()

    def stop_all() -> None:
        for listener in listeners:
            listener.server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_all)
    tasks = [asyncio.create_task(listener.server.serve()) for listener in listeners]
    try:
        while not all(listener.server.started for listener in listeners):
            if any(task.done() for task in tasks):
                break
            await asyncio.sleep(0.02)
        else:
            tune_garbage_collector()
            for listener in listeners:
                print(f"OMS {listener.label} on {listener.url(settings)}", flush=True)
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop_all()
        await asyncio.gather(*tasks, return_exceptions=True)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _start_gateway(runtime: Runtime) -> Gateway:
    # Before the socket cap is computed from it (gateway.capacity).
    raise_file_limit()
    settings = runtime.settings
    gateway = Gateway(
        runtime,
        presence_seconds=1.0 if settings.oms_presence_events else None,
        ping_interval=settings.socket_ping_interval_seconds,
        ping_timeout=settings.socket_ping_timeout_seconds,
    )
    try:
        await gateway.start()
    except (OperationalError, ProgrammingError, DBAPIError, OSError) as error:
        raise StartupError(
            f"DATABASE_URL: cannot read the event table ({type(error).__name__}); "
            "is the database up and migrated (`oms db upgrade`)?"
        ) from None
    runtime.gateway = gateway
    return gateway


def tune_garbage_collector() -> None:
    """Garbage-collector settings for a running server, each measured with bench/run.py
    (N = 5,000 connected sockets, end-to-end phase; figures in bench/README.md).

    - Start-up's objects (modules, the apps, SQLAlchemy and pydantic metadata: about 150,000)
      are frozen: no later collection walks them, and none of them ever becomes garbage. Its own
      garbage is collected first, so nothing collectable is frozen. Full collections went from
      130-160 ms to 40-70 ms.
    - The youngest generation is collected after 10,000 allocations instead of 700: a REST call's
      short-lived objects (ORM rows, pydantic models) then mostly die before a collection sees
      them, instead of being promoted and later triggering full collections. Collections during
      the phase went from about 1,300 (520 ms in all, longest 55 ms) to about 60 (50 ms in all,
      longest 4.5 ms)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


async def warm_up() -> None:
    """Load now what the first request would otherwise load: anyio's thread-pool backend is
    imported on the first `to_thread` call, about a third of a cold first REST call (0.3 to
    0.8 s in bench/run.py's end-to-end phase)."""
    await anyio.to_thread.run_sync(int)


async def serve(settings: Settings, *, demo: bool) -> None:
    """`oms serve`: everything in one process."""
    runtime = build_runtime(settings)
    gateway: Gateway | None = None
    timeline = timeline_for(runtime)  # reminders and late orders (DESIGN §11)
    deliveries: RunningWorker | None = None
    try:
        await prepare_database(runtime, demo=demo)
        await warm_up()
        deliveries = start_delivery_worker(runtime, runtime.clock)  # email, Web Push (§10)
        gateway = await _start_gateway(runtime)
        timeline.start()
        http_app = gateway.asgi_app(build_http_app(runtime))
        socket_app = gateway.asgi_app(create_ops_app(runtime))
        await run_servers(
            settings,
            [
                Listener(
                    "web app and API",
                    uvicorn_server(
                        http_app, settings, settings.http_host, settings.http_port, gateway=gateway
                    ),
                ),
                Listener(
                    "real-time gateway",
                    uvicorn_server(
                        socket_app,
                        settings,
                        settings.websocket_host,
                        settings.websocket_port,
                        gateway=gateway,
                    ),
                ),
            ],
        )
    finally:
        await timeline.stop()
        if deliveries is not None:
            await deliveries.stop()
        if gateway is not None:
            await gateway.stop()
        await runtime.close()


async def run_gateway(settings: Settings) -> None:
    """`oms gateway`: a real-time node only."""
    runtime = build_runtime(settings)
    gateway: Gateway | None = None
    try:
        gateway = await _start_gateway(runtime)
        app = gateway.asgi_app(create_ops_app(runtime))
        server = uvicorn_server(
            app, settings, settings.websocket_host, settings.websocket_port, gateway=gateway
        )
        await run_servers(settings, [Listener("real-time gateway", server)])
    finally:
        if gateway is not None:
            await gateway.stop()
        await runtime.close()


async def run_api(settings: Settings) -> None:
    """`oms api`: REST and operations only; events reach the gateways through Redis."""
    runtime = build_runtime(settings)
    timeline = timeline_for(runtime)  # reminders and late orders (DESIGN §11)
    deliveries: RunningWorker | None = None
    raise_file_limit()
    try:
        await upgrade_async(settings.database)
        await warm_up()
        await runtime.bus.start()
        timeline.start()
        deliveries = start_delivery_worker(runtime, runtime.clock)  # email, Web Push (§10)
        server = uvicorn_server(
            build_http_app(runtime), settings, settings.http_host, settings.http_port
        )
        await run_servers(settings, [Listener("API", server)])
    finally:
        await timeline.stop()
        if deliveries is not None:
            await deliveries.stop()
        await runtime.close()


async def run_worker(settings: Settings) -> None:
    """`oms worker`: background work without serving anything — deliveries (DESIGN §10) and the
    timeline (§11); any number may run beside the API processes. Stops at SIGINT/SIGTERM after
    the work in hand."""
    runtime = build_runtime(settings)
    timeline = timeline_for(runtime)
    deliveries: RunningWorker | None = None
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    try:
        await runtime.bus.start()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopped.set)
        timeline.start()
        deliveries = start_delivery_worker(runtime, runtime.clock)
        print(
            f"OMS worker: timeline every {settings.timeline_tick_seconds:g} s; email and Web Push",
            flush=True,
        )
        await stopped.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await timeline.stop()
        if deliveries is not None:
            await deliveries.stop()
        await runtime.close()
