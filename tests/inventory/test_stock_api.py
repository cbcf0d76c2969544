"""Branch stock over HTTP: who may see and change it, validation, the non-negative rule and the
movement history. (Which alerts each change raises is in test_stock_events.py.)"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from oms.db.database import Database
from oms.db.models import Product
from tests.factories import Factory
from tests.inventory.conftest import Shop, movements, recorded_events, stock_row

ROLES = ["admin", "staff", "other_staff", "optometrist", "customer"]
# Admins and the branch's own staff get through; staff of another branch are told the branch does
# not exist; roles that never handle stock are refused outright.
EXPECTED = {"admin": 200, "staff": 200, "other_staff": 404, "optometrist": 403, "customer": 403}

# (method, path under the stocked product, body)
ROUTES: list[tuple[str, str | None, dict[str, Any] | None]] = [
    ("GET", None, None),
    ("PUT", "", {"on_hand": 8}),
    ("POST", "/adjust", {"delta": -1, "reason": "sold"}),
    ("POST", "/restock", {"quantity": 4}),
    ("GET", "/movements", None),
]


async def stocked(factory: Factory, shop: Shop, on_hand: int = 10, threshold: int = 3) -> None:
    await factory.stock(shop.product, shop.branch, on_hand=on_hand, threshold=threshold)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "suffix", "body"), ROUTES)
async def test_permission_matrix(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    shop: Shop,
    role: str,
    method: str,
    suffix: str | None,
    body: dict[str, Any] | None,
) -> None:
    await stocked(factory, shop)
    url = shop.stock_url(None if suffix is None else shop.product.id, suffix or "")
    response = await client.request(method, url, json=body, headers=shop.user(role).headers)
    assert response.status_code == EXPECTED[role], response.text
    if EXPECTED[role] != 200:
        code = "not_found" if EXPECTED[role] == 404 else "permission_denied"
        assert response.json()["error"]["code"] == code
        row = await stock_row(database, shop.branch.id, shop.product.id)
        assert row is not None
        assert row.on_hand == 10
        assert await movements(database, shop.branch.id, shop.product.id) == []
    assert await recorded_events(database) == []  # no crossing from 10 (threshold 3) either way


@pytest.mark.parametrize(("method", "suffix", "body"), ROUTES)
async def test_every_route_needs_a_sign_in(
    client: httpx.AsyncClient,
    factory: Factory,
    shop: Shop,
    method: str,
    suffix: str | None,
    body: dict[str, Any] | None,
) -> None:
    await stocked(factory, shop)
    url = shop.stock_url(None if suffix is None else shop.product.id, suffix or "")
    response = await client.request(method, url, json=body)
    assert response.status_code == 401


async def test_staff_of_another_branch_see_their_own(
    client: httpx.AsyncClient, factory: Factory, shop: Shop
) -> None:
    await stocked(factory, shop)
    await factory.stock(shop.product, shop.other_branch, on_hand=2, threshold=1)
    response = await client.get(
        f"/api/branches/{shop.other_branch.id}/stock", headers=shop.other_staff.headers
    )
    assert response.status_code == 200
    assert [row["on_hand"] for row in response.json()] == [2]


async def test_unknown_branch_or_product_is_404(
    client: httpx.AsyncClient, factory: Factory, shop: Shop, database: Database
) -> None:
    await stocked(factory, shop)
    admin = shop.admin.headers
    assert (await client.get("/api/branches/9999/stock", headers=admin)).status_code == 404
    for method, suffix, body in ROUTES[1:]:
        response = await client.request(
            method, shop.stock_url(9999, suffix or ""), json=body, headers=admin
        )
        assert response.status_code == 404, (suffix, response.text)
        assert response.json()["error"]["code"] == "not_found"
    assert await recorded_events(database) == []


async def test_list_rows(client: httpx.AsyncClient, factory: Factory, shop: Shop) -> None:
    low = await factory.product("Hard Shell Case")
    out = await factory.product("Lens Solution")
    unstocked = await factory.product("Not Here")
    await stocked(factory, shop, on_hand=10, threshold=3)
    await factory.stock(low, shop.branch, on_hand=8, reserved=5, threshold=3)
    await factory.stock(out, shop.branch, on_hand=0, threshold=3)
    await factory.stock(unstocked, shop.other_branch, on_hand=9, threshold=3)
    response = await client.get(shop.stock_url(), headers=shop.staff[1].headers)
    assert response.status_code == 200
    rows = response.json()
    assert rows[0] == {
        "product": {
            "id": shop.product.id,
            "name": "Classic Acetate Frame",
            "sku": shop.product.sku,
            "category": "frames",
            "price": "100.00",
            "image": "",
        },
        "on_hand": 10,
        "reserved": 0,
        "available": 10,
        "threshold": 3,
        "status": "normal",
    }
    summary = [
        (row["product"]["id"], row["on_hand"], row["available"], row["status"]) for row in rows
    ]
    assert summary == [
        (shop.product.id, 10, 10, "normal"),
        (low.id, 8, 3, "low"),  # available = on hand - reserved
        (out.id, 0, 0, "out"),
    ]


async def test_set_creates_the_row(
    client: httpx.AsyncClient, factory: Factory, shop: Shop, database: Database
) -> None:
    response = await client.put(
        shop.stock_url(shop.product.id), json={"threshold": 4}, headers=shop.staff[0].headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["on_hand"] == 0
    assert response.json()["threshold"] == 4
    assert response.json()["status"] == "out"
    response = await client.put(
        shop.stock_url(shop.product.id), json={"on_hand": 12}, headers=shop.staff[0].headers
    )
    body = response.json()
    assert (body["on_hand"], body["threshold"], body["status"]) == (12, 4, "normal")
    row = await stock_row(database, shop.branch.id, shop.product.id)
    assert row is not None
    assert (row.on_hand, row.threshold) == (12, 4)


async def test_withdrawn_product_takes_no_stock(
    client: httpx.AsyncClient, factory: Factory, shop: Shop, database: Database
) -> None:
    async with database.session() as session:
        await session.execute(
            update(Product).where(Product.id == shop.product.id).values(is_active=False)
        )
        await session.commit()
    response = await client.put(
        shop.stock_url(shop.product.id), json={"on_hand": 3}, headers=shop.admin.headers
    )
    assert response.status_code == 404
    assert await stock_row(database, shop.branch.id, shop.product.id) is None


@pytest.mark.parametrize(
    ("suffix", "body", "field"),
    [
        ("", {}, "on_hand"),
        ("", {"on_hand": -1}, "on_hand"),
        ("", {"on_hand": "many"}, "on_hand"),
        ("", {"on_hand": 1.5}, "on_hand"),
        ("", {"threshold": -1}, "threshold"),
        ("", {"on_hand": 2_000_000}, "on_hand"),
        ("", {"on_hand": 1, "colour": "red"}, "colour"),
        ("/adjust", {"delta": 0, "reason": "x"}, "delta"),
        ("/adjust", {"reason": "x"}, "delta"),
        ("/adjust", {"delta": -1}, "reason"),
        ("/adjust", {"delta": -1, "reason": ""}, "reason"),
        ("/adjust", {"delta": -1, "reason": "   "}, "reason"),
        ("/adjust", {"delta": 2_000_000, "reason": "x"}, "delta"),
        ("/restock", {"quantity": 0}, "quantity"),
        ("/restock", {"quantity": -3}, "quantity"),
        ("/restock", {}, "quantity"),
    ],
)
async def test_validation_names_the_field(
    client: httpx.AsyncClient,
    factory: Factory,
    shop: Shop,
    database: Database,
    suffix: str,
    body: dict[str, Any],
    field: str,
) -> None:
    await stocked(factory, shop)
    method = "PUT" if suffix == "" else "POST"
    response = await client.request(
        method, shop.stock_url(shop.product.id, suffix), json=body, headers=shop.staff[0].headers
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    named = error["details"].get("field") or error["details"]["fields"][0]["field"]
    assert named == field
    assert await movements(database, shop.branch.id, shop.product.id) == []
    assert await recorded_events(database) == []


async def test_restock_above_the_ceiling_is_422(
    client: httpx.AsyncClient, factory: Factory, shop: Shop
) -> None:
    await stocked(factory, shop, on_hand=999_999)
    response = await client.post(
        shop.stock_url(shop.product.id, "/restock"),
        json={"quantity": 2},
        headers=shop.admin.headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "quantity"}


@pytest.mark.parametrize(
    ("on_hand", "reserved", "suffix", "body", "field"),
    [
        (3, 0, "/adjust", {"delta": -4, "reason": "sold"}, "delta"),
        (0, 0, "/adjust", {"delta": -1, "reason": "sold"}, "delta"),
        (10, 6, "/adjust", {"delta": -5, "reason": "sold"}, "delta"),  # would dip under reserved
        (10, 6, "", {"on_hand": 5}, "on_hand"),
    ],
)
async def test_stock_never_goes_negative(
    client: httpx.AsyncClient,
    factory: Factory,
    shop: Shop,
    database: Database,
    on_hand: int,
    reserved: int,
    suffix: str,
    body: dict[str, Any],
    field: str,
) -> None:
    await factory.stock(shop.product, shop.branch, on_hand=on_hand, reserved=reserved, threshold=2)
    method = "PUT" if suffix == "" else "POST"
    response = await client.request(
        method, shop.stock_url(shop.product.id, suffix), json=body, headers=shop.staff[0].headers
    )
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "insufficient_stock"
    assert error["details"] == {
        "field": field,
        "on_hand": on_hand,
        "reserved": reserved,
        "available": on_hand - reserved,
    }
    row = await stock_row(database, shop.branch.id, shop.product.id)
    assert row is not None
    assert (row.on_hand, row.reserved) == (on_hand, reserved)
    assert await movements(database, shop.branch.id, shop.product.id) == []
    assert await recorded_events(database) == []


async def test_refused_adjust_of_an_unstocked_product_leaves_no_row(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    response = await client.post(
        shop.stock_url(shop.product.id, "/adjust"),
        json={"delta": -1, "reason": "sold"},
        headers=shop.admin.headers,
    )
    assert response.status_code == 409
    assert await stock_row(database, shop.branch.id, shop.product.id) is None


async def test_adjust_to_exactly_zero_is_allowed(
    client: httpx.AsyncClient, factory: Factory, shop: Shop
) -> None:
    await stocked(factory, shop, on_hand=3)
    response = await client.post(
        shop.stock_url(shop.product.id, "/adjust"),
        json={"delta": -3, "reason": "sold"},
        headers=shop.staff[0].headers,
    )
    assert response.status_code == 200
    assert (response.json()["on_hand"], response.json()["status"]) == (0, "out")


async def test_every_change_is_a_movement(
    client: httpx.AsyncClient, factory: Factory, shop: Shop, database: Database
) -> None:
    await stocked(factory, shop, on_hand=10, threshold=3)
    staff, admin = shop.staff[0], shop.admin
    url = shop.stock_url(shop.product.id)
    steps: list[tuple[str, str, dict[str, Any], Any]] = [
        ("POST", "/adjust", {"delta": -2, "reason": "  sold two  "}, staff),
        ("POST", "/restock", {"quantity": 5, "reason": "delivery 42"}, admin),
        ("POST", "/restock", {"quantity": 1}, staff),
        ("PUT", "", {"on_hand": 7, "reason": "stock count"}, admin),
        ("PUT", "", {"threshold": 5}, staff),
        ("PUT", "", {"on_hand": 7, "threshold": 5}, staff),  # no change: no movement
        ("POST", "/adjust", {"delta": 3, "reason": "found in back room"}, staff),
    ]
    for method, suffix, body, user in steps:
        response = await client.request(method, url + suffix, json=body, headers=user.headers)
        assert response.status_code == 200, response.text
    assert response.json()["on_hand"] == 10

    rows = await movements(database, shop.branch.id, shop.product.id)
    assert [(m.kind, m.delta, m.on_hand_after, m.reason, m.actor_id) for m in rows] == [
        ("adjust", -2, 8, "sold two", staff.id),
        ("restock", 5, 13, "delivery 42", admin.id),
        ("restock", 1, 14, "", staff.id),
        ("set", -7, 7, "stock count", admin.id),
        ("set", 0, 7, "threshold 3 -> 5", staff.id),
        ("adjust", 3, 10, "found in back room", staff.id),
    ]

    listed = await client.get(url + "/movements", headers=shop.staff[1].headers)
    assert listed.status_code == 200
    history = listed.json()
    assert [m["id"] for m in history] == [m.id for m in reversed(rows)]  # newest first
    assert history[0] == {
        "id": rows[-1].id,
        "kind": "adjust",
        "delta": 3,
        "on_hand_after": 10,
        "reason": "found in back room",
        "actor": {"id": staff.id, "name": staff.name},
        "created_at": history[0]["created_at"],
    }
    assert history[0]["created_at"].endswith("Z") or "+00:00" in history[0]["created_at"]
    page = await client.get(
        url + "/movements",
        params={"before_id": rows[2].id, "limit": 1},
        headers=admin.headers,
    )
    assert [m["id"] for m in page.json()] == [rows[1].id]
