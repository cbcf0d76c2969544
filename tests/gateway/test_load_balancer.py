"""OMS behind Debian's nginx, configured by `deploy/nginx/oms.conf` itself: TLS, the API and two
`oms gateway` processes upstream, Redis and the test database. Clients reach everything through
nginx; a rolling restart (each gateway drained with close code 1012 in turn while events flow)
leaves every client holding exactly its inbox, in order."""

from __future__ import annotations

import asyncio
import configparser
import contextlib
import json
import ssl
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
import socketio

from oms.config import Settings
from oms.db.database import Database
from oms.events.store import events_for_user
from tests.conftest import TEST_APP_KEY
from tests.factories import PASSWORD, TestUser
from tests.gateway.nginx import Certificate, Nginx, render_site, self_signed_certificate
from tests.gateway.scenario import Chain
from tests.gateway.services import OmsProcess, RedisServer, free_port

pytestmark = [pytest.mark.slow, pytest.mark.postgresql]

WAIT = 20.0
CLOSE_SERVICE_RESTART = 1012


@dataclass
class Site:
    """nginx on https://127.0.0.1:{https_port} in front of one API and two gateways."""

    settings: Settings
    redis: RedisServer
    tmp: Path
    tls: Certificate
    api_port: int = field(default_factory=free_port)
    gateway_ports: list[int] = field(default_factory=lambda: [free_port(), free_port()])
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    processes: list[OmsProcess] = field(default_factory=list)
    gateways: dict[int, OmsProcess] = field(default_factory=dict)
    nginx: Nginx | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.tls.cert))

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "APP_ENV": "test",
            "APP_KEY": TEST_APP_KEY,
            "DATABASE_URL": self.settings.database,
            "REDIS_URL": self.redis.url,
            "OMS_DATA_DIR": str(self.tmp),
            "HTTP_HOST": "127.0.0.1",
            "WEBSOCKET_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.api_port),
            # Every client here must end with exactly its inbox; staff members' own sign-ins
            # (presence.changed, tests/gateway/test_cluster.py) would land in it at any moment.
            "OMS_PRESENCE_EVENTS": "false",
            # ~50 broadcasts a second from one sender, and every client reconnecting from
            # 127.0.0.1 at each restart: far beyond the production limits for one person/address.
            "RATE_BROADCAST_PER_SENDER": "100000/minute",
            "RATE_SOCKET_CONNECT_PER_ADDRESS": "100000/minute",
            "RATE_LOGIN_PER_ADDRESS": "100000/minute",
            # `oms api` runs the timeline: no reminder may fall due mid-run.
            "REMINDER_OFFSETS": "",
            **extra,
        }

    def spawn(self, command: str, **extra: str) -> OmsProcess:
        log = self.tmp / f"{command}-{len(self.processes)}.log"
        process = OmsProcess(command, self.env(**extra), log)
        self.processes.append(process)
        return process

    async def start_gateway(self, port: int) -> OmsProcess:
        process = await self.spawn("gateway", WEBSOCKET_PORT=str(port)).started()
        self.gateways[port] = process
        return process

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, verify=self.ssl_context(), timeout=10)

    async def broadcast(self, http: httpx.AsyncClient, user_ids: list[int], text: str) -> int:
        response = await http.post(
            "/api/notifications/broadcast",
            headers={"X-App-Key": TEST_APP_KEY},
            json={"title": "t", "message": text, "user_ids": user_ids},
        )
        assert response.status_code == 201, response.text
        event_id: int = response.json()["event_id"]
        return event_id

    async def node_connections(self) -> list[int]:
        """Each gateway's socket count, asked of the gateway itself (not through nginx)."""
        counts = []
        for process in self.gateways.values():
            counts.append(int(str((await process.healthy())["connections"])))
        return counts

    def close(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for process in self.processes:
            process.stop()


@pytest.fixture
async def site(
    settings: Settings, redis_server: RedisServer, tmp_path: Path
) -> AsyncIterator[Site]:
    site = Site(settings, redis_server, tmp_path, self_signed_certificate(tmp_path))
    try:
        api = site.spawn("api")
        gateways = [site.spawn("gateway", WEBSOCKET_PORT=str(p)) for p in site.gateway_ports]
        await api.started()
        for port, process in zip(site.gateway_ports, gateways, strict=True):
            site.gateways[port] = await process.started()
        site.nginx = Nginx(
            tmp_path / "nginx",
            render_site(
                api_port=site.api_port,
                gateway_ports=site.gateway_ports,
                https_port=site.https_port,
                http_port=site.http_port,
                tls=site.tls,
            ),
        )
        site.nginx.check()
        site.nginx.start()
        yield site
    finally:
        site.close()


class ResumingClient:
    """python-socketio through nginx that reconnects by itself, each time with the id of the last
    event it received (as the web app does), and records everything it receives."""

    def __init__(self, user: TestUser, context: ssl.SSLContext, transport: str = "websocket"):
        self.user = user
        self.transport = transport
        self.context = context
        self.events: list[dict[str, Any]] = []
        self.connects = 0
        self._changed = asyncio.Event()
        self.client = socketio.AsyncClient(
            reconnection=True,
            reconnection_delay=0.1,
            reconnection_delay_max=0.5,
            # A factory: engine.io makes a new session for each connection, all trusting the
            # test's certificate.
            http_session=self._http_session,
        )
        self.client.on("*", self._on_event)
        self.client.on("connect", self._on_connect)

    def ids(self) -> list[int]:
        return [int(event["event_id"]) for event in self.events]

    def _auth(self) -> dict[str, Any]:
        # 0 the first time: the client replays its whole inbox, so in the end it holds all of it.
        return {"token": self.user.token, "last_event_id": self.ids()[-1] if self.events else 0}

    async def _on_event(self, name: str, data: Any = None) -> None:
        # Events only: an admin's socket also gets the bare `connections.changed` signal (no
        # payload, no id, not in the inbox).
        if name != "connections.changed":
            self.events.append(data)
        self._changed.set()

    async def _on_connect(self) -> None:
        self.connects += 1
        self._changed.set()

    def _http_session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=self.context))

    async def connect(self, url: str) -> ResumingClient:
        await self.client.connect(
            url, auth=self._auth, transports=[self.transport], wait_timeout=WAIT
        )
        return self

    async def wait_until(self, check: Callable[[], bool], within: float = WAIT) -> None:
        async with asyncio.timeout(within):
            while not check():
                self._changed.clear()
                await self._changed.wait()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.client.disconnect()
        await self.client.shutdown()


