"""The fast delivery path (issue 5): ready websocket frames written straight to each socket of the
gateway's endpoint, the flat recipient envelope, and the bound on a socket that stops reading;
polling sockets through python-socketio's public API (issue 14)."""

from __future__ import annotations

import orjson
import pytest

from oms.events.envelope import PublishedEvent, Recipients
from oms.events.redis_bus import decode_batch, encode_batch
from oms.gateway.frames import encode
from oms.gateway.transport import EngineLink
from oms.gateway.websocket import GatewayWebSocket
from oms.gateway.websocket_frames import text_frame
from tests.gateway.conftest import LiveGateway
from tests.gateway.scenario import Chain, notify


@pytest.mark.parametrize(("size", "header"), [(0, b"\x81\x00"), (125, b"\x81\x7d")])
def test_short_text_frame_has_a_one_byte_length(size: int, header: bytes) -> None:
    assert text_frame(b"x" * size) == header + b"x" * size


def test_longer_text_frames_use_the_16_and_64_bit_lengths() -> None:
    assert text_frame(b"x" * 126)[:4] == b"\x81\x7e\x00\x7e"
    assert text_frame(b"x" * 65535)[:4] == b"\x81\x7e\xff\xff"
    assert text_frame(b"x" * 65536)[:10] == b"\x81\x7f" + (65536).to_bytes(8, "big")


def _event(name: str, recipients: tuple[tuple[int, int], ...]) -> PublishedEvent:
    payload = {"event_id": 7, "event": name, "type": name.split(".")[1], "title": "T", "data": {}}
    return PublishedEvent(7, name, payload, recipients)


@pytest.mark.parametrize("name", ["notification.general", "inventory.low_stock"])
def test_the_ready_frame_is_the_engineio_message_of_the_socketio_packet(name: str) -> None:
    frame = encode(_event(name, ((1, 11), (2, 12))))
    for inbox_id in (11, 12, 123456789):
        packet = frame.for_inbox(inbox_id)
        # engine.io's MESSAGE (`4`) carrying the socket.io packet, as one text frame.
        assert frame.ws_frame(inbox_id) == text_frame(b"4" + packet.encode())
        event_name, payload = orjson.loads(packet[1:])
        assert event_name == name
        if name.startswith("notification."):
            assert payload["id"] == inbox_id


def test_envelope_keeps_recipients_flat_and_round_trips() -> None:
    event = _event("notification.general", ((3, 30), (5, 50)))
    raw = encode_batch([event])
    assert orjson.loads(raw)[0]["u"] == [3, 5]
    assert orjson.loads(raw)[0]["b"] == [30, 50]
    (decoded,) = decode_batch(raw)
    assert isinstance(decoded.recipients, Recipients)
    assert decoded == event
    assert dict(decoded.recipients) == {3: 30, 5: 50}
    assert list(decoded.recipients) == [(3, 30), (5, 50)]


def test_the_older_pair_envelope_still_decodes() -> None:
    raw = orjson.dumps([{"i": 1, "n": "notification.general", "p": {}, "r": [[3, 30]]}])
    (decoded,) = decode_batch(raw)
    assert decoded.recipients == ((3, 30),)


def test_recipient_lists_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="recipients"):
        Recipients([1, 2], [10])


async def test_websocket_clients_reach_the_gateways_own_endpoint_and_receive_in_order(
    live: LiveGateway, chain: Chain
) -> None:
    probe = await live.probe(chain.customer.token)
    (connection,) = live.gateway.registry.of_user(chain.customer.id)
    assert isinstance(connection.link, GatewayWebSocket)
    assert connection.link.direct is connection.link
    sent = [await notify(live.runtime.database, {chain.customer.id}) for _ in range(5)]
    await probe.wait_for_ids(*(event.event_id for event in sent))
    assert probe.ids() == [event.event_id for event in sent]


async def test_polling_sockets_keep_engineio_queue(live: LiveGateway, chain: Chain) -> None:
    probe = await live.probe(chain.customer.token, transport="polling")
    (connection,) = live.gateway.registry.of_user(chain.customer.id)
    assert isinstance(connection.link, EngineLink)
    assert connection.link.direct is None
    event = await notify(live.runtime.database, {chain.customer.id})
    await probe.wait_for_ids(event.event_id)
    assert probe.ids() == [event.event_id]
    # The server drops a polling socket too (revocation, expiry). It also ends the client's
    # pending long-poll: a client closing by itself would wait for it up to the ping interval.
    await connection.link.disconnect()
    await probe.wait_until(lambda: not probe.client.connected)
    assert live.gateway.connection_count() == 0


async def test_a_polling_client_that_upgrades_is_served_over_websocket_by_python_socketio(
    live: LiveGateway, chain: Chain
) -> None:
    client = await live.node(chain.customer.token, transports=["polling", "websocket"])
    await client.wait_type("connected")
    assert (await client.wait_type("upgraded"))["transport"] == "websocket"
    (connection,) = live.gateway.registry.of_user(chain.customer.id)
    assert isinstance(connection.link, EngineLink)
    assert connection.link.transport_name == "websocket"
    sent = [await notify(live.runtime.database, {chain.customer.id}) for _ in range(5)]
    await client.wait_for_ids(*(event.event_id for event in sent))
    assert client.ids() == [event.event_id for event in sent]
