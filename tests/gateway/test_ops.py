"""GET /health, /connections and /metrics on the gateway port and on the HTTP app."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from oms.config import Settings
from oms.db.database import Database
from oms.events.bus import InProcessBus
from oms.gateway.ops import create_ops_app
from oms.runtime import Runtime
from oms.server import build_http_app
from tests.gateway.conftest import LiveGateway
from tests.gateway.scenario import Chain, notify


async def test_health_is_public_and_says_nothing_personal(live: LiveGateway, chain: Chain) -> None:
    await live.probe(chain.customer.token)
    async with live.http() as http:
        response = await http.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "uptime_seconds", "connections", "database", "redis"}
    assert body["status"] == "ok"
    assert body["connections"] == 1
    assert body["database"] == "ok"
    assert body["redis"] is None  # no broker configured: in-process bus


async def test_health_reports_a_dead_database(settings: Settings) -> None:
    # Nothing listens on port 1: the database does not answer.
    nowhere = Database("postgresql+asyncpg://oms@127.0.0.1:1/nothing", InProcessBus())
    runtime = Runtime(settings=settings, database=nowhere)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_ops_app(runtime)), base_url="http://t"
        ) as http:
            response = await http.get("/health")
    finally:
        await nowhere.dispose()
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["status"] == "down"


async def test_connections_lists_one_row_per_socket_for_admins(
    live: LiveGateway, chain: Chain
) -> None:
    await live.probe(chain.staff_north.token)
    await live.probe(chain.staff_north.token)  # a second tab
    await live.probe(chain.customer.token)
    async with live.http() as http:
        refused = await http.get("/connections")
        forbidden = await http.get("/connections", headers=chain.staff_north.headers)
        wrong_key = await http.get("/connections", headers={"X-App-Key": "nope"})
        response = await http.get("/connections", headers=chain.admin.headers)
        by_key = await http.get(
            "/connections", headers={"X-App-Key": live.runtime.settings.app_key}
        )
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "not_authenticated"
    assert forbidden.status_code == 403
    assert wrong_key.status_code == 403
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert by_key.json()["count"] == 3
    staff_rows = [row for row in body["connections"] if row["user_id"] == chain.staff_north.id]
    assert len(staff_rows) == 2
    assert staff_rows[0]["socket_id"] != staff_rows[1]["socket_id"]
    row = staff_rows[0]
    assert row["role"] == "staff"
    assert row["name"] == chain.staff_north.name
    assert row["branch_ids"] == [chain.north.id]
    assert row["transport"] == "websocket"
    assert row["channels"] == sorted(
        [f"user.{chain.staff_north.id}", "role.staff", f"branch.{chain.north.id}"]
    )
    assert row["connected_at"].endswith("Z")


async def test_metrics_count_connections_and_deliveries(live: LiveGateway, chain: Chain) -> None:
    probe = await live.probe(chain.customer.token)
    event = await notify(live.runtime.database, {chain.customer.id, chain.admin.id})
    await probe.wait_for_ids(event.event_id)
    async with live.http() as http:
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "oms_connections 1.0" in text
    assert "oms_events_delivered_total 1.0" in text  # the admin has no socket
    # Dispatched once, by the bus or by the table tick if it read the commit first (a race the
    # dispatcher is built for: whichever comes second is dropped by the watermark).
    dispatched = {
        sample.labels["source"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "oms_events_dispatched_total"
    }
    assert sum(dispatched.values()) == 1.0, dispatched
    assert "oms_delivery_latency_seconds_count 1.0" in text
    for name in (
        "oms_events_replayed_total",
        "oms_auth_failures",
        "oms_join_denials",
        "oms_events_published_total",
    ):
        assert name in text


async def test_the_http_app_serves_ops_too(runtime: Runtime, chain: Chain) -> None:
    transport = httpx.ASGITransport(app=build_http_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as http:
        health = await http.get("/health")
        connections = await http.get("/connections", headers=chain.admin.headers)
        metrics = await http.get("/metrics")
    assert health.json()["connections"] == 0
    assert connections.json() == {"count": 0, "connections": []}
    assert metrics.status_code == 200
