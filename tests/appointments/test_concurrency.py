"""Racing requests: the optometrist's booking lock lets exactly one of them have the slot."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from oms.db.database import Database
from oms.db.models import Appointment
from tests.appointments.conftest import World, book, expect_events, last_event_id
from tests.conftest import PublishedLog
from tests.factories import Factory

# Racing bookings are serialized by each database's own locks: run on every backend.
pytestmark = pytest.mark.both_databases

RACERS = 10


async def test_ten_concurrent_bookings_of_one_slot_yield_one_appointment(
    client: httpx.AsyncClient,
    world: World,
    factory: Factory,
    database: Database,
    published: PublishedLog,
) -> None:
    customers = [await factory.customer() for _ in range(RACERS)]
    before = await last_event_id(database)
    published.clear()
    # Overlapping but not identical slots, so no unique index could be what stops them.
    bodies = [world.booking(start=f"10:{5 * i:02d}", end=f"11:{5 * i:02d}") for i in range(RACERS)]
    responses = await asyncio.gather(
        *(
            client.post("/api/appointments", json=body, headers=customer.headers)
            for body, customer in zip(bodies, customers, strict=True)
        )
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (RACERS - 1), [r.text for r in responses]
    refused = [r.json()["error"]["code"] for r in responses if r.status_code == 409]
    assert set(refused) == {"slot_unavailable"}

    (winner,) = [r.json() for r in responses if r.status_code == 201]
    async with database.session() as session:
        count = await session.scalar(select(func.count()).select_from(Appointment))
    assert count == 1
    audience = world.audience - {world.customer.id} | {winner["patient"]["id"]}
    (created,) = await expect_events(
        database, published, before, [("appointment.created", audience)]
    )
    assert created.payload["id"] == winner["id"]


async def test_concurrent_reschedules_into_one_slot_yield_one_move(
    client: httpx.AsyncClient, world: World, factory: Factory
) -> None:
    others = [await factory.customer() for _ in range(5)]
    mine = [
        await book(client, world, start=f"{9 + i}:00".zfill(5), end=f"{9 + i}:30".zfill(5), as_=c)
        for i, c in enumerate(others)
    ]
    responses = await asyncio.gather(
        *(
            client.patch(
                f"/api/appointments/{appointment['id']}",
                json={"start_time": "15:00", "end_time": "15:30"},
                headers=customer.headers,
            )
            for appointment, customer in zip(mine, others, strict=True)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * 4


async def test_concurrent_confirm_and_cancel_one_wins(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    appointment = await book(client, world)
    published.clear()
    before = await last_event_id(database)
    url = f"/api/appointments/{appointment['id']}"
    responses = await asyncio.gather(
        *(
            client.post(f"{url}/{action}", headers=world.staff.headers)
            for action in ("confirm", "no-show", "cancel", "no-show", "cancel")
        )
    )
    codes = [r.status_code for r in responses]
    assert sorted(codes) in ([200, 409, 409, 409, 409], [200, 200, 409, 409, 409]), codes
    final = (await client.get(url, headers=world.staff.headers)).json()["status"]
    # If confirm won first, one cancel/no-show may follow it legitimately; never two terminal moves.
    names = published.names()
    if codes.count(200) == 2:
        assert names[0] == "appointment.confirmed"
        assert final in ("cancelled", "no_show")
    else:
        assert len(names) == 1
    stored = await expect_events(
        database, published, before, [(name, world.audience) for name in names]
    )
    assert len(stored) == codes.count(200)
