"""Builds the FastAPI application for a runtime."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from oms import __version__
from oms.api.body_limit import BodyLimit
from oms.api.errors import ERROR_RESPONSES, install_error_handlers
from oms.api.routes import (
    appointment_links,
    appointments,
    auth,
    branches,
    customers,
    deliveries,
    inventory,
    notifications,
    orders,
    preferences,
    prescriptions,
    presence,
    schedules,
    users,
)
from oms.api.security_headers import SecurityHeaders, content_security_policy
from oms.runtime import Runtime

API_ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    branches.router,
    users.router,
    customers.router,
    schedules.router,
    appointments.router,
    inventory.router,
    prescriptions.router,
    notifications.router,
    orders.router,
    preferences.router,
    deliveries.router,
    appointment_links.router,
    presence.router,
)


def create_api(runtime: Runtime) -> FastAPI:
    settings = runtime.settings
    app = FastAPI(
        title="OMS",
        version=__version__,
        openapi_url="/api/openapi.json",
        # Swagger UI is a developer's tool; production keeps only the OpenAPI document.
        docs_url=None if settings.app_env == "production" else "/api/docs",
        redoc_url=None,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origin_list,
        allow_credentials=False,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )
    app.add_middleware(SecurityHeaders, csp=content_security_policy(settings.csp_connect_src))
    app.add_middleware(
        BodyLimit,
        default=settings.max_body_bytes,
        by_prefix=[("/api/auth/", settings.auth_max_body_bytes)],
    )
    for router in API_ROUTERS:
        app.include_router(router, prefix="/api", responses=ERROR_RESPONSES)
    return app
