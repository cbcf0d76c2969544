"""The gateway's own websocket endpoint, spoken to frame by frame over real sockets.

The socket.io clients (python-socketio, Node) prove the protocol works end to end elsewhere; these
tests write what a well-behaved client never would, and check each answer and close code.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from oms.clock import ManualClock
from oms.gateway.websocket import MAX_MESSAGE_BYTES, GatewayWebSocket
from oms.runtime import Runtime
from tests.gateway.conftest import LiveGateway, start_live_gateway
from tests.gateway.fakes import RecordingTransport
from tests.gateway.scenario import Chain, notify
from tests.gateway.test_websocket_frames import client_frame

PATH = "/socket.io/?EIO=4&transport=websocket"
WAIT = 5.0


@asynccontextmanager
async def raw(
    live: LiveGateway, *, path: str = PATH, origin: str | None = None
) -> AsyncIterator[ClientConnection]:
    url = live.url.replace("http://", "ws://") + path
    headers = {"Origin": origin} if origin else None
    async with connect(url, additional_headers=headers, open_timeout=WAIT) as ws:
        yield ws


async def next_text(ws: ClientConnection) -> str:
    message = await asyncio.wait_for(ws.recv(), WAIT)
    assert isinstance(message, str)
    return message


async def opened(ws: ClientConnection) -> dict[str, Any]:
    text = await next_text(ws)
    assert text.startswith("0")
    opening: dict[str, Any] = orjson.loads(text[1:])
    return opening


async def connected(ws: ClientConnection, token: str) -> str:
    """Open the engine and the socket.io namespace; returns the socket.io sid."""
    await opened(ws)
    await ws.send("40" + orjson.dumps({"token": token}).decode())
    text = await next_text(ws)
    assert text.startswith("40"), text
    sid: str = orjson.loads(text[2:])["sid"]
    return sid


async def close_code(ws: ClientConnection) -> int:
    """The close code the server sent (waiting for it, skipping anything before it)."""
    async with asyncio.timeout(WAIT):
        try:
            while True:
                await ws.recv()
        except ConnectionClosed as closed:
            received = closed.rcvd
    assert received is not None, "closed without a close frame"
    return received.code


async def test_engine_opens_with_the_heartbeat_and_limits_then_socketio_connects(
    live: LiveGateway, chain: Chain
) -> None:
    async with raw(live) as ws:
        opening = await opened(ws)
        assert opening["upgrades"] == []
        assert (opening["pingInterval"], opening["pingTimeout"]) == (25000, 20000)
        assert opening["maxPayload"] == MAX_MESSAGE_BYTES
        assert len(str(opening["sid"])) >= 16
        await ws.send('40{"token":"' + chain.customer.token + '"}')
        text = await next_text(ws)
        assert text.startswith("40{")
        (connection,) = live.gateway.registry.of_user(chain.customer.id)
        assert connection.sid == orjson.loads(text[2:])["sid"] != opening["sid"]
        assert isinstance(connection.link, GatewayWebSocket)
        event = await notify(live.runtime.database, {chain.customer.id})
        text = await next_text(ws)
        assert text.startswith("42")
        name, payload = orjson.loads(text[2:])
        assert (name, payload["event_id"]) == ("notification.general", event.event_id)


async def test_a_refused_connect_leaves_the_engine_open_for_another_try(
    live: LiveGateway, chain: Chain
) -> None:
    async with raw(live) as ws:
        await opened(ws)
        await ws.send('40{"token":"garbage"}')
        refusal = orjson.loads((await next_text(ws))[2:])
        assert refusal["code"] == refusal["data"]["code"] == "invalid_token"
        assert live.gateway.connection_count() == 0
        await ws.send("40" + orjson.dumps({"token": chain.staff_north.token}).decode())
        assert (await next_text(ws)).startswith("40{")
        assert live.gateway.connection_count() == 1


async def test_another_namespace_is_refused_by_name(live: LiveGateway, chain: Chain) -> None:
    async with raw(live) as ws:
        await opened(ws)
        await ws.send('40/admin,{"token":"' + chain.admin.token + '"}')
        assert await next_text(ws) == '44/admin,{"message":"Invalid namespace"}'
        assert live.gateway.connection_count() == 0


async def test_join_and_leave_are_acknowledged_and_other_events_are_not(
    live: LiveGateway, chain: Chain
) -> None:
    async with raw(live) as ws:
        await connected(ws, chain.staff_north.token)
        await ws.send('427["shout","everyone"]')
        await ws.send(f'428["join","branch.{chain.south.id}"]')
        await ws.send('429["leave","role.staff"]')
        first = await next_text(ws)
        second = await next_text(ws)
        # No answer to the unknown event: the first two answers are 8's and 9's.
        answers = sorted([first, second])
        assert [answer[:4] for answer in answers] == ["438[", "439["]
        assert all('"ok":false' in answer for answer in answers)
        await ws.send(f'4210["join","branch.{chain.north.id}"]')
        assert await next_text(ws) == f'4310[{{"ok":true,"channel":"branch.{chain.north.id}"}}]'


async def test_a_socketio_disconnect_unregisters_but_the_engine_can_connect_again(
    live: LiveGateway, chain: Chain
) -> None:
    async with raw(live) as ws:
        await connected(ws, chain.customer.token)
        assert live.gateway.connection_count() == 1
        await ws.send("41")
        async with asyncio.timeout(WAIT):
            while live.gateway.connection_count():  # noqa: ASYNC110  (nothing to wait on)
                await asyncio.sleep(0.01)
        await ws.send("40" + orjson.dumps({"token": chain.customer.token}).decode())
        assert (await next_text(ws)).startswith("40{")
        assert live.gateway.connection_count() == 1


async def test_an_engineio_close_closes_the_socket(live: LiveGateway, chain: Chain) -> None:
    async with raw(live) as ws:
        await connected(ws, chain.customer.token)
        await ws.send("1")
        assert await close_code(ws) == 1000
    async with asyncio.timeout(WAIT):
        while live.gateway.connection_count():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("4" + "x" * (MAX_MESSAGE_BYTES + 1), 1009),
        (b"binary", 1003),
    ],
    ids=["too-big", "binary"],
)
async def test_messages_a_client_may_not_send_close_the_socket_with_their_code(
    live: LiveGateway, chain: Chain, message: str | bytes, code: int
) -> None:
    async with raw(live) as ws:
        await connected(ws, chain.customer.token)
        await ws.send(message)
        assert await close_code(ws) == code
    async with asyncio.timeout(WAIT):
        while live.gateway.connection_count():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


@asynccontextmanager
async def raw_tcp(live: LiveGateway) -> AsyncIterator[tuple[asyncio.StreamReader, Any]]:
    """A websocket opened by hand over TCP, past the engine.io OPEN packet: what is written to
    it goes out byte for byte (several frames in one write arrive in one read)."""
    host, port = live.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        key = os.urandom(16).hex()[:22] + "=="
        writer.write(
            f"GET {PATH} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 101")
        assert (await read_frame(reader))[1].startswith(b"0{")
        yield reader, writer
    finally:
        writer.close()


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One short server frame: its opcode and payload."""
    header = await asyncio.wait_for(reader.readexactly(2), WAIT)
    size = header[1]
    if size == 126:
        size = int.from_bytes(await reader.readexactly(2), "big")
    return header[0] & 0x0F, await reader.readexactly(size)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (client_frame(b"40", masked=False), 1002),
        (client_frame(b"40", rsv=0x40), 1002),
        (client_frame(b"4\xff\xfe"), 1007),
        (client_frame(b"40", opcode=0x0), 1002),
    ],
    ids=["unmasked", "reserved-bit", "not-utf8", "stray-continuation"],
)
async def test_frames_that_break_the_protocol_close_with_its_code(
    live: LiveGateway, frame: bytes, code: int
) -> None:
    async with raw_tcp(live) as (reader, writer):
        writer.write(frame)
        opcode, body = await read_frame(reader)
        assert (opcode, int.from_bytes(body[:2], "big")) == (0x8, code)


