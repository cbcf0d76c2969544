"""Two workers at once, each with its own engine (as two processes would have), share the work:
every delivery is planned once and sent once (SKIP LOCKED on PostgreSQL, one writer on SQLite)."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace

from oms.db.database import Database
from oms.delivery.worker import DeliveryWorker
from oms.events.bus import InProcessBus
from tests.delivery.conftest import Notify, deliveries
from tests.delivery.smtp_server import SmtpServer
from tests.factories import Factory


async def test_two_workers_send_each_delivery_once(
    factory: Factory, notify: Notify, worker: DeliveryWorker, smtp: SmtpServer
) -> None:
    customers = [await factory.customer() for _ in range(12)]
    for round_ in range(6):
        await notify(*customers, kind="urgent", title=f"Round {round_}")
    other = Database(worker.database.url, InProcessBus())
    try:
        second = replace(worker, database=other)
        counts = await asyncio.gather(worker.run_until_idle(), second.run_until_idle())
    finally:
        await other.dispose()
    rows = await deliveries(worker.database)
    assert len(rows) == 72
    assert {row.status for row in rows} == {"sent"}
    assert sum(counts) == 72
    sent = Counter(
        (to, m["Subject"])
        for m, (_, tos) in zip(smtp.recorder.messages, smtp.recorder.envelopes, strict=True)
        for to in tos
    )
    assert len(sent) == 72
    assert set(sent.values()) == {1}
