"""Appointment events (DESIGN §4): the subject every appointment event carries, its wording, and
the one function through which appointment changes are recorded.

`record_appointment_event` is also what the `notify_appointment_update` facade calls, so an
appointment event looks the same whoever raises it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Appointment, Branch, User
from oms.domain.appointment_rules import TYPE_NOUNS, hhmm, with_article
from oms.events import recipients
from oms.events.catalogue import AppointmentEventName, Level
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


def appointment_subject(appointment: Appointment, parties: Parties) -> dict[str, Any]:
    """The `appointment` object of §4, shaped like the seed's client interface."""
    return {
        "id": appointment.id,
        "date": appointment.date.isoformat(),
        "time": hhmm(appointment.start_time),
        "end_time": hhmm(appointment.end_time),
        "status": appointment.status,
        "type": appointment.type,
        "patient": {
            "id": parties.patient.id,
            "name": parties.patient.name,
            "email": parties.patient.email,
        },
        "optometrist": {"id": parties.optometrist.id, "name": parties.optometrist.name},
        "branch": {"id": parties.branch.id, "name": parties.branch.name},
    }


_TITLES: dict[str, tuple[str, Level]] = {
    "appointment.created": ("New appointment", "success"),
    "appointment.updated": ("Appointment updated", "info"),
    "appointment.confirmed": ("Appointment confirmed", "success"),
    "appointment.completed": ("Appointment completed", "success"),
    "appointment.cancelled": ("Appointment cancelled", "warning"),
    "appointment.no_show": ("Missed appointment", "warning"),
}


def describe(appointment: Appointment, parties: Parties) -> str:
    """'Maria Cruz's eye exam at Emerald on 2026-12-01 at 10:00'."""
    return (
        f"{parties.patient.name}'s {TYPE_NOUNS[appointment.type]} at "
        f"{parties.branch.name} on {appointment.date.isoformat()} at {hhmm(appointment.start_time)}"
    )


def default_message(name: str, appointment: Appointment, parties: Parties) -> str:
    when = f"on {appointment.date.isoformat()} at {hhmm(appointment.start_time)}"
    if name == "appointment.created":
        kind = with_article(TYPE_NOUNS[appointment.type])
        return f"{parties.patient.name} booked {kind} at {parties.branch.name} {when}"
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
) -> PublishedEvent:
    """Record `name` about `appointment` for the patient, the optometrist, the branch's staff and
    every admin, in the caller's transaction (published when the caller commits)."""
    parties = await load_parties(session, appointment)
    title, level = _TITLES[name]
    return await record_event(
        session,
        name=name,
        title=title,
        message=message or default_message(name, appointment, parties),
        level=level,
        subject={"id": appointment.id, "appointment": appointment_subject(appointment, parties)},
        recipients=await recipients.for_appointment(
            session,
            patient_id=appointment.patient_id,
            optometrist_id=appointment.optometrist_id,
            branch_id=appointment.branch_id,
        ),
    )
