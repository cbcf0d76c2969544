"""What python-socketio is handed on the polling transport, checked first (issue 9: 4, 5, 11).

A thin ASGI layer in front of python-socketio's app at `/socket.io`, using only its public API
(`eio.send`, the session's `close`). python-engineio alone:
- opens a session for `?EIO=4` without `transport` (the engine.io protocol requires it);
- on a POST over `maxPayload` queues a CLOSE and waits for a GET to take it: with no GET pending
  the POST is never answered;
- logs a traceback for a packet it cannot decode, and python-socketio ignores packets it cannot
  parse, packets before CONNECT, and answers a CONNECT to an unknown namespace with a string
  (socket.io v5 requires an object).
Here: a request without `transport` is a 400; a new session past the socket caps a 503 or 429
(`capacity.py`); a POST body is read (up to `maxPayload`) and checked packet by packet before
python-socketio sees it: too big is a 413, malformed or before CONNECT a 400 — and the session is
closed, as the socket.io protocol says a server MUST. Closing queues engine.io's CLOSE, which
releases a GET that is waiting. A CONNECT to another namespace is answered here, with
`{message}`, and not passed on.

It is also where the gateway learns of python-engineio's sessions without its insides: a
handshake's OPEN packet, read on its way out, counts the new session against the caps and starts
its CONNECT deadline (`engine_sessions.py`); a session's websocket upgrade is screened frame by
frame (`UpgradedSocket`).
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oms.errors import CodedError, error_body
from oms.gateway import socketio_packets as sio
from oms.gateway.websocket_frames import CLOSE_NORMAL, CLOSE_POLICY_VIOLATION
from oms.networks import Network
from oms.security.client_address import client_address

if TYPE_CHECKING:
    from oms.gateway.gateway import Gateway

log = logging.getLogger(__name__)

_ENGINE_CLOSE = "1"  # engine.io's CLOSE packet
_SEPARATOR = "\x1e"  # between engine.io packets in one polling payload (v4)
# engine.io packet types a client may send on polling: close, ping, pong, message, upgrade, noop.
_CLIENT_TYPES = frozenset("123456")


class PacketRefused(CodedError, status=400, code="bad_request"):
    """A polling request or packet refused; the engine.io session is closed with it."""


def scope_address(scope: Scope, proxies: Sequence[Network]) -> str:
    """The client's address of an ASGI request (X-Forwarded-For only from a trusted proxy)."""
    client = scope.get("client")
    forwarded = dict(scope.get("headers") or []).get(b"x-forwarded-for")
    return client_address(
        str(client[0]) if client else None,
        forwarded.decode("latin-1") if forwarded else None,
        proxies,
    )


def screen(server: Any, eio_sid: str, payload: str) -> tuple[list[str], list[str]]:
    """The engine.io packets of a client payload to hand to python-socketio, and the CONNECT
    errors to answer here; PacketRefused when the session must be closed."""
    passed: list[str] = []
    refusals: list[str] = []
    connecting = server.manager.sid_from_eio_sid(eio_sid, sio.DEFAULT_NAMESPACE) is not None
    for packet in payload.split(_SEPARATOR):
        if not packet or packet[0] not in _CLIENT_TYPES:
            raise PacketRefused("malformed engine.io packet")
        if packet[0] != "4":
            passed.append(packet)
            continue
        try:
            parsed = sio.parse(packet[1:])
        except sio.PacketError as error:
            raise PacketRefused(str(error)) from None
        if parsed.namespace != sio.DEFAULT_NAMESPACE:
            if parsed.kind != sio.CONNECT:
                raise PacketRefused("packet for a namespace not connected")
            refusals.append(sio.connect_error(sio.INVALID_NAMESPACE, parsed.namespace)[1:].decode())
            continue
        if parsed.kind == sio.CONNECT:
            connecting = True
        elif not connecting:
            raise PacketRefused("packet before CONNECT")
        passed.append(packet)
    return passed, refusals


