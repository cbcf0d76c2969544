"""Appointments: book, move and annotate them, take them through the exam, list, read, and find
free slots.

Who may see an appointment: admins all, staff their branch's, the optometrist their own, the
patient their own; to anyone else it does not exist (404). Every change that claims an
optometrist's time runs under that optometrist's booking lock (`schedules.lock_optometrist`), so
the schedule and overlap checks and the insert are one step even under concurrent requests.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.clock import SYSTEM_CLOCK, Clock
from oms.db.models import Appointment, Branch, User
from oms.domain import schedules
from oms.domain.actors import Actor
from oms.domain.appointment_events import (
    Parties,
    default_message,
    describe,
    load_parties,
    preload_parties,
    record_appointment_event,
    title_for,
    when,
)
from oms.domain.appointment_rules import (
    LIVE_STATUSES,
    check_reschedulable,
    check_times,
    free_slots,
    hhmm,
    next_status,
    not_started,
    within,
)
from oms.domain.errors import Conflict, InvalidField, NotFound, PermissionDenied, SlotUnavailable
from oms.domain.visibility import load_visible
from oms.events.catalogue import AppointmentEventName
from oms.events.recorder import commit
from oms.timezones import local_now


@dataclass(frozen=True, slots=True)
class AppointmentView:
    appointment: Appointment
    parties: Parties


@dataclass(frozen=True, slots=True)
class NewBooking:
    optometrist_id: int
    branch_id: int
    date: date
    start_time: time
    end_time: time
    type: str
    notes: str = ""
    patient_id: int | None = None
    # The client's `Idempotency-Key`: the same key from the same booker returns the first booking.
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class AppointmentChanges:
    date: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class ListFilters:
    date_from: date | None = None
    date_to: date | None = None
    status: str | None = None
    branch_id: int | None = None


EVENT_FOR_ACTION: dict[str, AppointmentEventName] = {
    "confirm": "appointment.confirmed",
    "start": "appointment.updated",
    "complete": "appointment.completed",
    "cancel": "appointment.cancelled",
    "no_show": "appointment.no_show",
}


def can_see(actor: Actor, appointment: Appointment) -> bool:
    if actor.is_admin:
        return True
    if actor.role == "staff":
        return actor.works_at(appointment.branch_id)
    if actor.role == "optometrist":
        return appointment.optometrist_id == actor.id
    return appointment.patient_id == actor.id


async def _visible(
    session: AsyncSession, actor: Actor, appointment_id: int, *, lock: bool = False
) -> Appointment:
    return await load_visible(
        session,
        Appointment,
        appointment_id,
        lambda row: can_see(actor, row),
        "appointment",
        lock=lock,
    )


async def _view(session: AsyncSession, appointment: Appointment) -> AppointmentView:
    return AppointmentView(appointment, await load_parties(session, appointment))


async def _active_user(session: AsyncSession, user_id: int, role: str, field: str) -> User:
    user = await session.get(User, user_id)
    if user is None or user.role != role or not user.is_active:
        raise InvalidField(field, f"there is no active {role} {user_id}")
    return user


async def _active_branch(session: AsyncSession, branch_id: int) -> Branch:
    branch = await session.get(Branch, branch_id)
    if branch is None or not branch.is_active:
        raise InvalidField("branch_id", f"there is no active branch {branch_id}")
    return branch


async def _check_slot(
    session: AsyncSession,
    optometrist_id: int,
    branch_id: int,
    day: date,
    start: time,
    end: time,
    *,
    moving: int | None = None,
) -> None:
    """Inside the optometrist's hours at the branch, and clear of their other live bookings
    (at any branch: they cannot be in two places). Call it holding the booking lock."""
    hours = await schedules.hours_on(session, optometrist_id, branch_id, day.weekday())
    if hours is None or not within(start, end, hours.start_time, hours.end_time):
        raise SlotUnavailable(
            f"the optometrist does not work at this branch on {day.isoformat()} "
            f"from {hhmm(start)} to {hhmm(end)}",
            details={"reason": "outside_schedule"},
        )
    clash = await session.scalar(
        select(Appointment.id)
        .where(
            Appointment.optometrist_id == optometrist_id,
            Appointment.date == day,
            Appointment.status.in_(LIVE_STATUSES),
            Appointment.start_time < end,
            Appointment.end_time > start,
            Appointment.id != (moving or 0),
        )
        .limit(1)
    )
    if clash is not None:
        raise SlotUnavailable(
            f"the optometrist is already booked between {hhmm(start)} and {hhmm(end)}",
            details={"reason": "overlap"},
        )


def _patient_for(actor: Actor, booking: NewBooking) -> int:
    """Customers book for themselves; staff (at their branch) and admins for a named customer."""
    if actor.role == "customer":
        if booking.patient_id not in (None, actor.id):
            raise PermissionDenied(
                "customers book only for themselves", details={"field": "patient_id"}
            )
        return actor.id
    if actor.role == "optometrist":
        raise PermissionDenied("optometrists do not book appointments")
    if actor.role == "staff" and not actor.works_at(booking.branch_id):
        raise PermissionDenied(
            "staff book only at their own branch", details={"field": "branch_id"}
        )
    if booking.patient_id is None:
        raise InvalidField("patient_id", "is required when staff or an admin books")
    return booking.patient_id


def _check_not_started(branch: Branch, day: date, start: time, end: time, clock: Clock) -> None:
    """Not in the past and not begun, by the branch's own clock (DESIGN §3)."""
    now = local_now(branch.timezone, clock)
    check_times(day, start, end, today=now.date(), now=now.time())


