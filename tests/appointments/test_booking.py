"""POST /api/appointments: who may book, the schedule and overlap rules, bad input, and exactly
which events a booking records (none when refused)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from oms.db.database import Database
from oms.db.models import Schedule, User
from oms.domain.appointment_rules import today_utc
from tests.appointments.conftest import (
    World,
    book,
    error_of,
    expect_events,
    expect_no_events,
    future,
    last_event_id,
    next_weekday,
)
from tests.conftest import PublishedLog
from tests.factories import Factory


async def test_customer_booking_records_created_for_everyone_concerned(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    before = await last_event_id(database)
    published.clear()
    day = future()
    body = await book(client, world, day=day, notes="first visit")
    assert body["status"] == "scheduled"
    assert body["patient"] == {
        "id": world.customer.id,
        "name": "Maria Cruz",
        "email": world.customer.email,
    }
    assert body["optometrist"]["id"] == world.optometrist.id
    assert body["branch"] == {"id": world.emerald.id, "name": "Emerald"}
    assert (body["date"], body["start_time"], body["end_time"]) == (
        day.isoformat(),
        "10:00",
        "10:30",
    )
    assert body["notes"] == "first visit"
    assert body["created_by_id"] == world.customer.id

    (created,) = await expect_events(
        database, published, before, [("appointment.created", world.audience)]
    )
    payload = created.payload
    assert payload["id"] == body["id"]
    assert payload["title"] == "New appointment"
    assert payload["level"] == "success"
    assert payload["message"] == (
        f"Maria Cruz booked an eye exam at Emerald on {day.isoformat()} at 10:00"
    )
    assert payload["appointment"] == {
        "id": body["id"],
        "date": day.isoformat(),
        "time": "10:00",
        "end_time": "10:30",
        "status": "scheduled",
        "type": "eye_exam",
        "patient": body["patient"],
        "optometrist": {"id": world.optometrist.id, "name": world.optometrist.name},
        "branch": {"id": world.emerald.id, "name": "Emerald"},
    }
    # The other optometrist at Emerald, Unitop's staff and the other customer hear nothing.
    assert not created.recipients & {
        world.other_optometrist.id,
        world.other_staff.id,
        world.other_customer.id,
    }


# who books -> (patient_id to send, expected status)
BOOKERS: dict[str, tuple[str | None, int]] = {
    "admin": ("customer", 201),
    "staff": ("customer", 201),
    "customer": (None, 201),
    "customer_naming_self": ("customer", 201),
    "customer_for_other": ("other_customer", 403),
    "other_staff": ("customer", 403),  # staff book at their own branch only
    "optometrist": ("customer", 403),
    "admin_without_patient": (None, 422),
    "staff_without_patient": (None, 422),
}


@pytest.mark.parametrize("case", sorted(BOOKERS))
async def test_who_may_book(
    case: str,
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    published: PublishedLog,
) -> None:
    people = world.people()
    who = people[case.split("_without")[0].replace("_naming_self", "").replace("_for_other", "")]
    patient_key, expected = BOOKERS[case]
    body = world.booking()
    if patient_key is not None:
        body["patient_id"] = people[patient_key].id
    before = await last_event_id(database)
    published.clear()
    response = await client.post("/api/appointments", json=body, headers=who.headers)
    assert response.status_code == expected, response.text
    if expected == 201:
        assert response.json()["patient"]["id"] == world.customer.id
        await expect_events(database, published, before, [("appointment.created", world.audience)])
    else:
        if expected == 422:
            assert error_of(response) == (422, "validation_error", "patient_id")
        await expect_no_events(database, published, before)


async def test_unauthenticated_booking_is_refused(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post("/api/appointments", json=world.booking())
    assert response.status_code == 401


async def test_patient_must_be_an_active_customer(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    before = await last_event_id(database)
    for patient in (world.staff.id, 999_999):
        body = world.booking(patient_id=patient)
        response = await client.post("/api/appointments", json=body, headers=world.admin.headers)
        assert error_of(response) == (422, "validation_error", "patient_id")
    await expect_no_events(database, published, before)


def _bad_inputs(world: World) -> list[tuple[dict[str, Any], str]]:
    yesterday = (today_utc() - timedelta(days=1)).isoformat()
    return [
        (world.booking(start="10:30", end="10:00"), "end_time"),
        (world.booking(start="10:00", end="10:00"), "end_time"),
        (world.booking(type="haircut"), "type"),
        (world.booking(date=yesterday), "date"),
        (world.booking(date="2030-02-30"), "date"),
        (world.booking(date="01/12/2030"), "date"),
        (world.booking(start="9:00"), "start_time"),
        (world.booking(end="25:00"), "end_time"),
        (world.booking(branch_id=999_999), "branch_id"),
        (world.booking(optometrist_id=999_999), "optometrist_id"),
        (world.booking(optometrist_id=world.staff.id), "optometrist_id"),
        (world.booking(surprise=True), "surprise"),
    ]


async def test_bad_input_is_a_422_naming_the_field(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    before = await last_event_id(database)
    published.clear()
    for body, field in _bad_inputs(world):
        response = await client.post("/api/appointments", json=body, headers=world.customer.headers)
        assert error_of(response) == (422, "validation_error", field), (body, response.text)
    await expect_no_events(database, published, before)


async def test_booking_today_is_allowed(client: httpx.AsyncClient, world: World) -> None:
    booked = await book(client, world, day=today_utc(), start="16:00", end="16:30")
    assert (booked["date"], booked["start_time"], booked["status"]) == (
        today_utc().isoformat(),
        "16:00",
        "scheduled",
    )


async def test_inactive_branch_or_optometrist_is_refused(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    before = await last_event_id(database)
    deactivate = await client.patch(
        f"/api/branches/{world.emerald.id}", json={"is_active": False}, headers=world.admin.headers
    )
    assert deactivate.status_code == 200
    response = await client.post(
        "/api/appointments", json=world.booking(), headers=world.customer.headers
    )
    assert error_of(response) == (422, "validation_error", "branch_id")

    await client.patch(
        f"/api/branches/{world.emerald.id}", json={"is_active": True}, headers=world.admin.headers
    )
    async with database.session() as session:
        await session.execute(
            update(User).where(User.id == world.optometrist.id).values(is_active=False)
        )
        await session.commit()
    response = await client.post(
        "/api/appointments", json=world.booking(), headers=world.customer.headers
    )
    assert error_of(response) == (422, "validation_error", "optometrist_id")
    await expect_no_events(database, published, before)


async def test_booking_must_fit_the_schedule(
    client: httpx.AsyncClient,
    world: World,
    factory: Factory,
    database: Database,
    published: PublishedLog,
) -> None:
    """Mondays to Fridays, 09:00-12:00 at Emerald only."""
    part_timer = await factory.optometrist(
        world.emerald, days=range(5), start=time(9), end=time(12)
    )
    monday, saturday = next_weekday(0), next_weekday(5)
    before = await last_event_id(database)
    published.clear()
    refused = [
        world.booking(day=saturday),
        world.booking(day=monday, start="08:30", end="09:30"),
        world.booking(day=monday, start="11:45", end="12:15"),
        world.booking(day=monday, start="12:00", end="12:30"),
        world.booking(day=monday, branch_id=world.unitop.id),
    ]
    for body in refused:
        body["optometrist_id"] = part_timer.id
        response = await client.post("/api/appointments", json=body, headers=world.customer.headers)
        assert error_of(response) == (409, "slot_unavailable", None), body
        assert response.json()["error"]["details"] == {"reason": "outside_schedule"}
    await expect_no_events(database, published, before)

    for start, end in (("09:00", "09:30"), ("11:30", "12:00")):
        body = world.booking(day=monday, start=start, end=end, optometrist_id=part_timer.id)
        response = await client.post("/api/appointments", json=body, headers=world.customer.headers)
        assert response.status_code == 201, response.text

    # An inactive schedule row is no schedule.
    async with database.session() as session:
        await session.execute(
            update(Schedule).where(Schedule.optometrist_id == part_timer.id).values(is_active=False)
        )
        await session.commit()
    body = world.booking(day=monday, start="10:00", end="10:30", optometrist_id=part_timer.id)
    response = await client.post("/api/appointments", json=body, headers=world.customer.headers)
    assert error_of(response) == (409, "slot_unavailable", None)


async def test_overlapping_live_appointments_are_refused(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    first = await book(client, world, start="10:00", end="10:30")
    before = await last_event_id(database)
    published.clear()
    for start, end in (
        ("10:00", "10:30"),
        ("10:15", "10:45"),
        ("09:45", "10:15"),
        ("09:00", "11:00"),
    ):
        body = world.booking(start=start, end=end)
        response = await client.post(
            "/api/appointments", json=body, headers=world.other_customer.headers
        )
        assert error_of(response) == (409, "slot_unavailable", None), (start, end)
        assert response.json()["error"]["details"] == {"reason": "overlap"}
    await expect_no_events(database, published, before)

    # Back to back is fine, and so is another optometrist at the same time.
    await book(client, world, start="10:30", end="11:00", as_=world.other_customer)
    await book(client, world, optometrist_id=world.other_optometrist.id, as_=world.other_customer)

    # A cancelled appointment frees its time.
    cancel = await client.post(
        f"/api/appointments/{first['id']}/cancel", headers=world.customer.headers
    )
    assert cancel.status_code == 200
    await book(client, world, start="10:00", end="10:30", as_=world.other_customer)


async def test_optometrist_cannot_be_in_two_branches_at_once(
    client: httpx.AsyncClient, world: World, factory: Factory
) -> None:
    travelling = await factory.optometrist(world.emerald, world.unitop)
    await book(client, world, optometrist_id=travelling.id)
    body = world.booking(
        optometrist_id=travelling.id, branch_id=world.unitop.id, start="10:15", end="10:45"
    )
    response = await client.post(
        "/api/appointments", json=body, headers=world.other_customer.headers
    )
    assert error_of(response) == (409, "slot_unavailable", None)
