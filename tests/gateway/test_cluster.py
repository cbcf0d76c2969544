"""The cluster acts as one (DESIGN §12): the cluster view through Redis (nodes' sockets, a node
that dies leaving the view within its heartbeat), presence (GET /api/presence, presence.changed
debounced by the clock), and real processes answering for every node."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import redis.asyncio as redis

from oms.api.app import create_api
from oms.clock import ManualClock
from oms.cluster import Keys, NodeAnnouncer, RedisDirectory
from oms.config import Settings
from oms.db.database import Database
from oms.gateway.presence import PresenceWatch, RedisStore
from oms.runtime import Runtime
from tests.conftest import TEST_APP_KEY
from tests.factories import TestUser
from tests.gateway.conftest import LiveGateway
from tests.gateway.probes import Probe
from tests.gateway.scenario import Chain
from tests.gateway.services import OmsProcess, RedisServer
from tests.start_imports import SOCKETS, WEB, loaded, oms_argv, packages

TTL = 10.0


def _row(socket_id: str, user: TestUser, branch_ids: list[int]) -> dict[str, object]:
    return {
        "socket_id": socket_id,
        "user_id": user.id,
        "name": user.name,
        "role": user.role,
        "branch_ids": branch_ids,
        "transport": "websocket",
        "channels": [f"user.{user.id}"],
        "connected_at": "2026-11-27T10:00:00Z",
        "last_event_id": 0,
    }


@pytest.fixture
async def client(redis_server: RedisServer) -> AsyncIterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


class Node:
    """A gateway node's announcer over rows the test holds (no sockets needed)."""

    def __init__(self, client: redis.Redis, clock: ManualClock, node_id: str) -> None:
        self.rows: dict[str, dict[str, object]] = {}
        self.announcer = NodeAnnouncer(
            client,
            Keys(TEST_APP_KEY),
            clock,
            node_id,
            lambda: list(self.rows.values()),
            ttl_seconds=TTL,
        )

    async def connect(self, row: dict[str, object]) -> None:
        self.rows[str(row["socket_id"])] = row
        self.announcer.put(row)
        await self.announcer.flush()

    async def disconnect(self, socket_id: str) -> None:
        del self.rows[socket_id]
        self.announcer.drop(socket_id)
        await self.announcer.flush()


async def test_the_view_holds_every_live_node_and_drops_a_dead_one_within_its_ttl(
    client: redis.Redis, chain: Chain, clock: ManualClock
) -> None:
    view = RedisDirectory(client, Keys(TEST_APP_KEY), clock, ttl_seconds=TTL)
    one, two = Node(client, clock, "one"), Node(client, clock, "two")
    for node in (one, two):
        await node.announcer.beat()
    await one.connect(_row("a", chain.staff_north, [chain.north.id]))
    await one.connect(_row("b", chain.customer, []))
    await two.connect(_row("c", chain.optometrist_south, [chain.south.id]))

    assert sorted(row["socket_id"] for row in await view.connection_rows()) == ["a", "b", "c"]
    assert {row["node"] for row in await view.connection_rows()} == {"one", "two"}
    assert sorted(row["socket_id"] for row in await view.staff_rows()) == ["a", "c"]
    await one.disconnect("b")
    assert sorted(row["socket_id"] for row in await view.connection_rows()) == ["a", "c"]

    # Node two dies (no goodbye): it stays in the view until its last beat is TTL old.
    clock.advance(TTL / 3)
    await one.announcer.beat()
    assert sorted(await view.live_nodes()) == ["one", "two"]
    clock.advance(TTL - TTL / 3 + 0.001)
    await one.announcer.beat()
    assert await view.live_nodes() == ["one"]
    assert [row["socket_id"] for row in await view.connection_rows()] == ["a"]

    # A clean stop leaves at once; and a node whose rows Redis lost writes them all again.
    await one.announcer.forget_node()
    assert await view.connection_rows() == []
    await client.flushdb()
    await one.announcer.beat()
    assert [row["socket_id"] for row in await view.connection_rows()] == ["a"]


async def test_deployments_sharing_a_redis_do_not_see_each_other(
    client: redis.Redis, chain: Chain, clock: ManualClock
) -> None:
    ours = Node(client, clock, "ours")
    await ours.announcer.beat()
    await ours.connect(_row("a", chain.admin, []))
    theirs = RedisDirectory(client, Keys("another-deployment-key-0123456789abcdef"), clock)
    assert await theirs.connection_rows() == []


