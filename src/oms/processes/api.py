"""`oms api`: REST, the web app and operations on HTTP_PORT; its events reach the gateways through
Redis. It runs the delivery worker and the timeline too, and serves no sockets."""

from __future__ import annotations

from fastapi import FastAPI

from oms.api.app import create_api
from oms.config import Settings
from oms.db.migrate import upgrade_async
from oms.delivery.service import RunningWorker, start_delivery_worker
from oms.gateway.capacity import raise_file_limit
from oms.gateway.ops import router as ops_router
from oms.processes.bootstrap import build_runtime
from oms.processes.listeners import Listener, run_servers, uvicorn_server, warm_up
from oms.runtime import Runtime
from oms.timeline.loop import timeline_for
from oms.web import SinglePageApp, web_dist


def build_http_app(runtime: Runtime) -> FastAPI:
    app = create_api(runtime)
    app.include_router(ops_router)
    dist = web_dist()
    if dist is not None:
        app.mount("/", SinglePageApp(directory=dist), name="web")
    return app


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
