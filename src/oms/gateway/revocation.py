"""Closing revoked sockets on this node (DESIGN §13).

A revocation is committed as a `session.revoked` control event (oms.domain.sessions); the
dispatcher hands it here in event-id order, so a socket is closed before any event committed after
its revocation could be written to it. Every node gets the event (the bus, or the table on the
next tick), and closes its own sockets of that user.

A socket can read its user from the database just before the revocation commits and be registered
just after this node handled the event. `Revocations` remembers what it has heard, and the
gateway checks a new connection against it before registering it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson

from oms.gateway.connections import Connection

REVOKED_REASON = "revoked"
# Sent just before the socket.io DISCONNECT, which carries no reason of its own: clients learn
# why they were disconnected (and that reconnecting with the same token is pointless).
DISCONNECT_REASON_EVENT = "disconnect_reason"
# How long a revocation is remembered for connects that raced it (far longer than a connect takes).
_REMEMBER_SECONDS = 300.0


def reason_packet(reason: str, message: str) -> str:
    """The socket.io EVENT packet `2["disconnect_reason",{reason,message}]`."""
    body = orjson.dumps([DISCONNECT_REASON_EVENT, {"reason": reason, "message": message}])
    return "2" + body.decode()


class Revocations:
    """What this node has heard revoked lately, by user."""

    def __init__(self) -> None:
        self._min_version: dict[int, int] = {}
        self._tokens: dict[str, float] = {}

    def note(self, payload: Mapping[str, Any]) -> int:
        """Remember a `session.revoked` payload; returns its user id."""
        user_id = int(payload["user_id"])
        min_version = payload.get("min_version")
        if isinstance(min_version, int):
            self._min_version[user_id] = max(min_version, self._min_version.get(user_id, 0))
        token_id = payload.get("token_id")
        if isinstance(token_id, str):
            now = time.monotonic()
            self._tokens = {t: at for t, at in self._tokens.items() if at > now - _REMEMBER_SECONDS}
            self._tokens[token_id] = now
        return user_id

    def revokes(self, connection: Connection) -> bool:
        minimum = self._min_version.get(connection.user_id)
        if minimum is not None and connection.token_version < minimum:
            return True
        return connection.token_id in self._tokens
