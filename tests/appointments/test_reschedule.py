"""PATCH /api/appointments/{id}: moving an appointment and changing its notes."""

from __future__ import annotations

from datetime import date, time, timedelta

import httpx
import pytest

from oms.db.database import Database
from oms.domain.appointment_rules import human_when, today_utc
from tests.appointments.conftest import (
    World,
    book,
    error_of,
    expect_events,
    expect_no_events,
    future,
    last_event_id,
)
from tests.conftest import PublishedLog


async def _patch(
    client: httpx.AsyncClient, world: World, appointment_id: int, **changes: str
) -> httpx.Response:
    return await client.patch(
        f"/api/appointments/{appointment_id}", json=changes, headers=world.customer.headers
    )


async def test_move_to_another_day_and_time(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    appointment = await book(client, world)
    old_day, new_day = future(), future(11)
    before = await last_event_id(database)
    published.clear()
    response = await _patch(
        client, world, appointment["id"], date=new_day.isoformat(), start_time="14:00",
        end_time="14:45",
    )  # fmt: skip
    assert response.status_code == 200, response.text
    moved = response.json()
    assert (moved["date"], moved["start_time"], moved["end_time"]) == (
        new_day.isoformat(),
        "14:00",
        "14:45",
    )
    assert moved["status"] == "scheduled"
    (event,) = await expect_events(
        database, published, before, [("appointment.updated", world.audience)]
    )
    assert event.payload["level"] == "info"
    assert event.payload["title"] == "Eye exam moved"
    assert event.payload["message"] == (
        f"Maria Cruz's eye exam at Emerald on {human_when(new_day, time(14))} "
        f"(moved from {human_when(old_day, time(10))}) by Maria Cruz"
    )
    assert event.payload["appointment"]["time"] == "14:00"
    assert event.payload["appointment"]["end_time"] == "14:45"
    # Its old time is free again.
    await book(client, world, as_=world.other_customer)


async def test_move_overlapping_its_own_old_time_is_fine(
    client: httpx.AsyncClient, world: World
) -> None:
    appointment = await book(client, world, start="10:00", end="10:30")
    response = await _patch(client, world, appointment["id"], start_time="10:15", end_time="10:45")
    assert response.status_code == 200, response.text


async def test_a_confirmed_appointment_stays_confirmed_when_moved(
    client: httpx.AsyncClient, world: World
) -> None:
    appointment = await book(client, world)
    await client.post(f"/api/appointments/{appointment['id']}/confirm", headers=world.staff.headers)
    response = await _patch(client, world, appointment["id"], start_time="11:00", end_time="11:30")
    assert response.json()["status"] == "confirmed"


async def test_refused_moves_record_nothing(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    appointment = await book(client, world)
    await book(client, world, start="12:00", end="12:30", as_=world.other_customer)
    yesterday = (today_utc() - timedelta(days=1)).isoformat()
    before = await last_event_id(database)
    published.clear()
    cases: list[tuple[dict[str, str], tuple[int, str, str | None]]] = [
        ({"start_time": "12:15", "end_time": "12:45"}, (409, "slot_unavailable", None)),
        ({"start_time": "16:45", "end_time": "17:15"}, (409, "slot_unavailable", None)),
        ({"start_time": "11:00", "end_time": "10:00"}, (422, "validation_error", "end_time")),
        ({"end_time": "09:30"}, (422, "validation_error", "end_time")),
        ({"date": yesterday}, (422, "validation_error", "date")),
        ({"start_time": "7am"}, (422, "validation_error", "start_time")),
        ({"status": "completed"}, (422, "validation_error", "status")),
        ({"branch_id": str(world.unitop.id)}, (422, "validation_error", "branch_id")),
    ]
    for changes, expected in cases:
        response = await _patch(client, world, appointment["id"], **changes)
        assert error_of(response) == expected, (changes, response.text)
    unchanged = await client.get(
        f"/api/appointments/{appointment['id']}", headers=world.customer.headers
    )
    assert unchanged.json() == appointment
    await expect_no_events(database, published, before)


@pytest.mark.parametrize(
    "history", [["confirm", "start"], ["confirm", "start", "complete"], ["cancel"], ["no-show"]]
)
async def test_only_scheduled_or_confirmed_can_move(
    history: list[str],
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    published: PublishedLog,
) -> None:
    appointment = await book(client, world)
    for action in history:
        await client.post(
            f"/api/appointments/{appointment['id']}/{action}", headers=world.admin.headers
        )
    before = await last_event_id(database)
    published.clear()
    response = await _patch(client, world, appointment["id"], start_time="15:00", end_time="15:30")
    assert error_of(response) == (409, "invalid_transition", None)
    await expect_no_events(database, published, before)


async def test_notes_change_in_any_status(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    appointment = await book(client, world)
    for action in ("confirm", "start", "complete"):
        await client.post(
            f"/api/appointments/{appointment['id']}/{action}", headers=world.admin.headers
        )
    before = await last_event_id(database)
    published.clear()
    response = await client.patch(
        f"/api/appointments/{appointment['id']}",
        json={"notes": "prescribed progressives"},
        headers=world.optometrist.headers,
    )
    assert response.status_code == 200
    assert response.json()["notes"] == "prescribed progressives"
    (event,) = await expect_events(
        database, published, before, [("appointment.updated", world.audience)]
    )
    assert event.payload["message"] == (
        "The notes of Maria Cruz's eye exam at Emerald on "
        f"{human_when(date.fromisoformat(appointment['date']), time(10))} were updated"
    )


async def test_move_and_notes_together_is_one_event(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    appointment = await book(client, world)
    before = await last_event_id(database)
    published.clear()
    response = await _patch(
        client, world, appointment["id"], start_time="13:00", end_time="13:30", notes="later"
    )
    assert response.json()["notes"] == "later"
    await expect_events(database, published, before, [("appointment.updated", world.audience)])


async def test_a_patch_that_changes_nothing_records_nothing(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    appointment = await book(client, world, notes="same")
    before = await last_event_id(database)
    published.clear()
    for changes in ({}, {"notes": "same"}, {"start_time": "10:00", "date": appointment["date"]}):
        response = await _patch(client, world, appointment["id"], **changes)
        assert response.status_code == 200
        assert response.json() == appointment
    await expect_no_events(database, published, before)
