"""Connections that hold the server without using it (issue 9, point 4), over raw TCP and real
websockets: a deadline on every request head, a deadline on the socket.io CONNECT, and caps on
sockets in all and per client address.

Timeouts are configured very small; nothing asserts how long anything took. Where a test shows
that something is *not* closed, it does so behind a fence: a connection opened later, with the
same deadline, is seen closed first.
"""

from __future__ import annotations

import asyncio
import resource
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from oms.config import Settings
from oms.db.database import Database
from oms.gateway.capacity import (
    ADDRESS_FULL,
    AT_CAPACITY,
    SocketCapacity,
    raise_file_limit,
    socket_cap,
)
from oms.runtime import Runtime
from tests.gateway.conftest import LiveGateway, start_live_gateway
from tests.gateway.scenario import Chain
from tests.gateway.test_websocket_endpoint import PATH, close_code, connected, next_text, opened

WAIT = 5.0


def tuned(settings: Settings, database: Database, **limits: object) -> Runtime:
    return Runtime(settings=settings.model_copy(update=limits), database=database)


@asynccontextmanager
async def gateway(runtime: Runtime, **options: float) -> AsyncIterator[LiveGateway]:
    live = await start_live_gateway(runtime, **options)  # type: ignore[arg-type]
    try:
        yield live
    finally:
        await live.stop()


async def tcp(live: LiveGateway) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = live.url.removeprefix("http://").split(":")
    return await asyncio.open_connection(host, int(port))


