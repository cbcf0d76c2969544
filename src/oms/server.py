"""The composition root: builds the runtime and the ASGI apps, and runs `oms serve`."""

from __future__ import annotations

import asyncio
import logging

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from oms.api.app import create_api
from oms.config import Settings
from oms.db.database import Database
from oms.db.migrate import upgrade_async
from oms.demo import DEMO_PASSWORD, database_is_empty, load_demo
from oms.events.recorder import commit
from oms.runtime import Runtime
from oms.web import SinglePageApp, web_dist

log = logging.getLogger("oms")


def build_runtime(settings: Settings) -> Runtime:
    return Runtime(settings=settings, database=Database(settings.database))


def build_http_app(runtime: Runtime) -> FastAPI:
    app = create_api(runtime)
    dist = web_dist()
    if dist is not None:
        app.mount("/", SinglePageApp(directory=dist, html=True), name="web")
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


def uvicorn_server(app: ASGIApp, settings: Settings, host: str, port: int) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        lifespan="off",
        log_level="warning",
        ssl_certfile=str(settings.tls_cert_file) if settings.tls_cert_file else None,
        ssl_keyfile=str(settings.tls_key_file) if settings.tls_key_file else None,
    )
    return uvicorn.Server(config)


async def serve(settings: Settings, *, demo: bool) -> None:
    runtime = build_runtime(settings)
    await prepare_database(runtime, demo=demo)
    http = uvicorn_server(build_http_app(runtime), settings, settings.http_host, settings.http_port)
    scheme = "https" if settings.tls_cert_file else "http"
    print(f"OMS on {scheme}://{settings.http_host}:{settings.http_port}", flush=True)
    try:
        await asyncio.gather(http.serve())
    finally:
        await runtime.database.dispose()
