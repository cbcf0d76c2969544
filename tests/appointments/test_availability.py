"""GET /api/appointments/availability: the free slots in an optometrist's hours."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import httpx

from oms.domain.appointment_rules import today_utc
from tests.appointments.conftest import World, book, error_of, future, next_weekday
from tests.factories import Factory


async def _slots(client: httpx.AsyncClient, world: World, **params: Any) -> list[tuple[str, str]]:
    query = {
        "optometrist_id": world.optometrist.id,
        "branch_id": world.emerald.id,
        "date": future().isoformat(),
        **params,
    }
    response = await client.get(
        "/api/appointments/availability", params=query, headers=world.customer.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["date"] == query["date"]
    assert body["duration"] == int(params.get("duration", 30))
    return [(slot["start_time"], slot["end_time"]) for slot in body["slots"]]


async def test_an_empty_day_is_all_half_hours(client: httpx.AsyncClient, world: World) -> None:
    slots = await _slots(client, world)
    assert len(slots) == 16  # 09:00 to 17:00
    assert slots[0] == ("09:00", "09:30")
    assert slots[-1] == ("16:30", "17:00")


async def test_booked_time_is_not_offered(client: httpx.AsyncClient, world: World) -> None:
    await book(client, world, start="10:00", end="10:45")
    cancelled = await book(client, world, start="13:00", end="13:30", as_=world.other_customer)
    await client.post(
        f"/api/appointments/{cancelled['id']}/cancel", headers=world.other_customer.headers
    )
    slots = await _slots(client, world)
    assert ("09:30", "10:00") in slots
    assert ("10:00", "10:30") not in slots
    assert ("10:30", "11:00") not in slots
    assert ("11:00", "11:30") in slots
    assert ("13:00", "13:30") in slots  # cancelled frees it
    assert len(slots) == 14
    # Every offered slot can really be booked.
    first = slots[0]
    await book(client, world, start=first[0], end=first[1], as_=world.other_customer)


async def test_duration(client: httpx.AsyncClient, world: World) -> None:
    slots = await _slots(client, world, duration=60)
    assert slots[:2] == [("09:00", "10:00"), ("10:00", "11:00")]
    assert len(slots) == 8
    for bad in (0, 4, 481, "x"):
        response = await client.get(
            "/api/appointments/availability",
            params={
                "optometrist_id": world.optometrist.id,
                "branch_id": world.emerald.id,
                "date": future().isoformat(),
                "duration": bad,
            },
            headers=world.customer.headers,
        )
        assert error_of(response) == (422, "validation_error", "duration")


async def test_days_off_have_no_slots(
    client: httpx.AsyncClient, world: World, factory: Factory
) -> None:
    weekdays = await factory.optometrist(world.emerald, days=range(5), start=time(9), end=time(11))
    on = await _slots(client, world, optometrist_id=weekdays.id, date=next_weekday(0).isoformat())
    assert len(on) == 4
    off = await _slots(client, world, optometrist_id=weekdays.id, date=next_weekday(6).isoformat())
    assert off == []
    elsewhere = await _slots(client, world, optometrist_id=weekdays.id, branch_id=world.unitop.id)
    assert elsewhere == []


async def test_bad_queries(client: httpx.AsyncClient, world: World) -> None:
    base: dict[str, str | int] = {
        "optometrist_id": world.optometrist.id,
        "branch_id": world.emerald.id,
        "date": future().isoformat(),
    }
    yesterday = (today_utc() - timedelta(days=1)).isoformat()
    cases: list[tuple[dict[str, str | int], str]] = [
        ({"optometrist_id": 999_999}, "optometrist_id"),
        ({"optometrist_id": world.customer.id}, "optometrist_id"),
        ({"branch_id": 999_999}, "branch_id"),
        ({"date": yesterday}, "date"),
        ({"date": "someday"}, "date"),
    ]
    for override, field in cases:
        response = await client.get(
            "/api/appointments/availability",
            params={**base, **override},
            headers=world.customer.headers,
        )
        assert error_of(response) == (422, "validation_error", field), override
    response = await client.get("/api/appointments/availability", params=base)
    assert response.status_code == 401