async def closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Everything the server wrote before closing the connection (waits for the close). A server
    that closes with bytes of ours unread resets the connection: closed all the same."""
    try:
        return await asyncio.wait_for(reader.read(), WAIT)
    except ConnectionResetError:
        return b""


@asynccontextmanager
async def websocket(live: LiveGateway, local: str | None = None) -> AsyncIterator[ClientConnection]:
    url = live.url.replace("http://", "ws://") + PATH
    options = {"local_addr": (local, 0)} if local else {}
    async with connect(url, open_timeout=WAIT, **options) as ws:  # type: ignore[arg-type]
        yield ws


async def answers_health(live: LiveGateway) -> bool:
    async with live.http() as http:
        return (await http.get("/health")).status_code == 200


# --- the request head -----------------------------------------------------------------------


async def test_a_connection_that_sends_nothing_is_closed_at_the_head_deadline(
    settings: Settings, database: Database
) -> None:
    async with gateway(tuned(settings, database, http_head_timeout_seconds=0.2)) as live:
        reader, writer = await tcp(live)
        assert await closed_by_server(reader) == b""
        writer.close()
        assert await answers_health(live)


async def test_a_head_sent_byte_by_byte_is_closed_however_the_bytes_keep_coming(
    settings: Settings, database: Database
) -> None:
    head = f"GET {PATH} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n" + "X-Pad: y\r\n" * 1000
    async with gateway(tuned(settings, database, http_head_timeout_seconds=0.2)) as live:
        reader, writer = await tcp(live)
        closing = asyncio.ensure_future(closed_by_server(reader))
        for byte in head.encode():
            if closing.done():
                break
            writer.write(bytes((byte,)))
            await asyncio.sleep(0.01)  # a slow client's pace; nothing waits on it
        assert await closing == b""
        writer.close()


async def test_a_later_head_on_a_kept_alive_connection_has_the_deadline_too(
    settings: Settings, database: Database
) -> None:
    async with gateway(tuned(settings, database, http_head_timeout_seconds=0.2)) as live:
        reader, writer = await tcp(live)
        writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
        writer.write(b"GET /health HTTP/1.1\r\nHo")
        assert b"HTTP/1.1" not in await closed_by_server(reader)
        writer.close()


async def test_an_upgraded_socket_outlives_the_head_deadline(
    settings: Settings, database: Database, chain: Chain
) -> None:
    async with (
        gateway(tuned(settings, database, http_head_timeout_seconds=0.2)) as live,
        websocket(live) as ws,
    ):
        await connected(ws, chain.customer.token)
        # Fence: a connection opened after the upgrade, with the same deadline, is closed...
        reader, writer = await tcp(live)
        assert await closed_by_server(reader) == b""
        writer.close()
        # ...and the upgraded socket still answers.
        await ws.send('421["leave","role.customer"]')
        assert (await next_text(ws)).startswith("431[")


# --- the socket.io CONNECT --------------------------------------------------------------------


async def test_a_socket_that_never_connects_is_closed_and_a_connected_one_stays(
    runtime: Runtime, chain: Chain
) -> None:
    async with (
        gateway(runtime, connect_timeout=0.2) as live,
        websocket(live) as good,
        websocket(live) as idle,
    ):
        await connected(good, chain.customer.token)  # opened first: its deadline came first
        await opened(idle)
        assert await next_text(idle) == "1"  # engine.io CLOSE, then the close frame
        assert await close_code(idle) == 1008
        await good.send('421["leave","role.customer"]')
        assert (await next_text(good)).startswith("431[")


async def test_a_refused_connect_does_not_extend_the_deadline(
    runtime: Runtime, chain: Chain
) -> None:
    async with gateway(runtime, connect_timeout=0.2) as live, websocket(live) as ws:
        await opened(ws)
        await ws.send('40{"token":"garbage"}')
        assert (await next_text(ws)).startswith("44")
        assert await close_code(ws) == 1008


async def test_after_a_socketio_disconnect_the_engine_must_connect_again_in_time(
    runtime: Runtime, chain: Chain
) -> None:
    async with gateway(runtime, connect_timeout=0.2) as live, websocket(live) as ws:
        await connected(ws, chain.customer.token)
        await ws.send("41")
        assert await close_code(ws) == 1008


# --- how many sockets -------------------------------------------------------------------------


async def test_past_the_socket_cap_a_new_socket_gets_503_and_the_rest_still_answers(
    runtime: Runtime, chain: Chain
) -> None:
    async with (
        gateway(runtime, max_sockets=2) as live,
        websocket(live) as first,
        websocket(live) as second,
    ):
        with pytest.raises(InvalidStatus) as refused:
            async with websocket(live):
                pass
        assert refused.value.response.status_code == 503
        assert await answers_health(live)
        await connected(first, chain.customer.token)
        await second.close()
        async with asyncio.timeout(WAIT):
            while live.gateway.capacity.total > 1:  # noqa: ASYNC110  (nothing to wait on)
                await asyncio.sleep(0.01)
        async with websocket(live) as third:
            await opened(third)


async def test_one_address_may_hold_only_its_share_of_sockets(
    settings: Settings, database: Database, chain: Chain
) -> None:
    async with (
        gateway(tuned(settings, database, sockets_per_address=2)) as live,
        websocket(live, "127.0.0.1") as first,
        websocket(live, "127.0.0.1"),
    ):
        with pytest.raises(InvalidStatus) as refused:
            async with websocket(live, "127.0.0.1"):
                pass
        assert refused.value.response.status_code == 429
        async with websocket(live, "127.0.0.2") as other:
            await connected(other, chain.customer.token)
        await opened(first)
        assert live.gateway.capacity.by_address["127.0.0.1"] == 2


# --- the numbers behind the caps ----------------------------------------------------------------


def test_the_default_cap_keeps_the_reserve_of_the_raised_file_limit() -> None:
    limit = raise_file_limit()
    assert limit == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    assert socket_cap(0, 1024) == max(limit - 1024, limit // 2)
    assert socket_cap(500, 1024) == 500


def test_capacity_counts_sockets_in_all_and_per_address() -> None:
    capacity = SocketCapacity(max_sockets=3, per_address=2)
    for address in ("10.0.0.1", "10.0.0.1", "10.0.0.2"):
        assert capacity.refusal(address) is None
        capacity.add(address)
    assert capacity.refusal("10.0.0.3") is AT_CAPACITY
    capacity.remove("10.0.0.2")
    assert capacity.refusal("10.0.0.1") is ADDRESS_FULL
    assert capacity.refusal("10.0.0.3") is None
    capacity.remove("10.0.0.1")
    capacity.remove("10.0.0.1")
    assert (capacity.total, capacity.by_address) == (0, {})
