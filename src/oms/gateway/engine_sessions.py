"""python-socketio's engine.io sessions (polling clients) as the gateway counts and times them.

A session counts against the socket caps (`capacity.py`) from the handshake that opened it until
it is known to be over, and it must CONNECT (socket.io) within the deadline, as on the websocket
endpoint. All of it is learnt through public means (issue 14, point 1):

- the handshake: `polling.PollingGuard` reads the engine.io OPEN packet it passes to the client
  and calls `opened`;
- a socket.io connection refused, or ended while its engine.io session stays open (a socket.io
  DISCONNECT): python-socketio's public `connect` / `disconnect` handlers (`gateway.py`) call
  `connect_again`, which gives the session a fresh deadline;
- a session that ended: the `disconnect` handler calls `ended` when engine.io is closing it; a
  session that ended before any socket.io connection, or while its CONNECT was still being
  authenticated (python-socketio then calls no handler), is found at its deadline, which every
  session not connected has — so nothing stays counted for longer than the deadline.

One timer per session at most (re-arming cancels the previous one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import socketio

from oms.gateway.capacity import SocketCapacity

_NAMESPACE = "/"


class EngineSessions:
    def __init__(
        self,
        server: socketio.AsyncServer,
        capacity: SocketCapacity,
        deadline_seconds: float,
        spawn: Callable[[Coroutine[Any, Any, None]], None],
    ) -> None:
        self.server = server
        self.capacity = capacity
        self.deadline_seconds = deadline_seconds
        self.spawn = spawn
        self.addresses: dict[str, str] = {}
        self._deadlines: dict[str, asyncio.TimerHandle] = {}
        self._stopped = False

    def __len__(self) -> int:
        return len(self.addresses)

    def opened(self, eio_sid: str, address: str) -> None:
        """A handshake opened this session for a client at `address`."""
        if eio_sid in self.addresses:
            return
        self.addresses[eio_sid] = address
        self.capacity.add(address)
        self.connect_again(eio_sid)

    def connect_again(self, eio_sid: str) -> None:
        """The session must (again) CONNECT within the deadline, or it is closed."""
        if eio_sid not in self.addresses or self._stopped:
            return
        previous = self._deadlines.pop(eio_sid, None)
        if previous is not None:
            previous.cancel()
        self._deadlines[eio_sid] = asyncio.get_running_loop().call_later(
            self.deadline_seconds, self._due, eio_sid
        )

    def _due(self, eio_sid: str) -> None:
        self._deadlines.pop(eio_sid, None)
        if self.connected(eio_sid):
            return  # connected (or its CONNECT is being authenticated: see connect_again)
        self.spawn(self.close(eio_sid))

    def connected(self, eio_sid: str) -> bool:
        return self.server.manager.sid_from_eio_sid(eio_sid, _NAMESPACE) is not None

    def is_open(self, eio_sid: str) -> bool:
        """The engine.io session exists and is not closing."""
        socket = self.server.eio.sockets.get(eio_sid)
        return socket is not None and not socket.closing and not socket.closed

    async def close(self, eio_sid: str) -> None:
        """Close the session now: its CLOSE packet goes to a waiting GET (or the next one, or down
        an upgraded websocket), without waiting for it to be taken, as `eio.disconnect` would.
        It stops counting first, so a client told of the close can open a new session at once."""
        self.ended(eio_sid)
        socket = self.server.eio.sockets.get(eio_sid)
        if socket is not None and not socket.closed and not socket.closing:
            await socket.close(
                wait=False, abort=False, reason=self.server.eio.reason.SERVER_DISCONNECT
            )

    def ended(self, eio_sid: str) -> None:
        """The session is over: it no longer counts."""
        deadline = self._deadlines.pop(eio_sid, None)
        if deadline is not None:
            deadline.cancel()
        address = self.addresses.pop(eio_sid, None)
        if address is not None:
            self.capacity.remove(address)

    def stop(self) -> None:
        """No more deadlines: the gateway is stopping (python-socketio closes every session)."""
        self._stopped = True
        for deadline in self._deadlines.values():
            deadline.cancel()
        self._deadlines.clear()
