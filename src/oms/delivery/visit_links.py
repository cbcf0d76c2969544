"""A reminder's confirm and cancel links (DESIGN §11), made when its email or push is sent.

The tokens are signed from the appointment and its branch as they are at send time, not carried
in the event: the event's payload goes to sockets and the inbox, where a token that acts on the
appointment has no business being. The links open the web app's small visit page, which reads
what the link will do (GET) and acts only when the patient presses its button (POST), so a mail
scanner that follows links changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Appointment, Branch
from oms.delivery.claims import Claimed
from oms.domain.appointment_links import link_tokens

REMINDER_EVENT = "appointment.reminder"
# Confirming or cancelling means something only before the visit happens.
_ACTIONABLE = ("scheduled", "confirmed")


@dataclass(frozen=True, slots=True)
class VisitLinks:
    confirm: str
    cancel: str


def visit_page_url(public_url: str, appointment_id: int, action: str, token: str) -> str:
    query = urlencode({"appointment": appointment_id, "token": token})
    return f"{public_url}/visit/{action}?{query}"


async def visit_links(
    session: AsyncSession, public_url: str, app_key: str, claimed: Claimed
) -> VisitLinks | None:
    """The links for a reminder's delivery; None for any other event, or when the appointment
    is gone or no longer open (the message then carries only its usual link)."""
    if claimed.event_name != REMINDER_EVENT:
        return None
    appointment_id = claimed.payload.get("id")
    if not isinstance(appointment_id, int):
        return None
    appointment = await session.get(Appointment, appointment_id)
    if appointment is None or appointment.status not in _ACTIONABLE:
        return None
    branch = await session.get(Branch, appointment.branch_id)
    if branch is None:
        return None
    tokens = link_tokens(app_key, appointment, branch)
    return VisitLinks(
        confirm=visit_page_url(public_url, appointment.id, "confirm", tokens["confirm"]),
        cancel=visit_page_url(public_url, appointment.id, "cancel", tokens["cancel"]),
    )
