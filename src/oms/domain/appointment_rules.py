"""The rules of an appointment that need no database: its status machine, its times, overlap.

Kept pure so the whole machine is unit-tested in one table, and the services only ask questions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, get_args

from oms.domain.errors import InvalidField, InvalidTransition
from oms.domain.status_machine import StatusMachine

Status = Literal["scheduled", "confirmed", "in_progress", "completed", "cancelled", "no_show"]
AppointmentType = Literal["eye_exam", "contact_fitting", "follow_up", "consultation", "emergency"]
Action = Literal["confirm", "start", "complete", "cancel", "no_show"]

STATUSES: tuple[str, ...] = get_args(Status)
TYPES: tuple[str, ...] = get_args(AppointmentType)
ACTIONS: tuple[str, ...] = get_args(Action)

# Appointments that still hold the optometrist's time; the others free it.
LIVE_STATUSES: frozenset[str] = frozenset({"scheduled", "confirmed", "in_progress"})
# Only a booking that has not begun may be moved to another date or time.
RESCHEDULABLE: frozenset[str] = frozenset({"scheduled", "confirmed"})

# action -> (the statuses it may leave from, the status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "confirm": (frozenset({"scheduled"}), "confirmed"),
    "start": (frozenset({"confirmed"}), "in_progress"),
    "complete": (frozenset({"in_progress"}), "completed"),
    "cancel": (frozenset({"scheduled", "confirmed"}), "cancelled"),
    "no_show": (frozenset({"scheduled", "confirmed"}), "no_show"),
}

TYPE_NOUNS: dict[str, str] = {
    "eye_exam": "eye exam",
    "contact_fitting": "contact lens fitting",
    "follow_up": "follow-up",
    "consultation": "consultation",
    "emergency": "emergency visit",
}


def with_article(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


next_status = StatusMachine(
    TRANSITIONS,
    lambda current, action, target: (
        f"an appointment that is {current} cannot be {target.replace('_', ' ')}"
    ),
).next_status


def check_reschedulable(current: str) -> None:
    if current not in RESCHEDULABLE:
        raise InvalidTransition(
            f"an appointment that is {current} cannot be rescheduled",
            details={"status": current, "action": "reschedule"},
        )


def today_utc() -> date:
    """Dates are compared with today's date in UTC: one clock for every branch and the tests."""
    return datetime.now(UTC).date()


# How far ahead a booking may be made: a clinic's diary, not a calendar for the year 9999.
BOOKING_HORIZON_DAYS = 2 * 366


def check_times(
    day: date, start: time, end: time, *, today: date | None = None, now: time | None = None
) -> None:
    """A booking's own times: not in the past, not already started (`today` and `now` are the
    branch's wall clock), not beyond the horizon, and ending after it starts."""
    today = today or today_utc()
    if day < today:
        raise InvalidField("date", f"{day.isoformat()} is in the past")
    if (day - today).days > BOOKING_HORIZON_DAYS:
        raise InvalidField("date", "bookings are taken at most two years ahead")
    if end <= start:
        raise InvalidField("end_time", "must be after start_time")
    if day == today and now is not None and start <= now:
        error = InvalidField(
            "start_time", f"{hhmm(start)} today has already started (it is {hhmm(now)} there)"
        )
        error.details["reason"] = "started"
        raise error


def not_started(
    slots: Iterable[tuple[time, time]], day: date, today: date, now: time
) -> list[tuple[time, time]]:
    """The slots that have not begun yet (all of them on a later day)."""
    return [slot for slot in slots if day > today or slot[0] > now]


def overlaps(start_a: time, end_a: time, start_b: time, end_b: time) -> bool:
    """Half-open intervals: one appointment may end at 10:00 and the next start at 10:00."""
    return start_a < end_b and start_b < end_a


def within(start: time, end: time, open_at: time, close_at: time) -> bool:
    return open_at <= start and end <= close_at


def _add(moment: time, minutes: int) -> time | None:
    """`moment` plus `minutes`, or None past midnight (a slot cannot run into the next day)."""
    shifted = datetime.combine(date.min, moment) + timedelta(minutes=minutes)
    return shifted.time() if shifted.date() == date.min else None


def free_slots(
    open_at: time, close_at: time, minutes: int, taken: Iterable[tuple[time, time]]
) -> list[tuple[time, time]]:
    """Back-to-back slots of `minutes` from opening to closing that overlap nothing taken."""
    busy = list(taken)
    slots: list[tuple[time, time]] = []
    start: time | None = open_at
    while start is not None:
        end = _add(start, minutes)
        if end is None or end > close_at or end <= start:
            break
        if not any(overlaps(start, end, b_start, b_end) for b_start, b_end in busy):
            slots.append((start, end))
        start = end
    return slots


def human_when(day: date, at: time) -> str:
    """'Mon 30 Nov, 2:00 pm': a branch's wall-clock date and time as people read them."""
    hour = at.hour % 12 or 12
    return f"{day:%a} {day.day} {day:%b}, {hour}:{at.minute:02d} {'am' if at.hour < 12 else 'pm'}"


def hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")
