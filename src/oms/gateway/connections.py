"""The sockets connected to this node, indexed by socket and by user.

Per-connection state is kept small (one slotted object, no task, no queue of its own). How frames
reach the client is the connection's `link`: the gateway's own websocket endpoint
(`websocket.GatewayWebSocket`) or, for polling clients, python-socketio (`EngineLink`).

`last_event_id` is the highest event this socket has been sent (or was told it has, by
`auth.last_event_id`): delivery only ever sends ids above it, which makes live delivery, replay and
gap filling idempotent per socket. While `pending` is a list the socket is starting (replaying its
inbox): live frames wait there and are flushed, in order, when the replay is done.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from oms.cluster import PRESENCE_ROLES
from oms.domain.actors import Actor


class FrameWriter(Protocol):
    def write(self, frame: bytes) -> bool:
        """Write a finished websocket frame now; False when the connection is going away."""
        ...


class Link(Protocol):
    """The transport side of one connected socket."""

    @property
    def direct(self) -> FrameWriter | None:
        """Where finished websocket frames can be written synchronously; None through
        python-socketio (polling, and its upgrades)."""
        ...

    @property
    def transport_name(self) -> str: ...

    async def send(self, text: str) -> None:
        """Send one socket.io packet, whatever the transport."""
        ...

    async def disconnect(self) -> None:
        """Disconnect the socket from the server side (socket.io DISCONNECT, then close)."""
        ...


@dataclass(slots=True, eq=False)
class Connection:
    sid: str
    actor: Actor
    channels: set[str]
    link: Link
    # When the token it connected with expires (epoch seconds); the gateway then drops it.
    expires_at: float = float("inf")
    last_event_id: int = 0
    pending: list[tuple[int, str]] | None = field(default_factory=list)
    connected_at: float = field(default_factory=time.time)
    closed: bool = False
    # The token it connected with: its id (log-out revokes one token) and the user's token
    # version it was issued under (a revocation of all the user's tokens names the lowest valid).
    token_id: str = ""
    token_version: int = 0

    @property
    def user_id(self) -> int:
        return self.actor.id


# Staff members and optometrists: whom presence (DESIGN §12) is about. Their sockets are also kept
# apart, so presence, which reads them every second, never walks 100,000 customers' sockets.


class Registry:
    def __init__(self) -> None:
        self.by_sid: dict[str, Connection] = {}
        self.by_user: dict[int, list[Connection]] = {}
        self.staff: dict[str, Connection] = {}  # the sockets of PRESENCE_ROLES, by sid

    def add(self, connection: Connection) -> None:
        self.by_sid[connection.sid] = connection
        self.by_user.setdefault(connection.user_id, []).append(connection)
        if connection.actor.role in PRESENCE_ROLES:
            self.staff[connection.sid] = connection

    def remove(self, sid: str) -> Connection | None:
        connection = self.by_sid.pop(sid, None)
        if connection is None:
            return None
        connection.closed = True
        self.staff.pop(sid, None)
        siblings = self.by_user.get(connection.user_id, [])
        if connection in siblings:
            siblings.remove(connection)
        if not siblings:
            self.by_user.pop(connection.user_id, None)
        return connection

    def get(self, sid: str) -> Connection | None:
        return self.by_sid.get(sid)

    def of_user(self, user_id: int) -> list[Connection]:
        return self.by_user.get(user_id, [])

    def __len__(self) -> int:
        return len(self.by_sid)

    def all(self) -> list[Connection]:
        return list(self.by_sid.values())

    def staff_rows(self) -> list[dict[str, object]]:
        """The rows (`describe`) of staff members' and optometrists' sockets only."""
        return [describe(connection) for connection in self.staff.values()]


def describe(connection: Connection) -> dict[str, object]:
    """One row of GET /connections."""
    actor = connection.actor
    return {
        "socket_id": connection.sid,
        "user_id": actor.id,
        "name": actor.name,
        "role": actor.role,
        "branch_ids": sorted(actor.branch_ids),
        "transport": connection.link.transport_name,
        "channels": sorted(connection.channels),
        "connected_at": datetime.fromtimestamp(connection.connected_at, UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        "last_event_id": connection.last_event_id,
    }
