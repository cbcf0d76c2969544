"""RFC 6455 frames as a server sees them: frames it writes, and the client frames it reads.

Writing: a server frame is unmasked, so a finished frame is a header and the payload, built once
and written as is to every recipient.

Reading: `read_frames` takes the bytes received so far and returns the complete frames at their
start (payload unmasked) and the bytes of an incomplete frame left over. It is a pure function
over bytes, so a connection keeps no parser object between reads, only those left-over bytes
(almost always none). No extension is ever negotiated, so any RSV bit is a protocol error.
"""

from __future__ import annotations

import asyncio
import logging
from typing import NamedTuple

try:  # websockets' C helper; the same XOR in pure Python where it is not built.
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover
    from websockets.utils import apply_mask

OP_CONTINUATION = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA
_DATA_OPCODES = frozenset((OP_CONTINUATION, OP_TEXT, OP_BINARY))
_CONTROL_OPCODES = frozenset((OP_CLOSE, OP_PING, OP_PONG))

log = logging.getLogger(__name__)

# Unread bytes a client may have waiting before it is dropped (see write_or_drop).
MAX_BUFFERED_BYTES = 1 << 20

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_UNSUPPORTED_DATA = 1003
CLOSE_INVALID_PAYLOAD = 1007
CLOSE_POLICY_VIOLATION = 1008
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL_ERROR = 1011
CLOSE_SERVICE_RESTART = 1012


# Codes a peer may send in a close frame (RFC 6455 §7.4.1 and IANA's registry): 1004-1006 and
# 1015 are reserved never to be sent, 1016-2999 are for future standards, 3000-4999 for
# libraries and applications.
_SENDABLE_CODES = frozenset((1000, 1001, 1002, 1003, *range(1007, 1015)))


def close_answer(payload: bytes) -> tuple[int, str]:
    """The code (and reason) to answer a client's close frame with (RFC 6455 §5.5.1, §7.4).

    An empty payload has no code and is answered with 1000 (1005, "no status", is never sent);
    a one-byte payload, a code no one may send, or a reason that is not UTF-8 are protocol
    errors. A valid code is echoed back."""
    if not payload:
        return CLOSE_NORMAL, ""
    if len(payload) == 1:
        return CLOSE_PROTOCOL_ERROR, "close frame of one byte"
    code = int.from_bytes(payload[:2], "big")
    if code not in _SENDABLE_CODES and not 3000 <= code < 5000:
        return CLOSE_PROTOCOL_ERROR, f"close code {code} may not be sent"
    try:
        payload[2:].decode()
    except UnicodeDecodeError:
        return CLOSE_INVALID_PAYLOAD, "close reason is not UTF-8"
    return code, ""


class FrameError(Exception):
    """The client broke the protocol; the connection closes with `code`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Frame(NamedTuple):
    fin: bool
    opcode: int
    payload: bytes


def text_frame(payload: bytes) -> bytes:
    """An unmasked, unfragmented websocket text frame (server to client, RFC 6455 §5.2)."""
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return b"\x81\x7e" + size.to_bytes(2, "big") + payload
    return b"\x81\x7f" + size.to_bytes(8, "big") + payload


def binary_frame(payload: bytes) -> bytes:
    frame = text_frame(payload)
    return b"\x82" + frame[1:]


def control_frame(opcode: int, payload: bytes = b"") -> bytes:
    return bytes((0x80 | opcode, len(payload))) + payload


def close_frame(code: int, reason: str = "") -> bytes:
    return control_frame(OP_CLOSE, code.to_bytes(2, "big") + reason.encode()[:123])


def write_or_drop(transport: asyncio.WriteTransport, frame: bytes) -> bool:
    """Write a finished frame; drop the connection (False) when the client has stopped reading.

    Memory stays bounded: past `MAX_BUFFERED_BYTES` unread the socket is aborted; its client
    reconnects with `last_event_id` and replays what it missed from its inbox, so nothing is lost.
    """
    transport.write(frame)
    if transport.get_write_buffer_size() > MAX_BUFFERED_BYTES:
        log.warning("dropped a websocket that stopped reading (over %d bytes)", MAX_BUFFERED_BYTES)
        transport.abort()
        return False
    return True


def read_frames(data: bytes, max_size: int) -> tuple[list[Frame], bytes]:
    """The complete client frames at the start of `data`, and the bytes after them.

    Raises FrameError for anything RFC 6455 forbids a client, and for a frame whose payload is
    larger than `max_size` as soon as its header says so (before its bytes are buffered).
    """
    frames, position = parse_frames(data, 0, max_size, len(data))
    return frames, data[position:]


def parse_frames(
    data: bytes, position: int, max_size: int, max_frames: int
) -> tuple[list[Frame], int]:
    """Up to `max_frames` complete frames of `data` from `position`, and where they end.

    In batches, a reader can stop parsing as soon as a frame closes the connection: a read of
    thousands of tiny frames then costs what the frames up to the close cost, not the whole read.
    """
    frames: list[Frame] = []
    end = len(data)
    while end - position >= 2 and len(frames) < max_frames:
        first, second = data[position], data[position + 1]
        fin = bool(first & 0x80)
        opcode = first & 0x0F
        if first & 0x70:
            raise FrameError(CLOSE_PROTOCOL_ERROR, "reserved bits set without an extension")
        if not second & 0x80:
            raise FrameError(CLOSE_PROTOCOL_ERROR, "client frames must be masked")
        if opcode in _CONTROL_OPCODES:
            if not fin:
                raise FrameError(CLOSE_PROTOCOL_ERROR, "fragmented control frame")
        elif opcode not in _DATA_OPCODES:
            raise FrameError(CLOSE_PROTOCOL_ERROR, f"unknown opcode {opcode}")
        size = second & 0x7F
        header = 2
        if size == 126:
            header = 4
            if end - position < header:
                break
            size = int.from_bytes(data[position + 2 : position + 4], "big")
        elif size == 127:
            header = 10
            if end - position < header:
                break
            size = int.from_bytes(data[position + 2 : position + 10], "big")
        if opcode in _CONTROL_OPCODES and size > 125:
            raise FrameError(CLOSE_PROTOCOL_ERROR, "control frame over 125 bytes")
        if size > max_size:
            raise FrameError(CLOSE_TOO_BIG, f"frame over {max_size} bytes")
        start = position + header + 4
        if end < start + size:
            break
        if size:
            mask = data[position + header : start]
            frames.append(Frame(fin, opcode, apply_mask(data[start : start + size], mask)))
        else:
            frames.append(Frame(fin, opcode, b""))
        position = start + size
    return frames, position