async def test_a_fragmented_message_is_put_back_together(live: LiveGateway, chain: Chain) -> None:
    packet = b'40{"token":"' + chain.customer.token.encode() + b'"}'
    async with raw_tcp(live) as (reader, writer):
        writer.write(
            client_frame(packet[:5], fin=False)
            + client_frame(b"", opcode=0x9)  # a ping between the fragments is allowed
            + client_frame(packet[5:], opcode=0x0)
        )
        assert await read_frame(reader) == (0xA, b"")  # the pong
        assert (await read_frame(reader))[1].startswith(b"40{")
        assert live.gateway.connection_count() == 1


async def test_a_second_connect_while_the_first_is_authenticated_is_ignored(
    live: LiveGateway, chain: Chain
) -> None:
    connect = b'40{"token":"' + chain.customer.token.encode() + b'"}'
    async with raw_tcp(live) as (reader, writer):
        # Both in one write: the second is read while the first is still being authenticated.
        writer.write(client_frame(connect) + client_frame(connect))
        assert (await read_frame(reader))[1].startswith(b"40{")
        writer.write(client_frame(b'421["leave","role.customer"]'))
        assert (await read_frame(reader))[1].startswith(b"431[")
        # No second CONNECT answer comes, however long one waits, and one socket is registered.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(read_frame(reader), 1.0)
        assert live.gateway.connection_count() == 1


