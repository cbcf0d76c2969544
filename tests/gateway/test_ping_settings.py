"""SOCKET_PING_INTERVAL_SECONDS / SOCKET_PING_TIMEOUT_SECONDS reach both endpoints of the gateway
that `oms serve` / `oms gateway` start (processes.gateway.start_gateway), as engine.io's OPEN
packet tells every client: the websocket endpoint and python-socketio's polling one."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest
from pydantic import ValidationError
from websockets.asyncio.client import connect

from oms.config import Settings
from oms.db.database import Database
from oms.gateway.ops import create_ops_app
from oms.processes.gateway import start_gateway
from oms.processes.listeners import uvicorn_server
from oms.runtime import Runtime
from tests.gateway.conftest import serving

WAIT = 5.0


def _opening(text: str) -> tuple[int, int]:
    assert text.startswith("0"), text
    opening = orjson.loads(text[1:])
    return opening["pingInterval"], opening["pingTimeout"]


@pytest.mark.parametrize(
    ("settings_update", "expected"),
    [
        ({}, (25_000, 20_000)),
        ({"socket_ping_interval_seconds": 7.0, "socket_ping_timeout_seconds": 3.5}, (7000, 3500)),
    ],
)
async def test_the_ping_settings_reach_both_endpoints(
    settings: Settings,
    database: Database,
    settings_update: dict[str, float],
    expected: tuple[int, int],
) -> None:
    runtime = Runtime(settings=settings.model_copy(update=settings_update), database=database)
    gateway = await start_gateway(runtime)
    server = uvicorn_server(
        gateway.asgi_app(create_ops_app(runtime)), runtime.settings, "127.0.0.1", 0, gateway=gateway
    )
    task, port = await serving(server)
    try:
        url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
        async with connect(url, open_timeout=WAIT) as ws:
            message = await asyncio.wait_for(ws.recv(), WAIT)
            assert isinstance(message, str)
            assert _opening(message) == expected
        async with httpx.AsyncClient(timeout=WAIT) as http:
            response = await http.get(f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling")
        assert response.status_code == 200
        assert _opening(response.text) == expected
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        await gateway.stop()


@pytest.mark.parametrize("name", ["SOCKET_PING_INTERVAL_SECONDS", "SOCKET_PING_TIMEOUT_SECONDS"])
def test_a_ping_setting_must_be_positive(name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings.model_validate({"APP_KEY": "k" * 48, name: "0"})
    assert name in str(caught.value)