class PollingGuard:
    """ASGI middleware in front of python-socketio's app (see the module's docstring)."""

    def __init__(self, app: ASGIApp, gateway: Gateway, path: str = "/socket.io") -> None:
        self.app = app
        self.gateway = gateway
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not _under(scope["path"], self.path):
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        sid = query.get("sid", [None])[0]
        if scope["type"] == "websocket":
            if "transport" not in query or sid is None:
                # Websocket clients are served by the gateway's own endpoint (websocket.py):
                # python-socketio only ever sees polling sessions upgrading.
                await send({"type": "websocket.close", "code": CLOSE_POLICY_VIOLATION})
                return
            await UpgradedSocket(self.app, self.gateway, sid)(scope, receive, send)
            return
        if "transport" not in query:
            await _error(send, PacketRefused("the engine.io `transport` is required"))
            return
        method = scope["method"]
        if sid is None and method == "GET":
            proxies = self.gateway.runtime.settings.trusted_proxy_networks
            address = scope_address(scope, proxies)
            refused = self.gateway.capacity.refusal(address)
            if refused is not None:
                await _error(send, refused)
                return
            await self._handshake(scope, receive, send, address)
            return
        if sid is not None and method == "POST":
            await self._post(scope, receive, send, sid)
            return
        await self.app(scope, receive, send)

    async def _handshake(self, scope: Scope, receive: Receive, send: Send, address: str) -> None:
        """A new session: counted (and given its CONNECT deadline) as python-engineio's OPEN
        packet goes to the client, before the client can use its sid."""
        status = 0
        encoding = b""
        body = bytearray()

        async def watch(message: Message) -> None:
            nonlocal status, encoding
            if message["type"] == "http.response.start":
                status = message["status"]
                encoding = dict(message.get("headers") or []).get(b"content-encoding", b"")
            elif message["type"] == "http.response.body" and status == 200:
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    eio_sid = opened_sid(bytes(body), encoding)
                    if eio_sid is not None:
                        self.gateway.engine_sessions.opened(eio_sid, address)
            await send(message)

        await self.app(scope, receive, watch)

    async def _post(self, scope: Scope, receive: Receive, send: Send, eio_sid: str) -> None:
        server = self.gateway.sio
        limit = server.eio.max_http_buffer_size
        if eio_sid not in server.eio.sockets:
            await self.app(scope, receive, send)  # python-engineio answers an unknown session
            return
        try:
            body = await _read_body(scope, receive, limit)
            passed, refusals = screen(server, eio_sid, body.decode())
        except (PacketRefused, UnicodeDecodeError) as error:
            refused = (
                error
                if isinstance(error, PacketRefused)
                else PacketRefused("the payload is not UTF-8")
            )
            await self.gateway.close_engine_session(eio_sid)
            await _error(send, refused)
            return
        for refusal in refusals:
            await server.eio.send(eio_sid, refusal)
        if not passed:
            await _plain_ok(send)
            return
        forwarded = _SEPARATOR.join(passed).encode()
        headers = [(name, value) for name, value in scope["headers"] if name != b"content-length"]
        headers.append((b"content-length", str(len(forwarded)).encode()))
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": forwarded, "more_body": False}
            return await receive()

        await self.app({**scope, "headers": headers}, replay, send)


class UpgradedSocket:
    """A polling session's websocket (the upgrade), screened like its POSTs.

    Each text frame is one engine.io packet, checked by `screen` before python-engineio reads it:
    a malformed packet or one before CONNECT closes the websocket (1008) and, as python-engineio
    then reads a disconnect, the session. A binary frame is refused the same way (OMS clients
    send none). When python-engineio sends its CLOSE packet (the server ended the session) the
    websocket is closed after it with a close frame, as on the gateway's own endpoint, instead of
    waiting for the client to hang up."""

    __slots__ = ("app", "eio_sid", "gateway")

    def __init__(self, app: ASGIApp, gateway: Gateway, eio_sid: str) -> None:
        self.app = app
        self.gateway = gateway
        self.eio_sid = eio_sid

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        server = self.gateway.sio
        eio_sid = self.eio_sid
        closed = False

        async def close(code: int, reason: str = "") -> None:
            nonlocal closed
            closed = True
            await send({"type": "websocket.close", "code": code, "reason": reason})

        async def screened() -> Message:
            while True:
                message = await receive()
                if closed or message["type"] != "websocket.receive":
                    return message
                text = message.get("text")
                try:
                    if text is None:
                        raise PacketRefused("binary packets are not accepted")
                    passed, refusals = screen(server, eio_sid, text)
                except PacketRefused as refused:
                    await close(CLOSE_POLICY_VIOLATION, refused.message)
                    return {"type": "websocket.disconnect", "code": CLOSE_POLICY_VIOLATION}
                for refusal in refusals:
                    await server.eio.send(eio_sid, refusal)
                if passed:
                    return message

        async def closing(message: Message) -> None:
            nonlocal closed
            if closed:
                return  # after the close frame nothing more can go out
            await send(message)
            if message["type"] == "websocket.close":
                closed = True
            elif message["type"] == "websocket.send" and message.get("text") == _ENGINE_CLOSE:
                await close(CLOSE_NORMAL)

        await self.app(scope, screened, closing)


def opened_sid(body: bytes, encoding: bytes = b"") -> str | None:
    """The session id of an engine.io OPEN packet (`0{"sid": ...}`), the answer to a handshake;
    None for any other answer."""
    try:
        if encoding == b"gzip":
            body = gzip.decompress(body)
        elif encoding == b"deflate":
            body = zlib.decompress(body)
        if not body.startswith(b"0{"):
            return None
        sid = orjson.loads(body[1:]).get("sid")
    except (OSError, EOFError, zlib.error, orjson.JSONDecodeError, AttributeError):
        return None
    return sid if isinstance(sid, str) else None


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _too_large(limit: int) -> PacketRefused:
    return PacketRefused(f"the payload is over {limit} bytes", status=413, code="payload_too_large")


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The request body, refused (413) as soon as it is known to be over `limit` bytes."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            raise _too_large(limit)
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        body += message.get("body", b"")
        if len(body) > limit:
            raise _too_large(limit)
        if not message.get("more_body", False):
            break
    return bytes(body)


async def _error(send: Send, error: CodedError) -> None:
    body = orjson.dumps(error_body(error))
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    if error.status == 413:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _plain_ok(send: Send) -> None:
    headers = [(b"content-type", b"text/plain; charset=UTF-8"), (b"content-length", b"2")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"OK"})
