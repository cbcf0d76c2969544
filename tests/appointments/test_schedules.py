"""GET|PUT /api/optometrists/{id}/schedule: who reads, admins replace, and one schedule.updated
per created, changed or removed row, to the optometrist and that branch's staff."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from oms.db.database import Database
from tests.appointments.conftest import (
    World,
    error_of,
    expect_events,
    expect_no_events,
    last_event_id,
    next_weekday,
)
from tests.conftest import PublishedLog
from tests.factories import Factory


def _url(optometrist_id: int) -> str:
    return f"/api/optometrists/{optometrist_id}/schedule"


def _row(
    branch_id: int, day: int, start: str = "09:00", end: str = "17:00", active: bool = True
) -> dict[str, Any]:
    return {
        "branch_id": branch_id,
        "day_of_week": day,
        "start_time": start,
        "end_time": end,
        "is_active": active,
    }


def _keys(body: dict[str, Any]) -> list[tuple[int, int]]:
    return [(row["branch"]["id"], row["day_of_week"]) for row in body["rows"]]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),
        ("optometrist", 200),
        ("staff", 200),
        ("other_staff", 200),
        ("other_optometrist", 404),
        ("customer", 403),
    ],
)
async def test_who_reads_a_schedule(
    who: str, expected: int, client: httpx.AsyncClient, world: World, factory: Factory
) -> None:
    """The optometrist here works at Emerald and Unitop; each branch's staff see their rows."""
    travelling = await factory.optometrist(world.emerald, world.unitop, days=range(2))
    people = {**world.people(), "optometrist": travelling}
    response = await client.get(_url(travelling.id), headers=people[who].headers)
    assert response.status_code == expected, response.text
    if expected != 200:
        return
    body = response.json()
    assert body["optometrist"] == {"id": travelling.id, "name": travelling.name}
    emerald = [(world.emerald.id, 0), (world.emerald.id, 1)]
    unitop = [(world.unitop.id, 0), (world.unitop.id, 1)]
    assert _keys(body) == {"staff": emerald, "other_staff": unitop}.get(who, emerald + unitop)
    first = world.unitop if who == "other_staff" else world.emerald
    assert body["rows"][0] == {
        "branch": {"id": first.id, "name": first.name},
        "day_of_week": 0,
        "start_time": "09:00",
        "end_time": "17:00",
        "is_active": True,
    }


