"""Every event type reaches exactly its recipients, once per socket, through real sockets; staff of
another branch and other customers never see it."""

from __future__ import annotations

from collections import Counter

import pytest

from oms.events.catalogue import validate_payload
from tests.gateway.conftest import LiveGateway
from tests.gateway.probes import Probe
from tests.gateway.scenario import (
    ALL_EVENT_NAMES,
    Chain,
    expected_names,
    notify,
    recipients_for,
    record,
    subject_for,
)


async def _connect_everyone(live: LiveGateway, chain: Chain) -> dict[str, list[Probe]]:
    """One socket per user, and a second tab for the north staff member and the customer."""
    sockets = {name: [await live.probe(user.token)] for name, user in chain.everyone.items()}
    sockets["staff_north"].append(await live.probe(chain.staff_north.token))
    sockets["customer"].append(await live.probe(chain.customer.token))
    return sockets


async def _fence(live: LiveGateway, chain: Chain, sockets: dict[str, list[Probe]]) -> int:
    """An event to everyone: once every socket has it, every earlier event has arrived too."""
    fence = await notify(live.runtime.database, {user.id for user in chain.everyone.values()})
    for probes in sockets.values():
        for probe in probes:
            await probe.wait_for_ids(fence.event_id)
    return fence.event_id


@pytest.mark.parametrize("name", ALL_EVENT_NAMES)
async def test_event_reaches_exactly_its_recipients(
    live: LiveGateway, chain: Chain, name: str
) -> None:
    database = live.runtime.database
    sockets = await _connect_everyone(live, chain)
    recipient_ids = await recipients_for(database, name, chain)
    wanted = expected_names(name)
    assert recipient_ids == {chain.everyone[who].id for who in wanted}

    event = await record(database, name, recipient_ids, subject_for(name, chain))
    fence = await _fence(live, chain, sockets)

    for who, probes in sockets.items():
        for probe in probes:
            assert probe.ids() == ([event.event_id, fence] if who in wanted else [fence]), who
    for who in wanted:
        for probe in sockets[who]:
            (received,) = probe.of(event.event_id)
            assert probe.names()[0] == name
            assert received["event"] == name
            assert received["type"] == name.split(".", 1)[1]
            inbox = dict(event.recipients)[chain.everyone[who].id]
            validate_payload(received, inbox_id=inbox if name.startswith("notification.") else None)
            if name.startswith("notification."):
                assert received["id"] == inbox  # the recipient's own inbox row
                assert received["data"] == {"source": "test"}
            else:
                assert received == event.payload


async def test_many_events_arrive_in_order_once_per_socket(live: LiveGateway, chain: Chain) -> None:
    database = live.runtime.database
    sockets = await _connect_everyone(live, chain)
    sent = []
    for round_ in range(5):
        for name in ALL_EVENT_NAMES:
            recipient_ids = await recipients_for(database, name, chain)
            sent.append(
                (await record(database, name, recipient_ids, subject_for(name, chain)), round_)
            )
    fence = await _fence(live, chain, sockets)
    for who, probes in sockets.items():
        user_id = chain.everyone[who].id
        expected = [event.event_id for event, _ in sent if user_id in dict(event.recipients)]
        for probe in probes:
            assert probe.ids() == [*expected, fence], who
            assert max(Counter(probe.ids()).values()) == 1


async def test_client_events_are_ignored_and_reach_nobody(live: LiveGateway, chain: Chain) -> None:
    sockets = await _connect_everyone(live, chain)
    customer = sockets["customer"][0]
    for event, data in [
        ("notification.general", {"title": "spoof", "user_ids": [chain.admin.id]}),
        ("broadcast", {"to": "role.admin"}),
        ("appointment.created", {"id": 1}),
    ]:
        await customer.client.emit(event, data)
    fence = await _fence(live, chain, sockets)
    for probes in sockets.values():
        for probe in probes:
            assert probe.ids() == [fence]
