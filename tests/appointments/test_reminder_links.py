"""A reminder's signed links (DESIGN §11): the patient confirms or cancels without signing in;
each link does one thing to one appointment, stops at the start time and after a reschedule, and
is neither an access token nor accepted in place of one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from oms.clock import ManualClock
from oms.config import Settings
from oms.db.database import Database
from oms.db.models import Appointment, Branch
from oms.domain.appointment_links import link_tokens
from tests.appointments.conftest import World, book, error_of, expect_events, future, last_event_id
from tests.conftest import PublishedLog


async def tokens(database: Database, settings: Settings, appointment_id: int) -> dict[str, str]:
    async with database.session() as session:
        appointment = await session.get(Appointment, appointment_id)
        assert appointment is not None
        branch = await session.get(Branch, appointment.branch_id)
        assert branch is not None
        return {str(k): v for k, v in link_tokens(settings.app_key, appointment, branch).items()}


def url(appointment: dict[str, Any], action: str) -> str:
    return f"/api/appointments/{appointment['id']}/{action}-link"


@pytest.mark.parametrize(("action", "status", "event"), [
    ("confirm", "confirmed", "appointment.confirmed"),
    ("cancel", "cancelled", "appointment.cancelled"),
])  # fmt: skip
async def test_the_patient_follows_a_link_without_signing_in(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    settings: Settings,
    published: PublishedLog,
    action: str,
    status: str,
    event: str,
) -> None:
    appointment = await book(client, world)
    token = (await tokens(database, settings, appointment["id"]))[action]
    published.clear()
    before = await last_event_id(database)

    preview = await client.get(url(appointment, action), params={"token": token})
    assert preview.status_code == 200, preview.text
    assert preview.json()["action"] == action
    assert preview.json()["appointment"]["status"] == "scheduled"  # reading changes nothing
    assert datetime.fromisoformat(preview.json()["expires_at"]) == datetime.fromisoformat(
        f"{appointment['date']}T10:00:00+00:00"
    )

    done = await client.post(url(appointment, action), params={"token": token})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == status
    await expect_events(database, published, before, [(event, world.audience)])
    again = await client.post(url(appointment, action), params={"token": token})
    assert error_of(again)[:2] == (409, "invalid_transition")


async def test_a_link_does_one_thing_to_one_appointment(
    client: httpx.AsyncClient, world: World, database: Database, settings: Settings
) -> None:
    mine = await book(client, world)
    other = await book(
        client, world, start="11:00", end="11:30", patient=world.other_customer, as_=world.staff
    )
    confirm = (await tokens(database, settings, mine["id"]))["confirm"]
    refused = [
        await client.post(url(mine, "cancel"), params={"token": confirm}),
        await client.post(url(other, "confirm"), params={"token": confirm}),
        await client.post(url(mine, "confirm"), params={"token": confirm[:-2] + "xx"}),
        await client.post(url(mine, "confirm"), params={"token": world.customer.token}),
    ]
    assert [error_of(r)[:2] for r in refused] == [(403, "invalid_link")] * 4
    # Nor is a link a way in anywhere else.
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {confirm}"})
    assert me.status_code == 401
    missing = await client.post(url(mine, "confirm"))
    assert error_of(missing)[0] == 422
    status = await client.get(f"/api/appointments/{mine['id']}", headers=world.customer.headers)
    assert status.json()["status"] == "scheduled"


async def test_links_stop_at_the_start_time(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    settings: Settings,
    clock: ManualClock,
) -> None:
    appointment = await book(client, world)
    cancel = (await tokens(database, settings, appointment["id"]))["cancel"]
    day = future()
    clock.set(datetime(day.year, day.month, day.day, 10, tzinfo=UTC) - timedelta(seconds=1))
    assert (
        await client.get(url(appointment, "cancel"), params={"token": cancel})
    ).status_code == 200
    clock.advance(timedelta(seconds=1))
    expired = await client.post(url(appointment, "cancel"), params={"token": cancel})
    assert error_of(expired)[:2] == (410, "link_expired")


async def test_a_reschedule_retires_the_old_links(
    client: httpx.AsyncClient, world: World, database: Database, settings: Settings
) -> None:
    appointment = await book(client, world)
    old = (await tokens(database, settings, appointment["id"]))["confirm"]
    moved = await client.patch(
        f"/api/appointments/{appointment['id']}",
        json={"start_time": "14:00", "end_time": "14:30"},
        headers=world.customer.headers,
    )
    assert moved.status_code == 200
    stale = await client.post(url(appointment, "confirm"), params={"token": old})
    assert error_of(stale)[:2] == (410, "link_expired")
    new = (await tokens(database, settings, appointment["id"]))["confirm"]
    assert (
        await client.post(url(appointment, "confirm"), params={"token": new})
    ).status_code == 200
