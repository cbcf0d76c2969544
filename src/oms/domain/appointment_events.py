"""Appointment events (DESIGN §4): the subject every appointment event carries, its wording, and
the one function through which appointment changes are recorded.

`record_appointment_event` is also what the `notify_appointment_update` facade calls, so an
appointment event looks the same whoever raises it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Appointment, Branch, User
from oms.domain.actors import Actor
from oms.domain.appointment_rules import TYPE_NOUNS, hhmm, human_when, with_article
from oms.events import recipients
from oms.events.catalogue import (
    AppointmentDraft,
    AppointmentEventName,
    AppointmentSubject,
    BranchRef,
    Level,
    PatientRef,
    PersonRef,
)
from oms.events.envelope import PublishedEvent
from oms.events.recorder import record_event


@dataclass(frozen=True, slots=True)
class Parties:
    """The people and place an appointment is about."""

    patient: User
    optometrist: User
    branch: Branch


async def load_parties(session: AsyncSession, appointment: Appointment) -> Parties:
    # session.get answers from the identity map when `preload_parties` already fetched them.
    patient = await session.get(User, appointment.patient_id)
    optometrist = await session.get(User, appointment.optometrist_id)
    branch = await session.get(Branch, appointment.branch_id)
    # The foreign keys guarantee all three.
    assert patient is not None
    assert optometrist is not None
    assert branch is not None
    return Parties(patient, optometrist, branch)


async def preload_parties(session: AsyncSession, appointments: Iterable[Appointment]) -> None:
    """Fetch every person and branch a list needs in two queries instead of three per row."""
    rows = list(appointments)
    user_ids = {a.patient_id for a in rows} | {a.optometrist_id for a in rows}
    branch_ids = {a.branch_id for a in rows}
    if user_ids:
        await session.scalars(select(User).where(User.id.in_(user_ids)))
    if branch_ids:
        await session.scalars(select(Branch).where(Branch.id.in_(branch_ids)))


def appointment_subject(appointment: Appointment, parties: Parties) -> AppointmentSubject:
    """The `appointment` object of §4, shaped like the seed's client interface."""
    return AppointmentSubject(
        id=appointment.id,
        date=appointment.date.isoformat(),
        time=hhmm(appointment.start_time),
        end_time=hhmm(appointment.end_time),
        status=appointment.status,
        type=appointment.type,
        patient=PatientRef(
            id=parties.patient.id, name=parties.patient.name, email=parties.patient.email
        ),
        optometrist=PersonRef(id=parties.optometrist.id, name=parties.optometrist.name),
        branch=BranchRef(id=parties.branch.id, name=parties.branch.name),
    )


_LEVELS: dict[str, Level] = {
    "appointment.created": "success",
    "appointment.updated": "info",
    "appointment.confirmed": "success",
    "appointment.completed": "success",
    "appointment.cancelled": "warning",
    "appointment.no_show": "warning",
}

# What happened, said of the visit itself ("Eye exam booked"): the inbox and the toast show it.
_TITLE_VERBS: dict[str, str] = {
    "appointment.created": "booked",
    "appointment.updated": "updated",
    "appointment.confirmed": "confirmed",
    "appointment.completed": "completed",
    "appointment.cancelled": "cancelled",
    "appointment.no_show": "missed",
}


def title_for(name: str, appointment: Appointment, verb: str | None = None) -> str:
    """'Eye exam booked', 'Eye exam started' (a specific title, never 'Appointment updated')."""
    noun = TYPE_NOUNS[appointment.type]
    return f"{noun[0].upper()}{noun[1:]} {verb or _TITLE_VERBS[name]}"


def when(appointment: Appointment) -> str:
    """The visit's time as people read it, in the branch's own zone: 'Mon 30 Nov, 2:00 pm'."""
    return human_when(appointment.date, appointment.start_time)


def describe(appointment: Appointment, parties: Parties) -> str:
    """'Maria Cruz's eye exam at Emerald on Mon 30 Nov, 10:00 am'."""
    return (
        f"{parties.patient.name}'s {TYPE_NOUNS[appointment.type]} at "
        f"{parties.branch.name} on {when(appointment)}"
    )


def default_message(
    name: str, appointment: Appointment, parties: Parties, by: Actor | None = None
) -> str:
    if name == "appointment.created":
        kind = with_article(TYPE_NOUNS[appointment.type])
        place = f"at {parties.branch.name} on {when(appointment)}"
        if by is not None and by.id != appointment.patient_id:
            # Staff booking for a patient: say who acted, and for whom.
            return f"{by.name} booked {kind} for {parties.patient.name} {place}"
        return f"{parties.patient.name} booked {kind} {place}"
    what = describe(appointment, parties)
    return {
        "appointment.updated": f"{what} was updated",
        "appointment.confirmed": f"{what} is confirmed",
        "appointment.completed": f"{what} is completed",
        "appointment.cancelled": f"{what} was cancelled",
        "appointment.no_show": f"{parties.patient.name} did not attend {what}",
    }[name]


async def record_appointment_event(
    session: AsyncSession,
    appointment: Appointment,
    name: AppointmentEventName,
    *,
    message: str | None = None,
    by: Actor | None = None,
    title: str | None = None,
) -> PublishedEvent:
    """Record `name` about `appointment` for the patient, the optometrist, the branch's staff and
    every admin, in the caller's transaction (published when the caller commits). `by` is who
    acted: named in the payload so each screen can say "you" or the name, and their own copy
    arrives read."""
    parties = await load_parties(session, appointment)
    return await record_event(
        session,
        AppointmentDraft(
            event=name,
            title=title or title_for(name, appointment),
            message=message or default_message(name, appointment, parties, by),
            level=_LEVELS[name],
            id=appointment.id,
            appointment=appointment_subject(appointment, parties),
            by=None if by is None else PersonRef(id=by.id, name=by.name),
        ),
        actor_id=None if by is None else by.id,
        recipients=await recipients.for_appointment(
            session,
            patient_id=appointment.patient_id,
            optometrist_id=appointment.optometrist_id,
            branch_id=appointment.branch_id,
        ),
    )