async def _presence_events(database: Database) -> list[tuple[int, dict[str, object]]]:
    from sqlalchemy import select

    from oms.db.models import EventRecord

    async with database.session() as session:
        rows = await session.execute(
            select(EventRecord.id, EventRecord.payload)
            .where(EventRecord.name == "presence.changed")
            .order_by(EventRecord.id)
        )
        return [(int(event_id), dict(payload)) for event_id, payload in rows.all()]


async def test_presence_changed_is_debounced_by_the_clock(
    live: LiveGateway, chain: Chain, clock: ManualClock, database: Database
) -> None:
    watch = live.gateway.presence
    optometrist = await live.probe(chain.optometrist_north.token)
    customer = await live.probe(chain.customer.token)
    # The first socket of a staff member or optometrist announces them; customers have none.
    changes = await watch.reconcile()
    assert [(user.user_id, online) for user, online in changes] == [
        (chain.optometrist_north.id, True)
    ]
    staff = await live.probe(chain.staff_north.token)
    await live.probe(chain.staff_north.token)  # a second tab announces nothing more
    changes = await watch.reconcile()
    assert [(user.user_id, online) for user, online in changes] == [(chain.staff_north.id, True)]
    assert await watch.reconcile() == []
    for probe in live.probes[-1:]:
        await probe.close()
    await live.settle()
    assert await watch.reconcile() == []

    # A reload: the last socket closes and a new one opens within the debounce: no flap.
    await staff.close()
    await live.settle()
    assert await watch.reconcile() == []
    clock.advance(4.9)
    assert await watch.reconcile() == []
    staff = await live.probe(chain.staff_north.token)
    assert await watch.reconcile() == []
    clock.advance(10)
    assert await watch.reconcile() == []

    # Gone for good: announced once the debounce has passed since the last socket closed.
    await staff.close()
    await _until_gone(live, chain.staff_north.id)
    assert await watch.reconcile() == []
    clock.advance(5)
    changes = await watch.reconcile()
    assert [(user.user_id, online) for user, online in changes] == [(chain.staff_north.id, False)]
    assert await watch.reconcile() == []

    events = await _presence_events(database)
    assert [(payload["user"], payload["online"]) for _, payload in events][-1] == (
        {"id": chain.staff_north.id, "name": chain.staff_north.name, "role": "staff"},
        False,
    )
    assert events[-1][1]["branch_ids"] == [chain.north.id]
    # Delivered live to the branch's members (and admins); never to customers.
    await optometrist.wait_for_ids(*(event_id for event_id, _ in events))
    assert set(optometrist.names()) == {"presence.changed"}
    assert customer.ids() == []


async def _until_gone(live: LiveGateway, user_id: int) -> None:
    async with asyncio.timeout(10):
        while live.gateway.registry.of_user(user_id):  # noqa: ASYNC110  (the server side closes)
            await asyncio.sleep(0.01)


