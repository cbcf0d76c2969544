"""Socket.IO v5 packets on the default namespace, as the gateway's websocket endpoint speaks them.

A client packet is `<type>[/<namespace>,][<ack id>][<JSON>]` (e.g. `0{"token":"…"}`,
`21["join","branch.1"]`); binary packets (types 5 and 6) are not accepted — OMS clients never send
binary. Server packets are written as finished engine.io messages (`4` + the socket.io packet).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

CONNECT = 0
DISCONNECT = 1
EVENT = 2
ACK = 3
CONNECT_ERROR = 4
BINARY_EVENT = 5
BINARY_ACK = 6

DEFAULT_NAMESPACE = "/"


class PacketError(ValueError):
    """Not a socket.io packet this server accepts."""


class ClientPacket(NamedTuple):
    kind: int
    namespace: str
    ack_id: int | None
    data: Any


def parse(text: str) -> ClientPacket:
    if not text or not "0" <= text[0] <= "6":
        raise PacketError("unknown packet type")
    kind = ord(text[0]) - ord("0")
    if kind in (BINARY_EVENT, BINARY_ACK):
        raise PacketError("binary packets are not accepted")
    if kind == CONNECT_ERROR:
        raise PacketError("only a server sends CONNECT_ERROR")
    position = 1
    namespace = DEFAULT_NAMESPACE
    if text.startswith("/", position):
        comma = text.find(",", position)
        if comma == -1:
            namespace, position = text[position:], len(text)
        else:
            namespace, position = text[position:comma], comma + 1
    ack_start = position
    while position < len(text) and "0" <= text[position] <= "9":
        position += 1
    ack_id = int(text[ack_start:position]) if position > ack_start else None
    body = text[position:]
    try:
        data = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        raise PacketError("the packet's data is not JSON") from None
    if body and not _valid_data(kind, data):
        raise PacketError("the packet's data is not what its type carries")
    return ClientPacket(kind, namespace, ack_id, data)


# Event names socket.io keeps for itself; no client may send them (as socket.io-parser).
_RESERVED_EVENTS = frozenset(
    ("connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener")
)


def _valid_data(kind: int, data: Any) -> bool:
    """What the socket.io v5 protocol allows each client packet type to carry (as socket.io-parser
    checks it): CONNECT an object, DISCONNECT nothing, EVENT a list starting with the event name,
    ACK a list. A client never sends CONNECT_ERROR."""
    if kind == CONNECT:
        return isinstance(data, dict)
    if kind == EVENT:
        return (
            isinstance(data, list)
            and bool(data)
            and isinstance(data[0], str)
            and data[0] not in _RESERVED_EVENTS
        )
    if kind == ACK:
        return isinstance(data, list)
    return False


def _prefix(kind: int, namespace: str) -> bytes:
    """The engine.io message and socket.io packet type, with the namespace when not `/`."""
    head = b"4%d" % kind
    if namespace != DEFAULT_NAMESPACE:
        head += namespace.encode() + b","
    return head


def connect(sid: str) -> bytes:
    return _prefix(CONNECT, DEFAULT_NAMESPACE) + orjson.dumps({"sid": sid})


INVALID_NAMESPACE: dict[str, Any] = {"message": "Invalid namespace"}


def connect_error(data: dict[str, Any], namespace: str = DEFAULT_NAMESPACE) -> bytes:
    return _prefix(CONNECT_ERROR, namespace) + orjson.dumps(data)


def ack(ack_id: int, value: Any) -> bytes:
    return _prefix(ACK, DEFAULT_NAMESPACE) + b"%d" % ack_id + orjson.dumps([value])


def disconnect() -> bytes:
    return _prefix(DISCONNECT, DEFAULT_NAMESPACE)