async def _earlier_booking(
    session: AsyncSession, actor: Actor, booking: NewBooking
) -> Appointment | None:
    """The booking this actor already made with this idempotency key, if any; the same key
    for a different booking is a client bug, refused rather than silently answered."""
    if booking.idempotency_key is None:
        return None
    earlier = await session.scalar(
        select(Appointment).where(
            Appointment.created_by_id == actor.id,
            Appointment.idempotency_key == booking.idempotency_key,
        )
    )
    if earlier is not None and (
        earlier.optometrist_id,
        earlier.branch_id,
        earlier.date,
        earlier.start_time,
    ) != (booking.optometrist_id, booking.branch_id, booking.date, booking.start_time):
        raise Conflict(
            "this Idempotency-Key was already used for another booking",
            details={"field": "Idempotency-Key", "appointment_id": earlier.id},
        )
    return earlier


async def book(
    session: AsyncSession, actor: Actor, booking: NewBooking, *, clock: Clock = SYSTEM_CLOCK
) -> AppointmentView:
    """Book a slot. With an idempotency key a retry (a double click, a lost response) returns
    the first booking instead of a 409 for the slot it took itself."""
    earlier = await _earlier_booking(session, actor, booking)
    if earlier is not None:
        return await _view(session, earlier)
    patient_id = _patient_for(actor, booking)
    await _active_user(session, patient_id, "customer", "patient_id")
    await _active_user(session, booking.optometrist_id, "optometrist", "optometrist_id")
    branch = await _active_branch(session, booking.branch_id)
    _check_not_started(branch, booking.date, booking.start_time, booking.end_time, clock)
    await schedules.lock_optometrist(session, booking.optometrist_id)
    # A concurrent retry may have committed while we waited for the lock.
    earlier = await _earlier_booking(session, actor, booking)
    if earlier is not None:
        return await _view(session, earlier)
    await _check_slot(
        session,
        booking.optometrist_id,
        booking.branch_id,
        booking.date,
        booking.start_time,
        booking.end_time,
    )
    # Every field of a booking is a column of the appointment; the patient is the resolved one.
    columns = asdict(replace(booking, patient_id=patient_id))
    appointment = Appointment(**columns, status="scheduled", created_by_id=actor.id)
    session.add(appointment)
    await session.flush()
    await record_appointment_event(session, appointment, "appointment.created", by=actor)
    await commit(session)
    return await _view(session, appointment)


async def _move(
    session: AsyncSession,
    appointment: Appointment,
    day: date,
    start: time,
    end: time,
    clock: Clock,
) -> str:
    """Reschedule under the booking lock; returns the 'moved from' wording for the event."""
    check_reschedulable(appointment.status)
    branch = await session.get(Branch, appointment.branch_id)
    assert branch is not None  # a foreign key
    _check_not_started(branch, day, start, end, clock)
    await schedules.lock_optometrist(session, appointment.optometrist_id)
    # Re-read under the lock: the status may have changed while we waited.
    await session.refresh(appointment, with_for_update=True)
    check_reschedulable(appointment.status)
    await _check_slot(
        session, appointment.optometrist_id, appointment.branch_id, day, start, end,
        moving=appointment.id,
    )  # fmt: skip
    before = when(appointment)
    appointment.date, appointment.start_time, appointment.end_time = day, start, end
    return before