async def test_presence_events_are_not_inbox_items(
    live: LiveGateway, chain: Chain, runtime: Runtime
) -> None:
    await live.probe(chain.staff_north.token)
    assert len(await live.gateway.presence.reconcile()) == 1
    transport = httpx.ASGITransport(app=create_api(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as http:
        inbox = await http.get("/api/notifications", headers=chain.optometrist_north.headers)
        count = await http.get(
            "/api/notifications/unread-count", headers=chain.optometrist_north.headers
        )
    assert inbox.status_code == 200, inbox.text
    assert inbox.json() == []  # the event reached them (an inbox row, stored read), not listed
    assert count.json()["count"] == 0


async def test_get_presence_answers_by_branch_and_role(
    live: LiveGateway, chain: Chain, runtime: Runtime
) -> None:
    await live.probe(chain.staff_north.token)
    await live.probe(chain.staff_north.token)
    await live.probe(chain.optometrist_south.token)
    await live.probe(chain.customer.token)
    transport = httpx.ASGITransport(app=create_api(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as http:

        async def get(user: TestUser, query: str = "") -> httpx.Response:
            return await http.get(f"/api/presence{query}", headers=user.headers)

        north = await get(chain.optometrist_north)
        admin = await get(chain.admin)
        admin_south = await get(chain.admin, f"?branch_id={chain.south.id}")
        customer = await get(chain.customer)
        not_theirs = await get(chain.staff_north, f"?branch_id={chain.south.id}")
        unknown = await get(chain.admin, "?branch_id=999999")
        bad = await get(chain.admin, "?branch_id=zero")
        anonymous = await http.get("/api/presence")
    assert north.status_code == 200, north.text
    assert [(p["user"]["id"], p["sockets"]) for p in north.json()] == [(chain.staff_north.id, 2)]
    entry = north.json()[0]
    assert entry["user"] == {
        "id": chain.staff_north.id,
        "name": chain.staff_north.name,
        "role": "staff",
    }
    assert entry["online_since"].endswith("Z") or "+00:00" in entry["online_since"]
    assert {p["user"]["id"] for p in admin.json()} == {
        chain.staff_north.id,
        chain.optometrist_south.id,
    }
    assert [p["user"]["id"] for p in admin_south.json()] == [chain.optometrist_south.id]
    assert customer.status_code == 403
    assert customer.json()["error"]["code"] == "permission_denied"
    assert not_theirs.status_code == 403
    assert unknown.status_code == 404
    assert bad.status_code == 422
    assert anonymous.status_code == 401


async def test_the_list_keeps_whom_presence_has_not_announced_offline_yet(
    live: LiveGateway, chain: Chain, clock: ManualClock, runtime: Runtime
) -> None:
    """A list read in the moment a doctor's only tab reloads still shows her: her return
    announces nothing (a reload is not a flap), so a list that had dropped her would have kept
    her off every desk's panel until her next change."""
    watch = live.gateway.presence
    doctor = chain.optometrist_north
    transport = httpx.ASGITransport(app=create_api(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as http:

        async def listed() -> list[tuple[int, int]]:
            response = await http.get("/api/presence", headers=chain.staff_north.headers)
            assert response.status_code == 200, response.text
            return [(p["user"]["id"], p["sockets"]) for p in response.json()]

        tab = await live.probe(doctor.token)
        assert [online for _, online in await watch.reconcile()] == [True]
        assert await listed() == [(doctor.id, 1)]

        await tab.close()
        await _until_gone(live, doctor.id)
        assert await listed() == [(doctor.id, 0)]  # before the watch has noticed
        assert await watch.reconcile() == []
        assert await listed() == [(doctor.id, 0)]  # noticed: her offline is pending

        tab = await live.probe(doctor.token)  # back within the debounce: nothing announced
        assert await watch.reconcile() == []
        assert await listed() == [(doctor.id, 1)]

        await tab.close()  # gone for good: off the list as her offline is announced
        await _until_gone(live, doctor.id)
        assert await watch.reconcile() == []
        clock.advance(5)
        assert [online for _, online in await watch.reconcile()] == [False]
        assert await listed() == []


async def test_presence_lease_lets_one_node_announce(
    client: redis.Redis, chain: Chain, clock: ManualClock, database: Database
) -> None:
    keys = Keys(TEST_APP_KEY)
    view = RedisDirectory(client, keys, clock, ttl_seconds=TTL)
    node = Node(client, clock, "one")
    await node.announcer.beat()
    await node.connect(_row("a", chain.staff_north, [chain.north.id]))
    first = PresenceWatch(view, RedisStore(client, keys, "one", lease_seconds=TTL), database, clock)
    second = PresenceWatch(
        view, RedisStore(client, keys, "two", lease_seconds=TTL), database, clock
    )
    assert [online for _, online in await first.reconcile()] == [True]
    assert await second.reconcile() == []  # not the leader
    await first.stop()  # releases the lease; the new leader does not announce anyone again
    assert await second.reconcile() == []
    assert len(await _presence_events(database)) == 1


async def test_what_was_announced_counts_only_while_a_node_announces(
    client: redis.Redis, chain: Chain, clock: ManualClock, database: Database
) -> None:
    """Through Redis, the announced presence outlives its announcer: once no node holds the
    lease (every gateway stopped), nobody's offline will be announced, so it says nothing."""
    keys = Keys(TEST_APP_KEY)
    view = RedisDirectory(client, keys, clock, ttl_seconds=TTL)
    node = Node(client, clock, "one")
    await node.announcer.beat()
    assert await view.announced() is None  # nobody announces yet
    await node.connect(_row("a", chain.staff_north, [chain.north.id]))
    watch = PresenceWatch(view, RedisStore(client, keys, "one", lease_seconds=TTL), database, clock)
    await watch.reconcile()
    await node.disconnect("a")
    await watch.reconcile()
    announced = await view.announced()
    assert announced is not None
    assert list(announced) == [chain.staff_north.id]
    assert announced[chain.staff_north.id].online_since == "2026-11-27T10:00:00Z"
    assert announced[chain.staff_north.id].absent_since == clock.now().timestamp()
    await watch.stop()  # releases the lease
    assert await view.announced() is None


# --- real processes ------------------------------------------------------------------------------


def _env(settings: Settings, redis_server: RedisServer, tmp_path: Path) -> dict[str, str]:
    return {
        "APP_ENV": "test",
        "APP_KEY": TEST_APP_KEY,
        "DATABASE_URL": settings.database,
        "REDIS_URL": redis_server.url,
        "OMS_DATA_DIR": str(tmp_path),
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": "0",
        "WEBSOCKET_HOST": "127.0.0.1",
        "WEBSOCKET_PORT": "0",
        "OMS_PRESENCE_EVENTS": "false",
    }


@pytest.mark.slow
async def test_every_process_answers_for_the_whole_cluster(
    settings: Settings, redis_server: RedisServer, tmp_path: Path, chain: Chain
) -> None:
    env = _env(settings, redis_server, tmp_path)
    processes = [
        OmsProcess(command, env, tmp_path / f"{command}-{n}.log")
        for n, command in enumerate(("api", "gateway", "gateway"))
    ]
    probes = []
    try:
        api, one, two = [await process.started() for process in processes]
        from tests.gateway.probes import Probe

        for node, user in (
            (one, chain.staff_north),
            (two, chain.optometrist_south),
            (two, chain.customer),
        ):
            probes.append(await Probe().connect(node.url, user.token))
        wanted = {chain.staff_north.id, chain.optometrist_south.id, chain.customer.id}
        async with httpx.AsyncClient(timeout=10) as http:
            for base in (api.url, one.url, two.url):
                rows = await _rows_when(http, base, len(wanted))
                assert {row["user_id"] for row in rows} == wanted, base
                assert len({row["node"] for row in rows}) == 2
            presence = await http.get(api.url + "/api/presence", headers=chain.admin.headers)
        assert {p["user"]["id"] for p in presence.json()} == {
            chain.staff_north.id,
            chain.optometrist_south.id,
        }
        printed = await asyncio.to_thread(
            subprocess.run,
            oms_argv("connections", listing=tmp_path / "connections.modules"),
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert printed.returncode == 0, printed.stderr
        assert "3 connection(s)" in printed.stdout
        assert chain.optometrist_south.name in printed.stdout

        # A node that stops leaves the view at once (it says goodbye).
        two.stop()
        async with httpx.AsyncClient(timeout=10) as http:
            rows = await _rows_when(http, api.url, 1)
        assert [row["user_id"] for row in rows] == [chain.staff_north.id]
    finally:
        for probe in probes:
            await probe.close()
        for process in processes:
            process.stop()
    # Each process loads what it runs (every start costs CPU per library): the API no socket
    # stack, a gateway no REST route, `oms connections` (Redis and a table) no web stack at all.
    api_listing, gateway_listing = processes[0].listing, processes[1].listing
    assert "oms.api.app" in loaded(api_listing)
    assert packages(api_listing) & SOCKETS == set()
    assert "oms.gateway.gateway" in loaded(gateway_listing)
    assert not any(name.startswith("oms.api.") for name in loaded(gateway_listing))
    assert "oms.cluster" in loaded(tmp_path / "connections.modules")
    assert packages(tmp_path / "connections.modules") & (WEB | SOCKETS) == set()


@pytest.mark.slow
async def test_admins_on_one_node_are_told_of_sockets_on_another(
    settings: Settings, redis_server: RedisServer, tmp_path: Path, chain: Chain
) -> None:
    """connections.changed crosses nodes through Redis, after the rows are written there: an
    admin's view on node one, re-read on the signal, shows a socket opening and closing on two."""
    env = _env(settings, redis_server, tmp_path)
    processes = [OmsProcess("gateway", env, tmp_path / f"gateway-{n}.log") for n in range(2)]
    probes: list[Probe] = []
    try:
        one, two = [await process.started() for process in processes]
        admin = await Probe().connect(one.url, chain.admin.token)
        probes.append(admin)
        await admin.wait_until(lambda: admin.signals >= 1)  # its own socket

        async def told_until_seen(present: bool) -> None:
            """Signals keep coming until one after which node one's view shows the change."""
            async with httpx.AsyncClient(timeout=10) as http, asyncio.timeout(10):
                while True:
                    seen = admin.signals
                    response = await http.get(
                        one.url + "/connections", headers={"X-App-Key": TEST_APP_KEY}
                    )
                    users = {row["user_id"] for row in response.json()["connections"]}
                    if (chain.staff_south.id in users) == present:
                        return
                    await _signal_after(admin, seen)

        before = admin.signals
        staff = await Probe().connect(two.url, chain.staff_south.token)
        probes.append(staff)
        await admin.wait_until(lambda: admin.signals > before)
        await told_until_seen(True)

        before = admin.signals
        await staff.close()
        await admin.wait_until(lambda: admin.signals > before)
        await told_until_seen(False)
        assert staff.signals == 0
    finally:
        for probe in probes:
            await probe.close()
        for process in processes:
            process.stop()


async def _signal_after(probe: Probe, seen: int) -> None:
    await probe.wait_until(lambda: probe.signals > seen)


async def _rows_when(http: httpx.AsyncClient, base: str, count: int) -> list[dict[str, object]]:
    """GET /connections until it has `count` rows (rows reach Redis a moment after a connect)."""
    async with asyncio.timeout(10):
        while True:
            response = await http.get(base + "/connections", headers={"X-App-Key": TEST_APP_KEY})
            assert response.status_code == 200, response.text
            rows: list[dict[str, object]] = response.json()["connections"]
            if len(rows) == count:
                return rows
            await asyncio.sleep(0.05)


async def test_the_view_without_redis_is_a_clear_503(
    redis_server: RedisServer, clock: ManualClock, runtime: Runtime, chain: Chain
) -> None:
    from oms.gateway.ops import create_ops_app

    client = redis.Redis.from_url(redis_server.url, socket_connect_timeout=0.5)
    runtime.directory = RedisDirectory(client, Keys(TEST_APP_KEY), clock)
    redis_server.stop()
    try:
        ops = httpx.ASGITransport(app=create_ops_app(runtime))
        api = httpx.ASGITransport(app=create_api(runtime))
        async with httpx.AsyncClient(transport=ops, base_url="http://oms.test") as http:
            listed = await http.get("/connections", headers={"X-App-Key": TEST_APP_KEY})
        async with httpx.AsyncClient(transport=api, base_url="http://oms.test") as http:
            presence = await http.get("/api/presence", headers=chain.admin.headers)
    finally:
        await client.aclose()
    for response in (listed, presence):
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "cluster_unavailable"


async def test_presence_reads_a_staff_index_that_follows_connects_and_disconnects(
    live: LiveGateway, chain: Chain, runtime: Runtime
) -> None:
    """Presence reads staff rows every second: they come from the registry's index of staff and
    optometrist sockets, never from describing every customer's socket (bench/sockets.py)."""
    staff = await live.probe(chain.staff_north.token)
    await live.probe(chain.optometrist_south.token)
    await live.probe(chain.customer.token)
    await live.probe(chain.admin.token)
    registry = live.gateway.registry
    assert len(registry) == 4
    assert sorted(c.user_id for c in registry.staff.values()) == sorted(
        [chain.staff_north.id, chain.optometrist_south.id]
    )
    rows = await runtime.cluster().staff_rows()
    assert sorted((row["user_id"], row["role"]) for row in rows) == sorted(
        [(chain.staff_north.id, "staff"), (chain.optometrist_south.id, "optometrist")]
    )
    await staff.close()
    async with asyncio.timeout(5):
        while len(registry) != 3:  # noqa: ASYNC110  (no event to wait on)
            await asyncio.sleep(0.01)
    assert [c.user_id for c in registry.staff.values()] == [chain.optometrist_south.id]
    assert [row["user_id"] for row in await runtime.cluster().staff_rows()] == [
        chain.optometrist_south.id
    ]
