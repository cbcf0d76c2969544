"""Claiming due deliveries and writing their outcome: the part that makes them exactly once.

A claim, in one short transaction, locks due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
workers never wait for each other nor take the same row; SQLite has one writer at a time), decides
each one against the inbox and preferences as they are now, and for those to send bumps `attempts`
and moves `next_attempt_at` a lease ahead. The row is then not due for anyone else until the lease
ends, and `attempts` is the fencing token its outcome is written with: a worker whose lease ran out
cannot overwrite the outcome of the worker that took the row over.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Delivery, EventRecord, Notification, NotificationPreference, User
from oms.delivery.families import QUIET_HOURS_EXEMPT, family_of
from oms.delivery.preferences import effective

RETRY_BASE_SECONDS = 30.0
RETRY_CAP_SECONDS = 3600.0

OutcomeStatus = Literal["sent", "retry", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class Outcome:
    status: OutcomeStatus
    reason: str | None = None


SENT = Outcome("sent")


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery this worker holds until `next_attempt_at` (its lease)."""

    id: int
    attempts: int
    channel: str
    notification_id: int
    user_id: int
    user_email: str
    user_name: str
    event_name: str
    payload: dict[str, Any]

    @property
    def family(self) -> str:
        return family_of(self.event_name)


@dataclass
class ClaimResult:
    claimed: list[Claimed]
    # What was settled without sending, as (channel, status) pairs for the metrics.
    settled: list[tuple[str, str]]


def retry_delay(attempts: int, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, so retries after a
    shared outage spread out instead of arriving together."""
    ceiling = min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_CAP_SECONDS)
    return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


def _due(now: datetime, limit: int) -> Any:
    return (
        select(Delivery, Notification.read_at, EventRecord.name, EventRecord.payload, User)
        .join(Notification, Notification.id == Delivery.notification_id)
        .join(EventRecord, EventRecord.id == Notification.event_id)
        .join(User, User.id == Delivery.user_id)
        .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Delivery)
    )


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, max_attempts: int, lease_seconds: float
) -> ClaimResult:
    rows = (await session.execute(_due(now, limit))).all()
    result = ClaimResult([], [])
    if not rows:
        await session.rollback()
        return result
    user_ids = {delivery.user_id for delivery, *_ in rows}
    chosen = {
        row.user_id: row
        for row in await session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids))
        )
    }
    for delivery, read_at, name, payload, user in rows:
        preferences = effective(user.role, chosen.get(user.id))
        skip = (
            "read in the app before it was due"
            if read_at is not None
            else "the account is disabled"
            if not user.is_active
            else "turned off in preferences"
            if not preferences.wants(family_of(name), delivery.channel)
            else None
        )
        if skip is not None:
            delivery.status, delivery.last_error = "skipped", skip
            result.settled.append((delivery.channel, "skipped"))
            continue
        quiet = preferences.quiet_hours
        if quiet is not None and name not in QUIET_HOURS_EXEMPT and quiet.contains(now):
            delivery.next_attempt_at = quiet.ends_after(now)  # held, not dropped
            continue
        if delivery.attempts >= max_attempts:
            delivery.status = "failed"
            delivery.last_error = (
                f"gave up after {delivery.attempts} attempts ({delivery.last_error})"
            )
            result.settled.append((delivery.channel, "failed"))
            continue
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=lease_seconds)
        result.claimed.append(
            Claimed(
                delivery.id,
                delivery.attempts,
                delivery.channel,
                delivery.notification_id,
                user.id,
                user.email,
                user.name,
                name,
                payload,
            )
        )
    await session.commit()
    return result


def _held(claimed: Claimed) -> Any:
    return update(Delivery).where(
        Delivery.id == claimed.id,
        Delivery.attempts == claimed.attempts,
        Delivery.status == "pending",
    )


async def record_outcome(
    session: AsyncSession,
    claimed: Claimed,
    outcome: Outcome,
    *,
    now: datetime,
    max_attempts: int,
    rng: random.Random,
) -> str | None:
    """Write the outcome if this worker still holds the claim; returns the status written (None
    when the claim was lost, i.e. the lease ran out and another worker took the row)."""
    if outcome.status == "sent":
        values: dict[str, Any] = {"status": "sent", "sent_at": now, "last_error": None}
    elif outcome.status == "skipped":
        values = {"status": "skipped", "last_error": outcome.reason}
    elif outcome.status == "failed" or claimed.attempts >= max_attempts:
        values = {"status": "failed", "last_error": outcome.reason}
    else:
        delay = retry_delay(claimed.attempts, rng)
        values = {
            "last_error": outcome.reason,
            "next_attempt_at": now + timedelta(seconds=delay),
        }
    result = await session.execute(_held(claimed).values(**values))
    await session.commit()
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    return str(values.get("status", "retry"))


async def release(session: AsyncSession, claimed: Claimed, *, now: datetime) -> None:
    """Give a claim back unsent (its turn came too late in the lease): due again at once, and the
    attempt does not count."""
    await session.execute(_held(claimed).values(next_attempt_at=now, attempts=claimed.attempts - 1))
    await session.commit()
