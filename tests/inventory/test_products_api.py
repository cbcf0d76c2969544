"""Products: everyone signed in reads the active catalogue; admins add to it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from oms.db.database import Database
from oms.db.models import Product
from tests.factories import Factory
from tests.inventory.conftest import Shop, recorded_events

NEW = {"name": "Titanium Rimless", "sku": "frm-tit-9", "category": "frames", "price": "5999.50"}


@pytest.mark.parametrize("role", ["admin", "staff", "other_staff", "optometrist", "customer"])
async def test_everyone_signed_in_lists_products(
    client: httpx.AsyncClient, shop: Shop, role: str
) -> None:
    response = await client.get("/api/products", headers=shop.user(role).headers)
    assert response.status_code == 200, response.text
    assert response.json() == [
        {
            "id": shop.product.id,
            "name": "Classic Acetate Frame",
            "sku": shop.product.sku,
            "category": "frames",
            "price": "100.00",
            "image": "",
        }
    ]


async def test_listing_needs_a_sign_in(client: httpx.AsyncClient, shop: Shop) -> None:
    response = await client.get("/api/products")
    assert response.status_code == 401


async def test_list_filters_and_hides_withdrawn_products(
    client: httpx.AsyncClient, shop: Shop, factory: Factory, database: Database
) -> None:
    lens = await factory.product("Progressive Lens 1.67")
    withdrawn = await factory.product("Old Frame 100%")
    async with database.session() as session:
        await session.execute(
            update(Product).where(Product.id.in_([lens.id, withdrawn.id])).values(category="lenses")
        )
        await session.execute(
            update(Product).where(Product.id == withdrawn.id).values(is_active=False)
        )
        await session.commit()
    headers = shop.customer.headers

    async def ids(**params: str) -> list[int]:
        response = await client.get("/api/products", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()]

    assert await ids() == [shop.product.id, lens.id]
    assert await ids(category="lenses") == [lens.id]
    assert await ids(search="progressive") == [lens.id]  # case-insensitive name search
    assert await ids(search=lens.sku.lower()) == [lens.id]  # and sku search
    assert await ids(search="%") == []  # wildcards are literal, not patterns
    assert await ids(category="frames", search="lens") == []


async def test_admin_creates_a_product(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    response = await client.post(
        "/api/products", json={**NEW, "image": "/img/tit.png"}, headers=shop.admin.headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "Titanium Rimless",
        "sku": "FRM-TIT-9",  # skus are stored upper-case, so uniqueness ignores case
        "category": "frames",
        "price": "5999.50",
        "image": "/img/tit.png",
    }
    listed = await client.get("/api/products", headers=shop.staff[0].headers)
    assert body in listed.json()
    assert await recorded_events(database) == []  # a catalogue change is not an alert


async def test_duplicate_sku_is_409_naming_sku(client: httpx.AsyncClient, shop: Shop) -> None:
    first = await client.post("/api/products", json=NEW, headers=shop.admin.headers)
    assert first.status_code == 201
    again = await client.post(
        "/api/products",
        json={**NEW, "sku": "FRM-TIT-9", "name": "Other"},
        headers=shop.admin.headers,
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert again.json()["error"]["details"] == {"field": "sku"}
    assert "FRM-TIT-9" in again.json()["error"]["message"]


@pytest.mark.parametrize("role", ["staff", "other_staff", "optometrist", "customer"])
async def test_only_admins_create_products(
    client: httpx.AsyncClient, shop: Shop, role: str
) -> None:
    response = await client.post("/api/products", json=NEW, headers=shop.user(role).headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    listed = await client.get("/api/products", headers=shop.admin.headers)
    assert [row["sku"] for row in listed.json()] == [shop.product.sku]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": "-1"}, "price"),
        ({"price": "1.234"}, "price"),
        ({"price": "abc"}, "price"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"sku": "has space"}, "sku"),
        ({"sku": ""}, "sku"),
        ({"category": ""}, "category"),
        ({"image": "x" * 256}, "image"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_product_validation_names_the_field(
    client: httpx.AsyncClient, shop: Shop, change: dict[str, Any], field: str
) -> None:
    response = await client.post(
        "/api/products", json={**NEW, **change}, headers=shop.admin.headers
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["fields"][0]["field"] == field


@pytest.mark.parametrize("missing", ["name", "sku", "category", "price"])
async def test_product_required_fields(client: httpx.AsyncClient, shop: Shop, missing: str) -> None:
    body = {key: value for key, value in NEW.items() if key != missing}
    response = await client.post("/api/products", json=body, headers=shop.admin.headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == missing
