"""Racing stock changes: the row lock keeps the level non-negative and each crossing single.

The requests run concurrently through the real app, each on its own database connection, on
every backend in OMS_TEST_DATABASES (SQLite serializes writers; PostgreSQL locks the row)."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from oms.db.database import Database
from tests.conftest import PublishedLog
from tests.factories import Factory
from tests.inventory.conftest import Shop, movements, recorded_events, stock_row

# Racing adjustments are serialized by each database's own locks: run on every backend.
pytestmark = pytest.mark.both_databases


async def test_concurrent_sales_never_oversell(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    published: PublishedLog,
    shop: Shop,
) -> None:
    await factory.stock(shop.product, shop.branch, on_hand=5, threshold=2)
    url = shop.stock_url(shop.product.id, "/adjust")
    users = [*shop.staff, shop.admin]
    responses = await asyncio.gather(
        *(
            client.post(
                url, json={"delta": -1, "reason": "sold"}, headers=users[i % len(users)].headers
            )
            for i in range(10)
        )
    )
    assert Counter(r.status_code for r in responses) == {200: 5, 409: 5}
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {
        "insufficient_stock"
    }
    assert sorted(r.json()["on_hand"] for r in responses if r.status_code == 200) == [0, 1, 2, 3, 4]
    row = await stock_row(database, shop.branch.id, shop.product.id)
    assert row is not None
    assert row.on_hand == 0
    assert [
        m.on_hand_after for m in await movements(database, shop.branch.id, shop.product.id)
    ] == [
        4,
        3,
        2,
        1,
        0,
    ]
    assert published.names() == ["inventory.low_stock", "inventory.out_of_stock"]
    recorded = await recorded_events(database)
    assert [r.name for r in recorded] == published.names()
    assert all(r.inbox == shop.recipients for r in recorded)


async def test_concurrent_deliveries_cross_once_each(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    published: PublishedLog,
    shop: Shop,
) -> None:
    await factory.stock(shop.product, shop.branch, on_hand=0, threshold=2)
    url = shop.stock_url(shop.product.id, "/restock")
    responses = await asyncio.gather(
        *(client.post(url, json={"quantity": 1}, headers=shop.admin.headers) for _ in range(10))
    )
    assert all(r.status_code == 200 for r in responses)
    row = await stock_row(database, shop.branch.id, shop.product.id)
    assert row is not None
    assert row.on_hand == 10
    # out -> low at 1 and low -> normal at 3: two crossings, each once
    assert published.names() == ["inventory.restocked", "inventory.restocked"]
    assert [e.payload["stock"]["status"] for e in published.events] == ["low", "normal"]
    assert len(await recorded_events(database)) == 2


async def test_concurrent_first_stocking_creates_one_row(
    client: httpx.AsyncClient, database: Database, published: PublishedLog, shop: Shop
) -> None:
    url = shop.stock_url(shop.product.id, "/restock")
    responses = await asyncio.gather(
        *(client.post(url, json={"quantity": 2}, headers=shop.staff[0].headers) for _ in range(8))
    )
    assert [r.status_code for r in responses] == [200] * 8, [r.text for r in responses]
    row = await stock_row(database, shop.branch.id, shop.product.id)
    assert row is not None
    assert row.on_hand == 16
    assert len(await movements(database, shop.branch.id, shop.product.id)) == 8
    assert published.names() == ["inventory.restocked"]  # out -> normal (threshold 0) once
