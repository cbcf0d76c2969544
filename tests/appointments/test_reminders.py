"""Appointment reminders (DESIGN §11), driven one tick at a time with a ManualClock: both
offsets exactly once, in the branch's time zone; two workers racing; a restart catching up;
reschedule, cancel, complete and no-show."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from oms.clock import ManualClock
from oms.config import Settings
from oms.db.database import Database
from oms.db.models import AppointmentReminder
from oms.events.bus import InProcessBus
from oms.events.catalogue import ReminderEvent, validate_payload
from oms.reminder_offsets import parse_offsets
from oms.timeline.loop import TimelineLoop
from tests.appointments.conftest import World, book, future, recorded_since
from tests.conftest import PublishedLog
from tests.factories import Factory
from tests.orders.conftest import MANILA, set_timezone

OFFSETS = parse_offsets("24h,2h")


def loop_for(database: Database, clock: ManualClock) -> TimelineLoop:
    return TimelineLoop(database, clock, OFFSETS)


def start_of(appointment: dict[str, Any], utc_offset_hours: int) -> datetime:
    """The appointment's start instant in UTC, from its local date and time (written out, not
    computed with the code under test)."""
    local = datetime.fromisoformat(f"{appointment['date']}T{appointment['start_time']}")
    return (local - timedelta(hours=utc_offset_hours)).replace(tzinfo=UTC)


@pytest.fixture
async def manila(world: World, database: Database) -> World:
    """Emerald in Manila (UTC+8, no daylight saving)."""
    await set_timezone(database, world.emerald, MANILA)
    return world


async def reminders_sent(published: PublishedLog) -> list[tuple[int, str]]:
    return [
        (event.payload["id"], event.payload["offset"])
        for event in published.events
        if event.name == "appointment.reminder"
    ]


async def test_both_offsets_exactly_once_in_the_branch_s_zone(
    client: httpx.AsyncClient,
    manila: World,
    database: Database,
    clock: ManualClock,
    published: PublishedLog,
) -> None:
    appointment = await book(client, manila, start="10:00", end="10:30")
    starts = start_of(appointment, 8)  # 10:00 in Manila is 02:00 UTC
    loop = loop_for(database, clock)
    published.clear()

    clock.set(starts - timedelta(hours=24, seconds=1))
    assert (await loop.tick()).reminders == 0
    clock.advance(timedelta(seconds=1))
    assert (await loop.tick()).reminders == 1
    assert (await loop.tick()).reminders == 0
    clock.advance(timedelta(hours=21, minutes=59, seconds=59))  # 2 h + 1 s before
    assert (await loop.tick()).reminders == 0
    clock.advance(timedelta(seconds=1))
    assert (await loop.tick()).reminders == 1
    clock.advance(timedelta(hours=1))
    assert (await loop.tick()).reminders == 0
    clock.advance(timedelta(hours=2))  # it has started
    assert (await loop.tick()).reminders == 0

    assert await reminders_sent(published) == [
        (appointment["id"], "24h"),
        (appointment["id"], "2h"),
    ]
    for event in published.events:
        assert {user for user, _ in event.recipients} == {manila.customer.id}
        model = validate_payload(event.payload)
        assert isinstance(model, ReminderEvent)
        assert model.level == "info"
        assert model.title == "Appointment reminder"
        assert model.appointment.id == appointment["id"]
        assert model.appointment.time == "10:00"
    first, second = (event.payload["message"] for event in published.events)
    optometrist = manila.optometrist.name
    assert first == f"Your eye exam with {optometrist} at Emerald is tomorrow at 10:00 AM."
    assert second == f"Your eye exam with {optometrist} at Emerald is today at 10:00 AM."
    stored = [r for r in await recorded_since(database, 0) if r.name == "appointment.reminder"]
    assert [r.recipients for r in stored] == [{manila.customer.id}] * 2


async def reminder_rows(database: Database) -> list[tuple[int, str, bool]]:
    """(appointment, offset, whether an event was sent) for every reminder record."""
    async with database.session() as session:
        rows = await session.scalars(select(AppointmentReminder).order_by(AppointmentReminder.id))
        return sorted((r.appointment_id, r.offset_label, r.event_id is not None) for r in rows)


@pytest.mark.both_databases
async def test_two_workers_racing_send_each_reminder_once(
    client: httpx.AsyncClient,
    world: World,
    factory: Factory,
    database: Database,
    settings: Settings,
    clock: ManualClock,
) -> None:
    customers = [await factory.customer() for _ in range(4)]
    ids = [
        (
            await book(
                client, world, start=f"{10 + i}:00", end=f"{10 + i}:30", patient=c, as_=world.staff
            )
        )["id"]
        for i, c in enumerate(customers)
    ]
    day = future()
    ten = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)  # Emerald is on UTC here
    # Each worker has its own engine and connections, like two processes.
    one, two = (
        Database(settings.database, InProcessBus()),
        Database(settings.database, InProcessBus()),
    )
    try:
        workers = [loop_for(one, clock), loop_for(two, clock)] * 3

        clock.set(ten - timedelta(hours=24))  # only the 10:00's 24 h reminder is due
        results = await asyncio.gather(*(worker.tick() for worker in workers))
        assert sum(r.reminders for r in results) == 1

        clock.set(ten - timedelta(hours=1))  # 09:00
        results = await asyncio.gather(*(worker.tick() for worker in workers))
        # 10:00 and 11:00 get their 2 h reminder (11:00's 24 h one is skipped for it);
        # 12:00 and 13:00 their 24 h one.
        assert sum(r.reminders for r in results) == 4
        results = await asyncio.gather(*(worker.tick() for worker in workers))
        assert sum(r.reminders for r in results) == 0
    finally:
        await one.dispose()
        await two.dispose()
    a, b, c, d = ids
    assert await reminder_rows(database) == sorted(
        [
            (a, "24h", True), (a, "2h", True),
            (b, "24h", False), (b, "2h", True),
            (c, "24h", True),
            (d, "24h", True),
        ]
    )  # fmt: skip
    sent = [r for r in await recorded_since(database, 0) if r.name == "appointment.reminder"]
    assert sorted((r.payload["id"], r.payload["offset"]) for r in sent) == sorted(
        [(a, "24h"), (a, "2h"), (b, "2h"), (c, "24h"), (d, "24h")]
    )


async def test_a_restart_catches_up_with_the_nearest_reminder_only(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    clock: ManualClock,
    published: PublishedLog,
) -> None:
    appointment = await book(client, world)
    starts = start_of(appointment, 0)
    published.clear()
    # No worker ran through both moments; the first to start finds the appointment still ahead.
    clock.set(starts - timedelta(minutes=30))
    assert (await loop_for(database, clock).tick()).reminders == 1
    assert await reminders_sent(published) == [(appointment["id"], "2h")]
    assert (await loop_for(database, clock).tick()).reminders == 0  # another restart
    assert await reminder_rows(database) == [
        (appointment["id"], "24h", False),
        (appointment["id"], "2h", True),
    ]


async def test_a_restart_after_the_start_sends_nothing(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    clock: ManualClock,
    published: PublishedLog,
) -> None:
    appointment = await book(client, world)
    published.clear()
    clock.set(start_of(appointment, 0) + timedelta(minutes=1))
    assert (await loop_for(database, clock).tick()).reminders == 0
    assert published.names() == []


async def test_a_reschedule_plans_new_reminders_and_the_old_never_fire(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    clock: ManualClock,
    published: PublishedLog,
) -> None:
    appointment = await book(client, world)
    old_start = start_of(appointment, 0)
    loop = loop_for(database, clock)
    clock.set(old_start - timedelta(hours=23))
    assert (await loop.tick()).reminders == 1  # 24 h before the old time
    new_day = future(12)
    response = await client.patch(
        f"/api/appointments/{appointment['id']}",
        json={"date": new_day.isoformat(), "start_time": "15:00", "end_time": "15:30"},
        headers=world.customer.headers,
    )
    assert response.status_code == 200, response.text
    new_start = datetime(new_day.year, new_day.month, new_day.day, 15, tzinfo=UTC)
    published.clear()
    clock.set(old_start - timedelta(hours=1))  # the old 2 h moment: nothing
    assert (await loop.tick()).reminders == 0
    clock.set(new_start - timedelta(hours=24))
    assert (await loop.tick()).reminders == 1
    clock.set(new_start - timedelta(hours=2))
    assert (await loop.tick()).reminders == 1
    assert await reminders_sent(published) == [
        (appointment["id"], "24h"),
        (appointment["id"], "2h"),
    ]
    assert [e.payload["appointment"]["time"] for e in published.events] == ["15:00", "15:00"]


@pytest.mark.parametrize(
    "steps", [["cancel"], ["no-show"], ["confirm", "start", "complete"], ["confirm", "start"]]
)
async def test_no_reminders_for_appointments_that_are_not_ahead_and_live(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    clock: ManualClock,
    published: PublishedLog,
    steps: list[str],
) -> None:
    appointment = await book(client, world)
    for step in steps:
        response = await client.post(
            f"/api/appointments/{appointment['id']}/{step}", headers=world.staff.headers
        )
        assert response.status_code == 200, response.text
    published.clear()
    loop = loop_for(database, clock)
    starts = start_of(appointment, 0)
    for before in (timedelta(hours=24), timedelta(hours=2), timedelta(minutes=1)):
        clock.set(starts - before)
        assert (await loop.tick()).reminders == 0
    assert published.names() == []


async def test_a_confirmed_appointment_is_reminded_too(
    client: httpx.AsyncClient, world: World, database: Database, clock: ManualClock
) -> None:
    appointment = await book(client, world)
    confirmed = await client.post(
        f"/api/appointments/{appointment['id']}/confirm", headers=world.staff.headers
    )
    assert confirmed.status_code == 200
    clock.set(start_of(appointment, 0) - timedelta(hours=24))
    assert (await loop_for(database, clock).tick()).reminders == 1


def test_offsets_setting() -> None:
    assert [(o.label, o.delta) for o in parse_offsets("2h, 24h")] == [
        ("24h", timedelta(hours=24)),
        ("2h", timedelta(hours=2)),
    ]
    assert parse_offsets("") == ()
    assert [o.label for o in parse_offsets("90m,2d")] == ["2d", "90m"]
    for bad in ("24", "0h", "31d", "2h,120m", "soon"):
        with pytest.raises(ValueError, match=repr(bad.split(",")[-1])):
            parse_offsets(bad)
