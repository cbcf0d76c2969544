"""Web Push to a local push service that checks our VAPID signature and decrypts the payload
with the key pair the test made as a browser would (DESIGN §10)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from oms.clock import ManualClock
from oms.db.database import Database
from oms.db.models import PushSubscription
from oms.delivery.worker import DeliveryWorker
from oms.metrics import Metrics
from tests.delivery.conftest import Notify, deliveries, subscribe
from tests.delivery.push_receiver import PushReceiver
from tests.factories import Factory


async def _subscription_count(database: Database) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(PushSubscription)) or 0)


async def test_public_key_is_made_once_and_kept(
    client: httpx.AsyncClient, factory: Factory, receiver: PushReceiver
) -> None:
    customer = await factory.customer()
    first = await client.get("/api/push/public-key", headers=customer.headers)
    second = await client.get("/api/push/public-key", headers=customer.headers)
    assert first.status_code == 200
    assert first.json() == second.json() == {"public_key": receiver.vapid_public_key}


async def test_push_arrives_signed_and_decrypts_to_the_payload(
    client: httpx.AsyncClient,
    factory: Factory,
    notify: Notify,
    worker: DeliveryWorker,
    receiver: PushReceiver,
    metrics: Metrics,
) -> None:
    staff = await factory.staff(await factory.branch())
    await subscribe(client, staff, receiver.subscription("phone"))
    event_id = await notify(staff, kind="urgent", title="Fire drill at 3")
    await worker.run_until_idle()
    [received] = receiver.received
    [delivery] = await deliveries(worker.database)
    assert received.payload == {
        "title": "Fire drill at 3",
        "message": "Emerald opens at 10 tomorrow.",
        "level": "error",
        "url": f"https://oms.example/notifications?id={delivery.notification_id}",
        "event": "notification.urgent",
        "event_id": event_id,
    }
    assert received.claims["sub"] == worker.settings.vapid_subject
    assert received.headers["urgency"] == "high"
    assert received.headers["topic"] == f"oms-delivery-{delivery.id}"
    assert int(received.headers["ttl"]) > 0
    assert (delivery.channel, delivery.status) == ("push", "sent")
    # Staff get push only by default: no email was planned.
    assert [d.channel for d in await deliveries(worker.database)] == ["push"]
    assert metrics.deliveries.labels("push", "sent")._value.get() == 1


async def test_410_removes_the_subscription_and_fails_at_once(
    client: httpx.AsyncClient,
    factory: Factory,
    notify: Notify,
    worker: DeliveryWorker,
    receiver: PushReceiver,
    database: Database,
) -> None:
    staff = await factory.staff(await factory.branch())
    await subscribe(client, staff, receiver.subscription("old-phone"))
    receiver.statuses.append(410)
    await notify(staff, kind="urgent")
    await worker.run_until_idle()
    [failed] = await deliveries(database)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error == "push service answered 410"
    assert await _subscription_count(database) == 0


@pytest.mark.parametrize("status", [429, 503, 408])
async def test_429_and_5xx_are_retried(
    client: httpx.AsyncClient,
    factory: Factory,
    notify: Notify,
    worker: DeliveryWorker,
    receiver: PushReceiver,
    clock: ManualClock,
    database: Database,
    status: int,
) -> None:
    staff = await factory.staff(await factory.branch())
    await subscribe(client, staff, receiver.subscription("phone"))
    receiver.statuses.append(status)
    await notify(staff, kind="urgent", title="Again")
    await worker.run_until_idle()
    [waiting] = await deliveries(database)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert waiting.last_error == f"push service answered {status}"
    clock.advance(30)
    await worker.run_until_idle()
    assert [r.payload["title"] for r in receiver.received] == ["Again"]
    assert (await deliveries(database))[0].status == "sent"
    assert await _subscription_count(database) == 1


async def test_every_device_of_the_user_gets_it(
    client: httpx.AsyncClient,
    factory: Factory,
    notify: Notify,
    worker: DeliveryWorker,
    receiver: PushReceiver,
) -> None:
    customer = await factory.customer()
    await subscribe(client, customer, receiver.subscription("phone"))
    await subscribe(client, customer, receiver.subscription("laptop"))
    await notify(customer, kind="urgent")
    await worker.run_until_idle()
    assert sorted(r.path for r in receiver.received) == ["laptop", "phone"]


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("http://push.example.com/x", "https"),
        ("https://10.0.0.5/push", "private"),
        ("https://127.0.0.1/push", "private"),
        ("https://[::1]/push", "private"),
        ("https://169.254.169.254/latest", "private"),
        ("https://localhost/push", "local"),
        ("https://push.internal/x", "local"),
        ("http://127.0.0.1/no-port", "https"),
    ],
)
async def test_endpoints_inside_the_network_are_refused(
    client: httpx.AsyncClient, factory: Factory, endpoint: str, reason: str
) -> None:
    customer = await factory.customer()
    body = {
        "endpoint": endpoint,
        "keys": {"p256dh": "B" + "A" * 86, "auth": "AAAAAAAAAAAAAAAAAAAAAA"},
    }
    response = await client.post("/api/push/subscriptions", json=body, headers=customer.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"]["field"] == "endpoint"
    assert reason in response.json()["error"]["message"]


async def test_bad_keys_are_refused(
    client: httpx.AsyncClient, factory: Factory, receiver: PushReceiver
) -> None:
    customer = await factory.customer()
    body = receiver.subscription("phone")
    body["keys"]["auth"] = "AAAAAAAA"
    response = await client.post("/api/push/subscriptions", json=body, headers=customer.headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "keys.auth"


async def test_delete_own_subscription_only(
    client: httpx.AsyncClient, factory: Factory, receiver: PushReceiver, database: Database
) -> None:
    owner = await factory.customer()
    other = await factory.customer()
    subscription_id = await subscribe(client, owner, receiver.subscription("phone"))
    path = f"/api/push/subscriptions/{subscription_id}"
    assert (await client.delete(path, headers=other.headers)).status_code == 404
    assert await _subscription_count(database) == 1
    assert (await client.delete(path, headers=owner.headers)).status_code == 204
    assert await _subscription_count(database) == 0


async def test_a_person_keeps_at_most_ten_devices(
    client: httpx.AsyncClient, factory: Factory, receiver: PushReceiver, database: Database
) -> None:
    customer = await factory.customer()
    ids = [await subscribe(client, customer, receiver.subscription(f"d{n}")) for n in range(12)]
    async with database.session() as session:
        kept = set(await session.scalars(select(PushSubscription.id)))
    assert kept == set(ids[2:])  # the two oldest went
