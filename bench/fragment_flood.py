"""How long the gateway's websocket reader blocks the event loop on a flood of fragments (issue 9,
point 1). Run on demand: `uv run python bench/fragment_flood.py`.

The endpoint is fed the bytes a client would send on an open, unauthenticated websocket — a
first text fragment followed by N empty continuation frames, or a 4 MiB message in 64-byte
fragments — in 64 KiB reads, as a real socket delivers them. Each `data_received` call runs on the
event loop, so the longest one is the longest stall every other socket and REST call sees, and
their sum is the CPU the flood costs. `--no-caps` lifts the message and fragment caps to show
the reader's cost per byte alone (a 4 MiB message in 64-byte fragments, as the `websockets`
package is measured against).

To compare with another version, run this file with that version's `src` first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from websockets.frames import Frame, Opcode

from oms.gateway import websocket
from oms.gateway.websocket import GatewayWebSocket

READ_SIZE = 64 * 1024


class _Transport:
    """Just enough of an asyncio transport to be written to and closed."""

    def __init__(self) -> None:
        self.closed = False
        self.written = 0

    def write(self, data: bytes) -> None:
        self.written += len(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_write_buffer_size(self) -> int:
        return 0


class _ServerState:
    connections: set[Any] = set()  # noqa: RUF012


def frame(payload: bytes, opcode: Opcode, *, fin: bool) -> bytes:
    return Frame(opcode, payload, fin=fin).serialize(mask=True, extensions=[])


def empty_flood(count: int) -> bytes:
    return frame(b"4", Opcode.TEXT, fin=False) + frame(b"", Opcode.CONT, fin=False) * count


def large_message(size: int, piece: int = 64) -> bytes:
    payload = b"4" + b"x" * (size - 1)
    parts = [payload[start : start + piece] for start in range(0, size, piece)]
    data = [frame(parts[0], Opcode.TEXT, fin=False)]
    data += [frame(part, Opcode.CONT, fin=False) for part in parts[1:-1]]
    data.append(frame(parts[-1], Opcode.CONT, fin=True))
    return b"".join(data)


class _Endpoint(GatewayWebSocket):
    __slots__ = ()

    def _engine_packet(self, text: str) -> None:
        """What the endpoint does with a complete message is not measured here."""


def feed(data: bytes) -> dict[str, Any]:
    endpoint = _Endpoint(None, _ServerState(), {})
    transport = _Transport()
    endpoint.transport = transport  # type: ignore[assignment]
    endpoint._state = websocket._OPEN
    longest = total = 0.0
    reads = 0
    for start in range(0, len(data), READ_SIZE):
        if transport.closed:
            break
        began = time.perf_counter()
        endpoint.data_received(data[start : start + READ_SIZE])
        spent = time.perf_counter() - began
        longest, total, reads = max(longest, spent), total + spent, reads + 1
    return {
        "bytes": len(data),
        "reads": reads,
        "closed": transport.closed,
        "longest_block_ms": round(longest * 1000, 2),
        "total_ms": round(total * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-caps", action="store_true", help="lift the message/fragment caps")
    args = parser.parse_args()
    if args.no_caps:
        websocket.MAX_MESSAGE_BYTES = 1 << 30
        if hasattr(websocket, "MAX_FRAGMENTS"):
            websocket.MAX_FRAGMENTS = 1 << 30
    results: dict[str, Any] = {}
    for count in (2000, 4000, 8000):
        results[f"empty_continuations_{count}"] = feed(empty_flood(count))
    if args.no_caps:
        results["message_4MiB_in_64B_fragments"] = feed(large_message(4 << 20))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