class RawSocket:
    """A bare websocket through nginx speaking just enough engine.io/socket.io to connect, kept
    to read the close code its gateway sends when drained (socket.io clients do not expose it)."""

    def __init__(self, http: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.http = http
        self.ws = ws

    @classmethod
    async def open(cls, site: Site, user: TestUser) -> RawSocket:
        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=site.ssl_context()))
        ws = await http.ws_connect(
            site.url + "/socket.io/?EIO=4&transport=websocket", autoclose=False, autoping=False
        )
        assert (await ws.receive_str(timeout=WAIT)).startswith("0")  # engine.io OPEN
        await ws.send_str("40" + json.dumps({"token": user.token}))
        assert (await ws.receive_str(timeout=WAIT)).startswith("40")  # socket.io CONNECT
        return cls(http, ws)

    async def close_code(self, within: float = 1.0) -> int | None:
        """The close code if the server closed this socket (it has, once a drained gateway's
        process has exited); None if it is still open after `within` seconds."""
        try:
            async with asyncio.timeout(within):
                while True:
                    message = await self.ws.receive()
                    if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                        code = message.data if isinstance(message.data, int) else None
                        return code
        except TimeoutError:
            return None
        finally:
            await self.ws.close()
            await self.http.close()


@pytest.fixture
async def clients() -> AsyncIterator[list[ResumingClient]]:
    opened: list[ResumingClient] = []
    yield opened
    for client in opened:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.close(), 5)


async def _inbox(database: Database, user_id: int) -> list[int]:
    """The user's whole inbox, in order (read in pages)."""
    ids: list[int] = []
    async with database.session() as session:
        while page := await events_for_user(session, user_id, ids[-1] if ids else 0):
            ids.extend(event.event_id for _, event in page)
    return ids


