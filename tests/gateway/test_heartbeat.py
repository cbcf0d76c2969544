"""The shared heartbeat: every socket is called when its time comes, never before, once.

Time is a ManualClock moved by the test; `tick()` is what the heartbeat's task runs each
`resolution` seconds, so nothing here sleeps or depends on which of two timers fires first.
"""

from __future__ import annotations

from oms.clock import ManualClock
from oms.gateway.heartbeat import Heartbeat


class _Socket:
    def __init__(self, clock: ManualClock, *, fails: bool = False) -> None:
        self.clock = clock
        self.fails = fails
        self.called_at: list[float] = []

    def heartbeat(self) -> None:
        self.called_at.append(self.clock.monotonic())
        if self.fails:
            raise RuntimeError("a broken socket")


def _run_for(heartbeat: Heartbeat, clock: ManualClock, seconds: float) -> None:
    """What the heartbeat's task does over `seconds`: a tick every `resolution`."""
    for _ in range(round(seconds / heartbeat.resolution)):
        clock.advance(heartbeat.resolution)
        heartbeat.tick()


def test_sockets_are_called_once_when_due_never_before_in_order() -> None:
    clock = ManualClock()
    heartbeat = Heartbeat(interval=20, timeout=20, clock=clock)  # resolution 1 s
    early, late = _Socket(clock), _Socket(clock)
    start = clock.monotonic()
    heartbeat.call_in(7.5, late)
    heartbeat.call_in(3, early)
    assert len(heartbeat) == 2

    clock.advance(2.9)
    heartbeat.tick()
    assert early.called_at == late.called_at == []
    clock.advance(0.1)
    heartbeat.tick()
    assert early.called_at == [start + 3]  # due exactly now: called, not a resolution later
    _run_for(heartbeat, clock, 4)  # 7 s in: the late one's slot (8 s) has not come
    assert late.called_at == []
    _run_for(heartbeat, clock, 10)
    assert late.called_at == [start + 8]  # at most one resolution late, never early
    assert early.called_at == [start + 3]
    assert len(heartbeat) == 0


def test_a_socket_that_reschedules_itself_is_called_again() -> None:
    clock = ManualClock()
    heartbeat = Heartbeat(interval=4, timeout=4, clock=clock)  # resolution 1 s
    socket = _Socket(clock)
    start = clock.monotonic()

    def again() -> None:
        _Socket.heartbeat(socket)
        heartbeat.call_in(4, socket)

    socket.heartbeat = again  # type: ignore[method-assign]
    heartbeat.call_in(4, socket)
    _run_for(heartbeat, clock, 12)
    assert socket.called_at == [start + 4, start + 8, start + 12]


def test_a_failing_socket_does_not_stop_the_others() -> None:
    clock = ManualClock()
    heartbeat = Heartbeat(interval=4, timeout=4, clock=clock)
    broken, healthy, later = _Socket(clock, fails=True), _Socket(clock), _Socket(clock)
    heartbeat.call_in(1, broken)
    heartbeat.call_in(1, healthy)
    heartbeat.call_in(3, later)
    _run_for(heartbeat, clock, 4)
    assert [len(s.called_at) for s in (broken, healthy, later)] == [1, 1, 1]
    assert len(heartbeat) == 0
