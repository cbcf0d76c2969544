"""The one function through which every state change records its events (the outbox).

`record_event` writes the event and an inbox row per recipient in the caller's transaction;
`commit` commits and only then hands the events to the bus. A rolled-back transaction leaves
nothing behind and publishes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from oms.db.database import SESSION_BUS
from oms.db.models import EventRecord, Notification
from oms.events.bus import EventBus
from oms.events.catalogue import EventName, Level, validate_payload
from oms.events.envelope import PublishedEvent

_PENDING = "oms.pending_events"
# Any constant works; it names the lock that orders event ids by commit on PostgreSQL.
_EVENT_LOG_LOCK = 0x0E5E_1D


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def iso_timestamp(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def _order_event_ids_by_commit(session: AsyncSession) -> None:
    """Make ids increase in commit order, so a reader that saw id N has seen every id below N.

    PostgreSQL hands out sequence values at insert time, not commit time; without this a replay
    could see event 11 committed while 10 is still in flight and skip 10 forever. The transaction
    lock is held to commit. SQLite needs nothing: IMMEDIATE transactions already serialize writers.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _EVENT_LOG_LOCK})


async def record_event(
    session: AsyncSession,
    *,
    name: EventName,
    title: str,
    message: str,
    level: Level,
    subject: dict[str, Any],
    recipients: Iterable[int],
) -> PublishedEvent:
    await _order_event_ids_by_commit(session)
    record = EventRecord(name=name, payload={})
    session.add(record)
    await session.flush()
    payload: dict[str, Any] = {
        "event_id": record.id,
        "event": name,
        "type": name.split(".", 1)[1],
        "title": title,
        "message": message,
        "level": level,
        "timestamp": iso_timestamp(),
        **subject,
    }
    validate_payload(payload)
    record.payload = payload
    user_ids = sorted(set(recipients))
    inbox: list[tuple[int, int]] = []
    if user_ids:
        rows = await session.execute(
            insert(Notification).returning(
                Notification.user_id, Notification.id, sort_by_parameter_order=True
            ),
            [{"user_id": user_id, "event_id": record.id} for user_id in user_ids],
        )
        inbox = [(int(user_id), int(inbox_id)) for user_id, inbox_id in rows.all()]
    await session.flush()
    published = PublishedEvent(record.id, name, payload, tuple(inbox))
    session.info.setdefault(_PENDING, []).append(published)
    return published


def pending_events(session: AsyncSession) -> list[PublishedEvent]:
    return list(session.info.get(_PENDING, []))


async def commit(session: AsyncSession) -> list[PublishedEvent]:
    """Commit, then publish what the transaction recorded. Returns the published events."""
    events: list[PublishedEvent] = session.info.pop(_PENDING, [])
    await session.commit()
    bus: EventBus | None = session.info.get(SESSION_BUS)
    if events and bus is not None:
        await bus.publish(events)
    return events
