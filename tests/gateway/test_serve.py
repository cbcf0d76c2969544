"""`oms serve`: one process, REST + socket.io on the HTTP port and socket.io on the gateway port,
stopping cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest

from oms.config import Settings
from tests.conftest import TEST_APP_KEY
from tests.gateway.probes import Probe
from tests.gateway.scenario import Chain
from tests.gateway.services import OmsProcess

pytestmark = pytest.mark.slow


async def test_serve_delivers_on_both_ports(
    settings: Settings, chain: Chain, tmp_path: Path
) -> None:
    env = {
        "APP_ENV": "test",
        "APP_KEY": TEST_APP_KEY,
        "DATABASE_URL": settings.database,
        "OMS_DATA_DIR": str(tmp_path),
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": "0",
        "WEBSOCKET_HOST": "127.0.0.1",
        "WEBSOCKET_PORT": "0",
        "REDIS_URL": "",
    }
    server = OmsProcess("serve", env, tmp_path / "serve.log")
    probes = [Probe(), Probe()]
    try:
        await server.started(r"OMS real-time gateway on (http://\S+)")
        found = re.search(r"OMS web app and API on (http://\S+)", server.output())
        assert found is not None
        http_url, socket_url = found.group(1), server.url
        await probes[0].connect(http_url, chain.admin.token)  # /socket.io on the HTTP port
        await probes[1].connect(socket_url, chain.admin.token)
        async with httpx.AsyncClient(base_url=http_url, timeout=10) as http:
            response = await http.post(
                "/api/notifications/broadcast",
                headers=chain.admin.headers,
                json={"title": "t", "message": "m", "role": "admin"},
            )
            assert response.status_code == 201, response.text
            event_id = response.json()["event_id"]
            health = (await http.get("/health")).json()
        for probe in probes:
            await probe.wait_for_ids(event_id)
            assert probe.ids() == [event_id]
        assert health["connections"] == 2
    finally:
        for probe in probes:
            await probe.close()
        server.stop()
    await asyncio.sleep(0)
    assert server.process.returncode == 0, server.output()
