"""Builds the FastAPI application for a runtime."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from oms import __version__
from oms.api.errors import install_error_handlers
from oms.api.routes import (
    appointments,
    auth,
    branches,
    inventory,
    notifications,
    prescriptions,
    presence,
    schedules,
    users,
)
from oms.runtime import Runtime

API_ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    branches.router,
    users.router,
    schedules.router,
    appointments.router,
    inventory.router,
    prescriptions.router,
    notifications.router,
    presence.router,
)


def create_api(runtime: Runtime) -> FastAPI:
    app = FastAPI(
        title="OMS",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=runtime.settings.cors_origin_list,
        allow_credentials=False,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )
    for router in API_ROUTERS:
        app.include_router(router, prefix="/api")
    return app
