"""The front desk's day (issue 13): a double-clicked booking is booked once, a started slot is
neither offered nor bookable by the branch's own clock, and staff find any patient of the chain
and register a walk-in on the spot."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select, update

from oms.clock import ManualClock
from oms.db.database import Database
from oms.db.models import Appointment, Branch, EventRecord, Notification
from oms.domain.appointment_rules import today_utc
from tests.appointments.conftest import World, error_of, future, last_event_id
from tests.factories import Factory


async def test_a_retried_booking_with_the_same_key_returns_the_first(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    body = world.booking(patient=world.customer)
    headers = {**world.staff.headers, "Idempotency-Key": "desk-7f3a"}
    first = await client.post("/api/appointments", json=body, headers=headers)
    again = await client.post("/api/appointments", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json() == first.json()
    # Without the key the same slot is taken: the second click of an older client gets a 409.
    plain = await client.post("/api/appointments", json=body, headers=world.staff.headers)
    assert error_of(plain)[:2] == (409, "slot_unavailable")
    # The key names one booking: reused for another slot it is refused, never answered wrongly.
    other = await client.post(
        "/api/appointments", json=world.booking(start="11:00", end="11:30"), headers=headers
    )
    assert error_of(other) == (409, "conflict", "Idempotency-Key")
    # Another person's identical key is theirs alone.
    theirs = await client.post(
        "/api/appointments",
        json=world.booking(start="12:00", end="12:30"),
        headers={**world.customer.headers, "Idempotency-Key": "desk-7f3a"},
    )
    assert theirs.status_code == 201
    async with database.session() as session:
        mine = await session.scalars(
            select(Appointment.id).where(Appointment.created_by_id == world.staff.id)
        )
        assert list(mine.all()) == [first.json()["id"]]


async def test_a_bad_idempotency_key_is_refused(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/api/appointments",
        json=world.booking(),
        headers={**world.customer.headers, "Idempotency-Key": "x" * 81},
    )
    assert response.status_code == 422


async def test_staff_booking_says_who_acted_and_arrives_read_for_them(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    response = await client.post(
        "/api/appointments",
        json=world.booking(patient=world.customer),
        headers=world.staff.headers,
    )
    assert response.status_code == 201
    assert response.json()["created_by_id"] == world.staff.id
    event_id = await last_event_id(database)
    async with database.session() as session:
        rows = (
            await session.execute(
                select(Notification.user_id, Notification.read_at).where(
                    Notification.event_id == event_id
                )
            )
        ).all()
        record = await session.get(EventRecord, event_id)
    assert record is not None
    assert record.payload["by"] == {"id": world.staff.id, "name": world.staff.name}
    assert record.payload["message"].startswith(f"{world.staff.name} booked an eye exam for Maria")
    assert {user_id for user_id, _ in rows} == world.audience
    read = {user_id for user_id, read_at in rows if read_at is not None}
    assert read == {world.staff.id}  # the actor's own copy only


async def test_started_slots_are_neither_offered_nor_bookable_in_the_branch_zone(
    client: httpx.AsyncClient, world: World, database: Database, clock: ManualClock
) -> None:
    """Emerald moves to Manila (UTC+8). At 06:29 UTC it is 14:29 there: the 14:00 slot has
    begun, 14:30 has not, whatever UTC's date or time says."""
    async with database.session() as session:
        await session.execute(
            update(Branch).where(Branch.id == world.emerald.id).values(timezone="Asia/Manila")
        )
        await session.commit()
    day = today_utc() + timedelta(days=2)
    clock.set(datetime.combine(day, time(14, 29), tzinfo=ZoneInfo("Asia/Manila")).astimezone(UTC))
    query: dict[str, str | int] = {
        "optometrist_id": world.optometrist.id,
        "branch_id": world.emerald.id,
        "date": day.isoformat(),
        "duration": 30,
    }
    slots = await client.get(
        "/api/appointments/availability", params=query, headers=world.customer.headers
    )
    starts = [slot["start_time"] for slot in slots.json()["slots"]]
    assert starts[0] == "14:30"
    assert "14:00" not in starts
    started = await client.post(
        "/api/appointments",
        json=world.booking(day=day, start="14:00", end="14:30"),
        headers=world.customer.headers,
    )
    assert error_of(started) == (422, "validation_error", "start_time")
    yesterday = (day - timedelta(days=1)).isoformat()
    past = await client.get(
        "/api/appointments/availability",
        params={**query, "date": yesterday},
        headers=world.customer.headers,
    )
    assert error_of(past) == (422, "validation_error", "date")
    ahead = await client.post(
        "/api/appointments",
        json=world.booking(day=day, start="14:30", end="15:00"),
        headers=world.customer.headers,
    )
    assert ahead.status_code == 201, ahead.text


async def test_staff_find_any_customer_by_name_email_or_phone(
    client: httpx.AsyncClient, world: World, factory: Factory
) -> None:
    # A patient of another branch, and one with no home branch, are found all the same.
    elsewhere = await factory.customer(world.unitop)
    nowhere = await factory.customer()
    for text, wanted in (
        (elsewhere.name, elsewhere.id),
        (nowhere.email.upper(), nowhere.id),
        ("maria", world.customer.id),
    ):
        found = await client.get("/api/customers", params={"q": text}, headers=world.staff.headers)
        assert found.status_code == 200
        assert wanted in [row["id"] for row in found.json()], text
        assert {row["role"] for row in found.json()} == {"customer"}
    refused = await client.get("/api/customers", headers=world.customer.headers)
    assert refused.status_code == 403
    optometrist = await client.get("/api/customers", headers=world.optometrist.headers)
    assert optometrist.status_code == 403


async def test_staff_register_a_walk_in_and_book_them(
    client: httpx.AsyncClient, world: World
) -> None:
    created = await client.post(
        "/api/customers",
        json={"name": "Liza Soberano", "phone": "+63 917 555 0101"},
        headers=world.staff.headers,
    )
    assert created.status_code == 201, created.text
    patient = created.json()
    assert (patient["role"], patient["branch_id"]) == ("customer", world.emerald.id)
    found = await client.get("/api/customers", params={"q": "917-555"}, headers=world.staff.headers)
    assert [row["id"] for row in found.json()] == [patient["id"]]
    booked = await client.post(
        "/api/appointments",
        json={**world.booking(day=future(3)), "patient_id": patient["id"]},
        headers=world.staff.headers,
    )
    assert booked.status_code == 201, booked.text
    # A name alone cannot reach anyone; staff create customers, never staff or admins.
    nameless = await client.post(
        "/api/customers", json={"name": "No Contact"}, headers=world.staff.headers
    )
    assert error_of(nameless) == (422, "validation_error", "phone")
    sneaky = await client.post(
        "/api/customers",
        json={"name": "X", "phone": "1", "role": "admin"},
        headers=world.staff.headers,
    )
    assert sneaky.status_code == 422
    by_customer = await client.post(
        "/api/customers", json={"name": "X", "phone": "1"}, headers=world.customer.headers
    )
    assert by_customer.status_code == 403
