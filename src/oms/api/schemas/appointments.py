"""Appointments, and the date and clock-time fields other schemas share."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated

from pydantic import BeforeValidator, Field

from oms.api.schemas.common import Id, Out, Schema
from oms.domain.appointment_rules import AppointmentType, Status, hhmm
from oms.domain.appointments import AppointmentView

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _clock_time(value: object) -> object:
    """Exactly "HH:MM" (24-hour): the contract's format, so "9:00" or "09:00:30" is a 422."""
    match = _HHMM.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError("must be a time written HH:MM")
    return time(int(match[1]), int(match[2]))


def _calendar_day(value: object) -> object:
    if not isinstance(value, str) or not _DAY.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return date.fromisoformat(value)  # a ValueError (e.g. 2026-02-30) becomes a 422 too


ClockTime = Annotated[time, BeforeValidator(_clock_time)]
CalendarDay = Annotated[date, BeforeValidator(_calendar_day)]
Notes = Annotated[str, Field(max_length=2000)]
# How a response writes a clock time.
ClockText = Annotated[str, Field(description="HH:MM")]


class PersonOut(Out):
    id: int
    name: str


class PatientOut(PersonOut):
    email: str


class BranchRefOut(Out):
    id: int
    name: str


class AppointmentOut(Out):
    id: int
    status: Status
    type: AppointmentType
    date: str = Field(description="YYYY-MM-DD")
    start_time: ClockText
    end_time: ClockText
    notes: str
    cancel_reason: str
    patient: PatientOut
    optometrist: PersonOut
    branch: BranchRefOut
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: AppointmentView) -> AppointmentOut:
        row, parties = view.appointment, view.parties
        return cls.from_row(
            row,
            date=row.date.isoformat(),
            start_time=hhmm(row.start_time),
            end_time=hhmm(row.end_time),
            patient=parties.patient,
            optometrist=parties.optometrist,
            branch=parties.branch,
        )


class AppointmentIn(Schema):
    optometrist_id: Id
    branch_id: Id
    date: CalendarDay
    start_time: ClockTime
    end_time: ClockTime
    type: AppointmentType
    notes: Notes = ""
    patient_id: Id | None = Field(None, description="required when staff or an admin books")


class AppointmentUpdateIn(Schema):
    date: CalendarDay | None = None
    start_time: ClockTime | None = None
    end_time: ClockTime | None = None
    notes: Notes | None = None


class ActionIn(Schema):
    reason: str = Field("", max_length=500)


class SlotOut(Out):
    start_time: str
    end_time: str


class AvailabilityOut(Out):
    optometrist_id: Id
    branch_id: Id
    date: str
    duration: int
    slots: list[SlotOut]
