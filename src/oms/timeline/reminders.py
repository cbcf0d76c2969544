"""Appointment reminders (DESIGN §11): `appointment.reminder` to the patient at each offset of
REMINDER_OFFSETS before the start, computed in the branch's time zone.

What is due is a query: live (scheduled or confirmed) appointments starting in the window the
offsets cover, minus those already reminded. "Sent" is a row of `appointment_reminders`, unique on
(appointment, offset, start instant), inserted in the same transaction as the event. So:

- any number of workers may race: the loser's insert fails on the unique key, its transaction
  (event included) rolls back, and nothing is sent twice;
- a restart simply asks again: a reminder whose moment passed while no worker ran is still due as
  long as the appointment is ahead;
- a reschedule changes the start instant, so the new time is owed fresh reminders, and the old
  rows can never match it again;
- a cancelled, completed or no-show appointment is not live, so is never asked about.

Catching up: when several offsets are due at once (a worker was down through both, or the
appointment was booked inside the longer one), only the nearest is sent — "in 2 hours" makes
"tomorrow" pointless — and the others are recorded as skipped (no event), so they never fire later.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from oms.clock import Clock
from oms.db.database import Database
from oms.db.models import Appointment, AppointmentReminder, Branch
from oms.domain.appointment_events import appointment_subject, load_parties
from oms.domain.appointment_rules import TYPE_NOUNS
from oms.domain.wording import readable_date, readable_time
from oms.events.catalogue import ReminderDraft
from oms.events.recipients import for_reminder
from oms.events.recorder import commit, record_event
from oms.reminder_offsets import ReminderOffset
from oms.timeline.batch import work_each
from oms.timezones import instant, local_today

log = logging.getLogger("oms.timeline")

REMINDABLE = ("scheduled", "confirmed")
# A branch's calendar day is at most 14 hours away from UTC's.
_ZONE_SLACK = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DueReminder:
    appointment_id: int
    starts_at: datetime
    # Every offset owed now, nearest first: that one is sent, the others are recorded as skipped.
    owed: tuple[ReminderOffset, ...]

    @property
    def send(self) -> ReminderOffset:
        return self.owed[0]


def _starts_at(appointment: Appointment, timezone: str) -> datetime:
    return instant(timezone, appointment.date, appointment.start_time).astimezone(UTC)


async def due_reminders(
    session: AsyncSession, now: datetime, offsets: Sequence[ReminderOffset]
) -> list[DueReminder]:
    """Reminders owed at `now`, one per appointment (the nearest due offset)."""
    if not offsets:
        return []
    longest = max(offset.delta for offset in offsets)
    first_day: date = (now - _ZONE_SLACK).date()
    last_day: date = (now + longest + _ZONE_SLACK).date()
    rows = (
        await session.execute(
            select(Appointment, Branch.timezone)
            .join(Branch, Branch.id == Appointment.branch_id)
            .where(
                Appointment.status.in_(REMINDABLE),
                Appointment.date >= first_day,
                Appointment.date <= last_day,
            )
            .order_by(Appointment.date, Appointment.start_time, Appointment.id)
        )
    ).all()
    ids = [appointment.id for appointment, _ in rows]
    done: set[tuple[int, str, datetime]] = set()
    if ids:
        marks = await session.execute(
            select(
                AppointmentReminder.appointment_id,
                AppointmentReminder.offset_label,
                AppointmentReminder.starts_at,
            ).where(AppointmentReminder.appointment_id.in_(ids))
        )
        done = {(a, label, starts) for a, label, starts in marks.all()}
    due: list[DueReminder] = []
    for appointment, timezone in rows:
        starts_at = _starts_at(appointment, timezone)
        if starts_at <= now:
            continue
        owed = [
            offset
            for offset in offsets
            if starts_at - offset.delta <= now
            and (appointment.id, offset.label, starts_at) not in done
        ]
        if owed:
            nearest_first = tuple(sorted(owed, key=lambda offset: offset.delta))
            due.append(DueReminder(appointment.id, starts_at, nearest_first))
    return due


def _when(appointment: Appointment, branch_today: date) -> str:
    days = (appointment.date - branch_today).days
    day = {0: "today", 1: "tomorrow"}.get(days) or f"on {readable_date(appointment.date)}"
    return f"{day} at {readable_time(appointment.start_time)}"


async def _send(session: AsyncSession, due: DueReminder, clock: Clock) -> bool:
    """Record the reminder and its sent-row in one transaction; False if another worker (or an
    earlier run) already did, or the appointment changed since it was found due."""
    # Locked, so a cancel or reschedule racing this reminder is either before it (and seen here)
    # or after it (and the reminder was right when sent).
    appointment = await session.scalar(
        select(Appointment).where(Appointment.id == due.appointment_id).with_for_update()
    )
    if appointment is None or appointment.status not in REMINDABLE:
        return False
    parties = await load_parties(session, appointment)
    if _starts_at(appointment, parties.branch.timezone) != due.starts_at:
        return False  # rescheduled since the query: the next tick judges the new time
    for offset in due.owed:
        session.add(
            AppointmentReminder(
                appointment_id=appointment.id,
                offset_label=offset.label,
                starts_at=due.starts_at,
                created_at=clock.now(),
            )
        )
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        return False
    noun = TYPE_NOUNS[appointment.type]
    when = _when(appointment, local_today(parties.branch.timezone, clock))
    event = await record_event(
        session,
        ReminderDraft(
            title="Appointment reminder",
            message=(
                f"Your {noun} with {parties.optometrist.name} at {parties.branch.name} is {when}."
            ),
            level="info",
            id=appointment.id,
            appointment=appointment_subject(appointment, parties),
            offset=due.send.label,
        ),
        recipients=for_reminder(patient_id=appointment.patient_id),
    )
    sent = await session.scalar(
        select(AppointmentReminder).where(
            AppointmentReminder.appointment_id == appointment.id,
            AppointmentReminder.offset_label == due.send.label,
            AppointmentReminder.starts_at == due.starts_at,
        )
    )
    assert sent is not None, "inserted above, in this transaction"
    sent.event_id = event.event_id
    await commit(session)
    return True


async def send_due_reminders(
    database: Database, clock: Clock, offsets: Sequence[ReminderOffset]
) -> int:
    """Send every reminder due now; returns how many this call sent."""
    return await work_each(
        database,
        lambda session: due_reminders(session, clock.now(), offsets),
        lambda session, due: _send(session, due, clock),
    )
