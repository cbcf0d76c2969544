"""Reconnect replay: everything missed, in order, before live events, no gap, no duplicate —
including events committed while the replay runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from oms.events.envelope import PublishedEvent
from oms.runtime import Runtime
from tests.gateway.conftest import LiveGateway, start_live_gateway
from tests.gateway.scenario import Chain, notify


async def test_client_that_missed_50_events_gets_all_in_order(
    live: LiveGateway, chain: Chain
) -> None:
    database = live.runtime.database
    first = await live.probe(chain.customer.token)
    seen = await notify(database, {chain.customer.id}, "before")
    await first.wait_for_ids(seen.event_id)
    await first.close()

    missed = []
    for number in range(50):
        missed.append((await notify(database, {chain.customer.id}, f"missed {number}")).event_id)
        await notify(database, {chain.other_customer.id}, "not yours")  # interleaved, not theirs

    again = await live.probe(chain.customer.token, last_event_id=seen.event_id)
    await again.wait_for_ids(*missed)
    after = await notify(database, {chain.customer.id}, "live")
    await again.wait_for_ids(after.event_id)
    assert again.ids() == [*missed, after.event_id]
    texts = [data["data"]["text"] for _, data in again.events]
    assert texts == [*(f"missed {n}" for n in range(50)), "live"]
    # Each replayed notification carries this user's own inbox row id.
    assert all(isinstance(data["id"], int) and data["id"] > 0 for _, data in again.events)
    assert "oms_events_replayed_total 50.0" in live.runtime.metrics.render().decode()


async def test_without_last_event_id_the_socket_is_live_only(
    live: LiveGateway, chain: Chain
) -> None:
    await notify(live.runtime.database, {chain.customer.id}, "history")
    # Dispatched before the socket exists (on a busy machine it could otherwise still be in the
    # dispatcher's hands when the socket registers, and be delivered live).
    await live.settle()
    probe = await live.probe(chain.customer.token)
    now = await notify(live.runtime.database, {chain.customer.id}, "now")
    await probe.wait_for_ids(now.event_id)
    assert probe.ids() == [now.event_id]


async def test_a_position_beyond_the_database_replays_the_whole_inbox(
    live: LiveGateway, chain: Chain
) -> None:
    """A client remembering an id this database never committed (it was reset or restored) gets
    the inbox from the start instead of silence until new ids pass the stale one."""
    database = live.runtime.database
    history = [(await notify(database, {chain.customer.id}, str(n))).event_id for n in range(3)]
    probe = await live.probe(chain.customer.token, last_event_id=history[-1] + 10_000)
    await probe.wait_for_ids(*history)
    live_event = await notify(database, {chain.customer.id}, "live")
    await probe.wait_for_ids(live_event.event_id)
    assert probe.ids() == [*history, live_event.event_id]


async def test_two_tabs_replay_independently(live: LiveGateway, chain: Chain) -> None:
    database = live.runtime.database
    events = [(await notify(database, {chain.staff_north.id}, str(n))).event_id for n in range(6)]
    tab1 = await live.probe(chain.staff_north.token, last_event_id=events[1])
    tab2 = await live.probe(chain.staff_north.token, last_event_id=events[3])
    await tab1.wait_for_ids(*events[2:])
    await tab2.wait_for_ids(*events[4:])
    assert tab1.ids() == events[2:]
    assert tab2.ids() == events[4:]


Page = list[tuple[int, PublishedEvent]]


@pytest.mark.parametrize("page_size", [3, 500])
async def test_events_committed_during_the_replay_are_neither_lost_nor_doubled(
    runtime: Runtime, chain: Chain, page_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first replay page read is slowed down: while the socket is replaying, more events are
    committed and published (the dispatcher parks them). With small pages the replay reads them
    too; with large pages only the parked copy has them. Either way: each exactly once, in order."""
    from oms.gateway import replay

    live = await start_live_gateway(runtime, tick_seconds=60, replay_page_size=page_size)
    try:
        database = runtime.database
        mine = [
            (await notify(database, {chain.customer.id}, f"old {n}")).event_id for n in range(7)
        ]
        during: list[int] = []
        original: Callable[..., Awaitable[Page]] = replay.read_page

        async def slow_first_page(*args: Any, **kwargs: Any) -> Page:
            page = await original(*args, **kwargs)
            if not during:
                for number in range(4):
                    event = await notify(database, {chain.customer.id}, f"during {number}")
                    during.append(event.event_id)
                    await notify(database, {chain.other_customer.id}, "not yours")
                await live.settle()  # the dispatcher has parked them on the replaying socket
            return page

        monkeypatch.setattr(replay, "read_page", slow_first_page)
        probe = await live.probe(chain.customer.token, last_event_id=0)
        await probe.wait_for_ids(*mine, *during)
        after = await notify(database, {chain.customer.id}, "after")
        await probe.wait_for_ids(after.event_id)
        assert probe.ids() == [*mine, *during, after.event_id]
    finally:
        await live.stop()
