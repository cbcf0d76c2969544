"""Polling clients (and polling clients that upgrade) through python-socketio's public API only.

Websocket clients reach the gateway's own endpoint (`websocket.py`) and never come here. What does
come here: polling clients, and polling clients that upgrade to websocket. They are served by
stock python-socketio / python-engineio, driven only through what those libraries publish:

- `socketio.AsyncServer` as is (no subclass), with the public `connect(sid, environ, auth)` and
  `disconnect(sid, reason)` handlers (`gateway.py`);
- sends through `AsyncServer.eio.send` (one socket.io packet as an engine.io MESSAGE), server-side
  disconnects through `AsyncServer.disconnect`;
- everything else — the socket caps, the CONNECT deadline, packet screening, the close frame of an
  upgraded socket — in an ASGI layer in front of python-socketio's app (`polling.PollingGuard`),
  which sees the engine.io wire protocol and nothing of the libraries' insides.

Decision (issue 14, point 1): this module used to change the class of every engine.io socket,
override python-engineio's private websocket handler and ping scheduling, read uvicorn's protocol
internals to write finished frames straight to the transport, and `gateway.py` overrode
python-socketio's private engine.io connect and disconnect hooks. Those speed-ups served only
polling clients that upgrade (every OMS client opens a websocket first, and the gateway's endpoint
serves it), while they tied the gateway to the exact private code of three libraries. They are
gone: an upgraded socket now gets engine.io's own per-socket queue and writer task, and an event
is encoded per recipient by python-engineio. The figures before and after are in the branch's
note (`h14t`).
"""

from __future__ import annotations

import socketio

from oms.gateway.connections import FrameWriter


class EngineLink:
    """A connection's link (`connections.Link`) through python-socketio."""

    __slots__ = ("eio_sid", "server", "sid")

    def __init__(self, server: socketio.AsyncServer, sid: str, eio_sid: str) -> None:
        self.server = server
        self.sid = sid
        self.eio_sid = eio_sid

    @property
    def direct(self) -> FrameWriter | None:
        """Never: python-engineio writes every packet itself (its queue, on both transports)."""
        return None

    @property
    def transport_name(self) -> str:
        try:
            return str(self.server.transport(self.sid, "/"))
        except KeyError:
            return "closed"

    async def send(self, text: str) -> None:
        await self.server.eio.send(self.eio_sid, text)

    async def disconnect(self) -> None:
        await self.server.disconnect(self.sid)
