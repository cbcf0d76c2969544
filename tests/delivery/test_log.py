"""The delivery log (admins only) and the deliveries metric (DESIGN §10)."""

from __future__ import annotations

import httpx

from oms.delivery.worker import DeliveryWorker
from oms.metrics import Metrics
from tests.delivery.conftest import Notify
from tests.delivery.smtp_server import SmtpServer
from tests.factories import Factory


async def test_admins_see_the_log_with_filters_and_reasons(
    client: httpx.AsyncClient,
    factory: Factory,
    notify: Notify,
    worker: DeliveryWorker,
    smtp: SmtpServer,
    metrics: Metrics,
) -> None:
    admin = await factory.admin()
    first, second = await factory.customer(), await factory.customer()
    smtp.recorder.answers.append("550 5.1.1 no such mailbox")
    await notify(first, kind="urgent")
    await notify(second, kind="urgent")
    await worker.run_until_idle()

    response = await client.get("/api/deliveries", headers=admin.headers)
    assert response.status_code == 200
    rows = response.json()
    assert [(r["user"]["id"], r["status"]) for r in rows] == [
        (second.id, "sent"),
        (first.id, "failed"),
    ]
    assert rows[1]["last_error"] == "550 5.1.1 no such mailbox"
    assert rows[1]["user"]["name"]
    assert set(rows[0]) == {
        "id",
        "notification_id",
        "user",
        "channel",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    }

    failed = await client.get("/api/deliveries?status=failed", headers=admin.headers)
    assert [r["user"]["id"] for r in failed.json()] == [first.id]
    mine = await client.get(f"/api/deliveries?user_id={second.id}", headers=admin.headers)
    assert [r["status"] for r in mine.json()] == ["sent"]
    page = await client.get(f"/api/deliveries?before_id={rows[0]['id']}", headers=admin.headers)
    assert [r["id"] for r in page.json()] == [rows[1]["id"]]
    assert (await client.get("/api/deliveries?channel=push", headers=admin.headers)).json() == []
    bad = await client.get("/api/deliveries?status=lost", headers=admin.headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["field"] == "status"

    assert metrics.deliveries.labels("email", "sent")._value.get() == 1
    assert metrics.deliveries.labels("email", "failed")._value.get() == 1
    assert b'oms_deliveries_total{channel="email",status="sent"} 1.0' in metrics.render()


async def test_customers_and_staff_see_nothing_of_it(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer()
    staff = await factory.staff(await factory.branch())
    for user in (customer, staff):
        response = await client.get("/api/deliveries", headers=user.headers)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
