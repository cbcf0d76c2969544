"""The polling transport (python-socketio behind `polling.PollingGuard`) against a hostile or
broken client (issue 9, points 4, 5 and 11): spoken to request by request over real HTTP, and
upgraded to a websocket by hand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect

from oms.gateway.websocket import MAX_MESSAGE_BYTES
from oms.runtime import Runtime
from tests.gateway.conftest import LiveGateway, start_live_gateway
from tests.gateway.scenario import Chain
from tests.gateway.test_connection_limits import gateway
from tests.gateway.test_websocket_endpoint import close_code, next_text

PATH = "/socket.io/"
OPEN = {"EIO": "4", "transport": "polling"}  # a handshake: a new session


class Session:
    """One engine.io polling session, request by request."""

    def __init__(self, http: httpx.AsyncClient, sid: str) -> None:
        self.http = http
        self.sid = sid

    @classmethod
    async def open(cls, http: httpx.AsyncClient) -> Session:
        response = await http.get(PATH, params={"EIO": "4", "transport": "polling"})
        assert response.status_code == 200, response.text
        assert response.text.startswith("0")
        return cls(http, orjson.loads(response.text[1:])["sid"])

    def _params(self) -> dict[str, str]:
        return {"EIO": "4", "transport": "polling", "sid": self.sid}

    async def post(self, body: str | bytes) -> httpx.Response:
        return await self.http.post(PATH, params=self._params(), content=body)

    async def get(self) -> httpx.Response:
        return await self.http.get(PATH, params=self._params())

    async def connect(self, token: str) -> None:
        assert (await self.post("40" + orjson.dumps({"token": token}).decode())).text == "OK"
        assert (await self.get()).text.startswith("40{")


@pytest.fixture
async def http(live: LiveGateway) -> AsyncIterator[httpx.AsyncClient]:
    async with live.http() as client:
        yield client


async def released(pending: asyncio.Task[httpx.Response]) -> bool:
    """A waiting GET is answered once its session is closed: with engine.io's CLOSE packet, or
    (when it reached the server after the close) a 400 for the closed session."""
    response = await asyncio.wait_for(pending, 10)
    return response.text.endswith("1") or response.status_code == 400


async def test_a_request_without_transport_opens_no_session(
    live: LiveGateway, http: httpx.AsyncClient
) -> None:
    response = await http.get(PATH, params={"EIO": "4"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert live.gateway.sio.eio.sockets == {}


async def test_a_connect_to_an_unknown_namespace_gets_a_connect_error_object(
    http: httpx.AsyncClient,
) -> None:
    session = await Session.open(http)
    assert (await session.post('40/admin,{"token":"x"}')).text == "OK"
    assert (await session.get()).text == '44/admin,{"message":"Invalid namespace"}'


@pytest.mark.parametrize(
    "body", ["4abc", "42{}", '42abc["join","x"]', "x", "", "b4AAAA", '42["join","x"]\x1e4abc']
)
async def test_a_malformed_packet_is_a_400_closes_the_session_and_logs_no_traceback(
    live: LiveGateway,
    http: httpx.AsyncClient,
    chain: Chain,
    caplog: pytest.LogCaptureFixture,
    body: str,
) -> None:
    session = await Session.open(http)
    await session.connect(chain.customer.token)
    pending = asyncio.ensure_future(session.get())
    with caplog.at_level(logging.INFO):
        response = await session.post(body)
    assert response.status_code == 400
    assert await released(pending)
    assert not [record for record in caplog.records if record.exc_info]
    assert live.gateway.connection_count() == 0


@pytest.mark.parametrize("body", ['42["join","role.customer"]', "43[]", "41"])
async def test_a_packet_before_connect_is_a_400_and_closes_the_session(
    http: httpx.AsyncClient, body: str
) -> None:
    session = await Session.open(http)
    pending = asyncio.ensure_future(session.get())
    assert (await session.post(body)).status_code == 400
    assert await released(pending)


async def test_a_post_over_max_payload_is_answered_413_and_closes_the_session(
    live: LiveGateway, http: httpx.AsyncClient, chain: Chain
) -> None:
    session = await Session.open(http)
    await session.connect(chain.customer.token)
    response = await session.post("4" + "x" * (MAX_MESSAGE_BYTES + 1))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert await released(asyncio.ensure_future(session.get()))


async def test_a_polling_session_must_connect_in_time(runtime: Runtime, chain: Chain) -> None:
    live = await start_live_gateway(runtime, connect_timeout=0.2)
    try:
        async with live.http() as http:
            good = await Session.open(http)
            await good.connect(chain.customer.token)
            idle = await Session.open(http)
            assert await released(asyncio.ensure_future(idle.get()))
            # The connected session, whose deadline came first, still answers.
            assert (await good.post('421["leave","role.customer"]')).text == "OK"
            assert (await good.get()).text.startswith("431[")
    finally:
        await live.stop()


async def test_after_a_socketio_disconnect_the_session_must_connect_again_in_time(
    runtime: Runtime, chain: Chain
) -> None:
    live = await start_live_gateway(runtime, connect_timeout=0.2)
    try:
        async with live.http() as http:
            session = await Session.open(http)
            await session.connect(chain.customer.token)
            assert (await session.post("41")).text == "OK"
            assert await released(asyncio.ensure_future(session.get()))
    finally:
        await live.stop()


async def test_past_the_socket_cap_a_new_polling_session_gets_503(
    runtime: Runtime, chain: Chain
) -> None:
    live = await start_live_gateway(runtime, max_sockets=1)
    try:
        async with live.http() as http:
            await Session.open(http)
            response = await http.get(PATH, params={"EIO": "4", "transport": "polling"})
            assert response.status_code == 503
            assert response.json()["error"]["code"] == "at_capacity"
            assert (await http.get("/health")).status_code == 200
    finally:
        await live.stop()


async def upgraded(live: LiveGateway, http: httpx.AsyncClient, token: str) -> tuple[str, object]:
    """A polling session upgraded to a websocket by hand (the probe exchange), then connected."""
    session = await Session.open(http)
    url = live.url.replace("http://", "ws://") + f"{PATH}?EIO=4&transport=websocket&sid="
    ws = await connect(url + session.sid, open_timeout=5)
    await ws.send("2probe")
    assert await next_text(ws) == "3probe"
    await ws.send("5")
    await ws.send("40" + orjson.dumps({"token": token}).decode())
    # The NOOP that ends the (here never sent) open poll may come first.
    text = await next_text(ws)
    text = await next_text(ws) if text == "6" else text
    assert text.startswith("40{")
    return session.sid, ws


async def test_an_upgraded_socket_closed_by_the_server_gets_a_close_frame(
    live: LiveGateway, http: httpx.AsyncClient, chain: Chain
) -> None:
    eio_sid, ws = await upgraded(live, http, chain.customer.token)
    await live.gateway.close_engine_session(eio_sid)
    assert await close_code(ws) == 1000  # type: ignore[arg-type]


async def test_a_malformed_packet_on_an_upgraded_socket_closes_it(
    live: LiveGateway, http: httpx.AsyncClient, chain: Chain
) -> None:
    _, ws = await upgraded(live, http, chain.customer.token)
    await ws.send("4abc")  # type: ignore[attr-defined]
    assert await close_code(ws) == 1008  # type: ignore[arg-type]


# --- how long a polling session counts against the caps (issue 14: public API only) -------------


async def test_a_polling_session_counts_until_it_ends_however_it_ends(
    runtime: Runtime, chain: Chain
) -> None:
    async with (
        gateway(runtime, max_sockets=1, connect_timeout=0.2) as live,
        live.http() as http,
    ):
        # Ended by the client (engine.io CLOSE) once connected: the next session may open.
        first = await Session.open(http)
        await first.connect(chain.customer.token)
        assert (await http.get(PATH, params=OPEN)).status_code == 503
        assert (await first.post("1")).text == "OK"
        # Never connected: closed at its deadline, then no longer counted.
        idle = await Session.open(http)
        assert (await http.get(PATH, params=OPEN)).status_code == 503
        assert await released(asyncio.ensure_future(idle.get()))
        # Refused at CONNECT: the session stays for another try, then its deadline ends it.
        refused = await Session.open(http)
        assert (await refused.post('40{"token":"forged"}')).text == "OK"
        assert (await refused.get()).text.startswith("44{")
        assert await released(asyncio.ensure_future(refused.get()))
        # Closed by the server for a malformed packet.
        malformed = await Session.open(http)
        assert (await malformed.post("x")).status_code == 400
        await Session.open(http)
        assert live.gateway.capacity.total == 1


async def test_an_upgraded_session_counts_once_until_its_websocket_closes(
    runtime: Runtime, chain: Chain
) -> None:
    # A CONNECT deadline far beyond the wait below: only the close itself can release it.
    async with (
        gateway(runtime, max_sockets=1, connect_timeout=600) as live,
        live.http() as http,
    ):
        _, ws = await upgraded(live, http, chain.customer.token)
        assert live.gateway.capacity.total == 1
        assert (await http.get(PATH, params=OPEN)).status_code == 503
        await ws.close()  # type: ignore[attr-defined]
        async with asyncio.timeout(10):
            while live.gateway.capacity.total:  # noqa: ASYNC110  (nothing to wait on)
                await asyncio.sleep(0.01)
        await Session.open(http)
