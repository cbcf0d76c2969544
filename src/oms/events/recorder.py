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

from oms.db.base import utcnow
from oms.db.models import EventRecord, Notification
from oms.events.bus import EventBus
from oms.events.catalogue import EventName, Level, is_ambient, validate_payload
from oms.events.envelope import PublishedEvent

_PENDING = "oms.pending_events"
_BUS = "oms.bus"


def attach_bus(session: AsyncSession, bus: EventBus) -> AsyncSession:
    session.info[_BUS] = bus
    return session


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def iso_timestamp(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def _take_xid_before_an_id(session: AsyncSession) -> None:
    """PostgreSQL: give this transaction its transaction id before it takes an event id.

    Ids come from a sequence at insert time, not at commit, so event 11 can commit while 10 is
    still in flight. There is no lock for that (writers never wait for each other); instead a
    reader waits out the transactions in flight at its snapshot before relying on an id
    (`events.horizon`). That is complete only if every transaction holding an id already has its
    transaction id, which this makes sure of. SQLite needs nothing: IMMEDIATE transactions
    serialize writers.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_current_xact_id()"))


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
    await _take_xid_before_an_id(session)
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
        # An ambient event's rows are stored read: never counted by the bell (catalogue).
        read_at = utcnow() if is_ambient(name) else None
        rows = await session.execute(
            insert(Notification).returning(
                Notification.user_id, Notification.id, sort_by_parameter_order=True
            ),
            [
                {"user_id": user_id, "event_id": record.id, "read_at": read_at}
                for user_id in user_ids
            ],
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
    bus: EventBus | None = session.info.get(_BUS)
    if events and bus is not None:
        await bus.publish(events)
    return events
