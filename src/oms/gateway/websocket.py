"""The gateway's own websocket endpoint: engine.io v4 and socket.io v5 for websocket clients.

uvicorn parses the HTTP request and, on an upgrade, hands the connection to its websocket protocol
class; the gateway's servers use this one. A socket.io websocket request
(`/socket.io/?EIO=4&transport=websocket`, no `sid`; what every OMS client opens first) is served
here to the end. Anything else (a polling client upgrading, with a `sid`) is handed to uvicorn's
own websocket protocol and from there to python-socketio, unchanged.

Why its own endpoint: through uvicorn's ASGI websocket, python-engineio and python-socketio a
socket costs about 130 Python objects — a dozen suspended coroutines, queues, events, the request
environ — which is most of its memory and of what a full garbage collection walks. Here a
connected socket is this one slotted object (no task, no queue, no parser object, no timer: the
heartbeat is shared, heartbeat.py) and its `connections.Connection`. Everything runs in the
transport's
callbacks; only the steps that read the database (authenticating a CONNECT, replaying the inbox,
an admin joining a branch) run as short tasks.

Server frames are written synchronously (`write`), as the dispatcher does for every recipient;
a client that stops reading is dropped (`websocket_frames.write_or_drop`) and replays when back.

Engine.io's heartbeat: the server writes a ping every `ping_interval` seconds and closes a socket
whose pong does not come within `ping_timeout` (`gateway.heartbeat`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
from collections.abc import Callable, Coroutine
from typing import Any, ClassVar, Protocol, cast
from urllib.parse import parse_qs

import orjson
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request
from websockets.server import ServerProtocol
from websockets.typing import Origin

from oms.errors import CodedError, connect_refusal, error_body
from oms.gateway import socketio_packets as sio
from oms.gateway.capacity import SocketCapacity
from oms.gateway.connections import Connection, Link
from oms.gateway.heartbeat import ConnectDeadlines, Heartbeat
from oms.gateway.websocket_frames import (
    CLOSE_GOING_AWAY,
    CLOSE_INTERNAL_ERROR,
    CLOSE_INVALID_PAYLOAD,
    CLOSE_NORMAL,
    CLOSE_POLICY_VIOLATION,
    CLOSE_PROTOCOL_ERROR,
    CLOSE_SERVICE_RESTART,
    CLOSE_TOO_BIG,
    CLOSE_UNSUPPORTED_DATA,
    OP_BINARY,
    OP_CLOSE,
    OP_CONTINUATION,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    Frame,
    FrameError,
    close_answer,
    close_frame,
    control_frame,
    parse_frames,
    text_frame,
    write_or_drop,
)
from oms.runtime import Runtime
from oms.security.client_address import client_address

log = logging.getLogger(__name__)

# A client sends only small CONNECT, join and leave packets.
MAX_MESSAGE_BYTES = 16 * 1024
# join/leave answers being computed for one socket at a time; a client past it is not an OMS one.
MAX_IN_FLIGHT = 8
# Fragments of one message. Each costs a frame header (at least six bytes on the wire) and a
# little bookkeeping even when empty; a maximal message in 64-byte fragments is 256 of them.
MAX_FRAGMENTS = 1024
# Frames parsed before they are acted on; a read stops being parsed once one of them closes it.
_FRAME_BATCH = 64

_PING = text_frame(b"2")
# The heartbeat calls a socket in its slot, never before its time; what is left below this is
# floating-point rounding, not time to wait (waiting it would cost a whole slot).
_EARLY = 1e-6
_ENGINE_CLOSE = text_frame(b"1")
_SOCKETIO_PATHS = (b"/socket.io/", b"/socket.io")

_OPENING = 0
_OPEN = 1
_CLOSED = 2


class SocketHost(Protocol):
    """What the endpoint needs from the gateway that serves it (`oms.gateway.gateway.Gateway`):
    the one seam between them, so the endpoint does not import the gateway."""

    heartbeat: Heartbeat
    allowed_origins: tuple[str, ...]
    # Socket caps and the CONNECT deadline (gateway.capacity, heartbeat.ConnectDeadlines).
    capacity: SocketCapacity
    connect_deadlines: ConnectDeadlines
    # For the settings the endpoint reads (TRUSTED_PROXIES).
    runtime: Runtime

    async def authenticate(
        self, sid: str, link: Link, auth: object, *, address: str | None = None
    ) -> tuple[Connection, int | None]: ...

    def register(self, connection: Connection) -> None: ...

    async def go_live(self, connection: Connection, replay_after: int | None) -> None: ...

    def forget(self, connection: Connection) -> None: ...

    async def join(self, connection: Connection, data: Any = None) -> dict[str, object]: ...

    async def leave(self, connection: Connection, data: Any = None) -> dict[str, object]: ...

    def spawn(self, work: Any) -> None: ...


def endpoint_for(gateway: SocketHost) -> type[GatewayWebSocket]:
    """The protocol class uvicorn instantiates per websocket, bound to this gateway."""
    return type("GatewayWebSocketFor", (GatewayWebSocket,), {"__slots__": (), "gateway": gateway})


def _is_socketio_websocket(request: bytes) -> bool:
    """`GET /socket.io/?EIO=4&transport=websocket` without a `sid` (not an upgrade from polling)."""
    line = request.partition(b"\r\n")[0]
    target = line.split(b" ")[1] if line.count(b" ") == 2 else b""
    path, _, query = target.partition(b"?")
    if path not in _SOCKETIO_PATHS:
        return False
    params = parse_qs(query.decode("latin-1"))
    return (
        params.get("EIO") == ["4"]
        and params.get("transport") == ["websocket"]
        and ("sid" not in params)
    )


class GatewayWebSocket(asyncio.Protocol):
    """One websocket client, from the upgrade request to the close."""

    gateway: ClassVar[SocketHost]

    __slots__ = (
        "_address",
        "_awaiting_pong",
        "_buffer",
        "_config",
        "_connecting",
        "_delegate",
        "_fragment_count",
        "_fragment_opcode",
        "_fragments",
        "_in_flight",
        "_pinged_at",
        "_server_state",
        "_state",
        "address",
        "connection",
        "transport",
    )

    def __init__(
        self,
        config: Any,
        server_state: Any,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self._config = config
        self._server_state = server_state
        self._state = _OPENING
        self._buffer = b""
        # A fragmented message being received: its bytes so far (a running total, no re-summing),
        # its opcode, and how many fragments it came in.
        self._fragments: bytearray | None = None
        self._fragment_opcode = OP_TEXT
        self._fragment_count = 0
        self._awaiting_pong = False
        self._pinged_at = -math.inf  # the heartbeat clock's time of the last ping
        self._connecting = False
        self._in_flight = 0
        self._delegate: asyncio.Protocol | None = None
        # The client address this socket is counted under (gateway.capacity) once it is open.
        self._address: str | None = None
        self.connection: Connection | None = None
        self.transport: asyncio.Transport | None = None
        # The client's address (security.client_address), known once the upgrade request is read.
        self.address: str | None = None

    # --- connections.Link ------------------------------------------------------------------------

    @property
    def direct(self) -> GatewayWebSocket:
        return self

    @property
    def transport_name(self) -> str:
        return "websocket"

    async def send(self, text: str) -> None:
        self.write(text_frame(b"4" + text.encode()))

    async def disconnect(self) -> None:
        """A server-side disconnect: socket.io DISCONNECT, engine.io CLOSE, then the close frame."""
        if self._state == _OPEN:
            self.write(text_frame(sio.disconnect()))
            self.write(_ENGINE_CLOSE)
            self._close(CLOSE_NORMAL)

    def write(self, frame: bytes) -> bool:
        """Write a finished frame; False when the connection is closing (it is about to go)."""
        transport = self.transport
        if self._state != _OPEN or transport is None or transport.is_closing():
            return False
        if write_or_drop(transport, frame):
            return True
        self._state = _CLOSED
        return False

    # --- asyncio.Protocol -------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but behave as one.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._delegate is not None:
            self._delegate.data_received(data)
        elif self._state == _OPEN:
            self._read(data)
        elif self._state == _OPENING:
            # uvicorn passes the whole upgrade request in one call.
            if _is_socketio_websocket(data):
                self._handshake(data)
            else:
                self._hand_to_asgi(data)

    def eof_received(self) -> bool | None:
        if self._delegate is not None:
            return self._delegate.eof_received()
        return None

    def pause_writing(self) -> None:
        if self._delegate is not None:
            self._delegate.pause_writing()

    def resume_writing(self) -> None:
        if self._delegate is not None:
            self._delegate.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._delegate is not None:
            self._delegate.connection_lost(exc)
            return
        self._state = _CLOSED
        self._server_state.connections.discard(self)
        if self._address is not None:
            self.gateway.capacity.remove(self._address)
            self._address = None
        connection = self.connection
        if connection is not None:
            self.connection = None
            self.gateway.forget(connection)

    def shutdown(self) -> None:
        """uvicorn is stopping: clients reconnect (elsewhere or after the restart) and replay."""
        if self._state == _OPEN:
            self._close(CLOSE_SERVICE_RESTART)
        elif self.transport is not None:
            self.transport.close()

    # --- opening --------------------------------------------------------------------------------

    def _handshake(self, request_bytes: bytes) -> None:
        assert self.transport is not None
        # websockets validates the upgrade and the Origin and builds the 101 (or the refusal);
        # it is dropped once the handshake is written, as frames are read by read_frames.
        origins: list[Origin | None] = [Origin(origin) for origin in self.gateway.allowed_origins]
        handshake = ServerProtocol(origins=[*origins, None], max_size=MAX_MESSAGE_BYTES)
        handshake.receive_data(request_bytes)
        request = next(iter(handshake.events_received()), None)
        if not isinstance(request, Request):
            self.transport.close()
            return
        gateway = self.gateway
        peer = self.transport.get_extra_info("peername")
        # Counted and rate-limited by the client's address: the proxy's X-Forwarded-For only when
        # TRUSTED_PROXIES lists the peer (security.client_address).
        address = client_address(
            peer[0] if isinstance(peer, tuple) else None,
            request.headers.get("X-Forwarded-For"),
            gateway.runtime.settings.trusted_proxy_networks,
        )
        self.address = address
        refused = gateway.capacity.refusal(address)
        if refused is None:
            response = handshake.accept(request)
        else:
            # The same body as every HTTP refusal (oms.errors), not websockets' plain text.
            response = handshake.reject(refused.status, orjson.dumps(error_body(refused)).decode())
            del response.headers["Content-Type"]
            response.headers["Content-Type"] = "application/json"
        handshake.send_response(response)
        self.transport.write(b"".join(handshake.data_to_send()))
        if response.status_code != 101:
            self._state = _CLOSED
            self.transport.close()
            return
        self._state = _OPEN
        self._server_state.connections.add(self)
        gateway.capacity.add(address)
        self._address = address
        opening = {
            "sid": secrets.token_urlsafe(15),
            "upgrades": [],
            "pingInterval": int(gateway.heartbeat.interval * 1000),
            "pingTimeout": int(gateway.heartbeat.timeout * 1000),
            "maxPayload": MAX_MESSAGE_BYTES,
        }
        self.write(text_frame(b"0" + orjson.dumps(opening)))
        gateway.heartbeat.call_in(gateway.heartbeat.interval, self)
        gateway.connect_deadlines.call_in(gateway.connect_deadlines.interval, self)

    def _hand_to_asgi(self, request_bytes: bytes) -> None:
        """Not a request this endpoint serves: uvicorn's own protocol runs the ASGI app for it."""
        # app_state is uvicorn's lifespan state, empty here: OMS runs with lifespan="off".
        delegate = WebSocketsSansIOProtocol(
            config=self._config, server_state=self._server_state, app_state={}
        )
        self._delegate = delegate
        assert self.transport is not None
        delegate.connection_made(self.transport)
        delegate.data_received(request_bytes)

    # --- reading ----------------------------------------------------------------------------------

    def _read(self, data: bytes) -> None:
        data = self._buffer + data if self._buffer else data
        position = 0
        while self._state == _OPEN:
            try:
                frames, position = parse_frames(data, position, MAX_MESSAGE_BYTES, _FRAME_BATCH)
            except FrameError as error:
                self._close(error.code, error.reason)
                return
            if not frames:
                self._buffer = data[position:]
                return
            self._frames(frames)

    def _frames(self, frames: list[Frame]) -> None:
        for fin, opcode, payload in frames:
            if self._state != _OPEN:
                return
            if opcode in (OP_TEXT, OP_BINARY, OP_CONTINUATION):
                self._data_frame(fin, opcode, payload)
            elif opcode == OP_PING:
                self.write(control_frame(OP_PONG, payload))
            elif opcode == OP_CLOSE:
                self._close(*close_answer(payload))
            # OP_PONG: unsolicited websocket pongs are allowed and mean nothing here.

    def _data_frame(self, fin: bool, opcode: int, payload: bytes) -> None:
        fragments = self._fragments
        if opcode == OP_CONTINUATION:
            if fragments is None:
                self._close(CLOSE_PROTOCOL_ERROR, "continuation without a message")
                return
            fragments += payload
            self._fragment_count += 1
            # The engine.io packet type byte is not counted against maxPayload.
            if len(fragments) > MAX_MESSAGE_BYTES + 1:
                self._close(CLOSE_TOO_BIG, "message too big")
                return
            if self._fragment_count > MAX_FRAGMENTS:
                self._close(CLOSE_TOO_BIG, "message in too many fragments")
                return
            if not fin:
                return
            self._fragments = None
            opcode = self._fragment_opcode
            payload = bytes(fragments)
        elif fragments is not None:
            self._close(CLOSE_PROTOCOL_ERROR, "a new message inside a fragmented one")
            return
        elif not fin:
            self._fragments = bytearray(payload)
            self._fragment_opcode = opcode
            self._fragment_count = 1
            return
        if opcode == OP_BINARY:
            self._close(CLOSE_UNSUPPORTED_DATA, "binary messages are not accepted")
            return
        try:
            text = payload.decode()
        except UnicodeDecodeError:
            self._close(CLOSE_INVALID_PAYLOAD, "text is not UTF-8")
            return
        self._engine_packet(text)

    def _engine_packet(self, text: str) -> None:
        kind = text[:1]
        if kind == "4":
            self._socketio_packet(text[1:])
        elif kind == "3":
            self._awaiting_pong = False
        elif kind == "1":
            self._close(CLOSE_NORMAL)
        elif kind == "2":
            self.write(text_frame(b"3" + text[1:].encode()))
        # "5" (upgrade) and "6" (noop) mean nothing on a websocket-only socket; like
        # python-engineio, unknown packets are ignored.

    def _socketio_packet(self, text: str) -> None:
        try:
            packet = sio.parse(text)
        except sio.PacketError as error:
            # The socket.io protocol: a server MUST close the connection on a malformed packet.
            self._close(CLOSE_POLICY_VIOLATION, str(error))
            return
        if packet.namespace != sio.DEFAULT_NAMESPACE:
            if packet.kind == sio.CONNECT:
                self.write(text_frame(sio.connect_error(sio.INVALID_NAMESPACE, packet.namespace)))
            else:
                self._close(CLOSE_POLICY_VIOLATION, "packet for a namespace not connected")
            return
        if packet.kind != sio.CONNECT and self.connection is None and not self._connecting:
            # Likewise any packet before CONNECT (ACKs, which no server asked for, included).
            self._close(CLOSE_POLICY_VIOLATION, "packet before CONNECT")
            return
        if packet.kind == sio.CONNECT:
            # One CONNECT at a time; another while one is being authenticated is ignored.
            if self.connection is None and not self._connecting:
                self._connecting = True
                self._begin(lambda: self._connect(packet.data))
        elif packet.kind == sio.DISCONNECT:
            connection = self.connection
            if connection is not None:
                self.connection = None
                self.gateway.forget(connection)
                # The engine stays open for another CONNECT, within the same deadline again.
                deadlines = self.gateway.connect_deadlines
                deadlines.call_in(deadlines.interval, self)
        elif packet.kind == sio.EVENT:
            self._event(packet.data, packet.ack_id)
        # ACKs: the server never asks the client for one.

    def _event(self, data: Any, ack_id: int | None) -> None:
        connection = self.connection
        if connection is None or not isinstance(data, list) or not data:
            return
        name = data[0]
        argument = data[1] if len(data) > 1 else None
        if name == "join":
            self._begin(lambda: self._answer(ack_id, self.gateway.join(connection, argument)))
        elif name == "leave":
            self._begin(lambda: self._answer(ack_id, self.gateway.leave(connection, argument)))
        # Any other event has no handler and reaches nobody (as through python-socketio).

    # --- the steps that await -------------------------------------------------------------------

    def _begin(self, step: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run `step()` as a task, unless the socket already has MAX_IN_FLIGHT running; the
        coroutine is only made once it will run, so none is left never awaited."""
        if self._in_flight >= MAX_IN_FLIGHT:
            self._close(CLOSE_POLICY_VIOLATION, "too many requests in flight")
            return
        self._in_flight += 1
        self.gateway.spawn(self._finish(step()))

    async def _finish(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except Exception:
            # Typically the database is unreachable: the client reconnects and tries again.
            log.exception("websocket request failed; closing the socket")
            self._close(CLOSE_INTERNAL_ERROR, "server error")
        finally:
            self._in_flight -= 1

    async def _answer(self, ack_id: int | None, answer: Any) -> None:
        value = await answer
        if ack_id is not None:
            self.write(text_frame(sio.ack(ack_id, value)))

    async def _connect(self, auth: object) -> None:
        gateway = self.gateway
        sid = secrets.token_urlsafe(15)
        try:
            connection, replay_after = await gateway.authenticate(
                sid, self, auth, address=self.address
            )
        except CodedError as error:
            self.write(text_frame(sio.connect_error(connect_refusal(error))))
            return
        finally:
            self._connecting = False
        if self._state != _OPEN:
            return
        # CONNECT first, then registered: every frame the dispatcher writes from here on comes
        # after it (parked until the replay is done).
        self.write(text_frame(sio.connect(sid)))
        self.connection = connection
        gateway.register(connection)
        await gateway.go_live(connection, replay_after)

    # --- heartbeat and closing --------------------------------------------------------------------

    def heartbeat(self) -> None:
        """Called by the shared heartbeat: ping, or close when the last ping went unanswered.

        Pings go out `interval` apart, as engine.io clients expect (a client closes when none
        came for interval + timeout), and a ping unanswered for `timeout` closes the socket.
        After a ping the socket is due again at the nearer of the two: with the defaults (25 s /
        20 s) that is the timeout, then the rest of the interval; with an interval shorter than
        the timeout, the next ping, or a second look once the timeout has run out."""
        if self._state != _OPEN:
            return
        heartbeat = self.gateway.heartbeat
        now = heartbeat.clock.monotonic()
        if self._awaiting_pong:
            left = self._pinged_at + heartbeat.timeout - now
            if left > _EARLY:
                heartbeat.call_in(left, self)
            else:
                self._close(CLOSE_GOING_AWAY, "ping timeout")
            return
        left = self._pinged_at + heartbeat.interval - now
        if left > _EARLY:
            heartbeat.call_in(left, self)
            return
        self._awaiting_pong = True
        self._pinged_at = now
        self.write(_PING)
        heartbeat.call_in(min(heartbeat.interval, heartbeat.timeout), self)

    def connect_deadline(self) -> None:
        """Called by `gateway.connect_deadlines` once the socket's time to CONNECT is up."""
        if self._state != _OPEN or self.connection is not None:
            return
        deadlines = self.gateway.connect_deadlines
        if self._connecting:
            # Its CONNECT is being authenticated; should it be refused, it has one more period.
            deadlines.call_in(deadlines.interval, self)
            return
        self.write(_ENGINE_CLOSE)
        self._close(CLOSE_POLICY_VIOLATION, "no socket.io CONNECT in time")

    def _close(self, code: int, reason: str = "") -> None:
        """Send the close frame and close the TCP connection once it is flushed."""
        if self._state != _OPEN or self.transport is None:
            return
        self._state = _CLOSED
        self.transport.write(close_frame(code, reason))
        self.transport.close()
