"""When a delivery goes out (DESIGN §10): after the unread delay, at once when urgent, after
quiet hours, never for one's own actions — decided by a clock the test moves."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select

from oms.clock import ManualClock
from oms.db.database import Database
from oms.db.models import Notification
from oms.delivery.worker import DeliveryWorker
from tests.delivery.conftest import DELAY, Notify, deliveries
from tests.delivery.smtp_server import SmtpServer
from tests.factories import Factory


async def test_sent_only_once_the_delay_passed_unread(
    factory: Factory, notify: Notify, worker: DeliveryWorker, clock: ManualClock, smtp: SmtpServer
) -> None:
    customer = await factory.customer()
    await notify(customer)
    await worker.run_until_idle()
    [planned] = await deliveries(worker.database)
    assert (planned.channel, planned.status) == ("email", "pending")
    assert smtp.recorder.messages == []

    clock.advance(DELAY + 5)
    await worker.run_until_idle()
    [sent] = await deliveries(worker.database)
    assert (sent.status, sent.attempts, sent.sent_at) == ("sent", 1, clock.now())
    assert len(smtp.recorder.messages) == 1


async def test_read_before_it_was_due_is_skipped(
    factory: Factory,
    notify: Notify,
    worker: DeliveryWorker,
    clock: ManualClock,
    smtp: SmtpServer,
    client: httpx.AsyncClient,
) -> None:
    customer = await factory.customer()
    await notify(customer)
    await worker.run_until_idle()
    await client.post("/api/notifications/read-all", headers=customer.headers)
    clock.advance(DELAY + 5)
    await worker.run_until_idle()
    [skipped] = await deliveries(worker.database)
    assert skipped.status == "skipped"
    assert skipped.last_error == "read in the app before it was due"
    assert smtp.recorder.messages == []


async def test_urgent_goes_out_at_once(
    factory: Factory, notify: Notify, worker: DeliveryWorker, smtp: SmtpServer
) -> None:
    customer = await factory.customer()
    await notify(customer, kind="urgent", title="Clinic closed today")
    await worker.run_until_idle()
    assert [m["Subject"] for m in smtp.recorder.messages] == ["Clinic closed today"]


async def test_quiet_hours_hold_all_but_urgent_until_they_end(
    factory: Factory,
    notify: Notify,
    worker: DeliveryWorker,
    clock: ManualClock,
    smtp: SmtpServer,
    client: httpx.AsyncClient,
) -> None:
    customer = await factory.customer()
    zone = ZoneInfo("Asia/Manila")
    local_now = clock.now().astimezone(zone)
    # Quiet from an hour ago to two hours ahead, whatever the time the test runs at.
    start = (local_now - timedelta(hours=1)).strftime("%H:%M")
    end = (local_now + timedelta(hours=2)).strftime("%H:%M")
    response = await client.put(
        "/api/me/preferences",
        json={"quiet_hours": {"start": start, "end": end, "timezone": "Asia/Manila"}},
        headers=customer.headers,
    )
    assert response.status_code == 200, response.text
    await notify(customer, title="General news")
    await notify(customer, kind="urgent", title="Urgent news")
    clock.advance(DELAY + 5)
    await worker.run_until_idle()
    assert [m["Subject"] for m in smtp.recorder.messages] == ["Urgent news"]
    held = [d for d in await deliveries(worker.database) if d.status == "pending"]
    assert len(held) == 1
    quiet_end = datetime.combine(
        (local_now + timedelta(hours=2)).date(),
        (local_now + timedelta(hours=2)).time().replace(second=0, microsecond=0),
        tzinfo=zone,
    )
    assert held[0].next_attempt_at == quiet_end
    assert held[0].attempts == 0  # held is not an attempt

    clock.set(quiet_end - timedelta(seconds=1))
    await worker.run_until_idle()
    assert len(smtp.recorder.messages) == 1
    clock.set(quiet_end)
    await worker.run_until_idle()
    assert [m["Subject"] for m in smtp.recorder.messages] == ["Urgent news", "General news"]


async def test_own_actions_arrive_read_and_are_never_sent(
    factory: Factory,
    worker: DeliveryWorker,
    clock: ManualClock,
    smtp: SmtpServer,
    client: httpx.AsyncClient,
    database: Database,
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    await client.put(
        "/api/me/preferences",
        json={"channels": {"notification": {"email": True}}},
        headers=admin.headers,
    )
    response = await client.post(
        "/api/notifications/broadcast",
        json={
            "title": "Both of us",
            "message": "m",
            "type": "urgent",
            "user_ids": [admin.id, customer.id],
        },
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    async with database.session() as session:
        rows = {r.user_id: r for r in await session.scalars(select(Notification))}
    assert rows[admin.id].read_at is not None
    assert rows[customer.id].read_at is None
    clock.advance(DELAY + 5)
    await worker.run_until_idle()
    assert [d.user_id for d in await deliveries(database)] == [customer.id]
    assert [env[1] for env in smtp.recorder.envelopes] == [[customer.email]]


async def test_channels_turned_off_plan_nothing_and_turning_off_later_skips(
    factory: Factory,
    notify: Notify,
    worker: DeliveryWorker,
    clock: ManualClock,
    smtp: SmtpServer,
    client: httpx.AsyncClient,
) -> None:
    customer = await factory.customer()
    await notify(customer)
    await worker.run_until_idle()  # planned while email was on
    await client.put(
        "/api/me/preferences",
        json={"channels": {"notification": {"email": False}}},
        headers=customer.headers,
    )
    await notify(customer)
    clock.advance(DELAY + 5)
    await worker.run_until_idle()
    [only] = await deliveries(worker.database)
    assert (only.status, only.last_error) == ("skipped", "turned off in preferences")
    assert smtp.recorder.messages == []
