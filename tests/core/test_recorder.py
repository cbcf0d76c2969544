"""The event seam: recorded in the transaction, published only after commit, never on rollback."""

from __future__ import annotations

import asyncio

import pytest

from oms.db.database import Database
from oms.events.catalogue import NotificationDraft
from oms.events.recorder import commit, record_event
from oms.events.store import events_between, events_for_user, latest_event_id
from tests.conftest import PublishedLog
from tests.factories import Factory
from tests.notifications.support import counts

# The outbox and its id order are what the database guarantees: run on every backend.
pytestmark = pytest.mark.both_databases


async def _record_general(database: Database, recipients: set[int], title: str = "Hello") -> int:
    async with database.session() as session:
        published = await record_event(
            session,
            NotificationDraft(
                event="notification.general",
                title=title,
                message="A message",
                level="info",
                data={"k": 1},
            ),
            recipients=recipients,
        )
        await commit(session)
        return published.event_id


async def test_commit_publishes_with_inbox_rows(
    database: Database, factory: Factory, published: PublishedLog
) -> None:
    a, b = await factory.customer(), await factory.customer()
    event_id = await _record_general(database, {a.id, b.id, a.id})
    event = published.only()
    assert event.event_id == event_id
    assert event.payload["event"] == "notification.general"
    assert event.payload["type"] == "general"
    assert event.payload["timestamp"].endswith("Z")
    assert "id" not in event.payload  # per-recipient, added at delivery
    assert published.recipients() == {a.id, b.id}
    assert await counts(database) == (1, 2)


async def test_rollback_records_and_publishes_nothing(
    database: Database, factory: Factory, published: PublishedLog
) -> None:
    user = await factory.customer()
    async with database.session() as session:
        await record_event(
            session,
            NotificationDraft(
                event="notification.alert",
                title="Never",
                message="rolled back",
                level="warning",
                data={},
            ),
            recipients={user.id},
        )
        await session.rollback()
        await commit(session)  # nothing left to publish
    assert published.events == []
    assert await counts(database) == (0, 0)


def test_payload_outside_the_catalogue_is_refused() -> None:
    """Built from data at run time (mypy checks what the domain writes in code): a field outside
    the catalogue never reaches the recorder."""
    with pytest.raises(ValueError, match="extra"):
        NotificationDraft.model_validate(
            {
                "event": "notification.general",
                "title": "x",
                "message": "y",
                "level": "info",
                "data": {},
                "password": "leak",
            }
        )


async def test_ids_increase_in_commit_order_under_concurrency(
    database: Database, factory: Factory, published: PublishedLog
) -> None:
    user = await factory.customer()
    ids = await asyncio.gather(*(_record_general(database, {user.id}, f"n{i}") for i in range(20)))
    assert len(set(ids)) == 20
    # Whatever order the commits finished in, a reader never finds a hole below the newest id.
    async with database.session() as session:
        assert await latest_event_id(session) == max(ids)
        assert [e.event_id for e in await events_between(session, 0, max(ids))] == sorted(ids)
        replay = await events_for_user(session, user.id, after_id=sorted(ids)[4])
        assert [event.event_id for _, event in replay] == sorted(ids)[5:]