async def test_everything_through_nginx(
    site: Site, chain: Chain, clients: list[ResumingClient], database: Database
) -> None:
    context = site.ssl_context()
    async with site.http() as http:
        health = await http.get("/health")
        assert health.status_code == 200, health.text
        assert health.json()["database"] == "ok"
        login = await http.post(
            "/api/auth/login", json={"email": chain.customer.email, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
    async with httpx.AsyncClient(timeout=5) as plain:
        redirect = await plain.get(f"http://127.0.0.1:{site.http_port}/api/health")
    assert redirect.status_code == 301
    assert redirect.headers["location"].startswith("https://127.0.0.1/")

    users = [chain.staff_north, chain.customer, chain.admin, chain.other_customer]
    for user in users:
        clients.append(await ResumingClient(user, context).connect(site.url))
    polling = await ResumingClient(chain.optometrist_north, context, "polling").connect(site.url)
    clients.append(polling)
    # Round robin, no stickiness: the websocket clients are spread over both gateways.
    counts = await site.node_connections()
    assert all(count >= 1 for count in counts), counts
    assert sum(counts) == len(clients)

    async with site.http() as http:
        sent = await site.broadcast(http, [*(u.id for u in users), chain.optometrist_north.id], "x")
    for client in clients:
        await client.wait_until(lambda c=client: sent in c.ids())  # type: ignore[misc]
        assert client.ids() == await _inbox(database, client.user.id)


async def test_rolling_restart_loses_and_duplicates_nothing(
    site: Site, chain: Chain, clients: list[ResumingClient], database: Database
) -> None:
    context = site.ssl_context()
    users = [
        chain.staff_north,
        chain.customer,
        chain.admin,
        chain.optometrist_north,
        chain.other_customer,
    ]
    for user in users * 2:
        clients.append(await ResumingClient(user, context).connect(site.url))
    assert all(count >= 1 for count in await site.node_connections())

    sent: list[int] = []
    restarting = True

    async def traffic() -> None:
        """About 50 events a second, each to two of the users (every fifth to all of them),
        until the restarts are done; bounded in count whatever happens."""
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        async with site.http() as http:
            for number in range(1500):
                if not restarting:
                    return
                if number % 5 == 0:
                    targets = [user.id for user in users]
                else:
                    targets = [users[number % 5].id, users[(number + 2) % 5].id]
                sent.append(await site.broadcast(http, targets, f"event {number}"))
                next_at += 0.02
                await asyncio.sleep(max(0.0, next_at - loop.time()))

    witnessed: list[int] = []
    flowing = asyncio.create_task(traffic())
    try:
        for port in site.gateway_ports:
            before = {id(client): client.connects for client in clients}
            # Round robin: of two sockets opened one after the other, one is on each gateway
            # (both on the other one while nginx still counts the last restarted one as failed).
            witnesses = [await RawSocket.open(site, chain.admin) for _ in range(2)]
            on_node = await site.gateways[port].healthy()
            # SIGTERM: the gateway closes its sockets with 1012 and exits (systemd's stop).
            await asyncio.to_thread(site.gateways[port].stop)
            codes = [await witness.close_code() for witness in witnesses]
            witnessed.extend(code for code in codes if code is not None)
            await site.start_gateway(port)
            await asyncio.gather(
                *(
                    client.wait_until(lambda c=client: c.client.connected)  # type: ignore[misc]
                    for client in clients
                )
            )
            # The clients that were on the drained node came back (elsewhere, or here once
            # restarted).
            drained_clients = int(str(on_node["connections"])) - sum(c is not None for c in codes)
            assert drained_clients >= 1
            assert sum(c.connects > before[id(c)] for c in clients) >= drained_clients
    finally:
        restarting = False
        await asyncio.wait_for(flowing, WAIT)

    async with site.http() as http:
        fence = await site.broadcast(http, [user.id for user in users], "fence")
    for client in clients:
        inbox = await _inbox(database, client.user.id)
        assert fence in inbox
        await client.wait_until(lambda c=client: fence in c.ids())  # type: ignore[misc]
        # Exactly its inbox, in order: nothing lost, nothing twice.
        assert client.ids() == inbox, client.user.email
    # Every client was on a drained gateway at least once (the second drain takes them all).
    assert all(client.connects >= 2 for client in clients)
    assert len(sent) >= 20
    # What the drained sockets saw through nginx: a 1012 close, and nothing else.
    assert witnessed, "no witness socket was on a drained gateway"
    assert set(witnessed) == {CLOSE_SERVICE_RESTART}, witnessed


def test_systemd_units_run_the_oms_commands() -> None:
    """Each unit in deploy/systemd starts the `oms` command it is named for, with the shared
    environment file, restarts on failure and is stopped with SIGTERM (the gateway's drain)."""
    from typer.main import get_command

    from oms.cli import app

    units = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    expected = {
        "oms-api.service": "oms api",
        "oms-gateway@.service": "oms gateway",
        "oms-worker.service": "oms worker",
    }
    for name, command in expected.items():
        parser = configparser.ConfigParser(interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read(units / name)
        service = parser["Service"]
        assert service["ExecStart"].endswith("/opt/oms/.venv/bin/" + command), name
        assert service["EnvironmentFile"] == "/etc/oms/oms.env"
        assert service["KillSignal"] == "SIGTERM"
        assert service["Restart"] == "on-failure"
        assert parser["Install"]["WantedBy"] == "multi-user.target"
    assert {"api", "gateway"} <= commands
    # The gateway's port is its instance name, so nginx's upstream lines name the units.
    gateway = (units / "oms-gateway@.service").read_text()
    assert "WEBSOCKET_PORT=%i " in gateway
