"""Stopping a gateway leaves the database as it found it."""

from __future__ import annotations

import asyncio

from oms.runtime import Runtime
from tests.gateway.conftest import start_live_gateway
from tests.gateway.scenario import Chain, notify, record_unpublished


async def test_a_stopped_gateway_never_leaves_the_database_locked(
    runtime: Runtime, chain: Chain
) -> None:
    """The dispatcher reads the event table every tick (0.2 s here). Cut off mid-read, a SQLite
    connection kept the write lock until garbage-collected, and the next writer waited out its
    busy timeout ("database is locked"); this failed 5 runs out of 5 before stop() let the read
    finish."""
    database = runtime.database
    for _ in range(5):
        live = await start_live_gateway(runtime)
        probe = await live.probe(chain.customer.token)
        seen = await notify(database, {chain.customer.id})
        await probe.wait_for_ids(seen.event_id)
        await live.stop()
        written = record_unpublished(
            database, "notification.general", {chain.customer.id}, {"data": {"n": 1}}
        )
        # The next writer gets in at once (it waited out a 30 s busy timeout before the fix).
        assert await asyncio.wait_for(written, 5) > seen.event_id
