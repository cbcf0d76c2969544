"""The join policy as a table (pure), and through real sockets with acknowledgements."""

from __future__ import annotations

import pytest

from oms.domain.actors import Actor, Role
from oms.gateway import channels
from tests.gateway.conftest import LiveGateway
from tests.gateway.scenario import Chain


def _actor(role: Role, *branches: int, user_id: int = 10) -> Actor:
    return Actor(user_id, role, "Someone", "someone@example.test", frozenset(branches))


ADMIN = _actor("admin")
STAFF = _actor("staff", 1)
OPTOMETRIST = _actor("optometrist", 1, 2)
CUSTOMER = _actor("customer")


@pytest.mark.parametrize(
    ("actor", "name", "branch_exists", "refusal"),
    [
        (ADMIN, "branch.1", True, None),
        (ADMIN, "branch.99", False, channels.UNKNOWN),
        (ADMIN, "role.staff", True, None),
        (ADMIN, "role.customer", True, None),
        (ADMIN, "user.10", True, None),
        (ADMIN, "user.11", True, channels.FORBIDDEN),
        (STAFF, "branch.1", True, None),
        (STAFF, "branch.2", True, channels.FORBIDDEN),
        (STAFF, "role.staff", True, None),
        (STAFF, "role.admin", True, channels.FORBIDDEN),
        (OPTOMETRIST, "branch.2", True, None),
        (OPTOMETRIST, "branch.3", True, channels.FORBIDDEN),
        (CUSTOMER, "user.10", True, None),
        (CUSTOMER, "role.customer", True, None),
        (CUSTOMER, "branch.1", True, channels.FORBIDDEN),
        (CUSTOMER, "role.admin", True, channels.FORBIDDEN),
        (CUSTOMER, "role.staff", True, channels.FORBIDDEN),
        (CUSTOMER, "user.11", True, channels.FORBIDDEN),
        (CUSTOMER, "branch.99", False, channels.FORBIDDEN),
        (ADMIN, "custom-channel", True, channels.UNKNOWN),
        (ADMIN, "branch.01", True, channels.UNKNOWN),
        (ADMIN, "branch.-1", True, channels.UNKNOWN),
        (ADMIN, "role.root", True, channels.UNKNOWN),
        (ADMIN, "user.", True, channels.UNKNOWN),
        (ADMIN, 42, True, channels.UNKNOWN),
        (ADMIN, "branch.1" + "0" * 80, True, channels.UNKNOWN),
    ],
)
def test_join_policy(
    actor: Actor, name: object, branch_exists: bool, refusal: channels.Refusal | None
) -> None:
    parsed = channels.parse(name)
    assert channels.join_refusal(actor, parsed, branch_exists=branch_exists) == refusal


def test_own_channels() -> None:
    assert channels.own_channels(STAFF) == {"user.10", "role.staff", "branch.1"}
    assert channels.own_channels(OPTOMETRIST) == {
        "user.10",
        "role.optometrist",
        "branch.1",
        "branch.2",
    }
    # A customer's home branch is not membership; admins are in no branch channel by default.
    assert channels.own_channels(CUSTOMER) == {"user.10", "role.customer"}
    assert channels.own_channels(ADMIN) == {"user.10", "role.admin"}


def test_leave_policy() -> None:
    joined = frozenset({"user.10", "role.admin", "branch.4"})
    assert channels.leave_refusal(ADMIN, channels.parse("branch.4"), joined) is None
    assert channels.leave_refusal(ADMIN, channels.parse("user.10"), joined) == channels.OWN_CHANNEL
    assert channels.leave_refusal(ADMIN, channels.parse("branch.5"), joined) == channels.NOT_JOINED
    assert channels.leave_refusal(ADMIN, channels.parse("nope"), joined) == channels.UNKNOWN


def _refused(ack: object, code: str) -> bool:
    error = {"code": code, "message": ack["error"]["message"], "details": {}}  # type: ignore[index]
    return ack == {"ok": False, "error": error}


async def test_customer_cannot_join_branch_or_admin_channels(
    live: LiveGateway, chain: Chain
) -> None:
    probe = await live.probe(chain.customer.token)
    assert _refused(await probe.call("join", f"branch.{chain.north.id}"), "channel_forbidden")
    assert _refused(await probe.call("join", "role.admin"), "channel_forbidden")
    assert _refused(
        await probe.call("join", f"user.{chain.other_customer.id}"), "channel_forbidden"
    )
    assert _refused(await probe.call("join", "custom-channel"), "unknown_channel")
    assert await probe.call("join", f"user.{chain.customer.id}") == {
        "ok": True,
        "channel": f"user.{chain.customer.id}",
    }
    (row,) = live.gateway.connection_rows()
    assert row["channels"] == sorted([f"user.{chain.customer.id}", "role.customer"])
    metrics = live.runtime.metrics.render().decode()
    assert 'oms_join_denials_total{code="channel_forbidden"} 3.0' in metrics
    assert 'oms_join_denials_total{code="unknown_channel"} 1.0' in metrics


async def test_staff_join_only_their_own_branch(live: LiveGateway, chain: Chain) -> None:
    probe = await live.probe(chain.staff_north.token)
    assert _refused(await probe.call("join", f"branch.{chain.south.id}"), "channel_forbidden")
    assert (await probe.call("join", f"branch.{chain.north.id}"))["ok"] is True
    assert (await probe.call("join", {"channel": "role.staff"}))["ok"] is True


async def test_admin_joins_and_leaves_branches(live: LiveGateway, chain: Chain) -> None:
    probe = await live.probe(chain.admin.token)
    assert (await probe.call("join", f"branch.{chain.south.id}"))["ok"] is True
    assert (await probe.call("join", "role.optometrist"))["ok"] is True
    assert _refused(await probe.call("join", "branch.999999"), "unknown_channel")
    (row,) = live.gateway.connection_rows()
    assert f"branch.{chain.south.id}" in row["channels"]  # type: ignore[operator]
    assert await probe.call("leave", f"branch.{chain.south.id}") == {
        "ok": True,
        "channel": f"branch.{chain.south.id}",
    }
    assert _refused(await probe.call("leave", f"user.{chain.admin.id}"), "own_channel")
    (row,) = live.gateway.connection_rows()
    assert row["channels"] == sorted([f"user.{chain.admin.id}", "role.admin", "role.optometrist"])


async def test_joining_a_channel_does_not_widen_delivery(live: LiveGateway, chain: Chain) -> None:
    """An admin in `branch.N` still gets only what is addressed to them (the inbox is the truth)."""
    from tests.gateway.scenario import notify

    admin = await live.probe(chain.admin.token)
    assert (await admin.call("join", f"branch.{chain.north.id}"))["ok"] is True
    staff = await live.probe(chain.staff_north.token)
    to_staff = await notify(live.runtime.database, {chain.staff_north.id})
    to_admin = await notify(live.runtime.database, {chain.admin.id})
    await staff.wait_for_ids(to_staff.event_id)
    await admin.wait_for_ids(to_admin.event_id)
    assert admin.ids() == [to_admin.event_id]
