"""Operations endpoints, the same on the HTTP port and the gateway port (no /api prefix).

- `GET /health`: public, so it says nothing personal: status, uptime, connection count, and whether
  the database and Redis answer. 503 when the database does not (a load balancer then stops
  sending traffic here); Redis down is `degraded`, since delivery goes on through the table.
- `GET /connections`: one row per socket on this node, for an admin token or for `oms connections`
  presenting APP_KEY in `X-App-Key`.
- `GET /metrics`: Prometheus text of this process.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from oms.domain.actors import load_actor
from oms.domain.errors import NotAuthenticated, PermissionDenied
from oms.http.deps import RuntimeDep, SessionDep, bearer_token
from oms.http.errors import install_error_handlers
from oms.runtime import Runtime
from oms.security.tokens import TokenError, read_token

router = APIRouter(tags=["operations"])
APP_KEY_HEADER = "X-App-Key"
_PING_TIMEOUT = 2.0


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class HealthOut(Out):
    status: Literal["ok", "degraded", "down"]
    uptime_seconds: float
    connections: int
    database: Literal["ok", "down"]
    redis: Literal["ok", "down"] | None


class ConnectionRow(Out):
    socket_id: str
    user_id: int
    name: str
    role: str
    branch_ids: list[int]
    transport: str
    channels: list[str]
    connected_at: datetime
    last_event_id: int


class ConnectionsOut(Out):
    count: int
    connections: list[ConnectionRow]


async def _answers(check: Awaitable[bool | None]) -> bool | None:
    try:
        return await asyncio.wait_for(check, _PING_TIMEOUT)
    except (TimeoutError, OSError):
        return False


@router.get("/health", response_model=HealthOut)
async def health(runtime: RuntimeDep) -> JSONResponse:
    database_ok, redis_ok = await asyncio.gather(
        _answers(runtime.database.ping()), _answers(runtime.bus.ping())
    )
    status: Literal["ok", "degraded", "down"] = "ok"
    if not database_ok:
        status = "down"
    elif redis_ok is False:
        status = "degraded"
    body = HealthOut(
        status=status,
        uptime_seconds=round(runtime.uptime_seconds, 3),
        connections=runtime.gateway.connection_count() if runtime.gateway else 0,
        database="ok" if database_ok else "down",
        redis=None if redis_ok is None else ("ok" if redis_ok else "down"),
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=503 if status == "down" else 200)


async def _require_operator(request: Request, runtime: Runtime, session: SessionDep) -> None:
    presented = request.headers.get(APP_KEY_HEADER)
    if presented is not None:
        if hmac.compare_digest(presented.encode(), runtime.settings.app_key.encode()):
            return
        raise NotAuthenticated("the app key is not valid")
    try:
        claims = read_token(runtime.settings.app_key, bearer_token(request))
    except TokenError as error:
        raise NotAuthenticated(error.message, details={"reason": error.code}) from None
    actor = await load_actor(session, claims.user_id)
    if actor is None:
        raise NotAuthenticated("this account no longer exists or is disabled")
    if not actor.is_admin:
        raise PermissionDenied("this needs the role admin")


@router.get("/connections")
async def connections(request: Request, runtime: RuntimeDep, session: SessionDep) -> ConnectionsOut:
    await _require_operator(request, runtime, session)
    rows = runtime.gateway.connection_rows() if runtime.gateway else []
    return ConnectionsOut(
        count=len(rows), connections=[ConnectionRow.model_validate(row) for row in rows]
    )


@router.get("/metrics")
async def metrics(runtime: RuntimeDep) -> Response:
    return Response(runtime.metrics.render(), media_type=runtime.metrics.content_type)


def create_ops_app(runtime: Runtime) -> FastAPI:
    """The gateway port's own HTTP side: just the operations endpoints."""
    app = FastAPI(title="OMS gateway", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=runtime.settings.cors_origin_list,
        allow_methods=["GET"],
        allow_headers=["Authorization", APP_KEY_HEADER],
    )
    app.include_router(router)
    return app
