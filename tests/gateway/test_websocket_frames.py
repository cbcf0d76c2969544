"""The pure parts of the gateway's websocket endpoint: reading client frames, socket.io packets."""

from __future__ import annotations

import os
import random

import pytest
from websockets.frames import Frame as PeerFrame
from websockets.frames import Opcode

from oms.gateway import socketio_packets as sio
from oms.gateway.websocket_frames import (
    CLOSE_PROTOCOL_ERROR,
    CLOSE_TOO_BIG,
    OP_BINARY,
    OP_CLOSE,
    OP_CONTINUATION,
    OP_PING,
    OP_TEXT,
    Frame,
    FrameError,
    close_answer,
    close_frame,
    read_frames,
)


def peer_frame(payload: bytes, opcode: int = OP_TEXT, *, fin: bool = True) -> bytes:
    """A masked client frame built by an independent encoder (the `websockets` package)."""
    return PeerFrame(Opcode(opcode), payload, fin=fin).serialize(mask=True, extensions=[])


def client_frame(
    payload: bytes, opcode: int = OP_TEXT, *, fin: bool = True, masked: bool = True, rsv: int = 0
) -> bytes:
    """A frame as a client writes it (RFC 6455 §5.2), masked with a random key."""
    first = (0x80 if fin else 0) | rsv | opcode
    size = len(payload)
    mask_bit = 0x80 if masked else 0
    if size < 126:
        header = bytes((first, mask_bit | size))
    elif size < 65536:
        header = bytes((first, mask_bit | 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((first, mask_bit | 127)) + size.to_bytes(8, "big")
    if not masked:
        return header + payload
    key = os.urandom(4)
    return header + key + bytes(byte ^ key[i % 4] for i, byte in enumerate(payload))


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536])
def test_a_masked_frame_of_any_length_is_read_and_unmasked(size: int) -> None:
    payload = os.urandom(size)
    assert read_frames(client_frame(payload, OP_BINARY), 1 << 20) == (
        [Frame(True, OP_BINARY, payload)],
        b"",
    )


def test_frames_of_an_independent_encoder_are_read_as_it_wrote_them() -> None:
    generator = random.Random(9)
    sent: list[Frame] = []
    for _ in range(300):
        opcode = generator.choice([OP_TEXT, OP_BINARY, OP_CONTINUATION, OP_PING, OP_CLOSE])
        control = opcode in (OP_PING, OP_CLOSE)
        size = generator.choice([0, 1, 2, 125] if control else [0, 1, 125, 126, 127, 65535, 65536])
        fin = True if control else generator.random() < 0.5
        sent.append(Frame(fin, opcode, generator.randbytes(size)))
    data = b"".join(peer_frame(frame.payload, frame.opcode, fin=frame.fin) for frame in sent)
    received: list[Frame] = []
    rest = b""
    # Fed in uneven pieces, as TCP may deliver them.
    for start in range(0, len(data), 7919):
        frames, rest = read_frames(rest + data[start : start + 7919], 1 << 20)
        received += frames
    assert (received, rest) == (sent, b"")


@pytest.mark.parametrize(
    ("payload", "answer"),
    [
        (b"", 1000),
        (b"\x03", 1002),
        *((code.to_bytes(2, "big"), code) for code in (1000, 1001, 1003, 1007, 1011, 3000, 4999)),
        *(
            (code.to_bytes(2, "big"), 1002)
            for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535)
        ),
        (b"\x03\xe8bye", 1000),
        (b"\x03\xe8\xff\xfe", 1007),
    ],
)
def test_a_close_frame_is_answered_with_its_code_or_the_error_it_makes(
    payload: bytes, answer: int
) -> None:
    assert close_answer(payload)[0] == answer
    # Read from what an independent encoder wrote, the payload is the same.
    (frame,), _ = read_frames(peer_frame(payload, OP_CLOSE), 125)
    assert frame.payload == payload


def test_codes_that_mean_no_close_frame_are_never_answered() -> None:
    answers = {close_answer(code.to_bytes(2, "big"))[0] for code in range(65536)}
    assert answers.isdisjoint({1005, 1006, 1015})


