"""Wire compatibility with the seed's own client: Node's stock socket.io-client 4.x."""

from __future__ import annotations

import pytest

from oms.security.tokens import issue_token
from tests.conftest import TEST_APP_KEY
from tests.gateway.conftest import LiveGateway
from tests.gateway.probes import NodeClient
from tests.gateway.scenario import (
    ALL_EVENT_NAMES,
    Chain,
    expected_names,
    notify,
    recipients_for,
    record,
    subject_for,
)


async def _refusal(live: LiveGateway, token: str | None) -> dict[str, object]:
    client = await live.node(token)
    return await client.wait_type("connect_error")


async def test_refusals_carry_message_and_code(live: LiveGateway, chain: Chain) -> None:
    missing = await _refusal(live, None)
    assert missing["data"] == {
        "code": "auth_required",
        "message": missing["message"],
        "details": {},
    }
    forged, _ = issue_token(
        "another-key-entirely-that-is-long-enough-0123456789",
        user_id=chain.customer.id,
        role="customer",
        branch_ids=(),
        ttl_seconds=60,
    )
    assert (await _refusal(live, forged))["data"]["code"] == "invalid_token"  # type: ignore[index]
    expired, _ = issue_token(
        TEST_APP_KEY, user_id=chain.customer.id, role="customer", branch_ids=(), ttl_seconds=-5
    )
    assert (await _refusal(live, expired))["data"]["code"] == "token_expired"  # type: ignore[index]


@pytest.mark.parametrize("transports", [["websocket"], ["polling"], ["polling", "websocket"]])
async def test_every_event_type_reaches_exactly_its_recipients(
    live: LiveGateway, chain: Chain, transports: list[str]
) -> None:
    database = live.runtime.database
    watched = ("customer", "other_customer", "staff_north", "staff_south", "optometrist_north")
    clients: dict[str, NodeClient] = {}
    for who in watched:
        clients[who] = await live.node(chain.everyone[who].token, transports=transports)
        await clients[who].wait_type("connected")
    sent: list[tuple[int, str]] = []
    for name in ALL_EVENT_NAMES:
        recipient_ids = await recipients_for(database, name, chain)
        event = await record(database, name, recipient_ids, subject_for(name, chain))
        sent.append((event.event_id, name))
    fence = await notify(database, {user.id for user in chain.everyone.values()})
    for who, client in clients.items():
        await client.wait_for_ids(fence.event_id)
        expected = [eid for eid, name in sent if who in expected_names(name)]
        assert client.ids() == [*expected, fence.event_id], who
        for line in client.events()[:-1]:
            assert line["event"] == line["payload"]["event"]
            assert line["payload"]["event_id"] in expected


async def test_join_policy_over_the_wire(live: LiveGateway, chain: Chain) -> None:
    customer = await live.node(chain.customer.token)
    staff = await live.node(chain.staff_north.token)
    await customer.wait_type("connected")
    await staff.wait_type("connected")
    denied = await customer.call("join", f"branch.{chain.north.id}")
    assert denied["ok"] is False
    assert denied["error"]["code"] == "channel_forbidden"
    assert (await customer.call("join", "role.admin"))["error"]["code"] == "channel_forbidden"
    assert (await staff.call("join", f"branch.{chain.south.id}"))["ok"] is False
    assert (await staff.call("join", f"branch.{chain.north.id}")) == {
        "ok": True,
        "channel": f"branch.{chain.north.id}",
    }
    assert (await staff.call("join", "custom-channel"))["error"]["code"] == "unknown_channel"


async def test_client_events_reach_nobody(live: LiveGateway, chain: Chain) -> None:
    customer = await live.node(chain.customer.token)
    staff = await live.node(chain.staff_north.token)
    await customer.wait_type("connected")
    await staff.wait_type("connected")
    customer.emit("notification.urgent", {"title": "spoof", "role": "staff"})
    customer.emit("broadcast", {"channel": f"branch.{chain.north.id}"})
    fence = await notify(live.runtime.database, {chain.customer.id, chain.staff_north.id})
    await staff.wait_for_ids(fence.event_id)
    await customer.wait_for_ids(fence.event_id)
    assert staff.ids() == [fence.event_id]
    assert customer.ids() == [fence.event_id]


async def test_reconnect_with_last_event_id_replays_50_in_order(
    live: LiveGateway, chain: Chain
) -> None:
    database = live.runtime.database
    first = await live.node(chain.customer.token)
    await first.wait_type("connected")
    seen = await notify(database, {chain.customer.id})
    await first.wait_for_ids(seen.event_id)
    await first.close()
    missed = [(await notify(database, {chain.customer.id}, str(n))).event_id for n in range(50)]
    again = await live.node(chain.customer.token, last_event_id=seen.event_id)
    await again.wait_for_ids(*missed)
    live_event = await notify(database, {chain.customer.id})
    await again.wait_for_ids(live_event.event_id)
    assert again.ids() == [*missed, live_event.event_id]
