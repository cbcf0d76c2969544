"""Reading events back from the event table: for gap filling and for reconnect replay."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import EventRecord, Notification
from oms.events.catalogue import is_user_message
from oms.events.envelope import PublishedEvent
from oms.events.horizon import settled_horizon


async def newest_event_id(session: AsyncSession) -> int:
    """The highest committed id, without settling: fine for a bound, never for a position."""
    value = await session.scalar(select(func.max(EventRecord.id)))
    return int(value or 0)


async def latest_event_id(session: AsyncSession) -> int:
    """The newest id a reader may take as its position: every id below it is final (horizon.py)."""
    return await settled_horizon(session)


async def events_between(
    session: AsyncSession, after_id: int, up_to_id: int, *, limit: int = 1000
) -> list[PublishedEvent]:
    """Committed events with after_id < id <= up_to_id, each with all its recipients."""
    records = (
        await session.scalars(
            select(EventRecord)
            .where(EventRecord.id > after_id, EventRecord.id <= up_to_id)
            .order_by(EventRecord.id)
            .limit(limit)
        )
    ).all()
    if not records:
        return []
    recipients: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = await session.execute(
        select(Notification.event_id, Notification.user_id, Notification.id)
        .where(Notification.event_id.in_([record.id for record in records]))
        .order_by(Notification.event_id, Notification.user_id)
    )
    for event_id, user_id, inbox_id in rows:
        recipients[event_id].append((user_id, inbox_id))
    for record in records:
        if is_user_message(record.name):  # no inbox row: its one user is in the payload
            recipients[record.id].append((int(record.payload["user_id"]), 0))
    return [
        PublishedEvent(record.id, record.name, record.payload, tuple(recipients[record.id]))
        for record in records
    ]


async def events_for_user(
    session: AsyncSession,
    user_id: int,
    after_id: int,
    *,
    limit: int = 500,
    up_to_id: int | None = None,
) -> list[tuple[int, PublishedEvent]]:
    """A user's events after `after_id` (up to `up_to_id`), oldest first, as (inbox row id,
    event). A reader that takes the last id as its position reads up to a settled horizon."""
    query = (
        select(Notification.id, EventRecord)
        .join(EventRecord, EventRecord.id == Notification.event_id)
        .where(Notification.user_id == user_id, Notification.event_id > after_id)
        .order_by(Notification.event_id)
        .limit(limit)
    )
    if up_to_id is not None:
        query = query.where(Notification.event_id <= up_to_id)
    rows = await session.execute(query)
    return [
        (inbox_id, PublishedEvent(record.id, record.name, record.payload, ((user_id, inbox_id),)))
        for inbox_id, record in rows
    ]
