"""Ids out of range, control characters and absurd dates are 422s naming the field (never a 500);
staff see prescriptions of their branch's patients only."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from oms.db.database import Database
from tests.factories import Factory
from tests.notifications.support import appointment
from tests.prescriptions.test_prescriptions_api import body, issue

HUGE = 2**63


def _field(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    field: str = error["details"].get("field") or error["details"]["fields"][0]["field"]
    return field


@pytest.mark.parametrize("value", [HUGE, 2**31, 0, -1])
async def test_ids_out_of_range_are_422_naming_the_field(
    client: httpx.AsyncClient, factory: Factory, value: int
) -> None:
    admin = await factory.admin()
    h = admin.headers
    assert _field(await client.get(f"/api/appointments/{value}", headers=h)) == "appointment_id"
    assert _field(await client.get(f"/api/prescriptions?patient_id={value}", headers=h)) == (
        "patient_id"
    )
    assert _field(await client.get(f"/api/users?branch_id={value}", headers=h)) == "branch_id"
    broadcast = await client.post(
        "/api/notifications/broadcast",
        json={"title": "t", "message": "m", "user_ids": [value]},
        headers=h,
    )
    assert _field(broadcast) == "user_ids.0"
    patch = await client.patch(f"/api/users/{value}", json={"name": "x"}, headers=h)
    assert _field(patch) == "user_id"


async def test_big_ids_in_64_bit_fields_are_accepted_up_to_the_limit(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer()
    ok = await client.get(f"/api/notifications?before_id={2**63 - 1}", headers=customer.headers)
    assert ok.status_code == 200
    too_big = await client.get(f"/api/notifications?before_id={HUGE}", headers=customer.headers)
    assert _field(too_big) == "before_id"
    missing = await client.post(f"/api/notifications/{2**40}/read", headers=customer.headers)
    assert missing.status_code == 404


@pytest.mark.parametrize("text", ["Ann\x00", "Ann\x1b[31m", "Ann\u007f", "Ann\nSmith"])
async def test_control_characters_in_names_are_refused(
    client: httpx.AsyncClient, text: str
) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "ann@example.test", "password": "long-enough-1", "name": text},
    )
    assert _field(response) == "name"


async def test_line_breaks_are_fine_in_messages_but_nul_is_not(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    sent = await client.post(
        "/api/notifications/broadcast",
        json={"title": "Closing", "message": "Line one\n\tLine two", "user_ids": [customer.id]},
        headers=admin.headers,
    )
    assert sent.status_code == 201
    nul = await client.post(
        "/api/notifications/broadcast",
        json={"title": "Closing", "message": "a\x00b", "user_ids": [customer.id]},
        headers=admin.headers,
    )
    assert _field(nul) == "message"
    tab_in_title = await client.post(
        "/api/notifications/broadcast",
        json={"title": "a\tb", "message": "m", "user_ids": [customer.id]},
        headers=admin.headers,
    )
    assert _field(tab_in_title) == "title"


async def test_absurd_dates_are_refused(
    client: httpx.AsyncClient, factory: Factory, database: Database
) -> None:
    branch = await factory.branch()
    optometrist = await factory.optometrist(branch)
    customer = await factory.customer()
    far = await client.post(
        "/api/appointments",
        json={
            "optometrist_id": optometrist.id,
            "branch_id": branch.id,
            "date": "9999-12-31",
            "start_time": "10:00",
            "end_time": "10:30",
            "type": "eye_exam",
        },
        headers=customer.headers,
    )
    assert _field(far) == "date"
    ancient = await client.post(
        "/api/prescriptions",
        json=body(customer.id) | {"issue_date": "0001-01-01"},
        headers=optometrist.headers,
    )
    assert _field(ancient) == "issue_date"
    endless = await client.post(
        "/api/prescriptions",
        json=body(customer.id)
        | {"expiry_date": (date.today() + timedelta(days=40 * 365)).isoformat()},
        headers=optometrist.headers,
    )
    assert _field(endless) == "expiry_date"


async def test_staff_see_prescriptions_of_their_branchs_patients_only(
    client: httpx.AsyncClient, factory: Factory, database: Database
) -> None:
    emerald, ruby = await factory.branch("Emerald"), await factory.branch("Ruby")
    doctor = await factory.optometrist(emerald, ruby)
    seen_at_emerald, never_at_emerald = await factory.customer(), await factory.customer()
    await appointment(database, patient=seen_at_emerald, optometrist=doctor, branch=emerald)
    mine = (await issue(client, doctor, seen_at_emerald))["id"]
    not_mine = (await issue(client, doctor, never_at_emerald))["id"]
    staff = await factory.staff(emerald)
    listed = await client.get("/api/prescriptions", headers=staff.headers)
    assert [rx["id"] for rx in listed.json()] == [mine]
    hidden = await client.get(f"/api/prescriptions/{not_mine}", headers=staff.headers)
    assert hidden.status_code == 404
