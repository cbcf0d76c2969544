"""`oms gateway`: a real-time node only (socket.io and operations on WEBSOCKET_PORT)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from oms.config import Settings
from oms.gateway.capacity import raise_file_limit
from oms.gateway.gateway import Gateway
from oms.gateway.ops import create_ops_app
from oms.processes.bootstrap import StartupError, build_runtime
from oms.processes.listeners import Listener, run_servers, uvicorn_server
from oms.runtime import Runtime


async def start_gateway(runtime: Runtime) -> Gateway:
    """The gateway of this process, started (`oms serve`, `oms gateway`)."""
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


async def run_gateway(settings: Settings) -> None:
    """`oms gateway`: a real-time node only."""
    runtime = build_runtime(settings)
    gateway: Gateway | None = None
    try:
        gateway = await start_gateway(runtime)
        app = gateway.asgi_app(create_ops_app(runtime))
        server = uvicorn_server(
            app, settings, settings.websocket_host, settings.websocket_port, gateway=gateway
        )
        await run_servers(settings, [Listener("real-time gateway", server)])
    finally:
        if gateway is not None:
            await gateway.stop()
        await runtime.close()