def test_frames_split_anywhere_are_read_once_complete() -> None:
    data = client_frame(b"4" + b"x" * 300) + client_frame(b"3") + client_frame(b"end")
    for cut in range(len(data) + 1):
        frames, rest = read_frames(data[:cut], 1 << 20)
        more, left = read_frames(rest + data[cut:], 1 << 20)
        assert [frame.payload for frame in frames + more] == [b"4" + b"x" * 300, b"3", b"end"]
        assert left == b""


def test_fragments_and_control_frames_keep_their_flags() -> None:
    data = (
        client_frame(b"he", fin=False)
        + client_frame(b"", OP_PING)
        + client_frame(b"llo", OP_CONTINUATION)
    )
    frames, _ = read_frames(data, 100)
    assert frames == [
        Frame(False, OP_TEXT, b"he"),
        Frame(True, OP_PING, b""),
        Frame(True, OP_CONTINUATION, b"llo"),
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (client_frame(b"hi", masked=False), CLOSE_PROTOCOL_ERROR),
        (client_frame(b"hi", rsv=0x40), CLOSE_PROTOCOL_ERROR),
        (client_frame(b"hi", opcode=0x3), CLOSE_PROTOCOL_ERROR),
        (client_frame(b"", opcode=OP_PING, fin=False), CLOSE_PROTOCOL_ERROR),
        (client_frame(b"x" * 126, opcode=OP_CLOSE), CLOSE_PROTOCOL_ERROR),
        (client_frame(b"x" * 101), CLOSE_TOO_BIG),
    ],
    ids=["unmasked", "reserved-bit", "unknown-opcode", "fragmented-ping", "long-close", "too-big"],
)
def test_what_a_client_may_not_send_is_a_frame_error(data: bytes, code: int) -> None:
    with pytest.raises(FrameError) as raised:
        read_frames(data, 100)
    assert raised.value.code == code


def test_a_too_big_frame_is_refused_from_its_header_before_its_payload_arrives() -> None:
    header_only = client_frame(b"x" * 70000)[:14]
    with pytest.raises(FrameError) as raised:
        read_frames(header_only, 16 * 1024)
    assert raised.value.code == CLOSE_TOO_BIG


def test_close_frame_carries_the_code_and_reason() -> None:
    assert close_frame(1000) == b"\x88\x02\x03\xe8"
    assert close_frame(1009, "big") == b"\x88\x05\x03\xf1big"


@pytest.mark.parametrize(
    ("text", "packet"),
    [
        ("0", sio.ClientPacket(sio.CONNECT, "/", None, None)),
        ('0{"token":"t"}', sio.ClientPacket(sio.CONNECT, "/", None, {"token": "t"})),
        ("0/admin,", sio.ClientPacket(sio.CONNECT, "/admin", None, None)),
        ("1", sio.ClientPacket(sio.DISCONNECT, "/", None, None)),
        ('2["leave","role.x"]', sio.ClientPacket(sio.EVENT, "/", None, ["leave", "role.x"])),
        ('217["join","branch.1"]', sio.ClientPacket(sio.EVENT, "/", 17, ["join", "branch.1"])),
        ('2/x,3["a"]', sio.ClientPacket(sio.EVENT, "/x", 3, ["a"])),
        ("3", sio.ClientPacket(sio.ACK, "/", None, None)),
    ],
)
def test_client_packets_parse(text: str, packet: sio.ClientPacket) -> None:
    assert sio.parse(text) == packet


@pytest.mark.parametrize(
    "text",
    [
        "",
        "9",
        "x",
        "abc",
        '51-["a",{"_placeholder":true,"num":0}]',
        "2[bad",
        "2{}",
        "2abc[]",
        "2[]",
        "2[1]",
        '2["connect"]',
        '0"token"',
        '1{"x":1}',
        "3{}",
        '4{"message":"x"}',
    ],
)
def test_what_is_not_a_packet_this_server_accepts_is_refused(text: str) -> None:
    with pytest.raises(sio.PacketError):
        sio.parse(text)


def test_server_packets_are_finished_engineio_messages() -> None:
    assert sio.connect("abc") == b'40{"sid":"abc"}'
    assert sio.ack(5, {"ok": True}) == b'435[{"ok":true}]'
    assert sio.connect_error({"message": "no"}, "/admin") == b'44/admin,{"message":"no"}'
    assert sio.disconnect() == b"41"
