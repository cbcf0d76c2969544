"""The loop that works the timeline: every tick it sends the reminders that are due and
announces the orders that became late. It keeps no state of its own — each tick asks the
database — so any number of processes may run it, and a restarted one catches up at once.

Tests call `tick()` with a ManualClock; `run()` only adds the waiting between ticks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from oms.clock import Clock
from oms.db.database import Database
from oms.reminder_offsets import ReminderOffset
from oms.runtime import Runtime
from oms.timeline.lateness import announce_late_orders
from oms.timeline.reminders import send_due_reminders

log = logging.getLogger("oms.timeline")


@dataclass(frozen=True, slots=True)
class TickResult:
    reminders: int
    late_orders: int


class TimelineLoop:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        offsets: Sequence[ReminderOffset],
        *,
        interval_seconds: float = 30.0,
    ) -> None:
        self.database = database
        self.clock = clock
        self.offsets = tuple(offsets)
        self.interval_seconds = interval_seconds
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> TickResult:
        reminders = await send_due_reminders(self.database, self.clock, self.offsets)
        late = await announce_late_orders(self.database, self.clock)
        return TickResult(reminders, late)

    async def run(self) -> None:
        """Tick at once (catching up on what fell due while no worker ran), then every
        interval until stopped. A failed tick is logged and the next one tries again."""
        while not self._stopping.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("timeline tick failed; retrying at the next tick")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval_seconds)

    def request_stop(self) -> None:
        self._stopping.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="oms-timeline")

    async def stop(self) -> None:
        """Let the tick in hand finish (a cut-off transaction would only be rolled back, but a
        finished one is cleaner), then return."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None


def timeline_for(runtime: Runtime) -> TimelineLoop:
    settings = runtime.settings
    return TimelineLoop(
        runtime.database,
        runtime.clock,
        settings.reminder_offset_list,
        interval_seconds=settings.timeline_tick_seconds,
    )
