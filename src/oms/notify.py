"""Publish from elsewhere (DESIGN §4): the seed's `WebSocketService::notifyUsers` as Python.

Each call opens its own session, records through the same domain function as
`POST /api/notifications/broadcast` (so recipients, inbox rows and validation are identical),
commits — which publishes on the database's bus — and returns the event id. The sender is the
system itself, so no role check applies; callers are trusted code in this process.
"""

from __future__ import annotations

from typing import Any, cast, get_args

from oms.db.database import Database
from oms.db.models import Appointment
from oms.domain.appointment_events import record_appointment_event
from oms.domain.errors import InvalidField, NotFound
from oms.domain.inventory_events import record_inventory_event
from oms.domain.notifications import broadcast
from oms.events.catalogue import AppointmentEventName, InventoryEventName
from oms.events.recorder import commit


async def _send(database: Database, **target_and_content: Any) -> int:
    async with database.session() as session:
        event_id, _ = await broadcast(session, sender=None, **target_and_content)
        return event_id


async def notify_users(
    database: Database,
    title: str,
    message: str,
    type: str,
    user_ids: list[int],
    data: dict[str, Any] | None = None,
) -> int:
    return await _send(
        database, title=title, message=message, type=type, user_ids=list(user_ids), data=data
    )


async def notify_role(
    database: Database,
    title: str,
    message: str,
    type: str,
    role: str,
    data: dict[str, Any] | None = None,
) -> int:
    return await _send(database, title=title, message=message, type=type, role=role, data=data)


async def notify_branch(
    database: Database,
    title: str,
    message: str,
    type: str,
    branch_id: int,
    data: dict[str, Any] | None = None,
) -> int:
    return await _send(
        database, title=title, message=message, type=type, branch_id=branch_id, data=data
    )


# --- domain updates ------------------------------------------------------------------------------
# The seed's other two calls: re-announce an appointment or a stock level to everyone it concerns,
# through the same recorders the appointment and inventory actions use.


async def notify_appointment_update(
    database: Database, appointment_id: int, action: str, message: str | None = None
) -> int:
    """Announce `appointment.{action}` (created, updated, confirmed, cancelled, completed,
    no_show) about an existing appointment to its patient, optometrist, branch staff and admins."""
    name = f"appointment.{action}"
    if name not in get_args(AppointmentEventName):
        raise InvalidField("action", f"must be one of {_choices(AppointmentEventName)}")
    async with database.session() as session:
        appointment = await session.get(Appointment, appointment_id)
        if appointment is None:
            raise NotFound(f"appointment {appointment_id} was not found")
        event = await record_appointment_event(
            session, appointment, cast(AppointmentEventName, name), message=message
        )
        await commit(session)
        return event.event_id


async def notify_inventory_update(
    database: Database, product_id: int, branch_id: int, alert: str, message: str | None = None
) -> int:
    """Announce `inventory.{alert}` (low_stock, out_of_stock, restocked) for a stocked product at a
    branch, with its current level, to the branch's staff and the admins."""
    name = f"inventory.{alert}"
    if name not in get_args(InventoryEventName):
        raise InvalidField("alert", f"must be one of {_choices(InventoryEventName)}")
    async with database.session() as session:
        event = await record_inventory_event(
            session, (branch_id, product_id), cast(InventoryEventName, name), message=message
        )
        await commit(session)
        return event.event_id


def _choices(names: object) -> str:
    return ", ".join(name.split(".", 1)[1] for name in get_args(names))
