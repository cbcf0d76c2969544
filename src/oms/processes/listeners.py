"""The HTTP side of the serving processes (`oms serve`, `oms gateway`, `oms api`): uvicorn servers
sharing one event loop, stopped together by one signal handler."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio
import uvicorn
from starlette.types import ASGIApp

from oms.config import Settings
from oms.http_timeouts import head_timeout_protocol

if TYPE_CHECKING:
    # Annotation only: `oms api` serves no sockets and never imports the gateway.
    from oms.gateway.gateway import Gateway


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