async def test_an_origin_outside_cors_origins_is_refused_at_the_handshake(
    live: LiveGateway,
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with raw(live, origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    allowed = live.runtime.settings.cors_origin_list[0]
    async with raw(live, origin=allowed) as ws:
        await opened(ws)


async def test_other_websocket_paths_go_to_the_asgi_app(live: LiveGateway) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with raw(live, path="/not-socket-io"):
            pass
    assert refused.value.response.status_code in (403, 404)


async def _pong(ws: ClientConnection, ack_id: int) -> None:
    """Answer a ping, and return once the server has read the answer: frames are read in order,
    so the acknowledgement of a request sent after the pong comes after the pong was handled."""
    await ws.send("3")
    await ws.send(f'42{ack_id}["join","role.admin"]')  # refused, but acknowledged
    assert (await next_text(ws)).startswith(f"43{ack_id}[")


def waiting(live: LiveGateway, clock: ManualClock) -> Callable[[float], None]:
    """`wait(seconds)`: the gateway's clock moves on and its heartbeat acts on the new time."""

    def wait(seconds: float) -> None:
        clock.advance(seconds)
        live.gateway.heartbeat.tick()

    return wait


async def test_heartbeat_keeps_an_answering_client_and_drops_a_silent_one(
    runtime: Runtime, chain: Chain
) -> None:
    clock = ManualClock()
    live = await start_live_gateway(runtime, clock=clock)
    heartbeat = live.gateway.heartbeat
    wait = waiting(live, clock)

    try:
        async with raw(live) as answering, raw(live) as silent:
            await connected(answering, chain.customer.token)
            await connected(silent, chain.other_customer.token)
            wait(heartbeat.interval)
            assert await next_text(silent) == "2"
            for round_ in range(4):  # four intervals: each ping answered keeps it open
                if round_:
                    wait(heartbeat.interval - heartbeat.timeout)
                assert await next_text(answering) == "2"
                await _pong(answering, round_)
                wait(heartbeat.timeout)
                if round_ == 0:  # its ping went unanswered for the whole timeout
                    assert await close_code(silent) == 1001
            async with asyncio.timeout(WAIT):
                while live.gateway.connection_count() != 1:  # noqa: ASYNC110  (no event to wait on)
                    await asyncio.sleep(0.01)
            assert [c.user_id for c in live.gateway.registry.all()] == [chain.customer.id]
    finally:
        await live.stop()


async def test_an_interval_shorter_than_the_timeout_pings_every_interval(
    runtime: Runtime, chain: Chain
) -> None:
    """Pings `interval` apart even when the timeout is longer (SOCKET_PING_*_SECONDS allow it;
    bench/sockets.py sets 2 s / 20 s), and a silent socket still gets the whole timeout."""
    clock = ManualClock()
    live = await start_live_gateway(runtime, clock=clock, ping_interval=2, ping_timeout=5)
    wait = waiting(live, clock)

    try:
        async with raw(live) as answering, raw(live) as silent:
            await connected(answering, chain.customer.token)
            await connected(silent, chain.other_customer.token)
            wait(2)  # t = 2: the first pings
            assert await next_text(silent) == "2"
            for round_ in range(2):  # t = 4, 6: a ping every interval to the answering one
                assert await next_text(answering) == "2"
                await _pong(answering, round_)
                wait(2)
                # The silent one's ping is 2, then 4 s old: not yet timed out (5 s), it answers.
                await silent.send(f'42{90 + round_}["join","role.admin"]')
                assert (await next_text(silent)).startswith(f"43{90 + round_}[")
            assert await next_text(answering) == "2"
            await _pong(answering, 2)
            wait(1)  # t = 7: the silent one's timeout has run out
            assert await close_code(silent) == 1001
            wait(1)  # t = 8
            assert await next_text(answering) == "2"
    finally:
        await live.stop()


async def test_a_server_shutting_down_closes_with_service_restart(
    runtime: Runtime, chain: Chain
) -> None:
    live = await start_live_gateway(runtime)
    try:
        async with raw(live) as ws:
            await connected(ws, chain.customer.token)
            live.server.should_exit = True
            assert await close_code(ws) == 1012
    finally:
        await live.stop()


def test_a_client_that_stops_reading_is_dropped_not_buffered_forever() -> None:
    endpoint = GatewayWebSocket(None, None, {})
    transport = RecordingTransport()
    endpoint.transport = transport  # type: ignore[assignment]
    endpoint._state = 1  # open
    assert endpoint.write(b"a")
    transport.buffered = 2 << 20
    assert not endpoint.write(b"b")
    assert transport.aborted
    assert not endpoint.write(b"c")
    assert transport.written == [b"a", b"b"]