async def test_staff_of_a_branch_outside_the_schedule_get_404(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(_url(world.optometrist.id), headers=world.other_staff.headers)
    assert response.status_code == 404


async def test_unknown_optometrist(client: httpx.AsyncClient, world: World) -> None:
    for optometrist_id in (999_999, world.customer.id):
        response = await client.get(_url(optometrist_id), headers=world.admin.headers)
        assert response.status_code == 404
        response = await client.put(
            _url(optometrist_id), json={"rows": []}, headers=world.admin.headers
        )
        assert response.status_code == 404
    assert (await client.get(_url(world.optometrist.id))).status_code == 401


@pytest.mark.parametrize("who", ["staff", "optometrist", "other_optometrist", "customer"])
async def test_only_admins_write(
    who: str,
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    published: PublishedLog,
) -> None:
    before = await last_event_id(database)
    response = await client.put(
        _url(world.optometrist.id),
        json={"rows": [_row(world.emerald.id, 0)]},
        headers=world.people()[who].headers,
    )
    assert response.status_code == 403
    await expect_no_events(database, published, before)


async def test_replace_announces_each_changed_row(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    """Was: every day 09:00-17:00 at Emerald. Now: Tuesday off, Saturday 10-14, no Sunday row,
    and Mondays at Unitop too. Monday, Wednesday to Friday at Emerald are unchanged."""
    emerald, unitop = world.emerald.id, world.unitop.id
    rows = [
        _row(emerald, 0),
        _row(emerald, 1, active=False),
        _row(emerald, 2),
        _row(emerald, 3),
        _row(emerald, 4),
        _row(emerald, 5, "10:00", "14:00"),
        _row(unitop, 0, "09:00", "12:00"),
    ]
    before = await last_event_id(database)
    published.clear()
    response = await client.put(
        _url(world.optometrist.id), json={"rows": rows}, headers=world.admin.headers
    )
    assert response.status_code == 200, response.text
    assert _keys(response.json()) == [(row["branch_id"], row["day_of_week"]) for row in rows]

    at_emerald = {world.optometrist.id, world.staff.id}
    at_unitop = {world.optometrist.id, world.other_staff.id}
    stored = await expect_events(
        database,
        published,
        before,
        [
            ("schedule.updated", at_emerald),
            ("schedule.updated", at_emerald),
            ("schedule.updated", at_emerald),
            ("schedule.updated", at_unitop),
        ],
    )
    name = world.optometrist.name
    optometrist = {"id": world.optometrist.id, "name": name}
    assert [event.payload["schedule"] for event in stored] == [
        {
            "optometrist": optometrist,
            "branch": {"id": emerald, "name": "Emerald"},
            "day_of_week": 1,
            "start_time": "09:00",
            "end_time": "17:00",
            "is_active": False,
        },
        {
            "optometrist": optometrist,
            "branch": {"id": emerald, "name": "Emerald"},
            "day_of_week": 5,
            "start_time": "10:00",
            "end_time": "14:00",
            "is_active": True,
        },
        {
            "optometrist": optometrist,
            "branch": {"id": emerald, "name": "Emerald"},
            "day_of_week": 6,
            "start_time": "09:00",
            "end_time": "17:00",
            "is_active": False,
        },
        {
            "optometrist": optometrist,
            "branch": {"id": unitop, "name": "Unitop"},
            "day_of_week": 0,
            "start_time": "09:00",
            "end_time": "12:00",
            "is_active": True,
        },
    ]
    assert [event.payload["message"] for event in stored] == [
        f"{name} no longer works at Emerald on Tuesdays",
        f"{name} works at Emerald on Saturdays from 10:00 to 14:00",
        f"{name} no longer works at Emerald on Sundays",
        f"{name} works at Unitop on Mondays from 09:00 to 12:00",
    ]
    assert {event.payload["level"] for event in stored} == {"info"}
    assert {event.payload["title"] for event in stored} == {"Schedule updated"}

    read = await client.get(_url(world.optometrist.id), headers=world.admin.headers)
    assert read.json() == response.json()

    # The same week again changes nothing and says nothing.
    before = await last_event_id(database)
    published.clear()
    again = await client.put(
        _url(world.optometrist.id), json={"rows": rows}, headers=world.admin.headers
    )
    assert again.json() == response.json()
    await expect_no_events(database, published, before)


async def test_bookings_follow_the_new_schedule(client: httpx.AsyncClient, world: World) -> None:
    rows = [_row(world.emerald.id, 5, "10:00", "12:00"), _row(world.unitop.id, 0)]
    response = await client.put(
        _url(world.optometrist.id), json={"rows": rows}, headers=world.admin.headers
    )
    assert response.status_code == 200

    async def attempt(day: int, start: str, end: str, branch_id: int) -> int:
        body = world.booking(day=next_weekday(day), start=start, end=end, branch_id=branch_id)
        reply = await client.post("/api/appointments", json=body, headers=world.customer.headers)
        return reply.status_code

    assert await attempt(6, "10:00", "10:30", world.emerald.id) == 409  # Sunday removed
    assert await attempt(5, "09:00", "09:30", world.emerald.id) == 409  # Saturday opens at 10
    assert await attempt(5, "11:30", "12:00", world.emerald.id) == 201
    assert await attempt(0, "09:00", "09:30", world.unitop.id) == 201
    me = await client.get("/api/auth/me", headers=world.optometrist.headers)
    assert me.json()["branch_ids"] == sorted([world.emerald.id, world.unitop.id])


async def test_clearing_the_week_announces_every_removed_row(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    before = await last_event_id(database)
    published.clear()
    response = await client.put(
        _url(world.optometrist.id), json={"rows": []}, headers=world.admin.headers
    )
    assert response.json()["rows"] == []
    audience = {world.optometrist.id, world.staff.id}
    stored = await expect_events(database, published, before, [("schedule.updated", audience)] * 7)
    assert [event.payload["schedule"]["day_of_week"] for event in stored] == list(range(7))
    assert {event.payload["schedule"]["is_active"] for event in stored} == {False}


async def test_invalid_weeks_are_422_naming_the_row_field(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    await client.patch(
        f"/api/branches/{world.unitop.id}", json={"is_active": False}, headers=world.admin.headers
    )
    emerald = world.emerald.id
    cases: list[tuple[list[dict[str, Any]], str]] = [
        ([_row(emerald, 0), _row(emerald, 0, "10:00", "11:00")], "rows.1.day_of_week"),
        ([_row(emerald, 0, "12:00", "11:00")], "rows.0.end_time"),
        ([_row(emerald, 0, "12:00", "12:00")], "rows.0.end_time"),
        ([_row(999_999, 0)], "rows.0.branch_id"),
        ([_row(emerald, 1), _row(world.unitop.id, 0)], "rows.1.branch_id"),
        ([_row(emerald, 7)], "rows.0.day_of_week"),
        ([_row(emerald, -1)], "rows.0.day_of_week"),
        ([_row(emerald, 0, "9:00")], "rows.0.start_time"),
        ([{**_row(emerald, 0), "note": "x"}], "rows.0.note"),
    ]
    before = await last_event_id(database)
    published.clear()
    for rows, field in cases:
        response = await client.put(
            _url(world.optometrist.id), json={"rows": rows}, headers=world.admin.headers
        )
        assert error_of(response) == (422, "validation_error", field), (rows, response.text)
    # An inactive row may still name an inactive branch (keeping history of where they worked).
    response = await client.put(
        _url(world.optometrist.id),
        json={"rows": [_row(emerald, 0), _row(world.unitop.id, 0, active=False)]},
        headers=world.admin.headers,
    )
    assert response.status_code == 200
    assert len(published.names()) == 7  # Emerald Tue..Sun removed, Unitop Mon added (inactive)
    await expect_events(
        database,
        published,
        before,
        [("schedule.updated", {world.optometrist.id, world.staff.id})] * 6
        + [("schedule.updated", {world.optometrist.id, world.other_staff.id})],
    )
