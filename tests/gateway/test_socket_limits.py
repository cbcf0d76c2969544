"""Socket connects per client address and joins per socket are rate limited (real sockets)."""

from __future__ import annotations

import pytest

from oms.config import Settings
from tests.factories import Factory
from tests.gateway.conftest import LiveGateway
from tests.gateway.probes import Probe


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "rate_socket_connect_per_address": "2/minute",
            "rate_socket_join_per_socket": "2/minute",
        }
    )


async def test_socket_connects_per_address_and_joins_per_socket_are_limited(
    live: LiveGateway, factory: Factory
) -> None:
    admin = await factory.admin()
    branch = await factory.branch()
    socket = await live.probe(admin.token)
    await live.probe(admin.token)
    refusal = await Probe().refused(live.url, admin.token)
    assert refusal["code"] == "rate_limited"
    acks = [await socket.call("join", f"branch.{branch.id}") for _ in range(3)]
    assert [ack["ok"] for ack in acks] == [True, True, False]
    assert acks[-1]["error"]["code"] == "rate_limited"
    assert acks[-1]["error"]["details"]["retry_after"] > 0  # the REST 429's details, too
