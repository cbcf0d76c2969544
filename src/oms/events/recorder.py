"""The one function through which every state change records its events (the outbox).

`record_event` writes the event and an inbox row per recipient in the caller's transaction;
`commit` commits and only then hands the events to the bus. A rolled-back transaction leaves
nothing behind and publishes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from oms.db.base import utcnow
from oms.db.database import SESSION_BUS
from oms.db.models import EventRecord
from oms.events.bus import EventBus
from oms.events.catalogue import EventDraft, InboxReadDraft, RecordedDraft, is_ambient
from oms.events.envelope import PublishedEvent
from oms.events.horizon import EVENT_WRITER_LOCK
from oms.events.inbox_rows import write_inbox_rows
from oms.events.recipients import Audience

_PENDING = "oms.pending_events"
_ACTING_USER = "oms.acting_user"


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def set_acting_user(session: AsyncSession, user_id: int | None) -> None:
    """Who causes what this session records (the API sets it for the signed-in caller), so their
    own copy arrives already read and is never sent to them by email or push (DESIGN §10)."""
    session.info[_ACTING_USER] = user_id


def iso_timestamp(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def _mark_as_event_writer(session: AsyncSession) -> None:
    """PostgreSQL: mark this transaction as one that records events, before it takes an id.

    Ids come from a sequence at insert time, not at commit, so event 11 can commit while 10 is
    still in flight. There is no lock between writers for that: the mark is a *shared*
    transaction-level advisory lock, which never blocks another writer and is released at commit
    or rollback. A reader that relies on a position waits out the transactions holding the mark
    when it reads the newest id (`events.horizon`) — and only those: a long write that records
    no event (a rename, say) holds up no reader. SQLite needs nothing: IMMEDIATE transactions
    serialize writers.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": EVENT_WRITER_LOCK}
        )


# The draft's own fields that the envelope places; the rest of a draft is its subject.
_WORDS: set[str] = set(EventDraft.model_fields)


async def _new_event(session: AsyncSession, draft: EventDraft) -> EventRecord:
    """The event row with its payload: the draft (typed, so already valid) in its envelope. The
    id is taken after this transaction is marked as an event writer (`_mark_as_event_writer`)."""
    await _mark_as_event_writer(session)
    name = draft.event
    record = EventRecord(name=name, payload={})
    session.add(record)
    await session.flush()
    # Key order is the wire's: envelope first, then the subject.
    record.payload = {
        "event_id": record.id,
        "event": name,
        "type": name.split(".", 1)[1],
        "title": draft.title,
        "message": draft.message,
        "level": draft.level,
        "timestamp": iso_timestamp(),
        **draft.model_dump(mode="json", exclude=_WORDS),
    }
    return record


def _pend(session: AsyncSession, published: PublishedEvent) -> PublishedEvent:
    session.info.setdefault(_PENDING, []).append(published)
    return published


async def record_event(
    session: AsyncSession,
    draft: RecordedDraft,
    *,
    recipients: Iterable[int] | Audience,
    actor_id: int | None = None,
) -> PublishedEvent:
    """Record `draft` (its name is `draft.event`) for `recipients`: user ids, or an `Audience` (a
    role, a branch) resolved by the database as it writes. `actor_id` (default: the session's
    acting user) is who caused the event."""
    actor_id = actor_id if actor_id is not None else session.info.get(_ACTING_USER)
    record = await _new_event(session, draft)
    name = record.name
    # The actor's own copy is read from the start (they know, they did it), and so is every copy
    # of an ambient event (catalogue: never counted by the bell). One statement for any number of
    # recipients (events/inbox_rows.py).
    inbox = await write_inbox_rows(
        session,
        event_id=record.id,
        user_ids=recipients if isinstance(recipients, Audience) else sorted(set(recipients)),
        actor_id=actor_id,
        all_read=is_ambient(name),
        now=utcnow(),
    )
    await session.flush()
    return _pend(session, PublishedEvent(record.id, name, record.payload, inbox))


async def record_user_message(session: AsyncSession, draft: InboxReadDraft) -> PublishedEvent:
    """An event for one user's own sockets that is not news: no inbox row, no bell, no toast
    (read state, for instance). It takes an event id like any other, so the gateways' ordering
    and gap filling hold; a socket that was offline does not replay it (it refetches instead)."""
    record = await _new_event(session, draft)
    await session.flush()
    return _pend(
        session, PublishedEvent(record.id, record.name, record.payload, ((draft.user_id, 0),))
    )


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
