"""REST routes: the caller's notification inbox, and broadcasts (DESIGN §4 "Publish from
elsewhere", §5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from oms.api.deps import AdminOrAppKey, CurrentActor, RateLimitsDep, SessionDep
from oms.api.schemas.common import BigIdValue
from oms.api.schemas.notifications import (
    BroadcastIn,
    BroadcastOut,
    InboxPageQuery,
    MarkedCountOut,
    NotificationOut,
    UnreadCountOut,
)
from oms.domain import notifications

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("")
async def list_notifications(
    actor: CurrentActor, session: SessionDep, page: Annotated[InboxPageQuery, Query()]
) -> list[NotificationOut]:
    items = await notifications.list_inbox(session, actor, **page.model_dump())
    return [NotificationOut.model_validate(item) for item in items]


@router.get("/unread-count")
async def unread_count(actor: CurrentActor, session: SessionDep) -> UnreadCountOut:
    return UnreadCountOut(count=await notifications.unread_count(session, actor))


@router.post("/read-all")
async def read_all(actor: CurrentActor, session: SessionDep) -> MarkedCountOut:
    return MarkedCountOut(count=await notifications.mark_all_read(session, actor))


@router.post("/broadcast", status_code=201)
async def broadcast(
    body: BroadcastIn, sender: AdminOrAppKey, session: SessionDep, limits: RateLimitsDep
) -> BroadcastOut:
    await limits.hit("broadcast_sender", f"user:{sender.id}" if sender else "app-key")
    # BroadcastIn's fields are `broadcast`'s keyword arguments, one for one (a renamed field
    # fails every broadcast test, not silently).
    event_id, count = await notifications.broadcast(session, sender=sender, **body.model_dump())
    return BroadcastOut(event_id=event_id, recipients=count)


@router.post("/{notification_id}/read")
async def read_one(
    notification_id: BigIdValue, actor: CurrentActor, session: SessionDep
) -> NotificationOut:
    item = await notifications.mark_read(session, actor, notification_id)
    return NotificationOut.model_validate(item)
