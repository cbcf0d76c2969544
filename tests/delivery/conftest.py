"""Delivery fixtures: a clock the test moves, a real SMTP server, a local push service, and a
worker wired to them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from oms.clock import ManualClock
from oms.config import Settings
from oms.db.database import Database
from oms.db.models import Delivery
from oms.delivery.email import SmtpSender
from oms.delivery.push import PushSender
from oms.delivery.vapid import load_or_create
from oms.delivery.worker import DeliveryWorker
from oms.domain.notifications import broadcast
from oms.metrics import Metrics

# The appointments suite's chain (two branches, their people), for the reminder-link tests.
from tests.appointments.conftest import world as world
from tests.delivery.push_receiver import PushReceiver
from tests.delivery.smtp_server import SmtpServer
from tests.factories import TestUser

DELAY = 60.0


@pytest.fixture
def clock() -> ManualClock:
    # Inbox rows are stamped by the wall clock; the worker decides by this one, started now.
    return ManualClock(datetime.now(UTC))


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    server = SmtpServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def delivery_settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return settings.model_copy(
        update={
            "smtp_url": smtp.url,
            "delivery_delay_seconds": DELAY,
            "public_url": "https://oms.example",
        }
    )


@pytest.fixture
async def receiver(delivery_settings: Settings) -> AsyncIterator[PushReceiver]:
    service = PushReceiver(load_or_create(delivery_settings).public_key)
    await service.start()
    yield service
    await service.stop()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
async def worker(
    delivery_settings: Settings, database: Database, clock: ManualClock, metrics: Metrics
) -> AsyncIterator[DeliveryWorker]:
    assert delivery_settings.smtp_url
    push = PushSender(delivery_settings, load_or_create(delivery_settings))
    built = DeliveryWorker(
        settings=delivery_settings,
        database=database,
        clock=clock,
        email=SmtpSender(delivery_settings.smtp_url),
        push=push,
        on_settled=lambda channel, status: metrics.deliveries.labels(channel, status).inc(),
    )
    yield built
    await push.close()


Notify = Callable[..., Any]


@pytest.fixture
def notify(database: Database) -> Notify:
    """Send a notification (as the system) to these users; returns its event id."""

    async def send(*users: TestUser, kind: str = "general", title: str = "Clinic news") -> int:
        async with database.session() as session:
            event_id, _ = await broadcast(
                session,
                sender=None,
                title=title,
                message="Emerald opens at 10 tomorrow.",
                type=kind,
                user_ids=[user.id for user in users],
            )
        return event_id

    return send


async def deliveries(database: Database) -> list[Delivery]:
    async with database.session() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


async def subscribe(client: httpx.AsyncClient, user: TestUser, body: dict[str, Any]) -> int:
    response = await client.post("/api/push/subscriptions", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    subscription_id: int = response.json()["id"]
    return subscription_id
