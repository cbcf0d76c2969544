"""Real processes: `oms api` and two `oms gateway` nodes sharing the test database and a private
Redis. Events raised in the API process reach every recipient on every node exactly once; a
committed-but-unpublished event, a Redis restart and SIGKILLed processes lose nothing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from oms.config import Settings
from oms.db.database import Database
from oms.events.store import events_for_user
from tests.conftest import TEST_APP_KEY
from tests.factories import PASSWORD, Factory, TestUser
from tests.gateway.probes import NodeClient, Probe
from tests.gateway.scenario import Chain, record_unpublished
from tests.gateway.services import OmsProcess, RedisServer
from tests.start_imports import loaded

# Several processes share one database: the production shape, PostgreSQL.
pytestmark = [pytest.mark.slow, pytest.mark.postgresql]


@dataclass
class Cluster:
    settings: Settings
    redis: RedisServer
    tmp: Path
    api: OmsProcess | None = None
    gateways: list[OmsProcess] = field(default_factory=list)
    processes: list[OmsProcess] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            "APP_ENV": "test",
            "APP_KEY": TEST_APP_KEY,
            "DATABASE_URL": self.settings.database,
            "REDIS_URL": self.redis.url,
            "OMS_DATA_DIR": str(self.tmp),
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": "0",
            "WEBSOCKET_HOST": "127.0.0.1",
            "WEBSOCKET_PORT": "0",
            # These tests count every event a staff member receives; their own sign-ins' are
            # not among them (tests/gateway/test_cluster.py covers presence).
            "OMS_PRESENCE_EVENTS": "false",
            # `oms api` runs the timeline: no reminder may fall due for a booking made here.
            "REMINDER_OFFSETS": "",
        }

    def spawn(self, command: str) -> OmsProcess:
        log = self.tmp / f"{command}-{len(self.processes)}.log"
        process = OmsProcess(command, self.env(), log)
        self.processes.append(process)
        return process

    async def start(self, command: str) -> OmsProcess:
        return await self.spawn(command).started()

    async def start_api(self) -> OmsProcess:
        self.api = await self.start("api")
        return self.api

    async def probe(self, node: OmsProcess, user: TestUser, **options: Any) -> Probe:
        probe = Probe()
        self.probes.append(probe)
        return await probe.connect(node.url, user.token, **options)

    async def broadcast(self, user_ids: list[int], text: str) -> int:
        assert self.api is not None
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.post(
                self.api.url + "/api/notifications/broadcast",
                headers={"X-App-Key": TEST_APP_KEY},
                json={"title": "t", "message": text, "user_ids": user_ids, "data": {"t": text}},
            )
        assert response.status_code == 201, response.text
        event_id: int = response.json()["event_id"]
        return event_id

    async def close(self) -> None:
        for probe in self.probes:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(probe.close(), 5)
        for process in self.processes:
            process.stop()


@pytest.fixture
async def cluster(
    settings: Settings, redis_server: RedisServer, tmp_path: Path
) -> AsyncIterator[Cluster]:
    cluster = Cluster(settings, redis_server, tmp_path)
    try:
        # Started side by side: the database is already migrated, nothing orders them.
        api, one, two = (cluster.spawn(command) for command in ("api", "gateway", "gateway"))
        cluster.api = await api.started()
        cluster.gateways = [await one.started(), await two.started()]
        yield cluster
    finally:
        await cluster.close()


async def _truth(database: Database, user_id: int) -> list[int]:
    async with database.session() as session:
        return [event.event_id for _, event in await events_for_user(session, user_id, 0)]


def _next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


async def test_events_from_the_api_reach_every_node(
    cluster: Cluster, chain: Chain, database: Database
) -> None:
    one, two = cluster.gateways
    sockets: dict[str, list[Probe]] = {
        "admin": [await cluster.probe(two, chain.admin)],
        "staff_north": [
            await cluster.probe(one, chain.staff_north),
            await cluster.probe(two, chain.staff_north),
        ],
        "staff_south": [await cluster.probe(one, chain.staff_south)],
        "optometrist_north": [await cluster.probe(two, chain.optometrist_north)],
        "optometrist_south": [await cluster.probe(one, chain.optometrist_south)],
        "customer": [await cluster.probe(one, chain.customer)],
        "other_customer": [await cluster.probe(two, chain.other_customer)],
    }
    node_client = await NodeClient.start(two.url, chain.customer.token)
    try:
        await node_client.wait_type("connected")
        assert cluster.api is not None
        async with httpx.AsyncClient(base_url=cluster.api.url, timeout=10) as http:
            booked = await http.post(
                "/api/appointments",
                headers=chain.customer.headers,
                json={
                    "optometrist_id": chain.optometrist_north.id,
                    "branch_id": chain.north.id,
                    "date": _next_monday().isoformat(),
                    "start_time": "10:00",
                    "end_time": "10:30",
                    "type": "eye_exam",
                },
            )
        assert booked.status_code == 201, booked.text
        created = max(await _truth(database, chain.customer.id))
        unpublished = await record_unpublished(
            database, "notification.alert", {chain.staff_south.id}, {"data": {}}
        )
        fence = await cluster.broadcast([u.id for u in chain.everyone.values()], "fence")

        want = {
            created: {"admin", "staff_north", "optometrist_north", "customer"},
            unpublished: {"staff_south"},
        }
        for who, probes in sockets.items():
            expected = [eid for eid, names in want.items() if who in names] + [fence]
            for probe in probes:
                await probe.wait_for_ids(fence)
                assert probe.ids() == expected, who
        await node_client.wait_for_ids(created, fence)
        assert node_client.ids() == [created, fence]
        assert node_client.events()[0]["event"] == "appointment.created"
    finally:
        await node_client.close()

    async with httpx.AsyncClient(timeout=5) as http:
        metrics = [(await http.get(node.url + "/metrics")).text for node in (one, two)]
        health = (await http.get(one.url + "/health")).json()
    assert health == {**health, "status": "ok", "database": "ok", "redis": "ok"}
    assert all('oms_events_dispatched_total{source="bus"}' in text for text in metrics)


async def test_redis_restart_under_running_gateways_loses_nothing(
    cluster: Cluster, chain: Chain, database: Database
) -> None:
    one, two = cluster.gateways
    north = await cluster.probe(one, chain.staff_north)
    customer = await cluster.probe(two, chain.customer)
    targets = [chain.staff_north.id, chain.customer.id]
    sent = [await cluster.broadcast(targets, "before")]
    await north.wait_for_ids(*sent)

    cluster.redis.stop()
    for number in range(5):  # the API cannot publish: the gateways' table tick delivers these
        sent.append(await cluster.broadcast(targets, f"while down {number}"))
    await north.wait_for_ids(*sent, within=10)
    await customer.wait_for_ids(*sent, within=10)

    cluster.redis.start()
    for node in (one, two):
        await node.wait_health("redis", "ok")
    for number in range(5):
        sent.append(await cluster.broadcast(targets, f"after {number}"))
    await north.wait_for_ids(*sent)
    await customer.wait_for_ids(*sent)
    assert north.ids() == sent
    assert customer.ids() == sent


async def test_sigkilled_processes_lose_nothing(
    cluster: Cluster, chain: Chain, database: Database
) -> None:
    """Traffic flows while first a gateway and then the API process are SIGKILLed. The client of
    the dead gateway reconnects to the other node with its last event id; the API is restarted.
    In the end each client has exactly its inbox, in order, once."""
    one, two = cluster.gateways
    user = chain.staff_north
    first = await cluster.probe(one, user)
    steady = await cluster.probe(two, user)
    sent: list[int] = []

    async def traffic(count: int) -> None:
        for number in range(count):
            try:
                sent.append(await cluster.broadcast([user.id, chain.admin.id], str(number)))
            except (httpx.HTTPError, AssertionError):
                return  # the API died under us

    await traffic(10)
    await first.wait_for_ids(*sent)
    one.kill()
    await traffic(10)
    resumed = await cluster.probe(two, user, last_event_id=max(first.ids()))

    assert cluster.api is not None
    flowing = asyncio.create_task(traffic(1000))
    # Kill the API while events are flowing: once the stream has delivered a few more.
    received = len(steady.ids())
    await steady.wait_until(lambda: len(steady.ids()) >= received + 5)
    cluster.api.kill()
    await asyncio.wait_for(flowing, 10)
    await cluster.start_api()
    await traffic(10)

    truth = await _truth(database, user.id)
    assert set(sent) <= set(truth)
    await steady.wait_for_ids(*truth, within=15)
    await resumed.wait_for_ids(*[eid for eid in truth if eid > max(first.ids())], within=15)
    assert steady.ids() == truth
    assert first.ids() + resumed.ids() == truth


def _env_without_redis(settings: Settings, tmp_path: Path) -> dict[str, str]:
    return {
        "APP_ENV": "test",
        "APP_KEY": TEST_APP_KEY,
        "DATABASE_URL": settings.database,
        "OMS_DATA_DIR": str(tmp_path),
        "WEBSOCKET_HOST": "127.0.0.1",
        "WEBSOCKET_PORT": "0",
        "REDIS_URL": "",
    }


async def test_gateway_refuses_to_start_without_redis(settings: Settings, tmp_path: Path) -> None:
    process = OmsProcess("gateway", _env_without_redis(settings, tmp_path), tmp_path / "g.log")
    try:
        await asyncio.wait_for(asyncio.to_thread(process.process.wait), 30)
    finally:
        process.stop()
    assert process.process.returncode == 2
    assert process.output().startswith("REDIS_URL: required for `oms gateway`")


async def test_a_lone_gateway_without_redis_delivers_from_the_table(
    settings: Settings, tmp_path: Path, factory: Factory, database: Database
) -> None:
    customer = await factory.customer()
    env = _env_without_redis(settings, tmp_path)
    gateway = await OmsProcess("gateway --without-redis", env, tmp_path / "lone.log").started()
    probe = Probe()
    try:
        await probe.connect(gateway.url, customer.token)
        # Committed by this (other) process, published on a bus nobody else hears.
        from tests.gateway.scenario import notify

        event = await notify(database, {customer.id})
        await probe.wait_for_ids(event.event_id)
        assert probe.ids() == [event.event_id]
        assert (await gateway.healthy())["redis"] is None
    finally:
        await probe.close()
        gateway.stop()
    # A gateway node serves sockets and the operations endpoints: it loads no REST route, no
    # migrations and no Web Push sender (each costs CPU at every start).
    modules = loaded(gateway.listing)
    assert "oms.gateway.gateway" in modules
    assert not any(name.startswith(("oms.api.", "oms.delivery.", "alembic")) for name in modules)


async def _closed_as_revoked(probe: Probe) -> None:
    await probe.wait_until(lambda: probe.disconnected)
    assert ("disconnect_reason", {"reason": "revoked", "message": "access was revoked"}) in (
        probe.events
    )


async def test_revocations_in_the_api_close_sockets_on_every_node(
    cluster: Cluster, chain: Chain
) -> None:
    """The API process commits the revocation; both gateway nodes hear it (Redis, or their table
    tick) and close that user's sockets; nothing sent after it reaches them."""
    one, two = cluster.gateways
    disabled = [
        await cluster.probe(one, chain.staff_north),
        await cluster.probe(two, chain.staff_north),
    ]
    bystander = await cluster.probe(two, chain.staff_south)
    assert cluster.api is not None
    async with httpx.AsyncClient(base_url=cluster.api.url, timeout=10) as http:
        login = await http.post(
            "/api/auth/login", json={"email": chain.customer.email, "password": PASSWORD}
        )
        token = login.json()["access_token"]
        signed_out = Probe()
        cluster.probes.append(signed_out)
        await signed_out.connect(one.url, token)
        logout = await http.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
        assert logout.status_code == 204
        patched = await http.patch(
            f"/api/users/{chain.staff_north.id}",
            headers=chain.admin.headers,
            json={"role": "customer", "branch_ids": []},
        )
        assert patched.status_code == 200, patched.text
    for probe in [*disabled, signed_out]:
        await _closed_as_revoked(probe)
    fence = await cluster.broadcast([chain.staff_north.id, chain.staff_south.id], "after")
    await bystander.wait_for_ids(fence)
    assert all(fence not in probe.ids() for probe in disabled)
    assert not bystander.disconnected
    refused = Probe()
    cluster.probes.append(refused)
    assert (await refused.refused(two.url, token))["code"] == "token_revoked"
