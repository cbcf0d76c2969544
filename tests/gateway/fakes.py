"""Stand-ins for the unit tests of the gateway's writers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RecordingTransport:
    """The part of an asyncio transport the frame writers use; records what is written."""

    buffered: int = 0
    written: list[bytes] = field(default_factory=list)
    aborted: bool = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def is_closing(self) -> bool:
        return self.aborted

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def abort(self) -> None:
        self.aborted = True
