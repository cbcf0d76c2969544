"""Publish from elsewhere (DESIGN §4): the seed's `WebSocketService::notifyUsers` as Python.

Each call opens its own session, records through the same domain function as
`POST /api/notifications/broadcast` (so recipients, inbox rows and validation are identical),
commits — which publishes on the database's bus — and returns the event id. The sender is the
system itself, so no role check applies; callers are trusted code in this process.
"""

from __future__ import annotations

from typing import Any

from oms.db.database import Database
from oms.domain.notifications import broadcast


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
# notify_appointment_update and notify_inventory_update (the seed's other two calls) go here; they
# re-announce an appointment or a stock level through the appointment and inventory domains.
