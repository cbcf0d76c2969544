"""Broadcasts through the API: who may send, who receives, what is recorded."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from oms.db.database import Database
from oms.db.models import User
from oms.domain.actors import Role
from oms.events.catalogue import NotificationEvent, validate_payload
from tests.conftest import TEST_APP_KEY, PublishedLog
from tests.factories import Factory
from tests.notifications.support import counts, inbox_of_event, stored_payload

APP_KEY = {"X-App-Key": TEST_APP_KEY}


def message(**target: Any) -> dict[str, Any]:
    return {"title": "Closing early", "message": "We close at 3 today", "type": "alert"} | target


async def send(client: httpx.AsyncClient, headers: dict[str, str], **fields: Any) -> httpx.Response:
    return await client.post(
        "/api/notifications/broadcast", json=message(**fields), headers=headers
    )


async def assert_recorded(
    database: Database, published: PublishedLog, response: httpx.Response, recipients: set[int]
) -> NotificationEvent:
    """Exactly one event, to exactly these users, with one inbox row each."""
    assert response.status_code == 201, response.text
    event = published.only()
    assert response.json() == {"event_id": event.event_id, "recipients": len(recipients)}
    assert published.recipients() == recipients
    assert await inbox_of_event(database, event.event_id) == dict(event.recipients)
    # The stored and published payload leaves out the per-recipient inbox id ...
    assert "id" not in event.payload
    assert await stored_payload(database, event.event_id) == event.payload
    # ... and with each recipient's own inbox id it is a valid notification event.
    for _, inbox_id in event.recipients:
        model = validate_payload(event.payload, inbox_id=inbox_id)
        assert isinstance(model, NotificationEvent)
        assert model.id == inbox_id
    model = validate_payload(event.payload)
    assert isinstance(model, NotificationEvent)
    return model


async def test_admin_sends_to_listed_users(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    admin = await factory.admin()
    ann, bob, _carl = await factory.customer(), await factory.customer(), await factory.customer()
    before = await counts(database)
    response = await send(
        client, admin.headers, user_ids=[ann.id, bob.id, ann.id], data={"url": "/hours"}
    )
    event = await assert_recorded(database, published, response, {ann.id, bob.id})
    assert event.event == "notification.alert"
    assert (event.type, event.level) == ("alert", "warning")
    assert (event.title, event.message) == ("Closing early", "We close at 3 today")
    assert event.data == {"url": "/hours"}
    assert await counts(database) == (before[0] + 1, before[1] + 2)


@pytest.mark.parametrize(
    ("kind", "level"), [("general", "info"), ("alert", "warning"), ("urgent", "error")]
)
async def test_type_sets_name_and_level(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    published: PublishedLog,
    kind: str,
    level: str,
) -> None:
    ann = await factory.customer()
    response = await send(client, APP_KEY, user_ids=[ann.id], type=kind)
    event = await assert_recorded(database, published, response, {ann.id})
    assert (event.event, event.level, event.data) == (f"notification.{kind}", level, {})


async def test_role_reaches_every_active_member(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    branch = await factory.branch()
    admin = await factory.admin()
    customers = {(await factory.customer()).id, (await factory.customer(branch)).id}
    gone = await factory.customer()
    await factory.staff(branch)
    await factory.optometrist(branch)
    async with database.session() as session:
        await session.execute(update(User).where(User.id == gone.id).values(is_active=False))
        await session.commit()
    response = await send(client, admin.headers, role="customer")
    await assert_recorded(database, published, response, customers)


async def test_branch_reaches_its_staff_and_optometrists_only(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    here, there = await factory.branch(), await factory.branch()
    admin = await factory.admin()
    staff_here = await factory.staff(here)
    dr_here = await factory.optometrist(here)
    dr_both = await factory.optometrist(here, there)
    await factory.staff(there)
    await factory.optometrist(there)
    await factory.customer(here)  # a home branch is not membership
    response = await send(client, admin.headers, branch_id=here.id, type="urgent")
    await assert_recorded(database, published, response, {staff_here.id, dr_here.id, dr_both.id})


async def test_empty_role_is_recorded_with_no_recipients(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    before = await counts(database)
    response = await send(client, APP_KEY, role="optometrist")
    await assert_recorded(database, published, response, set())
    assert await counts(database) == (before[0] + 1, before[1])


@pytest.mark.parametrize(
    ("target", "field"),
    [
        ({}, "user_ids|role|branch_id"),
        ({"role": "staff", "branch_id": 1}, "user_ids|role|branch_id"),
        ({"user_ids": [1], "role": "staff"}, "user_ids|role|branch_id"),
        ({"user_ids": [999_999]}, "user_ids"),
        ({"user_ids": []}, "user_ids"),
        ({"branch_id": 999_999}, "branch_id"),
        ({"role": "janitor"}, "role"),
        ({"role": "staff", "type": "gossip"}, "type"),
        ({"role": "staff", "title": ""}, "title"),
        ({"role": "staff", "data": {"blob": "x" * 20_000}}, "data"),
        ({"role": "staff", "data": [1, 2]}, "data"),
    ],
)
async def test_bad_request_is_422_naming_the_field_and_records_nothing(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    published: PublishedLog,
    target: dict[str, Any],
    field: str,
) -> None:
    admin = await factory.admin()
    await factory.customer()
    before = await counts(database)
    response = await send(client, admin.headers, **target)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    named = error["details"].get("field") or error["details"]["fields"][0]["field"]
    assert named == field
    assert error["message"].startswith(f"{field}: ")
    assert published.events == []
    assert await counts(database) == before


async def test_unknown_users_are_named(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    ann = await factory.customer()
    response = await send(client, admin.headers, user_ids=[ann.id, 999_998, 999_999])
    assert response.status_code == 422
    assert "999998, 999999" in response.json()["error"]["message"]


async def test_app_key_lets_another_backend_send(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    ann = await factory.customer()
    response = await send(client, APP_KEY, user_ids=[ann.id])
    await assert_recorded(database, published, response, {ann.id})


@pytest.mark.parametrize("key", ["wrong-key", TEST_APP_KEY[:-1], TEST_APP_KEY + "x", ""])
async def test_wrong_app_key_is_403_even_beside_an_admin_token(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    published: PublishedLog,
    key: str,
) -> None:
    admin = await factory.admin()
    ann = await factory.customer()
    before = await counts(database)
    for headers in ({"X-App-Key": key}, {"X-App-Key": key, **admin.headers}):
        response = await send(client, headers, user_ids=[ann.id])
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    assert published.events == []
    assert await counts(database) == before


async def test_no_credentials_is_401(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    ann = await factory.customer()
    before = await counts(database)
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = await send(client, headers, user_ids=[ann.id])
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
    assert published.events == []
    assert await counts(database) == before


@pytest.mark.parametrize("role", ["staff", "optometrist", "customer"])
async def test_only_admins_send(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    published: PublishedLog,
    role: Role,
) -> None:
    branch = await factory.branch()
    user = await factory.user(role, branch_id=branch.id if role == "staff" else None)
    before = await counts(database)
    for target in ({"user_ids": [user.id]}, {"branch_id": branch.id}, {"role": "customer"}):
        response = await send(client, user.headers, **target)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    assert published.events == []
    assert await counts(database) == before
