"""order.late (DESIGN §11): raised once, when the due date is over in the branch and the order is
still with the lab; to the patient, the branch's staff and every admin; never for ready,
collected or cancelled orders; once even with workers racing and after restarts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from oms.clock import ManualClock
from oms.config import Settings
from oms.db.database import Database
from oms.events.bus import InProcessBus
from oms.timeline.loop import TimelineLoop
from tests.appointments.conftest import expect_events, last_event_id, recorded_since
from tests.conftest import PublishedLog
from tests.orders.conftest import Lab, act, place


def loop_for(database: Database, clock: ManualClock) -> TimelineLoop:
    return TimelineLoop(database, clock, ())


async def test_late_once_when_the_due_day_is_over_in_the_branch(
    client: httpx.AsyncClient,
    lab: Lab,
    database: Database,
    clock: ManualClock,
    published: PublishedLog,
) -> None:
    order = await place(client, lab)  # Monday 10:00 in Manila; due Thursday
    await act(client, order["id"], "send-to-lab", lab.staff)
    loop = loop_for(database, clock)
    published.clear()
    before = await last_event_id(database)

    clock.advance(timedelta(days=3, hours=13, minutes=59, seconds=59))  # Thursday 23:59:59
    assert (await loop.tick()).late_orders == 0
    clock.advance(timedelta(seconds=1))  # Friday 00:00 in Manila (Thursday 16:00 UTC)
    assert (await loop.tick()).late_orders == 1
    assert (await loop.tick()).late_orders == 0
    clock.advance(timedelta(days=5))
    assert (await loop_for(database, clock).tick()).late_orders == 0  # a restart: still once

    (late,) = await expect_events(
        database, published, before, [("order.late", lab.audience | {lab.admin.id})]
    )
    assert late.payload["level"] == "warning"
    assert late.payload["order"]["status"] == "in_lab"
    assert late.payload["order"]["due_date"] == order["due_date"]
    assert "is not ready yet" in late.payload["message"]

    # Moving along afterwards does not make it late again.
    await act(client, order["id"], "mark-ready", lab.staff)
    assert (await loop.tick()).late_orders == 0


async def test_orders_that_left_the_lab_in_time_are_never_late(
    client: httpx.AsyncClient,
    lab: Lab,
    database: Database,
    clock: ManualClock,
    published: PublishedLog,
) -> None:
    ready = await place(client, lab)
    collected = await place(client, lab)
    cancelled = await place(client, lab)
    for step in ("send-to-lab", "mark-ready"):
        await act(client, ready["id"], step, lab.staff)
    for step in ("send-to-lab", "mark-ready", "collect"):
        await act(client, collected["id"], step, lab.staff)
    await act(client, cancelled["id"], "cancel", lab.staff)
    published.clear()
    clock.advance(timedelta(days=30))
    assert (await loop_for(database, clock).tick()).late_orders == 0
    assert published.names() == []


@pytest.mark.both_databases
async def test_workers_racing_raise_late_once_per_order(
    client: httpx.AsyncClient,
    lab: Lab,
    database: Database,
    settings: Settings,
    clock: ManualClock,
) -> None:
    orders = [await place(client, lab) for _ in range(3)]
    before = await last_event_id(database)
    clock.advance(timedelta(days=10))
    one, two = (
        Database(settings.database, InProcessBus()),
        Database(settings.database, InProcessBus()),
    )
    try:
        workers = [loop_for(one, clock), loop_for(two, clock)] * 3
        results = await asyncio.gather(*(worker.tick() for worker in workers))
    finally:
        await one.dispose()
        await two.dispose()
    assert sum(r.late_orders for r in results) == 3
    listed = await client.get("/api/orders", headers=lab.staff.headers)
    assert [o["late"] for o in listed.json()] == [True] * 3
    late = [r.payload["order"]["id"] for r in await recorded_since(database, before)]
    assert sorted(late) == sorted(o["id"] for o in orders)
