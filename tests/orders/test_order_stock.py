"""A frame on order is reserved at the branch: available drops and on hand does not; collecting
hands it over (on hand and reserved drop); cancelling puts it back. Stock alerts fire on those
crossings of available stock exactly as for adjustments, once each, and racing orders for the
last frames never reserve more than there are."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from oms.db.database import Database
from tests.appointments.conftest import error_of, expect_events, last_event_id
from tests.conftest import PublishedLog
from tests.factories import Factory
from tests.inventory.conftest import movements, stock_row
from tests.orders.conftest import Lab, act, place


async def levels(database: Database, lab: Lab) -> tuple[int, int]:
    row = await stock_row(database, lab.emerald.id, lab.frame.id)
    assert row is not None
    return row.on_hand, row.reserved


async def stock_response(client: httpx.AsyncClient, lab: Lab) -> dict[str, object]:
    rows = (
        await client.get(f"/api/branches/{lab.emerald.id}/stock", headers=lab.staff.headers)
    ).json()
    (row,) = [r for r in rows if r["product"]["id"] == lab.frame.id]
    return dict(row)


async def test_reserve_consume_and_release_arithmetic(
    client: httpx.AsyncClient, lab: Lab, database: Database
) -> None:
    assert await levels(database, lab) == (10, 0)
    kept = await place(client, lab, frame_product_id=lab.frame.id)
    dropped = await place(client, lab, frame_product_id=lab.frame.id)
    assert kept["frame"] == {
        "id": lab.frame.id,
        "name": "Classic Acetate Frame",
        "sku": lab.frame.sku,
    }
    assert await levels(database, lab) == (10, 2)
    row = await stock_response(client, lab)
    assert (row["on_hand"], row["reserved"], row["available"]) == (10, 2, 8)

    for step in ("send-to-lab", "mark-ready", "collect"):
        await act(client, kept["id"], step, lab.staff)
    assert await levels(database, lab) == (9, 1)  # handed over: on hand and reserved drop
    await act(client, dropped["id"], "cancel", lab.staff, reason="changed mind")
    assert await levels(database, lab) == (9, 0)  # back on the shelf

    history = [
        (m.kind, m.delta, m.on_hand_after, m.reason)
        for m in await movements(database, lab.emerald.id, lab.frame.id)
    ]
    assert history == [
        ("reserve", 0, 10, f"reserved for {kept['number']}"),
        ("reserve", 0, 10, f"reserved for {dropped['number']}"),
        ("consume", -1, 9, f"{kept['number']} collected"),
        ("release", 0, 9, f"{dropped['number']} cancelled"),
    ]


async def test_an_order_without_a_frame_touches_no_stock(
    client: httpx.AsyncClient, lab: Lab, database: Database
) -> None:
    order = await place(client, lab)
    for step in ("send-to-lab", "mark-ready", "collect"):
        await act(client, order["id"], step, lab.staff)
    assert await levels(database, lab) == (10, 0)
    assert await movements(database, lab.emerald.id, lab.frame.id) == []


async def test_no_frame_available_is_a_409_and_nothing_is_written(
    client: httpx.AsyncClient,
    lab: Lab,
    database: Database,
    published: PublishedLog,
    factory: Factory,
) -> None:
    other = await factory.product("Titanium Rimless Frame")  # never stocked at Emerald
    published.clear()
    before = await last_event_id(database)
    response = await client.post(
        "/api/orders", json=lab.body(frame_product_id=other.id), headers=lab.staff.headers
    )
    assert error_of(response) == (409, "insufficient_stock", "frame_product_id")
    assert (await client.get("/api/orders", headers=lab.admin.headers)).json() == []
    await expect_events(database, published, before, [])


async def test_stock_alerts_fire_on_crossings_of_available(
    client: httpx.AsyncClient,
    lab: Lab,
    database: Database,
    published: PublishedLog,
    factory: Factory,
) -> None:
    """Threshold 2, on hand 4: the second reservation crosses into low, the fourth into out;
    a cancel crosses back (restocked); a collect changes nothing available, so raises nothing."""
    frame = await factory.product("Round Metal Frame")
    await factory.stock(frame, lab.emerald, on_hand=4, threshold=2)
    stock_audience = {lab.staff.id, lab.admin.id}
    published.clear()
    before = await last_event_id(database)
    orders = [await place(client, lab, frame_product_id=frame.id) for _ in range(4)]
    created = ("order.created", lab.audience)
    stored = await expect_events(
        database,
        published,
        before,
        [
            created,
            ("inventory.low_stock", stock_audience),  # available 4 -> 3 -> 2 (low)
            created,
            created,
            ("inventory.out_of_stock", stock_audience),  # 1 -> 0
            created,
        ],
    )
    assert [s.payload["stock"]["current_level"] for s in stored if "stock" in s.payload] == [2, 0]
    refused = await client.post(
        "/api/orders", json=lab.body(frame_product_id=frame.id), headers=lab.staff.headers
    )
    assert error_of(refused)[:2] == (409, "insufficient_stock")

    published.clear()
    before = await last_event_id(database)
    for step in ("send-to-lab", "mark-ready", "collect"):
        await act(client, orders[0]["id"], step, lab.staff)  # on hand 3, reserved 3: still out
    await act(client, orders[1]["id"], "cancel", lab.staff)  # available 0 -> 1: back (low)
    await act(client, orders[2]["id"], "cancel", lab.staff)  # 1 -> 2: still low, no alert
    await act(client, orders[3]["id"], "cancel", lab.staff)  # 2 -> 3: normal again
    stored = await expect_events(
        database,
        published,
        before,
        [
            ("order.updated", lab.audience),
            ("order.ready", lab.audience),
            ("order.collected", lab.audience),
            ("inventory.restocked", stock_audience),
            ("order.cancelled", lab.audience),
            ("order.cancelled", lab.audience),
            ("inventory.restocked", stock_audience),
            ("order.cancelled", lab.audience),
        ],
    )
    restocked = [s.payload["stock"] for s in stored if "stock" in s.payload]
    assert restocked == [
        {"current_level": 1, "threshold": 2, "status": "low"},
        {"current_level": 3, "threshold": 2, "status": "normal"},
    ]
    row = await stock_row(database, lab.emerald.id, frame.id)
    assert row is not None
    assert (row.on_hand, row.reserved) == (3, 0)


RACERS, LAST = 20, 3


@pytest.mark.both_databases
async def test_twenty_concurrent_orders_for_the_last_three_frames(
    client: httpx.AsyncClient,
    lab: Lab,
    database: Database,
    published: PublishedLog,
    factory: Factory,
) -> None:
    last = LAST
    frame = await factory.product("Last Frames")
    await factory.stock(frame, lab.emerald, on_hand=last, threshold=1)
    people = [lab.staff, lab.optometrist, lab.admin]
    published.clear()
    responses = await asyncio.gather(
        *(
            client.post(
                "/api/orders",
                json=lab.body(frame_product_id=frame.id),
                headers=people[i % len(people)].headers,
            )
            for i in range(RACERS)
        )
    )
    assert Counter(r.status_code for r in responses) == {201: last, 409: RACERS - last}
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {
        "insufficient_stock"
    }
    row = await stock_row(database, lab.emerald.id, frame.id)
    assert row is not None
    assert (row.on_hand, row.reserved) == (last, last)
    winners = sorted(r.json()["number"] for r in responses if r.status_code == 201)
    listed = (await client.get("/api/orders", headers=lab.admin.headers)).json()
    assert sorted(o["number"] for o in listed) == winners
    # 3 -> 2 -> 1 (low) -> 0 (out): each crossing once, whatever the interleaving.
    stock_events = [n for n in published.names() if n.startswith("inventory.")]
    assert stock_events == ["inventory.low_stock", "inventory.out_of_stock"]
    assert published.names().count("order.created") == last
    assert len(await movements(database, lab.emerald.id, frame.id)) == last
