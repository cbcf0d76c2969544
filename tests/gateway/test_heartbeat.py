"""The shared heartbeat: every socket is called when its time comes, never before."""

from __future__ import annotations

import asyncio

from oms.gateway.heartbeat import Heartbeat


class _Socket:
    def __init__(self, loop: asyncio.AbstractEventLoop, *, fails: bool = False) -> None:
        self.loop = loop
        self.fails = fails
        self.called_at: list[float] = []

    def heartbeat(self) -> None:
        self.called_at.append(self.loop.time())
        if self.fails:
            raise RuntimeError("a broken socket")


async def test_sockets_are_called_after_their_delay_in_order_and_once() -> None:
    loop = asyncio.get_running_loop()
    heartbeat = Heartbeat(interval=0.2, timeout=0.2)  # resolution 0.05 s
    heartbeat.start()
    try:
        early, late = _Socket(loop), _Socket(loop)
        start = loop.time()
        heartbeat.call_in(0.3, late)
        heartbeat.call_in(0.1, early)
        assert len(heartbeat) == 2
        await asyncio.sleep(0.6)
        assert len(early.called_at) == len(late.called_at) == 1
        assert 0.1 <= early.called_at[0] - start < 0.1 + 3 * heartbeat.resolution
        assert 0.3 <= late.called_at[0] - start < 0.3 + 3 * heartbeat.resolution
        assert len(heartbeat) == 0
    finally:
        await heartbeat.stop()


async def test_a_failing_socket_does_not_stop_the_others() -> None:
    loop = asyncio.get_running_loop()
    heartbeat = Heartbeat(interval=0.1, timeout=0.1)
    heartbeat.start()
    try:
        broken, healthy, later = _Socket(loop, fails=True), _Socket(loop), _Socket(loop)
        heartbeat.call_in(0.05, broken)
        heartbeat.call_in(0.05, healthy)
        heartbeat.call_in(0.2, later)
        await asyncio.sleep(0.4)
        assert [len(s.called_at) for s in (broken, healthy, later)] == [1, 1, 1]
    finally:
        await heartbeat.stop()
