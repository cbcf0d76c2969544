"""Following a signed link from a reminder (DESIGN §11): the patient confirms or cancels their
appointment without signing in. Reading a link (GET) changes nothing, so mail scanners and
link previews that fetch it are harmless; acting on it is a POST.

The link acts as the patient, through the same transition as the app; the patient may confirm by
link although customers do not confirm in the app (the link is the clinic asking them to).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from oms.clock import Clock
from oms.db.models import Appointment, Branch, User
from oms.domain import appointments
from oms.domain.actors import Actor, actor_for
from oms.domain.appointments import AppointmentView
from oms.security.appointment_links import (
    InvalidLink,
    LinkAction,
    LinkExpired,
    issue_link_token,
    read_link_token,
)
from oms.timezones import instant


@dataclass(frozen=True, slots=True)
class LinkPreview:
    action: LinkAction
    expires_at: datetime
    view: AppointmentView


def starts_at(appointment: Appointment, branch: Branch) -> datetime:
    return instant(branch.timezone, appointment.date, appointment.start_time).astimezone(UTC)


def link_tokens(app_key: str, appointment: Appointment, branch: Branch) -> dict[LinkAction, str]:
    """The confirm and cancel tokens for a reminder about `appointment` (for email and push)."""
    start = starts_at(appointment, branch)
    return {
        action: issue_link_token(
            app_key,
            appointment_id=appointment.id,
            patient_id=appointment.patient_id,
            action=action,
            starts_at=start,
        )
        for action in ("confirm", "cancel")
    }


async def _check(
    session: AsyncSession,
    app_key: str,
    appointment_id: int,
    action: LinkAction,
    token: str,
    clock: Clock,
) -> tuple[Actor, datetime]:
    claims = read_link_token(
        app_key, token, appointment_id=appointment_id, action=action, clock=clock
    )
    appointment = await session.get(Appointment, appointment_id)
    if appointment is None or appointment.patient_id != claims.patient_id:
        raise InvalidLink("this link is not valid")
    branch = await session.get(Branch, appointment.branch_id)
    assert branch is not None
    if starts_at(appointment, branch) != claims.starts_at:
        raise LinkExpired("the appointment was moved; this link was for its old time")
    patient = await session.get(User, claims.patient_id)
    if patient is None or not patient.is_active:
        raise InvalidLink("this link is not valid")
    return await actor_for(session, patient), claims.starts_at


@dataclass(frozen=True, slots=True)
class LinkUse:
    """A link as it came back: the appointment and action it names, and its signed token."""

    appointment_id: int
    action: LinkAction
    token: str


async def preview_link(
    session: AsyncSession, app_key: str, use: LinkUse, clock: Clock
) -> LinkPreview:
    actor, expires_at = await _check(
        session, app_key, use.appointment_id, use.action, use.token, clock
    )
    view = await appointments.get_appointment(session, actor, use.appointment_id)
    return LinkPreview(use.action, expires_at, view)


async def follow_link(
    session: AsyncSession, app_key: str, use: LinkUse, clock: Clock
) -> AppointmentView:
    actor, _ = await _check(session, app_key, use.appointment_id, use.action, use.token, clock)
    return await appointments.transition(
        session, actor, use.appointment_id, use.action, reason="", by_patient_link=True
    )
