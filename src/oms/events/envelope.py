"""What travels from a commit to the gateways: the event and who it is for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class PublishedEvent:
    event_id: int
    name: str
    # The §4 payload; for notification events without the per-recipient `id`.
    payload: dict[str, Any]
    # (user id, inbox row id) for each recipient, in user id order.
    recipients: tuple[tuple[int, int], ...]

    def to_json(self) -> bytes:
        return orjson.dumps(
            {"i": self.event_id, "n": self.name, "p": self.payload, "r": self.recipients}
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> PublishedEvent:
        data = orjson.loads(raw)
        return cls(
            event_id=int(data["i"]),
            name=str(data["n"]),
            payload=data["p"],
            recipients=tuple((int(user), int(inbox)) for user, inbox in data["r"]),
        )
