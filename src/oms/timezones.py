"""IANA time zones: which names are real, and local dates and times of a place.

Branch dates and times (appointments, schedules, reminders) are wall-clock times in the branch's
zone (DESIGN §3); instants are stored and sent in UTC. These helpers turn one into the other.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from oms.clock import Clock


@functools.cache
def _known_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_timezone(name: str) -> bool:
    # Membership in the system's list refuses typos and path-like keys alike, without reading
    # a file for every bad name a client sends.
    return name in _known_names() or name == "UTC"


@functools.cache
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_now(name: str, clock: Clock) -> datetime:
    """The wall-clock time now in zone `name` (aware)."""
    return clock.now().astimezone(zone(name))


def local_today(name: str, clock: Clock) -> date:
    return local_now(name, clock).date()


def instant(name: str, day: date, at: time) -> datetime:
    """The aware instant of wall-clock `day` `at` in zone `name` (earlier fold on DST overlaps)."""
    return datetime.combine(day, at, tzinfo=zone(name))
