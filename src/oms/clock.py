"""The single source of "now" for code that decides by the clock.

Production code takes a `Clock` from its caller (the runtime holds a `SystemClock`); tests pass a
`ManualClock` and move it instead of sleeping, so reminders, quiet hours, retries and heartbeats
are tested without waiting and without depending on which of two timers fires first.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for intervals and timeouts)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that moves only when told to (tests)."""

    def __init__(self, start: datetime | None = None) -> None:
        moment = start or datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
        if moment.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = moment.astimezone(UTC)
        self._monotonic = 1_000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, delta: timedelta | float) -> None:
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        if seconds < 0:
            raise ValueError("a clock never goes back")
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("ManualClock.set needs a timezone-aware instant")
        self.advance(moment.astimezone(UTC) - self._now)


SYSTEM_CLOCK = SystemClock()