async def update_appointment(
    session: AsyncSession,
    actor: Actor,
    appointment_id: int,
    changes: AppointmentChanges,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> AppointmentView:
    """Reschedule (while scheduled or confirmed) and/or change the notes; one
    appointment.updated when anything changed, none when nothing did."""
    appointment = await _visible(session, actor, appointment_id)
    day = changes.date or appointment.date
    start = changes.start_time or appointment.start_time
    end = changes.end_time or appointment.end_time
    moving = (day, start, end) != (appointment.date, appointment.start_time, appointment.end_time)
    if moving and actor.role == "optometrist":
        raise PermissionDenied("optometrists change the notes only; staff reschedule")
    renoting = changes.notes is not None and changes.notes != appointment.notes
    if not (moving or renoting):
        return await _view(session, appointment)
    moved_from = await _move(session, appointment, day, start, end, clock) if moving else None
    if changes.notes is not None:
        appointment.notes = changes.notes
    await session.flush()
    parties = await load_parties(session, appointment)
    what = describe(appointment, parties)
    if moved_from is None:
        message, verb = f"The notes of {what} were updated", "notes updated"
    else:
        message, verb = f"{what} (moved from {moved_from}) by {actor.name}", "moved"
    await record_appointment_event(
        session,
        appointment,
        "appointment.updated",
        message=message,
        by=actor,
        title=title_for("appointment.updated", appointment, verb),
    )
    await commit(session)
    return AppointmentView(appointment, parties)


def _check_may_act(actor: Actor, action: str, *, by_patient_link: bool = False) -> None:
    # Visibility is already checked: staff act at their branch, the optometrist on their own.
    # A reminder's signed link lets the patient confirm too (oms.domain.appointment_links).
    allowed = ("cancel", "confirm") if by_patient_link else ("cancel",)
    if actor.role == "customer" and action not in allowed:
        raise PermissionDenied("customers may only cancel their appointments")


async def transition(
    session: AsyncSession,
    actor: Actor,
    appointment_id: int,
    action: str,
    *,
    reason: str = "",
    by_patient_link: bool = False,
) -> AppointmentView:
    """confirm | start | complete | cancel | no_show, as the status machine allows (else 409)."""
    appointment = await _visible(session, actor, appointment_id, lock=True)
    _check_may_act(actor, action, by_patient_link=by_patient_link)
    appointment.status = next_status(appointment.status, action)
    if action in ("cancel", "no_show") and reason:
        appointment.cancel_reason = reason
    await session.flush()
    parties = await load_parties(session, appointment)
    name = EVENT_FOR_ACTION[action]
    what = describe(appointment, parties)
    wording = {"start": f"{what} has started", "cancel": f"{what} was cancelled by {actor.name}"}
    message = wording.get(action) or default_message(name, appointment, parties)
    if reason:
        message = f"{message}: {reason}"
    title = title_for(name, appointment, "started") if action == "start" else None
    await record_appointment_event(
        session, appointment, name, message=message, by=actor, title=title
    )
    await commit(session)
    return AppointmentView(appointment, parties)


async def get_appointment(
    session: AsyncSession, actor: Actor, appointment_id: int
) -> AppointmentView:
    return await _view(session, await _visible(session, actor, appointment_id))


async def list_appointments(
    session: AsyncSession, actor: Actor, filters: ListFilters
) -> list[AppointmentView]:
    query = select(Appointment)
    if actor.role == "staff":
        if filters.branch_id is not None and not actor.works_at(filters.branch_id):
            raise NotFound(f"branch {filters.branch_id} was not found")
        query = query.where(Appointment.branch_id.in_(actor.branch_ids))
    elif actor.role == "optometrist":
        query = query.where(Appointment.optometrist_id == actor.id)
    elif actor.role == "customer":
        query = query.where(Appointment.patient_id == actor.id)
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise InvalidField("date_to", "must not be before date_from")
    if filters.date_from is not None:
        query = query.where(Appointment.date >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(Appointment.date <= filters.date_to)
    if filters.status is not None:
        query = query.where(Appointment.status == filters.status)
    if filters.branch_id is not None:
        query = query.where(Appointment.branch_id == filters.branch_id)
    rows = list(
        (
            await session.scalars(
                query.order_by(Appointment.date, Appointment.start_time, Appointment.id)
            )
        ).all()
    )
    await preload_parties(session, rows)
    return [await _view(session, row) for row in rows]


async def availability(
    session: AsyncSession,
    optometrist_id: int,
    branch_id: int,
    day: date,
    minutes: int,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> list[tuple[time, time]]:
    """Free slots of `minutes` in the optometrist's hours at the branch that day that have not
    begun by the branch's clock (any signed-in user may ask: customers need it to book)."""
    await _active_user(session, optometrist_id, "optometrist", "optometrist_id")
    branch = await _active_branch(session, branch_id)
    now = local_now(branch.timezone, clock)
    if day < now.date():
        raise InvalidField("date", f"{day.isoformat()} is in the past")
    hours = await schedules.hours_on(session, optometrist_id, branch_id, day.weekday())
    if hours is None:
        return []
    taken = await session.execute(
        select(Appointment.start_time, Appointment.end_time).where(
            Appointment.optometrist_id == optometrist_id,
            Appointment.date == day,
            Appointment.status.in_(LIVE_STATUSES),
        )
    )
    busy = [(start, end) for start, end in taken]
    slots = free_slots(hours.start_time, hours.end_time, minutes, busy)
    return not_started(slots, day, now.date(), now.time())
