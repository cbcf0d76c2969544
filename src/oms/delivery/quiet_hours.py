"""Quiet hours: a daily window in the user's own time zone when only urgent news is sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oms.domain.errors import InvalidField

_HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # across midnight, e.g. 22:00-07:00

    def ends_after(self, moment: datetime) -> datetime:
        """The first end of quiet hours after `moment` (a wall-clock time, so DST is respected)."""
        local = moment.astimezone(self.zone)
        end = datetime.combine(local.date(), self.end, tzinfo=self.zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=self.zone)
        return end


def parse_clock_time(field: str, value: str) -> time:
    match = _HH_MM.match(value)
    if match is None:
        raise InvalidField(field, "must be a time of day as HH:MM (00:00 to 23:59)")
    return time(int(match[1]), int(match[2]))


def check_timezone(field: str, name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidField(field, "must be an IANA time zone name like Asia/Manila") from None
    return name


def parse_quiet_hours(start: str, end: str, timezone: str) -> QuietHours:
    quiet = QuietHours(
        parse_clock_time("quiet_hours.start", start),
        parse_clock_time("quiet_hours.end", end),
        check_timezone("quiet_hours.timezone", timezone),
    )
    if quiet.start == quiet.end:
        raise InvalidField("quiet_hours.end", "must differ from start")
    return quiet
