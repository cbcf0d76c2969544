"""One contract for both buses (in process, Redis), plus what only Redis has: crossing processes,
surviving a dead broker, and announcing each (re)subscription."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from oms.events.bus import EventBus, InProcessBus
from oms.events.envelope import PublishedEvent
from oms.events.redis_bus import RedisBus, channel_for
from tests.gateway.services import RedisServer


def _event(event_id: int) -> PublishedEvent:
    payload = {"event_id": event_id, "event": "notification.general", "data": {"n": event_id}}
    return PublishedEvent(event_id, "notification.general", payload, ((1, 10 + event_id),))


class Inbox:
    def __init__(self) -> None:
        self.batches: list[list[PublishedEvent]] = []
        self.changed = asyncio.Event()

    async def __call__(self, events: Sequence[PublishedEvent]) -> None:
        self.batches.append(list(events))
        self.changed.set()

    def ids(self) -> list[int]:
        return [event.event_id for batch in self.batches for event in batch]

    async def wait_ids(self, count: int) -> None:
        async with asyncio.timeout(5):
            while len(self.ids()) < count:
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture(params=["in_process", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[EventBus]:
    if request.param == "in_process":
        yield InProcessBus()
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    yield RedisBus(server.url)


async def _started(bus: EventBus) -> None:
    await bus.start()
    if isinstance(bus, RedisBus):
        await asyncio.wait_for(bus.subscribed.wait(), 5)


async def test_contract_delivers_batches_in_order(bus: EventBus) -> None:
    inbox = Inbox()
    bus.subscribe(inbox)
    await _started(bus)
    try:
        await bus.publish([_event(1), _event(2)])
        await bus.publish([_event(3)])
        # RedisBus calls local handlers directly and again with the copy from Redis.
        expected = [1, 2, 3] if isinstance(bus, InProcessBus) else [1, 2, 3, 1, 2, 3]
        await inbox.wait_ids(len(expected))
        assert sorted(inbox.ids()) == sorted(expected)
        assert inbox.batches[0] == [_event(1), _event(2)]
        assert all(batch in ([_event(1), _event(2)], [_event(3)]) for batch in inbox.batches)
    finally:
        await bus.close()


async def test_contract_unsubscribe_and_ping(bus: EventBus) -> None:
    inbox = Inbox()
    unsubscribe = bus.subscribe(inbox)
    unsubscribe()
    await bus.start()  # nothing subscribed: a Redis bus does not even listen
    # The fence: a second bus listening on the same channel has the event once it has been
    # through Redis, so a copy for the unsubscribed handler would have come by then too.
    witness = RedisBus(bus.url) if isinstance(bus, RedisBus) else None
    seen = Inbox()
    try:
        if witness is not None:
            witness.subscribe(seen)
            await _started(witness)
        await bus.publish([_event(1)])
        if witness is not None:
            await seen.wait_ids(1)
        assert inbox.ids() == []
        assert await bus.ping() is (None if isinstance(bus, InProcessBus) else True)
    finally:
        await bus.close()
        if witness is not None:
            await witness.close()


async def test_redis_bus_crosses_processes_write_only_publisher(
    redis_server: RedisServer,
) -> None:
    publisher = RedisBus(redis_server.url)  # no subscriber: never listens
    listener = RedisBus(redis_server.url)
    inbox = Inbox()
    listener.subscribe(inbox)
    await publisher.start()
    await _started(listener)
    try:
        await publisher.publish([_event(5), _event(6)])
        await inbox.wait_ids(2)
        assert inbox.batches == [[_event(5), _event(6)]]
    finally:
        await publisher.close()
        await listener.close()


async def test_deployments_sharing_a_redis_server_do_not_hear_each_other(
    redis_server: RedisServer,
) -> None:
    ours, theirs = channel_for("a" * 40), channel_for("b" * 40)
    assert ours != theirs
    assert ours == channel_for("a" * 40)
    assert "a" * 8 not in ours  # the key itself never appears on the wire
    foreign = RedisBus(redis_server.url, channel=theirs)
    listener = RedisBus(redis_server.url, channel=ours)
    own = RedisBus(redis_server.url, channel=ours)
    inbox = Inbox()
    listener.subscribe(inbox)
    await _started(listener)
    try:
        await foreign.publish([_event(900)])
        await own.publish([_event(7)])
        await inbox.wait_ids(1)
        # Redis delivers in the order it was told: had the foreign event leaked, it came first.
        assert inbox.ids() == [7]
    finally:
        for bus in (foreign, listener, own):
            await bus.close()


async def test_redis_bus_survives_a_dead_broker_and_resubscribes(
    redis_server: RedisServer,
) -> None:
    bus = RedisBus(redis_server.url)
    inbox = Inbox()
    subscriptions = 0
    resubscribed = asyncio.Event()

    async def on_subscribed() -> None:
        nonlocal subscriptions
        subscriptions += 1
        if subscriptions == 2:
            resubscribed.set()

    bus.subscribe(inbox)
    bus.on_subscribed(on_subscribed)
    await _started(bus)
    try:
        assert subscriptions == 1
        redis_server.stop()
        await bus.publish([_event(1)])  # never raises; local handlers still get it
        assert inbox.ids() == [1]
        assert await bus.ping() is False
        redis_server.start()
        await asyncio.wait_for(resubscribed.wait(), 10)
        await bus.publish([_event(2)])
        await inbox.wait_ids(3)
        assert inbox.ids() == [1, 2, 2]
        assert await bus.ping() is True
    finally:
        await bus.close()
