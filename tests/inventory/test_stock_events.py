"""Which alerts each stock change records and publishes: names, count, inbox rows per recipient,
payloads to contract — and nothing for a change inside a band or a refused change."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from oms.db.database import Database
from oms.domain.errors import NotFound
from oms.domain.inventory_events import StockKey, record_inventory_event
from oms.events.catalogue import InventoryEvent, validate_payload
from oms.events.recorder import commit
from tests.conftest import PublishedLog
from tests.factories import Factory
from tests.inventory.conftest import Shop, recorded_events

ADJUST, RESTOCK, SET = "/adjust", "/restock", ""


def request(suffix: str, value: int | dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if suffix == ADJUST:
        return "POST", {"delta": value, "reason": "counted"}
    if suffix == RESTOCK:
        return "POST", {"quantity": value}
    assert isinstance(value, dict)
    return "PUT", value


# (on_hand, threshold) before, the change, and the alert (name, current_level, status) or None.
CASES: list[tuple[tuple[int, int], str, int | dict[str, Any], tuple[str, int, str] | None]] = [
    ((10, 3), ADJUST, -1, None),
    ((10, 3), ADJUST, -7, ("inventory.low_stock", 3, "low")),
    ((10, 3), ADJUST, -9, ("inventory.low_stock", 1, "low")),
    ((10, 3), ADJUST, -10, ("inventory.out_of_stock", 0, "out")),
    ((3, 3), ADJUST, -1, None),
    ((3, 3), ADJUST, -3, ("inventory.out_of_stock", 0, "out")),
    ((3, 3), ADJUST, 1, ("inventory.restocked", 4, "normal")),
    ((0, 3), ADJUST, 2, ("inventory.restocked", 2, "low")),
    ((3, 3), RESTOCK, 1, ("inventory.restocked", 4, "normal")),
    ((2, 3), RESTOCK, 1, None),
    ((0, 3), RESTOCK, 20, ("inventory.restocked", 20, "normal")),
    ((0, 3), RESTOCK, 1, ("inventory.restocked", 1, "low")),
    ((10, 3), SET, {"on_hand": 0}, ("inventory.out_of_stock", 0, "out")),
    ((10, 3), SET, {"on_hand": 2}, ("inventory.low_stock", 2, "low")),
    ((10, 3), SET, {"on_hand": 4}, None),
    ((0, 3), SET, {"on_hand": 0}, None),
    ((10, 3), SET, {"threshold": 10}, ("inventory.low_stock", 10, "low")),
    ((10, 3), SET, {"threshold": 9}, None),
    ((10, 10), SET, {"threshold": 3}, ("inventory.restocked", 10, "normal")),
    ((0, 3), SET, {"threshold": 0}, None),
    ((10, 3), SET, {"on_hand": 5, "threshold": 5}, ("inventory.low_stock", 5, "low")),
]


@pytest.mark.parametrize(("before", "suffix", "value", "expected"), CASES)
async def test_alert_of_each_change(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    published: PublishedLog,
    shop: Shop,
    before: tuple[int, int],
    suffix: str,
    value: int | dict[str, Any],
    expected: tuple[str, int, str] | None,
) -> None:
    on_hand, threshold = before
    await factory.stock(shop.product, shop.branch, on_hand=on_hand, threshold=threshold)
    method, body = request(suffix, value)
    response = await client.request(
        method, shop.stock_url(shop.product.id, suffix), json=body, headers=shop.staff[0].headers
    )
    assert response.status_code == 200, response.text
    recorded = await recorded_events(database)
    if expected is None:
        assert recorded == []
        assert published.events == []
        return
    name, level, status = expected
    assert [event.name for event in recorded] == [name]
    assert recorded[0].inbox == shop.recipients  # the branch's staff and every admin, once each
    assert published.names() == [name]
    assert published.recipients(0) == shop.recipients
    assert published.only().payload == recorded[0].payload
    payload = validate_payload(published.only().payload)
    assert isinstance(payload, InventoryEvent)
    assert payload.stock.model_dump() == {
        "current_level": level,
        "threshold": body.get("threshold", threshold) if isinstance(body, dict) else threshold,
        "status": status,
    }
    assert response.json()["status"] == status


async def test_payload_in_full(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    published: PublishedLog,
    shop: Shop,
) -> None:
    await factory.stock(shop.product, shop.branch, on_hand=8, reserved=3, threshold=3)
    response = await client.post(
        shop.stock_url(shop.product.id, ADJUST),
        json={"delta": -2, "reason": "sold"},
        headers=shop.admin.headers,
    )
    assert response.status_code == 200
    event = published.only()
    payload = dict(event.payload)
    assert isinstance(payload.pop("timestamp"), str)
    assert payload == {
        "event_id": event.event_id,
        "event": "inventory.low_stock",
        "type": "low_stock",
        "title": "Low stock",
        "message": (
            f"Classic Acetate Frame ({shop.product.sku}) is running low at Emerald: "
            "3 left, threshold 3."
        ),
        "level": "warning",
        "product": {
            "id": shop.product.id,
            "name": "Classic Acetate Frame",
            "sku": shop.product.sku,
            "image": "",
        },
        "branch": {"id": shop.branch.id, "name": "Emerald", "address": shop.branch.address},
        # the level is the available stock (6 on hand - 3 reserved), the number the bands judge
        "stock": {"current_level": 3, "threshold": 3, "status": "low"},
    }
    # neither the optometrist of the branch, nor its customer, nor another branch's staff
    outsiders = {shop.optometrist.id, shop.customer.id, shop.other_staff.id}
    assert not outsiders & published.recipients(0)
    assert [r.inbox for r in await recorded_events(database)] == [frozenset(shop.recipients)]


@pytest.mark.parametrize(
    ("name", "level", "title"),
    [
        ("inventory.out_of_stock", "error", "Out of stock"),
        ("inventory.restocked", "success", "Restocked"),
    ],
)
async def test_levels_and_titles(
    client: httpx.AsyncClient,
    factory: Factory,
    published: PublishedLog,
    shop: Shop,
    name: str,
    level: str,
    title: str,
) -> None:
    start = 3 if name == "inventory.out_of_stock" else 0
    await factory.stock(shop.product, shop.branch, on_hand=start, threshold=3)
    delta = -3 if name == "inventory.out_of_stock" else 5
    await client.post(
        shop.stock_url(shop.product.id, ADJUST),
        json={"delta": delta, "reason": "x"},
        headers=shop.staff[1].headers,
    )
    event = published.only()
    assert (event.name, event.payload["level"], event.payload["title"]) == (name, level, title)


async def test_once_per_crossing_over_a_run_of_sales(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    published: PublishedLog,
    shop: Shop,
) -> None:
    await factory.stock(shop.product, shop.branch, on_hand=6, threshold=3)
    url = shop.stock_url(shop.product.id)
    for _ in range(6):
        response = await client.post(
            url + ADJUST, json={"delta": -1, "reason": "sold"}, headers=shop.staff[0].headers
        )
        assert response.status_code == 200
    refused = await client.post(
        url + ADJUST, json={"delta": -1, "reason": "sold"}, headers=shop.staff[0].headers
    )
    assert refused.status_code == 409
    for quantity in (1, 1, 1, 1, 5):
        await client.post(url + RESTOCK, json={"quantity": quantity}, headers=shop.admin.headers)
    assert published.names() == [
        "inventory.low_stock",  # 6 -> 3
        "inventory.out_of_stock",  # 1 -> 0
        "inventory.restocked",  # 0 -> 1 (back, still low)
        "inventory.restocked",  # 3 -> 4
    ]
    assert [e.payload["stock"]["current_level"] for e in published.events] == [3, 0, 1, 4]
    assert [e.name for e in await recorded_events(database)] == published.names()
    ids = [e.event_id for e in published.events]
    assert ids == sorted(ids)


@pytest.mark.parametrize(
    ("role", "suffix", "body", "status"),
    [
        ("other_staff", ADJUST, {"delta": -9, "reason": "x"}, 404),
        ("customer", ADJUST, {"delta": -9, "reason": "x"}, 403),
        ("optometrist", SET, {"on_hand": 0}, 403),
        ("staff", ADJUST, {"delta": -11, "reason": "x"}, 409),
        ("staff", ADJUST, {"delta": -9, "reason": ""}, 422),
        ("staff", SET, {"on_hand": -1}, 422),
        ("staff", RESTOCK, {"quantity": 0}, 422),
    ],
)
async def test_a_refused_change_records_nothing(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    published: PublishedLog,
    shop: Shop,
    role: str,
    suffix: str,
    body: dict[str, Any],
    status: int,
) -> None:
    await factory.stock(shop.product, shop.branch, on_hand=10, threshold=3)
    method = "PUT" if suffix == SET else "POST"
    response = await client.request(
        method, shop.stock_url(shop.product.id, suffix), json=body, headers=shop.user(role).headers
    )
    assert response.status_code == status
    assert await recorded_events(database) == []
    assert published.events == []


async def test_first_stocking_is_a_restock_from_zero(
    client: httpx.AsyncClient, database: Database, published: PublishedLog, shop: Shop
) -> None:
    """A product not stocked here has zero units: putting some on the shelf is a restock."""
    response = await client.put(
        shop.stock_url(shop.product.id),
        json={"on_hand": 12, "threshold": 4},
        headers=shop.admin.headers,
    )
    assert response.status_code == 200
    assert published.names() == ["inventory.restocked"]
    assert published.only().payload["stock"] == {
        "current_level": 12,
        "threshold": 4,
        "status": "normal",
    }
    assert [r.inbox for r in await recorded_events(database)] == [frozenset(shop.recipients)]


async def test_other_branch_alerts_go_to_that_branch(
    client: httpx.AsyncClient, factory: Factory, published: PublishedLog, shop: Shop
) -> None:
    await factory.stock(shop.product, shop.other_branch, on_hand=4, threshold=3)
    response = await client.post(
        f"/api/branches/{shop.other_branch.id}/stock/{shop.product.id}/adjust",
        json={"delta": -1, "reason": "sold"},
        headers=shop.other_staff.headers,
    )
    assert response.status_code == 200
    assert published.names() == ["inventory.low_stock"]
    assert published.recipients(0) == {shop.other_staff.id, *(a.id for a in shop.admins)}


async def test_record_inventory_event_for_the_facade(
    factory: Factory, database: Database, published: PublishedLog, shop: Shop
) -> None:
    """`notify_inventory_update` records through this: by row or by (branch_id, product_id)."""
    row = await factory.stock(shop.product, shop.branch, on_hand=2, threshold=3)
    async with database.session() as session:
        by_key = await record_inventory_event(
            session, StockKey(shop.branch.id, shop.product.id), "inventory.low_stock"
        )
        by_tuple = await record_inventory_event(
            session, (shop.branch.id, shop.product.id), "inventory.low_stock", message="Reorder"
        )
        by_row = await record_inventory_event(session, row, "inventory.restocked")
        assert published.events == []  # published only after commit
        await commit(session)
    assert published.events == [by_key, by_tuple, by_row]
    assert by_tuple.payload["message"] == "Reorder"
    assert by_key.payload["message"].endswith("2 left, threshold 3.")
    assert by_row.payload["message"].endswith(
        "2 available. It is still at or below its threshold of 3."
    )
    for event in published.events:
        assert {user for user, _ in event.recipients} == shop.recipients
    assert len(await recorded_events(database)) == 3


async def test_record_inventory_event_rolls_back_with_its_transaction(
    factory: Factory, database: Database, published: PublishedLog, shop: Shop
) -> None:
    await factory.stock(shop.product, shop.branch, on_hand=0, threshold=3)
    async with database.session() as session:
        await record_inventory_event(
            session, (shop.branch.id, shop.product.id), "inventory.out_of_stock"
        )
        await session.rollback()
    assert published.events == []
    assert await recorded_events(database) == []


async def test_record_inventory_event_for_an_unstocked_product(
    database: Database, shop: Shop
) -> None:
    async with database.session() as session:
        with pytest.raises(NotFound):
            await record_inventory_event(
                session, (shop.branch.id, shop.product.id), "inventory.low_stock"
            )
