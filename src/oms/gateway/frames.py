"""Socket.IO frames for events, encoded once per event and shared by every recipient.

A socket.io v4 EVENT packet on the default namespace is `2["name",{payload}]`; engine.io adds
its `4` (message) in front, and on websocket that is one text frame. Stock python-socketio encodes
the packet again for every recipient; here the JSON is produced once, and so is the finished
websocket frame (`ws_frame`), written as is to every websocket recipient. Notification events carry
the recipient's own inbox row as `id`, so their frame is the shared tail with a per-recipient head
spliced on (byte concatenation, no JSON work per recipient).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from oms.events.catalogue import is_per_recipient
from oms.events.envelope import PublishedEvent
from oms.gateway.websocket_frames import text_frame


@dataclass(frozen=True, slots=True)
class EventFrame:
    event_id: int
    # For shared events the whole socket.io packet; for per-recipient ones everything after
    # `{"id":N,`.
    text: str
    head: str | None = None
    # The websocket frame of a shared event; for per-recipient ones the engine.io message's bytes
    # before and after the id.
    shared_frame: bytes = b""
    head_bytes: bytes = b""
    tail_bytes: bytes = b""

    def for_inbox(self, inbox_id: int) -> str:
        """The socket.io packet for the recipient whose inbox row is `inbox_id`."""
        if self.head is None:
            return self.text
        return f'{self.head}{{"id":{inbox_id},{self.text}'

    def ws_frame(self, inbox_id: int) -> bytes:
        """The finished websocket frame (engine.io message) for that recipient."""
        if self.head is None:
            return self.shared_frame
        return text_frame(b"%b%d%b" % (self.head_bytes, inbox_id, self.tail_bytes))


def encode(event: PublishedEvent) -> EventFrame:
    name = orjson.dumps(event.name)
    if not is_per_recipient(event.name):
        body = b"2[%b,%b]" % (name, orjson.dumps(event.payload))
        return EventFrame(event.event_id, body.decode(), shared_frame=text_frame(b"4" + body))
    payload = {key: value for key, value in event.payload.items() if key != "id"}
    # Payloads always have the base fields, so the object is never empty and `[1:]` is safe.
    tail = orjson.dumps(payload)[1:] + b"]"
    head = b"2[%b," % name
    return EventFrame(
        event.event_id,
        tail.decode(),
        head=head.decode(),
        head_bytes=b"4" + head + b'{"id":',
        tail_bytes=b"," + tail,
    )
