"""engine.io's heartbeat for every socket of the gateway's websocket endpoint, on one timer.

A timer per socket (asyncio's `call_later`) costs, under uvloop, a TimerHandle, a libuv timer, a
copied context and a bound method per socket: a quarter of the objects a connected socket owns,
all walked by every full garbage collection. Here sockets wait in time slots (a dict of lists);
one task wakes every `resolution` seconds and calls `heartbeat()` on the sockets whose slot is due.
A socket is in one slot at a time, and a closed one simply does nothing when its slot comes.

Time comes from a `Clock` (oms.clock): tests pass a ManualClock, move it and call `tick()`, so
the heartbeat is tested without sleeping and without a race between two real timers.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Protocol, cast

from oms.clock import SYSTEM_CLOCK, Clock
from oms.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class Beating(Protocol):
    def heartbeat(self) -> None:
        """Its slot is due: write a ping, or close if the last one was not answered."""
        ...


class Heartbeat:
    def __init__(self, interval: float, timeout: float, clock: Clock = SYSTEM_CLOCK) -> None:
        self.interval = interval
        self.timeout = timeout
        self.clock = clock
        # Pings may come up to one resolution late: a small share of the interval.
        self.resolution = min(1.0, min(interval, timeout) / 4)
        self._slots: dict[int, list[Beating]] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="oms-heartbeat")

    async def stop(self) -> None:
        await cancel_and_wait([self._task])
        self._task = None
        self._slots.clear()

    def call_in(self, seconds: float, socket: Beating) -> None:
        """Call `socket.heartbeat()` about `seconds` from now."""
        due = self.clock.monotonic() + seconds
        slot = math.ceil(due / self.resolution)  # never early
        self._slots.setdefault(slot, []).append(socket)

    def _fire(self, socket: Beating) -> None:
        socket.heartbeat()

    def __len__(self) -> int:
        return sum(len(sockets) for sockets in self._slots.values())

    def tick(self) -> None:
        """Call every socket whose slot is due by the clock (in slot order)."""
        now = math.floor(self.clock.monotonic() / self.resolution)
        for slot in sorted(slot for slot in self._slots if slot <= now):
            for socket in self._slots.pop(slot):
                try:
                    self._fire(socket)
                except Exception:
                    # One socket's failure must not stop the heartbeat of all the others.
                    log.exception("heartbeat failed for a socket")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.resolution)
            self.tick()


class Unconnected(Protocol):
    def connect_deadline(self) -> None:
        """Its CONNECT deadline has come: close unless it has connected (or is connecting)."""
        ...


class ConnectDeadlines(Heartbeat):
    """The same time slots for the socket.io CONNECT deadline (issue 9): an engine.io socket
    must CONNECT (authenticate) within `seconds` of opening, or it is closed. Without it a client
    that answers pings but never authenticates holds a socket for as long as it likes."""

    def __init__(self, seconds: float, clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__(seconds, seconds, clock)

    def _fire(self, socket: Beating) -> None:
        cast(Unconnected, socket).connect_deadline()
