"""What travels from a commit to the gateways: the event and who it is for."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import orjson


class Recipients(Sequence[tuple[int, int]]):
    """(user id, inbox row id) pairs kept as two flat lists of ints.

    A broadcast to thousands arrives from Redis as two JSON arrays; keeping them flat avoids one
    list and one tuple per recipient on decode, which made up most of the gateway's garbage
    collector work. Iteration yields the pairs (zip reuses its tuple), and it compares equal to
    the tuple of pairs it stands for.
    """

    __slots__ = ("inbox_ids", "user_ids")

    def __init__(self, user_ids: list[int], inbox_ids: list[int]) -> None:
        if len(user_ids) != len(inbox_ids):
            raise ValueError("recipients: as many inbox ids as user ids")
        self.user_ids = user_ids
        self.inbox_ids = inbox_ids

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.user_ids, self.inbox_ids, strict=True)

    def __len__(self) -> int:
        return len(self.user_ids)

    @overload
    def __getitem__(self, index: int) -> tuple[int, int]: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[tuple[int, int], ...]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return tuple(self)[index]
        return (self.user_ids[index], self.inbox_ids[index])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Recipients | tuple | list):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Recipients({tuple(self)!r})"


@dataclass(frozen=True, slots=True)
class PublishedEvent:
    event_id: int
    name: str
    # The §4 payload; for notification events without the per-recipient `id`.
    payload: dict[str, Any]
    # (user id, inbox row id) for each recipient, in user id order.
    recipients: Sequence[tuple[int, int]]

    def to_json(self) -> bytes:
        """The envelope: recipients as two parallel arrays, `u` (user ids) and `b` (inbox ids)."""
        if isinstance(self.recipients, Recipients):  # already flat (recorder, Redis)
            users, inboxes = self.recipients.user_ids, self.recipients.inbox_ids
        else:
            users = [user for user, _ in self.recipients]
            inboxes = [inbox for _, inbox in self.recipients]
        return orjson.dumps(
            {"i": self.event_id, "n": self.name, "p": self.payload, "u": users, "b": inboxes}
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> PublishedEvent:
        return from_envelope(orjson.loads(raw))


def _ints(values: object) -> list[int]:
    if not isinstance(values, list):
        raise ValueError("recipients must be arrays")
    if all(type(value) is int for value in values):
        return values
    return [int(value) for value in values]


def from_envelope(data: dict[str, Any]) -> PublishedEvent:
    """The event from a decoded envelope (`to_json`; also the older `r: [[user, inbox], ...]`)."""
    if "r" in data:
        pairs = data["r"]
        recipients = Recipients([int(u) for u, _ in pairs], [int(b) for _, b in pairs])
    else:
        recipients = Recipients(_ints(data["u"]), _ints(data["b"]))
    return PublishedEvent(
        event_id=int(data["i"]), name=str(data["n"]), payload=data["p"], recipients=recipients
    )
