"""The delivery worker: plans deliveries from the inbox, claims the due ones, sends, records.

Runs inside `oms serve` and `oms api`, and alone as `oms worker`; any number of them share the
work through the database (see `claims`). Every decision takes the worker's clock, so tests move
a `ManualClock` and call `run_once` instead of waiting.

Guarantee, precisely: a delivery is claimed by one worker at a time, and its outcome is written
right after its own send. A restart or another worker never sends a delivery whose outcome was
written. The one window left is a crash after the server accepted a message and before the outcome
commit (one small UPDATE): then the lease runs out and it is sent again — with the same
Message-ID (email) or Topic (push), so mail stores and push services can fold the copy. Choosing
the other way (never resend an unconfirmed send) would lose every message cut off mid-send, which
is the far wider window.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from oms.clock import Clock
from oms.config import Settings
from oms.db.database import Database
from oms.db.models import PushSubscription
from oms.delivery.claims import Claimed, Outcome, claim_due, record_outcome, release
from oms.delivery.email import EmailSender, build_email
from oms.delivery.planner import plan_deliveries
from oms.delivery.push import PushSender, Target
from oms.delivery.subscriptions import subscriptions_of
from oms.delivery.visit_links import VisitLinks, visit_links

log = logging.getLogger(__name__)

CLAIM_BATCH = 50
POLL_SECONDS = 1.0


@dataclass
class DeliveryWorker:
    settings: Settings
    database: Database
    clock: Clock
    email: EmailSender | None
    push: PushSender | None
    rng: random.Random = field(default_factory=random.Random)
    # Called with (channel, status) for every settled delivery (metrics).
    on_settled: Callable[[str, str], None] = lambda channel, status: None
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        """Look for work now (new events were committed) instead of at the next poll."""
        self._wake.set()

    async def run_once(self) -> int:
        """Plan, claim one batch and send it. Returns how many deliveries it sent or settled."""
        async with self.database.session() as session:
            while await plan_deliveries(
                session,
                now=self.clock.now(),
                delay_seconds=self.settings.delivery_delay_seconds,
                email_enabled=self.email is not None,
            ):
                pass
        async with self.database.session() as session:
            result = await claim_due(
                session,
                now=self.clock.now(),
                limit=CLAIM_BATCH,
                max_attempts=self.settings.delivery_max_attempts,
                lease_seconds=self.settings.delivery_lease_seconds,
            )
        for channel, status in result.settled:
            self.on_settled(channel, status)
        started = self.clock.monotonic()
        emails = [c for c in result.claimed if c.channel == "email"]
        pushes = [c for c in result.claimed if c.channel == "push"]
        await asyncio.gather(self._send_emails(emails, started), self._send_pushes(pushes, started))
        return len(result.claimed) + len(result.settled)

    async def run_until_idle(self) -> int:
        """Run batches until nothing is due (tests and the benchmark)."""
        total = 0
        while count := await self.run_once():
            total += count
        return total

    def _late(self, started: float) -> bool:
        """A send starts in the first half of the lease at the latest, so that it ends (SMTP
        commands time out after 10 s, push requests after 15 s) before the lease does."""
        return self.clock.monotonic() - started > self.settings.delivery_lease_seconds / 2

    async def _finish(self, claimed: Claimed, outcome: Outcome) -> None:
        async with self.database.session() as session:
            status = await record_outcome(
                session,
                claimed,
                outcome,
                now=self.clock.now(),
                max_attempts=self.settings.delivery_max_attempts,
                rng=self.rng,
            )
        if status is None:
            log.warning("delivery %s: lease ran out before its outcome was written", claimed.id)
            return
        if outcome.status != "sent":
            log.info("delivery %s (%s): %s", claimed.id, status, outcome.reason)
        self.on_settled(claimed.channel, "retried" if status == "retry" else status)

    async def _release(self, claimed: Claimed) -> None:
        async with self.database.session() as session:
            await release(session, claimed, now=self.clock.now())

    async def _visit_links(self, session: AsyncSession, claimed: Claimed) -> VisitLinks | None:
        return await visit_links(session, self.settings.public_url, self.settings.app_key, claimed)

    async def _send_emails(self, batch: list[Claimed], started: float) -> None:
        if not batch or self.email is None:
            return
        async with self.email.connection() as connection:
            for claimed in batch:
                if self._late(started):
                    await self._release(claimed)
                    continue
                async with self.database.session() as session:
                    visit = await self._visit_links(session, claimed)
                outcome = await connection.send(build_email(self.settings, claimed, visit))
                await self._finish(claimed, outcome)

    async def _send_pushes(self, batch: list[Claimed], started: float) -> None:
        if not batch or self.push is None:
            return
        limit = asyncio.Semaphore(16)

        async def one(claimed: Claimed) -> None:
            async with limit:
                if self._late(started):
                    await self._release(claimed)
                    return
                assert self.push is not None
                async with self.database.session() as session:
                    rows = await subscriptions_of(session, claimed.user_id)
                    targets = [Target(r.id, r.endpoint, r.p256dh, r.auth) for r in rows]
                    visit = await self._visit_links(session, claimed) if targets else None
                result = await self.push.send(claimed, targets, visit)
                if result.gone:
                    await self._forget(result.gone)
                await self._finish(claimed, result.outcome)

        await asyncio.gather(*(one(claimed) for claimed in batch))

    async def _forget(self, subscription_ids: tuple[int, ...]) -> None:
        async with self.database.session() as session:
            await session.execute(
                delete(PushSubscription).where(PushSubscription.id.in_(subscription_ids))
            )
            await session.commit()

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Until `stop` is set: work while there is work, then wait for a wake-up or the poll."""
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except Exception:
                log.exception("delivery worker round failed; trying again shortly")
                busy = 0
            if busy:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiters, timeout=POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
