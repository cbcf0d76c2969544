"""`REMINDER_OFFSETS`: how long before an appointment each reminder goes out ("24h,2h")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_OFFSET = re.compile(r"^(\d{1,4})([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
LONGEST = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class ReminderOffset:
    label: str  # as written in the setting: the `offset` of the event and of the sent record
    delta: timedelta


def parse_offsets(text: str) -> tuple[ReminderOffset, ...]:
    """ "24h,2h" -> the offsets, longest first. Empty means no reminders. Raises ValueError with a
    sentence naming the bad part."""
    offsets: dict[timedelta, ReminderOffset] = {}
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        match = _OFFSET.match(part)
        if match is None:
            raise ValueError(f"{part!r} is not an offset like 24h, 90m or 2d")
        delta = timedelta(**{_UNITS[match[2]]: int(match[1])})
        if not timedelta(0) < delta <= LONGEST:
            raise ValueError(f"{part!r} must be more than 0 and at most 30 days")
        if delta in offsets:
            raise ValueError(f"{part!r} repeats {offsets[delta].label!r}")
        offsets[delta] = ReminderOffset(part, delta)
    return tuple(sorted(offsets.values(), key=lambda offset: offset.delta, reverse=True))
