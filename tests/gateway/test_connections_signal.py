"""`connections.changed` (DESIGN §6): admins' connections views are told to re-read when sockets
open and close, coalesced per node, and nobody else is told."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from oms.runtime import Runtime
from tests.conftest import TEST_APP_KEY
from tests.gateway.conftest import LiveGateway, start_live_gateway
from tests.gateway.probes import WAIT, Probe
from tests.gateway.scenario import Chain


class Fence:
    """The signal's pause, held shut until the test opens it (no timers in the test)."""

    def __init__(self) -> None:
        self.entered = 0
        self._open = asyncio.Event()
        self._entered = asyncio.Event()

    async def pause(self) -> None:
        self.entered += 1
        self._entered.set()
        await self._open.wait()
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def entered_times(self, count: int) -> None:
        async with asyncio.timeout(WAIT):
            while self.entered < count:
                self._entered.clear()
                await self._entered.wait()


@pytest.fixture
def fence() -> Fence:
    return Fence()


@pytest.fixture
async def fenced(runtime: Runtime, fence: Fence) -> AsyncIterator[LiveGateway]:
    gateway = await start_live_gateway(runtime, connections_signal_pause=fence.pause)
    yield gateway
    await gateway.stop()


async def _user_ids(live: LiveGateway) -> set[object]:
    async with live.http() as http:
        response = await http.get("/connections", headers={"X-App-Key": TEST_APP_KEY})
    assert response.status_code == 200, response.text
    return {row["user_id"] for row in response.json()["connections"]}


async def _forgotten(live: LiveGateway, count: int) -> None:
    """Wait until the gateway has seen closed sockets go and holds `count`."""
    async with asyncio.timeout(WAIT):
        while True:
            if len(live.gateway.registry) == count:
                return
            await asyncio.sleep(0.01)


async def test_admins_are_told_once_per_pause_when_sockets_open_and_close(
    fenced: LiveGateway, fence: Fence, chain: Chain
) -> None:
    admin = await fenced.probe(chain.admin.token)
    # The admin's own socket is a change: told at once, then the signal pauses.
    await admin.wait_until(lambda: admin.signals == 1)
    await fence.entered_times(1)

    staff = await fenced.probe(chain.staff_north.token)
    customers = [await fenced.probe(chain.customer.token) for _ in range(3)]
    # Registered before the CONNECT went out (websocket endpoint), so before connect() returned.
    assert len(fenced.gateway.registry) == 5
    assert admin.signals == 1  # four sockets opened during the pause: nothing yet

    fence.release()
    await admin.wait_until(lambda: admin.signals == 2)
    await fence.entered_times(2)
    # Re-read on the signal, the view shows the new sockets.
    assert {chain.customer.id, chain.staff_north.id} <= await _user_ids(fenced)

    for customer in customers:
        await customer.close()
    await _forgotten(fenced, 2)
    fence.release()
    await admin.wait_until(lambda: admin.signals == 3)
    await fence.entered_times(3)
    assert chain.customer.id not in await _user_ids(fenced)

    # One signal per pause, however many sockets changed; and only admins hear of it.
    assert fenced.gateway.connections_signal.sent == 3
    assert staff.signals == 0
    assert customers[0].signals == 0


async def test_a_channel_change_is_a_change(
    fenced: LiveGateway, fence: Fence, chain: Chain
) -> None:
    admin = await fenced.probe(chain.admin.token)
    await admin.wait_until(lambda: admin.signals == 1)
    await fence.entered_times(1)
    fence.release()

    assert (await admin.call("join", {"channel": f"branch.{chain.north.id}"}))["ok"] is True
    await admin.wait_until(lambda: admin.signals == 2)
    assert fenced.gateway.connections_signal.sent == 2


async def test_a_non_admin_is_never_told(live: LiveGateway, chain: Chain) -> None:
    staff = await live.probe(chain.staff_north.token)
    other = Probe()
    live.probes.append(other)
    await other.connect(live.url, chain.customer.token)
    await other.close()
    admin = await live.probe(chain.admin.token)
    await admin.wait_until(lambda: admin.signals >= 1)
    assert staff.signals == 0
