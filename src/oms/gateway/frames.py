"""Socket.IO frames for events, encoded once per event and shared by every recipient.

A socket.io v4 EVENT packet on the default namespace is `2["name",{payload}]`; engine.io adds
its `4` (message) in front. Stock python-socketio encodes the packet again for every recipient;
here the JSON is produced once. Notification events carry the recipient's own inbox row as `id`,
so their frame is the shared tail with a per-recipient head spliced on (string concatenation,
no JSON work per recipient).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from oms.events.catalogue import is_per_recipient
from oms.events.envelope import PublishedEvent


@dataclass(frozen=True, slots=True)
class EventFrame:
    event_id: int
    # For shared events the whole frame; for per-recipient ones everything after `{"id":N,`.
    text: str
    head: str | None = None

    def for_inbox(self, inbox_id: int) -> str:
        """The frame for the recipient whose inbox row is `inbox_id`."""
        if self.head is None:
            return self.text
        return f'{self.head}{{"id":{inbox_id},{self.text}'


def encode(event: PublishedEvent) -> EventFrame:
    name = orjson.dumps(event.name).decode()
    if not is_per_recipient(event.name):
        body = orjson.dumps(event.payload).decode()
        return EventFrame(event.event_id, f"2[{name},{body}]")
    payload = {key: value for key, value in event.payload.items() if key != "id"}
    # Payloads always have the base fields, so the object is never empty and `[1:]` is safe.
    tail = orjson.dumps(payload).decode()[1:]
    return EventFrame(event.event_id, f"{tail}]", head=f"2[{name},")
