"""A broadcast to a role, live and after a reconnect (DESIGN §12 "Broadcasts persist at socket
speed"): every connected member gets it once with their own inbox row id; a member who was away
gets it once by replay."""

from __future__ import annotations

import pytest

from oms.db.database import Database
from oms.domain.notifications import broadcast
from tests.gateway.conftest import LiveGateway
from tests.gateway.scenario import Chain
from tests.notifications.support import inbox_of_event

# Live delivery and replay rest on the database's id order: run on every backend.
pytestmark = pytest.mark.both_databases


async def _to_customers(database: Database, title: str) -> int:
    async with database.session() as session:
        event_id, _ = await broadcast(
            session,
            sender=None,
            title=title,
            message="For every customer",
            type="general",
            role="customer",
        )
    return event_id


async def test_live_once_to_each_member_and_replayed_once_after_a_reconnect(
    live: LiveGateway, chain: Chain
) -> None:
    database = live.runtime.database
    staying = await live.probe(chain.customer.token)
    leaving = await live.probe(chain.other_customer.token)
    staff = await live.probe(chain.staff_north.token)

    first = await _to_customers(database, "first")
    await staying.wait_for_ids(first)
    await leaving.wait_for_ids(first)
    await leaving.close()

    missed = await _to_customers(database, "missed")
    await staying.wait_for_ids(missed)
    back = await live.probe(chain.other_customer.token, last_event_id=first)
    await back.wait_for_ids(missed)
    after = await _to_customers(database, "after")
    await back.wait_for_ids(after)
    await staying.wait_for_ids(after)
    await live.settle()

    assert staying.ids() == [first, missed, after]
    assert leaving.ids() == [first]
    assert back.ids() == [missed, after]
    assert staff.ids() == []  # not a member of the role
    # Each member's frame names their own inbox row.
    for event_id in (first, missed, after):
        rows = await inbox_of_event(database, event_id)
        assert [data["id"] for data in staying.of(event_id)] == [rows[chain.customer.id]]
    for probe, event_id in ((leaving, first), (back, missed), (back, after)):
        rows = await inbox_of_event(database, event_id)
        assert [data["id"] for data in probe.of(event_id)] == [rows[chain.other_customer.id]]
