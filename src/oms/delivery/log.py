"""The delivery log for admins (DESIGN §10): newest first, filtered, paged by `before_id`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Delivery, User
from oms.domain.actors import Actor
from oms.domain.errors import InvalidField, PermissionDenied

DEFAULT_PAGE: Final = 50
MAX_PAGE: Final = 200
STATUSES: Final = ("pending", "sent", "failed", "skipped")
CHANNELS: Final = ("email", "push")


@dataclass(frozen=True, slots=True)
class LogRow:
    id: int
    notification_id: int
    user_id: int
    user_name: str
    channel: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


async def list_deliveries(
    session: AsyncSession,
    actor: Actor,
    *,
    status: str | None = None,
    channel: str | None = None,
    user_id: int | None = None,
    before_id: int | None = None,
    limit: int = DEFAULT_PAGE,
) -> list[LogRow]:
    if not actor.is_admin:
        raise PermissionDenied("only admins see the delivery log")
    if status is not None and status not in STATUSES:
        raise InvalidField("status", f"must be one of {', '.join(STATUSES)}")
    if channel is not None and channel not in CHANNELS:
        raise InvalidField("channel", f"must be one of {', '.join(CHANNELS)}")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidField("limit", f"must be between 1 and {MAX_PAGE}")
    query = (
        select(Delivery, User.name)
        .join(User, User.id == Delivery.user_id)
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(Delivery.status == status)
    if channel is not None:
        query = query.where(Delivery.channel == channel)
    if user_id is not None:
        query = query.where(Delivery.user_id == user_id)
    if before_id is not None:
        query = query.where(Delivery.id < before_id)
    rows = await session.execute(query)
    return [
        LogRow(
            d.id,
            d.notification_id,
            d.user_id,
            name,
            d.channel,
            d.status,
            d.attempts,
            d.last_error,
            d.created_at,
            d.sent_at,
        )
        for d, name in rows.all()
    ]
