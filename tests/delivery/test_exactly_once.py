"""Exactly once across processes (DESIGN §10): two `oms worker` processes on PostgreSQL, one
killed with SIGKILL in the middle of a batch and restarted — every delivery reaches the SMTP server
and the push service once, none twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from oms.config import Settings
from oms.db.database import Database
from oms.db.models import Delivery, PushSubscription, User
from oms.delivery.vapid import load_or_create
from oms.domain.notifications import broadcast
from tests.conftest import TEST_APP_KEY
from tests.delivery.push_receiver import PushReceiver
from tests.delivery.smtp_server import SmtpServer

Spawn = Callable[[], Awaitable[asyncio.subprocess.Process]]
ROOT = Path(__file__).resolve().parents[2]
PATIENTS = 60
LEASE = 2.0


async def _wait_for(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait for a state the worker processes reach in their own time, reading the database every
    50 ms (not a timed assertion: the bound only keeps a broken run from hanging)."""
    for _ in range(2400):
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never reached: {what}")


async def _seed(database: Database, receiver: PushReceiver) -> None:
    async with database.session() as session:
        ids = (
            await session.scalars(
                insert(User).returning(User.id),
                [
                    {
                        "email": f"patient{n}@example.test",
                        "name": f"Patient {n}",
                        "role": "customer",
                        "password_hash": "x",
                        "is_active": True,
                        "booking_lock": 0,
                    }
                    for n in range(PATIENTS)
                ],
            )
        ).all()
        for user_id in ids:
            body = receiver.subscription(f"device-{user_id}")
            await session.execute(
                insert(PushSubscription).values(
                    user_id=user_id,
                    endpoint=body["endpoint"],
                    p256dh=body["keys"]["p256dh"],
                    auth=body["keys"]["auth"],
                )
            )
        await session.commit()
        await broadcast(
            session,
            sender=None,
            title="Clinic closed",
            message="Closed today",
            type="urgent",
            user_ids=list(ids),
        )


async def _count(database: Database, *conditions: object) -> int:
    async with database.session() as session:
        query = select(func.count()).select_from(Delivery).where(*conditions)  # type: ignore[arg-type]
        return int(await session.scalar(query) or 0)


@pytest.fixture
async def worker_env(settings: Settings, smtp: SmtpServer) -> dict[str, str]:
    load_or_create(settings)  # the key every worker process reads from the data dir
    return {
        **os.environ,
        "APP_ENV": "test",
        "APP_KEY": TEST_APP_KEY,
        "DATABASE_URL": settings.database,
        "OMS_DATA_DIR": str(settings.oms_data_dir),
        "SMTP_URL": smtp.url,
        "DELIVERY_LEASE_SECONDS": str(LEASE),
        "PUBLIC_URL": "https://oms.example",
    }


@pytest.fixture
async def spawn(worker_env: dict[str, str]) -> AsyncIterator[Spawn]:
    started: list[asyncio.subprocess.Process] = []

    async def start() -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "oms.cli",
            "worker",
            "--without-redis",
            env=worker_env,
            cwd=ROOT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await process.wait()


@pytest.mark.slow
@pytest.mark.postgresql
async def test_kill_9_mid_batch_and_two_workers_send_each_delivery_once(
    database: Database,
    smtp: SmtpServer,
    receiver: PushReceiver,
    spawn: Spawn,
) -> None:
    await _seed(database, receiver)
    smtp.recorder.hold_rcpt = 10  # the first worker's 10th email hangs mid-send
    first = await spawn()
    await asyncio.wait_for(smtp.recorder.held.wait(), 120)

    # Its batch's pushes have settled; it holds the rest of the batch, one email mid-send.
    async def pushes_settled() -> bool:
        sent = await _count(database, Delivery.channel == "push", Delivery.status == "sent")
        return sent == len(receiver.received) and sent > 0

    await _wait_for(pushes_settled, "the first batch's pushes")
    assert len(smtp.recorder.messages) == 9
    first.kill()  # SIGKILL: no cleanup, claims left behind
    await first.wait()
    smtp.recorder.release.set()

    await spawn()  # a second worker
    await spawn()  # and the first one restarted

    async def all_settled() -> bool:
        return await _count(database, Delivery.status != "sent") == 0

    await _wait_for(all_settled, "every delivery sent")
    assert await _count(database) == 2 * PATIENTS
    emails = Counter(to for _, tos in smtp.recorder.envelopes for to in tos)
    assert len(emails) == PATIENTS
    assert set(emails.values()) == {1}, "an email was sent twice"
    pushes = Counter(r.path for r in receiver.received)
    assert len(pushes) == PATIENTS
    assert set(pushes.values()) == {1}, "a push was sent twice"
    assert receiver.posts == PATIENTS
