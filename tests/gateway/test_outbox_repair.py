"""Nothing lost between commit and publish: an event committed but never published (the process
died in between) reaches connected clients through the table tick, and reconnecting clients
through replay after a restart; a gap in published ids is filled from the table, in order."""

from __future__ import annotations

import pytest

from oms.events.catalogue import NotificationDraft
from oms.events.recorder import record_event
from oms.runtime import Runtime
from tests.gateway.conftest import LiveGateway, start_live_gateway
from tests.gateway.scenario import Chain, notify, record_unpublished

# The outbox and its gap filling are what the database guarantees: run on every backend.
pytestmark = pytest.mark.both_databases


async def test_unpublished_event_reaches_connected_client_through_the_tick(
    live: LiveGateway, chain: Chain
) -> None:
    probe = await live.probe(chain.customer.token)
    other = await live.probe(chain.other_customer.token)
    event_id = await record_unpublished(
        live.runtime.database, "notification.alert", {chain.customer.id}, {"data": {}}
    )
    await probe.wait_for_ids(event_id)
    assert probe.ids() == [event_id]
    fence = await notify(live.runtime.database, {chain.other_customer.id})
    await other.wait_for_ids(fence.event_id)
    assert other.ids() == [fence.event_id]


async def test_gap_in_published_ids_is_filled_from_the_table_in_order(
    runtime: Runtime, chain: Chain
) -> None:
    # A tick this slow never fires during the test: only the gap check can repair this.
    live = await start_live_gateway(runtime, tick_seconds=60)
    try:
        probe = await live.probe(chain.customer.token)
        lost = await record_unpublished(
            runtime.database, "notification.urgent", {chain.customer.id}, {"data": {}}
        )
        published = await notify(runtime.database, {chain.customer.id})
        await probe.wait_for_ids(lost, published.event_id)
        assert probe.ids() == [lost, published.event_id]
    finally:
        await live.stop()


async def test_rolled_back_ids_leave_harmless_holes(live: LiveGateway, chain: Chain) -> None:
    database = live.runtime.database
    probe = await live.probe(chain.customer.token)
    first = await notify(database, {chain.customer.id})
    for _ in range(3):  # on PostgreSQL each leaves a permanent hole in the id sequence
        async with database.session() as session:
            await record_event(
                session,
                NotificationDraft(
                    event="notification.general",
                    title="never",
                    message="rolled back",
                    level="info",
                    data={},
                ),
                recipients={chain.customer.id},
            )
            await session.rollback()
    second = await notify(database, {chain.customer.id})
    await probe.wait_for_ids(second.event_id)
    assert probe.ids() == [first.event_id, second.event_id]


async def test_event_committed_while_the_gateway_was_down_reaches_the_client_by_replay(
    runtime: Runtime, chain: Chain
) -> None:
    database = runtime.database
    live = await start_live_gateway(runtime)
    probe = await live.probe(chain.customer.token)
    seen = await notify(database, {chain.customer.id})
    await probe.wait_for_ids(seen.event_id)
    await live.stop()

    # The process that committed this died before publishing; no gateway was even running.
    lost = await record_unpublished(
        database, "notification.general", {chain.customer.id}, {"data": {"n": 1}}
    )

    restarted = await start_live_gateway(runtime)
    try:
        again = await restarted.probe(chain.customer.token, last_event_id=seen.event_id)
        await again.wait_for_ids(lost)
        live_event = await notify(database, {chain.customer.id})
        await again.wait_for_ids(live_event.event_id)
        assert again.ids() == [lost, live_event.event_id]
    finally:
        await restarted.stop()
