"""Plans deliveries from the inbox: one row per (inbox row, channel) the recipient wants.

The planner reads the inbox after a cursor instead of writing deliveries on the request's path,
so recording an event costs no more than it did (a broadcast to thousands stays one insert).
It reads in (event id, inbox id) order and only up to the settled horizon (events/horizon.py):
every event up to it is committed or never will be, so no inbox row can appear behind the cursor
once the cursor has passed it. (Inbox ids alone would not do: on PostgreSQL they are handed out at
insert time, so a row with a lower id can commit after a higher one.) The cursor row is locked
while planning and (notification, channel) is unique, so two planners never plan twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert, literal, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import (
    Delivery,
    DeliveryCursor,
    EventRecord,
    Notification,
    NotificationPreference,
    PushSubscription,
    User,
)
from oms.delivery.families import IMMEDIATE_EVENTS, family_of
from oms.delivery.preferences import Preferences, effective
from oms.events.horizon import settled_horizon

PLAN_BATCH = 2000


async def _lock_cursor(session: AsyncSession) -> DeliveryCursor:
    cursor = await session.scalar(
        select(DeliveryCursor).where(DeliveryCursor.id == 1).with_for_update()
    )
    if cursor is None:  # a database emptied by hand (or by a test): start from the beginning
        cursor = DeliveryCursor(id=1, last_event_id=0, last_notification_id=0)
        session.add(cursor)
        await session.flush()
    return cursor


async def plan_deliveries(
    session: AsyncSession, *, now: datetime, delay_seconds: float, email_enabled: bool
) -> int:
    """Plan the next batch of inbox rows and commit. Returns how many inbox rows it read.

    A row is due `delay_seconds` after it was created; urgent ones and reminders are due `now`."""
    try:
        cursor = await _lock_cursor(session)
    except IntegrityError:  # another planner created the cursor row first: it plans this round
        await session.rollback()
        return 0
    horizon = await settled_horizon(session)
    rows = (
        await session.execute(
            select(
                Notification.id,
                Notification.event_id,
                Notification.user_id,
                Notification.created_at,
                Notification.read_at,
                EventRecord.name,
                User.role,
                User.is_active,
            )
            .join(EventRecord, EventRecord.id == Notification.event_id)
            .join(User, User.id == Notification.user_id)
            .where(
                tuple_(Notification.event_id, Notification.id)
                > tuple_(literal(cursor.last_event_id), literal(cursor.last_notification_id)),
                Notification.event_id <= horizon,
            )
            .order_by(Notification.event_id, Notification.id)
            .limit(PLAN_BATCH)
        )
    ).all()
    if not rows:
        await session.rollback()
        return 0
    user_ids = {row.user_id for row in rows}
    chosen = {
        row.user_id: row
        for row in await session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids))
        )
    }
    subscribed = set(
        await session.scalars(
            select(PushSubscription.user_id).where(PushSubscription.user_id.in_(user_ids))
        )
    )
    planned: list[dict[str, Any]] = []
    # Most members of a broadcast never changed a preference: their role's defaults, built once.
    defaults: dict[str, Preferences] = {}
    for row in rows:
        # Read already (their own action, or seen at once) or no longer a user: nothing to send.
        if row.read_at is not None or not row.is_active:
            continue
        own = chosen.get(row.user_id)
        if own is None:
            preferences = defaults.get(row.role) or defaults.setdefault(
                row.role, effective(row.role, None)
            )
        else:
            preferences = effective(row.role, own)
        family = family_of(row.name)
        due = (
            now
            if row.name in IMMEDIATE_EVENTS
            else row.created_at + timedelta(seconds=delay_seconds)
        )
        channels = [
            channel
            for channel, available in (
                ("email", email_enabled),
                ("push", row.user_id in subscribed),
            )
            if available and preferences.wants(family, channel)
        ]
        planned.extend(
            {
                "notification_id": row.id,
                "user_id": row.user_id,
                "channel": channel,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": due,
            }
            for channel in channels
        )
    if planned:
        # Core, not the ORM's bulk insert: no per-row bookkeeping for rows it never loads.
        await session.execute(insert(cast(Table, Delivery.__table__)), planned)
    cursor.last_event_id = rows[-1].event_id
    cursor.last_notification_id = rows[-1].id
    await session.commit()
    return len(rows)
