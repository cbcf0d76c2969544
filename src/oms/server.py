"""The composition root: `oms serve` runs everything in one process; the other processes are
composed in `oms.processes`, one module each, so that each imports only what it runs.

- `oms serve`: REST + web app + socket.io (`/socket.io`) + ops on HTTP_PORT, and the same socket.io
  server + ops on WEBSOCKET_PORT: two uvicorn servers in one event loop, one gateway.
- `oms gateway` (`oms.processes.gateway`): socket.io + ops on WEBSOCKET_PORT only (a scale-out
  node).
- `oms api` (`oms.processes.api`): REST + ops on HTTP_PORT only; it publishes to Redis and
  serves no sockets itself.
- `oms worker` (`oms.processes.worker`): deliveries and the timeline, serving nothing.

With REDIS_URL the bus is Redis (processes meet there); without it, in process. A gateway without
Redis still delivers everything, through its one-second read of the event table.
"""

from __future__ import annotations

from oms.config import Settings
from oms.delivery.service import RunningWorker, start_delivery_worker
from oms.gateway.gateway import Gateway
from oms.gateway.ops import create_ops_app
from oms.processes.api import build_http_app, run_api
from oms.processes.bootstrap import StartupError, build_runtime
from oms.processes.gateway import run_gateway, start_gateway
from oms.processes.listeners import Listener, run_servers, uvicorn_server, warm_up
from oms.processes.prepare import prepare_database
from oms.processes.worker import run_worker
from oms.timeline.loop import timeline_for

# The names callers (tests, bench) used from here before the processes were split out.
__all__ = [
    "StartupError",
    "build_http_app",
    "build_runtime",
    "prepare_database",
    "run_api",
    "run_gateway",
    "run_worker",
    "serve",
    "uvicorn_server",
]


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
        gateway = await start_gateway(runtime)
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
