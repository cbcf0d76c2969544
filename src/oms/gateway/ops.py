"""Operations endpoints, the same on the HTTP port and the gateway port (no /api prefix).

- `GET /health`: public, so it says nothing personal: status, uptime, connection count, and whether
  the database and Redis answer. 503 when the database does not (a load balancer then stops
  sending traffic here); Redis down is `degraded`, since delivery goes on through the table.
- `GET /connections`: one row per socket on every live node of the cluster (`cluster.py`), for an
  admin token or for `oms connections` presenting APP_KEY in `X-App-Key`.
- `GET /metrics`: Prometheus text of this process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict

from oms.http.deps import AdminOrAppKey, RuntimeDep
from oms.http.errors import ERROR_RESPONSES, install_error_handlers
from oms.http.headers import APP_KEY_HEADER
from oms.runtime import Runtime

router = APIRouter(tags=["operations"], responses=ERROR_RESPONSES)
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
    # The gateway node holding the socket (absent on a single-process server).
    node: str | None = None


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


@router.get("/connections")
async def connections(runtime: RuntimeDep, _: AdminOrAppKey) -> ConnectionsOut:
    # The whole cluster's sockets, whichever process is asked (DESIGN §12).
    rows = await runtime.cluster().connection_rows()
    return ConnectionsOut(
        count=len(rows), connections=[ConnectionRow.model_validate(row) for row in rows]
    )


@router.get("/metrics", response_class=PlainTextResponse)
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
