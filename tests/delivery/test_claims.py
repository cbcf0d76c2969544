"""The claim is a lease fenced by `attempts` (oms.delivery.claims): a worker whose lease ran out
cannot write over the outcome of the worker that took the row over, and one that crashed leaves
its rows to be sent again once the lease ends."""

from __future__ import annotations

import random

from oms.clock import ManualClock
from oms.delivery.claims import SENT, claim_due, record_outcome, retry_delay
from oms.delivery.planner import plan_deliveries
from oms.delivery.worker import DeliveryWorker
from tests.delivery.conftest import Notify, deliveries
from tests.delivery.smtp_server import SmtpServer
from tests.factories import Factory


async def test_a_crashed_claim_is_sent_once_after_its_lease_and_the_late_outcome_is_refused(
    factory: Factory, notify: Notify, worker: DeliveryWorker, clock: ManualClock, smtp: SmtpServer
) -> None:
    customer = await factory.customer()
    await notify(customer, kind="urgent")
    settings = worker.settings
    async with worker.database.session() as session:
        await plan_deliveries(session, now=clock.now(), delay_seconds=60, email_enabled=True)
    async with worker.database.session() as session:
        crashed = await claim_due(
            session,
            now=clock.now(),
            limit=10,
            max_attempts=8,
            lease_seconds=settings.delivery_lease_seconds,
        )
    [held] = crashed.claimed  # this "worker" dies here, mid-send

    await worker.run_until_idle()  # within the lease: nobody else takes it
    assert smtp.recorder.messages == []

    clock.advance(settings.delivery_lease_seconds)
    await worker.run_until_idle()
    assert len(smtp.recorder.messages) == 1
    [sent] = await deliveries(worker.database)
    assert (sent.status, sent.attempts) == ("sent", 2)

    async with worker.database.session() as session:
        late = await record_outcome(
            session, held, SENT, now=clock.now(), max_attempts=8, rng=random.Random(1)
        )
    assert late is None  # its fencing token (attempts = 1) is stale


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    rng = random.Random(7)
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (8, 3600), (20, 3600)]:
        delays = [retry_delay(attempts, rng) for _ in range(200)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert max(delays) - min(delays) > ceiling / 4  # spread, not one instant
