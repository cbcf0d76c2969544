"""The websocket endpoint against what the WebSocket and socket.io specifications require of a
server facing a hostile or broken client (issue 9: points 1, 10 and 11), over raw TCP.

Frames are built by an independent encoder (the `websockets` package) wherever it can build them.
"""

from __future__ import annotations

import asyncio
import gc
import warnings
from typing import Any

import orjson
import pytest

from oms.gateway.websocket import MAX_FRAGMENTS, MAX_IN_FLIGHT, MAX_MESSAGE_BYTES
from oms.gateway.websocket_frames import OP_CLOSE, OP_CONTINUATION, OP_TEXT
from tests.gateway.conftest import LiveGateway
from tests.gateway.scenario import Chain
from tests.gateway.test_websocket_endpoint import raw_tcp, read_frame
from tests.gateway.test_websocket_frames import peer_frame


async def close_of(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """The server's close frame (its code and reason), skipping what comes before it; then the
    server closes the TCP connection."""
    while True:
        opcode, body = await read_frame(reader)
        if opcode == OP_CLOSE:
            assert await asyncio.wait_for(reader.read(), 5) == b""
            return int.from_bytes(body[:2], "big"), body[2:]


async def connect_packet(writer: Any, reader: asyncio.StreamReader, token: str) -> None:
    writer.write(peer_frame(b"40" + orjson.dumps({"token": token})))
    assert (await read_frame(reader))[1].startswith(b"40{")


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"", 1000),
        ((1000).to_bytes(2, "big") + b"bye", 1000),
        ((1001).to_bytes(2, "big"), 1001),
        ((4000).to_bytes(2, "big"), 4000),
        (b"\x03", 1002),
        ((1000).to_bytes(2, "big") + b"\xff\xfe", 1007),
        *(
            (code.to_bytes(2, "big"), 1002)
            for code in (999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000)
        ),
    ],
)
async def test_a_close_frame_is_answered_with_its_code_or_a_protocol_error(
    live: LiveGateway, payload: bytes, code: int
) -> None:
    async with raw_tcp(live) as (reader, writer):
        writer.write(peer_frame(payload, OP_CLOSE))
        assert (await close_of(reader))[0] == code


async def test_a_flood_of_empty_fragments_is_closed_at_the_fragment_cap(
    live: LiveGateway,
) -> None:
    async with raw_tcp(live) as (reader, writer):
        writer.write(
            peer_frame(b"4", OP_TEXT, fin=False)
            + peer_frame(b"", OP_CONTINUATION, fin=False) * (4 * MAX_FRAGMENTS)
        )
        assert await close_of(reader) == (1009, b"message in too many fragments")


async def test_fragments_over_the_message_limit_close_at_once_without_waiting_for_the_end(
    live: LiveGateway,
) -> None:
    async with raw_tcp(live) as (reader, writer):
        # No final fragment is ever sent: the limit is checked as the fragments come.
        fragment = b"x" * 4096
        writer.write(
            peer_frame(b"4", OP_TEXT, fin=False)
            + peer_frame(fragment, OP_CONTINUATION, fin=False) * (MAX_MESSAGE_BYTES // 4096 + 1)
        )
        assert await close_of(reader) == (1009, b"message too big")


async def test_a_message_of_the_largest_size_in_64_byte_fragments_is_put_together(
    live: LiveGateway, chain: Chain
) -> None:
    packet = b"40" + orjson.dumps({"token": chain.customer.token, "pad": ""})
    packet = packet[:-2] + b"x" * (MAX_MESSAGE_BYTES + 1 - len(packet)) + b'"}'
    assert len(packet) == MAX_MESSAGE_BYTES + 1  # maxPayload, plus engine.io's type byte
    pieces = [packet[start : start + 64] for start in range(0, len(packet), 64)]
    frames = [peer_frame(pieces[0], OP_TEXT, fin=False)]
    frames += [peer_frame(piece, OP_CONTINUATION, fin=False) for piece in pieces[1:-1]]
    frames.append(peer_frame(pieces[-1], OP_CONTINUATION))
    async with raw_tcp(live) as (reader, writer):
        writer.write(b"".join(frames))
        assert (await read_frame(reader))[1].startswith(b"40{")
        assert live.gateway.connection_count() == 1


@pytest.mark.parametrize("packet", [b"4abc", b"42{}", b'42abc["join","x"]', b"44{}", b"4"])
async def test_a_malformed_socketio_packet_closes_the_socket(
    live: LiveGateway, chain: Chain, packet: bytes
) -> None:
    async with raw_tcp(live) as (reader, writer):
        await connect_packet(writer, reader, chain.customer.token)
        writer.write(peer_frame(packet))
        assert (await close_of(reader))[0] == 1008
    async with asyncio.timeout(5):
        while live.gateway.connection_count():  # noqa: ASYNC110  (nothing to wait on)
            await asyncio.sleep(0.01)


@pytest.mark.parametrize(
    "packet", [b'42["join","role.customer"]', b"43[]", b"41", b'42/admin,["join","x"]']
)
async def test_a_packet_before_connect_closes_the_socket(live: LiveGateway, packet: bytes) -> None:
    async with raw_tcp(live) as (reader, writer):
        writer.write(peer_frame(packet))
        assert (await close_of(reader))[0] == 1008


async def test_past_the_in_flight_cap_the_socket_closes_and_no_coroutine_is_left_unawaited(
    live: LiveGateway, chain: Chain
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with raw_tcp(live) as (reader, writer):
            await connect_packet(writer, reader, chain.admin.token)
            # All in one write: they are read before any of them is answered.
            writer.write(
                b"".join(
                    peer_frame(b'42%d["join","branch.%d"]' % (ack, chain.north.id))
                    for ack in range(MAX_IN_FLIGHT + 1)
                )
            )
            assert await close_of(reader) == (1008, b"too many requests in flight")
        await live.settle()
        gc.collect()
    assert not [warning for warning in caught if "never awaited" in str(warning.message)]
