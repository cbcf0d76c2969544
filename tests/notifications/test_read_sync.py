"""`inbox.read`: a read reaches the reader's own sockets only, makes no inbox row, and a gateway
filling a gap from the event table finds its one recipient (DESIGN §3 "Reads reach every open tab
and device of that user")."""

from __future__ import annotations

from oms.db.database import Database
from oms.events.catalogue import InboxReadDraft, validate_payload
from oms.events.recorder import commit, record_user_message
from oms.events.store import events_between, events_for_user, latest_event_id
from tests.factories import Factory


async def test_a_read_message_is_for_its_user_only_and_found_again_by_gap_filling(
    database: Database, factory: Factory
) -> None:
    reader = await factory.customer()
    async with database.session() as session:
        before = await latest_event_id(session)
        sent = await record_user_message(
            session, InboxReadDraft(user_id=reader.id, ids=[3, 4], all=False, unread_count=2)
        )
        await commit(session)
    assert list(sent.recipients) == [(reader.id, 0)]
    validate_payload(sent.payload)
    async with database.session() as session:
        (again,) = await events_between(session, before, sent.event_id)
        inbox = await events_for_user(session, reader.id, before)
    assert (again.name, list(again.recipients)) == ("inbox.read", [(reader.id, 0)])
    assert again.payload["ids"] == [3, 4]
    assert inbox == []  # not news: nothing in the inbox, nothing to replay
