"""python-socketio's sockets, written to as directly as they allow (DESIGN §9).

Websocket clients normally reach the gateway's own endpoint (`websocket.py`) and never come
here. What does come here: polling clients, and polling clients that upgrade to websocket. For
those, stock python-engineio gives every websocket its own queue and writer task: one send is a
queue put, a task wake-up, a packet encode, an ASGI message dict and a websocket frame build, per
recipient.
Here, once a socket runs on websocket, engine.io's queue is flushed once and from then on every
packet (engine.io's own pings, socket.io's acks, and events) is written synchronously as a
finished frame with `transport.write`: no per-socket writer task, no per-recipient task switch, and
an event's frame is built once and written as is to every recipient.

It takes this path only where it can do so exactly: uvicorn's `websockets-sansio` protocol with no
websocket extension negotiated (a server frame is then just a header and the text). Anything else
(polling, another server, permessage-deflate) keeps engine.io's own queue, unchanged.

Memory stays bounded: a client that stops reading is dropped (`write_or_drop`).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import engineio
import socketio
from engineio import packet as eio_packet
from engineio.async_socket import AsyncSocket

from oms.gateway.polling import PacketRefused, screen
from oms.gateway.websocket_frames import (
    CLOSE_NORMAL,
    CLOSE_POLICY_VIOLATION,
    binary_frame,
    close_frame,
    text_frame,
    write_or_drop,
)


def message_frame(socketio_packet: str) -> bytes:
    """The websocket frame of an engine.io MESSAGE (`4`) carrying a socket.io packet."""
    return text_frame(b"4" + socketio_packet.encode())


class DirectWriter:
    """Synchronous frame writes to one uvicorn websocket connection."""

    __slots__ = ("protocol", "transport")

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol
        self.transport: asyncio.WriteTransport = protocol.transport

    @classmethod
    def for_asgi(cls, ws: Any) -> DirectWriter | None:
        """The writer for engine.io's ASGI websocket wrapper, or None where frames cannot be
        written directly."""
        protocol = getattr(getattr(ws, "asgi_send", None), "__self__", None)
        connection = getattr(protocol, "conn", None)
        if (
            type(protocol).__name__ != "WebSocketsSansIOProtocol"
            or getattr(protocol, "transport", None) is None
            or connection is None
            or getattr(connection, "extensions", None) != []
        ):
            return None
        return cls(protocol)

    def write(self, frame: bytes) -> bool:
        """Write a finished frame; False when the connection is closing (it is about to go)."""
        protocol = self.protocol
        transport = self.transport
        if protocol.close_sent or protocol.disconnected or transport.is_closing():
            return False
        return write_or_drop(transport, frame)


class DirectSocket(AsyncSocket):  # type: ignore[misc]
    """An engine.io socket that, on websocket, writes frames itself instead of a writer task."""

    direct: DirectWriter | None = None
    connected: bool
    closing: bool
    closed: bool
    last_ping: float | None

    async def send(self, pkt: eio_packet.Packet) -> None:
        writer = self.direct
        if writer is None:
            await super().send(pkt)
            return
        if not await self.check_ping_timeout():
            return
        encoded = pkt.encode()
        if isinstance(encoded, str):
            writer.write(text_frame(encoded.encode()))
        else:
            writer.write(binary_frame(encoded))

    async def _websocket_handler(self, ws: Any) -> None:
        writer = DirectWriter.for_asgi(ws)
        if writer is None or not self.connected:
            # Not a websocket this can write to directly, or a websocket-only client (those are
            # served by websocket.py and reach python-socketio only on a server without it).
            await super()._websocket_handler(ws)
            return
        server = self.server

        async def websocket_wait() -> Any:
            data = await ws.wait()
            if data and len(data) > server.max_http_buffer_size:
                raise ValueError("packet is too large")
            return data

        # An upgrade from polling: the probe exchange, as engine.io does it.
        self.upgrading = True
        try:
            pkt = eio_packet.Packet(encoded_packet=await websocket_wait())
            if pkt.packet_type != eio_packet.PING or pkt.data != "probe":
                self.upgrading = False
                return
            await ws.send(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
            await self.queue.put(eio_packet.Packet(eio_packet.NOOP))  # ends the open poll
            pkt = eio_packet.Packet(encoded_packet=await websocket_wait())
        except (OSError, ValueError):
            self.upgrading = False
            return
        if pkt.packet_type != eio_packet.UPGRADE:
            self.upgraded = False
            self.upgrading = False
            return
        self.upgraded = True
        self.upgrading = False

        # What engine.io queued so far goes first, in order; then every send is a direct write.
        # No await between the drain and switching over, so nothing can slip in between.
        while not self.queue.empty():
            queued = self.queue.get_nowait()
            self.queue.task_done()
            if queued is not None:
                encoded = queued.encode()
                writer.write(
                    text_frame(encoded.encode())
                    if isinstance(encoded, str)
                    else binary_frame(encoded)
                )
        self.direct = writer
        try:
            while True:
                # No per-read timeout task: a silent client is found by engine.io's ping timeout,
                # whose close() below closes the transport, which ends this read.
                try:
                    data = await websocket_wait()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    break
                if data is None:
                    break
                socketio_server = getattr(server, "oms_socketio", None)
                if isinstance(data, str) and socketio_server is not None:
                    # The same checks as on polling (polling.screen): malformed packets and
                    # packets before CONNECT close the socket.
                    try:
                        passed, refusals = screen(socketio_server, self.sid, data)
                    except PacketRefused as refused:
                        await ws.asgi_send(
                            {
                                "type": "websocket.close",
                                "code": CLOSE_POLICY_VIOLATION,
                                "reason": refused.message,
                            }
                        )
                        break
                    for refusal in refusals:
                        await self.send(eio_packet.Packet(eio_packet.MESSAGE, data=refusal))
                    if not passed:
                        continue
                try:
                    await self.receive(eio_packet.Packet(encoded_packet=data))
                except engineio.exceptions.UnknownPacketError:
                    pass
                except engineio.exceptions.SocketIsClosedError:
                    break
                except Exception:
                    server.logger.exception("Unknown receive error")
        finally:
            self.direct = None
        await ws.close()
        await self.close(wait=False, abort=True, reason=server.reason.TRANSPORT_CLOSE)

    async def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        writer = self.direct
        await super().close(wait=wait, abort=abort, reason=reason)
        if writer is not None and self.closed:
            # After engine.io's CLOSE packet (written first; close() flushes it) the websocket's
            # close frame, then the TCP close: this ends the websocket read in
            # _websocket_handler, which is waiting without a timeout.
            writer.write(close_frame(CLOSE_NORMAL))
            writer.transport.close()

    def schedule_ping(self) -> None:
        # engine.io runs a task per socket for this (a task, a coroutine and a future each
        # sleeping 25 s); a timer handle does the same with a fraction of the memory.
        if self.last_ping:
            self.last_ping = None
            asyncio.get_running_loop().call_later(self.server.ping_interval, self._ping)

    def _ping(self) -> None:
        if self.closing or self.closed:
            return
        self.last_ping = time.time()
        writer = self.direct
        if writer is not None:
            writer.write(_PING_FRAME)
        else:
            self.server.start_background_task(self.send, eio_packet.Packet(eio_packet.PING))


_PING_FRAME = text_frame(eio_packet.Packet(eio_packet.PING).encode().encode())


def adopt(socket: object) -> None:
    """Make a freshly created engine.io socket a DirectSocket (same layout, more behaviour)."""
    if type(socket) is AsyncSocket:
        socket.__class__ = DirectSocket


def writer_of(socket: object) -> DirectWriter | None:
    return getattr(socket, "direct", None)


class EngineLink:
    """A connection's link (`connections.Link`) through python-socketio."""

    __slots__ = ("eio_sid", "server", "sid")

    def __init__(self, server: socketio.AsyncServer, sid: str, eio_sid: str) -> None:
        self.server = server
        self.sid = sid
        self.eio_sid = eio_sid

    @property
    def direct(self) -> DirectWriter | None:
        return writer_of(self.server.eio.sockets.get(self.eio_sid))

    @property
    def transport_name(self) -> str:
        try:
            return str(self.server.transport(self.sid, "/"))
        except KeyError:
            return "closed"

    async def send(self, text: str) -> None:
        writer = self.direct
        if writer is not None:
            writer.write(message_frame(text))
        else:
            await self.server.eio.send(self.eio_sid, text)

    async def disconnect(self) -> None:
        await self.server.disconnect(self.sid)
