"""Who may do what to the customer's appointment with the optometrist at Emerald.

Not being allowed to see it means it does not exist (404); seeing it without the right to act is
403; every refusal records no event, every allowed action exactly one, for everyone concerned.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from oms.db.database import Database
from tests.appointments.conftest import (
    World,
    book,
    expect_events,
    expect_no_events,
    future,
    last_event_id,
)
from tests.conftest import PublishedLog
from tests.factories import Factory, TestUser

WHO = [
    "admin",
    "staff",
    "other_staff",
    "optometrist",
    "other_optometrist",
    "customer",
    "other_customer",
]
SEES = {"admin", "staff", "optometrist", "customer"}


@pytest.mark.parametrize("who", WHO)
async def test_read_one(who: str, client: httpx.AsyncClient, world: World) -> None:
    appointment = await book(client, world)
    response = await client.get(
        f"/api/appointments/{appointment['id']}", headers=world.people()[who].headers
    )
    if who in SEES:
        assert response.status_code == 200
        assert response.json() == appointment
    else:
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


async def test_unknown_appointment_is_404(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/api/appointments/999999", headers=world.admin.headers)
    assert response.status_code == 404


@pytest.mark.parametrize("who", WHO)
async def test_list_is_scoped_to_the_caller(
    who: str, client: httpx.AsyncClient, world: World
) -> None:
    mine = await book(client, world)
    # The other customer's, with the other optometrist at Emerald.
    theirs = await book(
        client, world, optometrist_id=world.other_optometrist.id, as_=world.other_customer
    )
    response = await client.get("/api/appointments", headers=world.people()[who].headers)
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()}
    expected = {
        "admin": {mine["id"], theirs["id"]},
        "staff": {mine["id"], theirs["id"]},
        "other_staff": set(),
        "optometrist": {mine["id"]},
        "other_optometrist": {theirs["id"]},
        "customer": {mine["id"]},
        "other_customer": {theirs["id"]},
    }[who]
    assert ids == expected


async def test_list_filters(client: httpx.AsyncClient, world: World, factory: Factory) -> None:
    travelling = await factory.optometrist(world.emerald, world.unitop)
    early = await book(client, world, day=future(8))
    late = await book(client, world, day=future(20))
    at_unitop = await book(
        client, world, day=future(8), optometrist_id=travelling.id, branch_id=world.unitop.id
    )
    await client.post(f"/api/appointments/{late['id']}/confirm", headers=world.staff.headers)

    async def ids(params: dict[str, Any], who: TestUser = world.admin) -> list[int]:
        response = await client.get("/api/appointments", params=params, headers=who.headers)
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()]

    assert await ids({}) == [early["id"], at_unitop["id"], late["id"]]  # by date then time
    assert await ids({"date_from": future(9).isoformat()}) == [late["id"]]
    assert await ids({"date_to": future(9).isoformat()}) == [early["id"], at_unitop["id"]]
    assert await ids({"status": "confirmed"}) == [late["id"]]
    assert await ids({"branch_id": world.unitop.id}) == [at_unitop["id"]]
    assert await ids({"branch_id": world.unitop.id}, world.customer) == [at_unitop["id"]]
    assert await ids({}, world.other_staff) == [at_unitop["id"]]

    response = await client.get(
        "/api/appointments", params={"branch_id": world.unitop.id}, headers=world.staff.headers
    )
    assert response.status_code == 404  # another branch's data
    response = await client.get(
        "/api/appointments", params={"status": "lost"}, headers=world.admin.headers
    )
    assert response.status_code == 422
    response = await client.get(
        "/api/appointments",
        params={"date_from": future(9).isoformat(), "date_to": future(8).isoformat()},
        headers=world.admin.headers,
    )
    assert response.json()["error"]["details"] == {"field": "date_to"}


STAFFLIKE = {"admin", "staff", "optometrist"}
# action path -> (the actions an admin takes first, who may, the event it records)
ACTIONS: dict[str, tuple[list[str], set[str], str]] = {
    "confirm": ([], STAFFLIKE, "appointment.confirmed"),
    "start": (["confirm"], STAFFLIKE, "appointment.updated"),
    "complete": (["confirm", "start"], STAFFLIKE, "appointment.completed"),
    "cancel": ([], STAFFLIKE | {"customer"}, "appointment.cancelled"),
    "no-show": (["confirm"], STAFFLIKE, "appointment.no_show"),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("action", sorted(ACTIONS))
async def test_who_may_act(
    action: str,
    who: str,
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    published: PublishedLog,
) -> None:
    setup, allowed, event = ACTIONS[action]
    appointment = await book(client, world)
    url = f"/api/appointments/{appointment['id']}"
    for step in setup:
        assert (await client.post(f"{url}/{step}", headers=world.admin.headers)).status_code == 200
    before = await last_event_id(database)
    published.clear()
    response = await client.post(f"{url}/{action}", headers=world.people()[who].headers)
    if who in allowed:
        assert response.status_code == 200, response.text
        await expect_events(database, published, before, [(event, world.audience)])
    else:
        assert response.status_code == (403 if who in SEES else 404), response.text
        await expect_no_events(database, published, before)


PATCHES: dict[str, dict[str, Any]] = {
    "notes": {"notes": "bring old glasses"},
    "move": {"start_time": "14:00", "end_time": "14:30"},
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("change", sorted(PATCHES))
async def test_who_may_patch(
    change: str,
    who: str,
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    published: PublishedLog,
) -> None:
    appointment = await book(client, world)
    before = await last_event_id(database)
    published.clear()
    response = await client.patch(
        f"/api/appointments/{appointment['id']}",
        json=PATCHES[change],
        headers=world.people()[who].headers,
    )
    # The optometrist may write notes but not move the appointment (staff and the patient do).
    allowed = SEES - {"optometrist"} if change == "move" else SEES
    if who in allowed:
        assert response.status_code == 200, response.text
        for key, value in PATCHES[change].items():
            assert response.json()[key] == value
        await expect_events(database, published, before, [("appointment.updated", world.audience)])
    else:
        assert response.status_code == (403 if who in SEES else 404), response.text
        await expect_no_events(database, published, before)
