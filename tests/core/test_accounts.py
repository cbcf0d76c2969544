"""Log-in, registration, users and branches through the API."""

from __future__ import annotations

from datetime import time

import httpx

from oms.db.models import Schedule
from oms.events.recorder import commit
from tests.factories import PASSWORD, Factory


async def test_register_customer_and_log_in(client: httpx.AsyncClient, factory: Factory) -> None:
    branch = await factory.branch()
    body = {
        "email": "New.Person@Example.test",
        "password": "long-enough",
        "name": "New Person",
        "home_branch_id": branch.id,
    }
    response = await client.post("/api/auth/register", json=body)
    assert response.status_code == 201, response.text
    user = response.json()["user"]
    assert (user["role"], user["email"], user["branch_id"]) == (
        "customer",
        "new.person@example.test",
        branch.id,
    )
    assert user["branch_ids"] == []  # a home branch is not a branch channel
    again = await client.post("/api/auth/register", json=body)
    assert again.status_code == 409
    assert again.json()["error"]["details"] == {"field": "email"}
    login = await client.post(
        "/api/auth/login", json={"email": "new.person@example.test", "password": "long-enough"}
    )
    assert login.status_code == 200


async def test_register_cannot_choose_a_role(client: httpx.AsyncClient) -> None:
    body = {"email": "x@example.test", "password": "long-enough", "name": "X", "role": "admin"}
    response = await client.post("/api/auth/register", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "role"


async def test_register_validation_names_fields(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register", json={"email": "nope", "password": "short", "name": ""}
    )
    assert response.status_code == 422
    fields = {item["field"] for item in response.json()["error"]["details"]["fields"]}
    assert fields == {"email", "password", "name"}
    unknown_branch = await client.post(
        "/api/auth/register",
        json={"email": "a@b.test", "password": "long-enough", "name": "A", "home_branch_id": 999},
    )
    assert unknown_branch.status_code == 422
    assert unknown_branch.json()["error"]["details"] == {"field": "home_branch_id"}


async def test_disabled_user_loses_access(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    from oms.db.models import User

    async with factory.database.session() as session:
        row = await session.get(User, customer.id)
        assert row is not None
        row.is_active = False
        await session.commit()
    me = await client.get("/api/auth/me", headers=customer.headers)
    assert me.status_code == 401
    login = await client.post(
        "/api/auth/login", json={"email": customer.email, "password": PASSWORD}
    )
    assert login.status_code == 401
    assert (await client.get("/api/auth/me", headers=admin.headers)).status_code == 200


async def test_admin_creates_staff_and_staff_reads_own_branch(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    emerald, garnet = await factory.branch(), await factory.branch()
    created = await client.post(
        "/api/users",
        headers=admin.headers,
        json={
            "email": "desk@example.test",
            "password": "long-enough",
            "name": "Desk",
            "role": "staff",
            "branch_id": emerald.id,
        },
    )
    assert created.status_code == 201, created.text
    no_branch = await client.post(
        "/api/users",
        headers=admin.headers,
        json={"email": "d2@example.test", "password": "long-enough", "name": "D", "role": "staff"},
    )
    assert no_branch.status_code == 422
    assert no_branch.json()["error"]["details"] == {"field": "branch_id"}

    optometrist = await factory.optometrist(emerald)
    other_staff = await factory.staff(garnet)
    home_customer = await factory.customer(home=emerald)
    await factory.customer(home=garnet)
    login = await client.post(
        "/api/auth/login", json={"email": "desk@example.test", "password": "long-enough"}
    )
    desk = {"Authorization": f"Bearer {login.json()['access_token']}"}
    listed = await client.get("/api/users", headers=desk)
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()}
    assert ids == {created.json()["id"], optometrist.id, home_customer.id}
    assert other_staff.id not in ids
    other_branch = await client.get(f"/api/users?branch_id={garnet.id}", headers=desk)
    assert other_branch.status_code == 404


async def test_listed_users_carry_the_branches_they_work_at(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    """An optometrist works where their active schedule rows are; staff at their branch; admins
    and customers nowhere (a home branch is `branch_id`). An admin's `branch_id` filter finds a
    branch's people as its staff do, the optometrists it schedules among them."""
    admin = await factory.admin()
    emerald, garnet, ruby = await factory.branch(), await factory.branch(), await factory.branch()
    travelling = await factory.optometrist(emerald, garnet)
    unscheduled = await factory.optometrist()
    desk = await factory.staff(garnet)
    customer = await factory.customer(home=ruby)
    async with factory.database.session() as session:
        # A row switched off is not work: ruby drops out of this optometrist's branches.
        session.add(
            Schedule(
                optometrist_id=travelling.id,
                branch_id=ruby.id,
                day_of_week=0,
                start_time=time(9, 0),
                end_time=time(12, 0),
                is_active=False,
            )
        )
        await commit(session)

    listed = await client.get("/api/users", headers=admin.headers)
    assert listed.status_code == 200, listed.text
    works_at = {row["id"]: row["branch_ids"] for row in listed.json()}
    assert works_at[travelling.id] == sorted([emerald.id, garnet.id])
    assert works_at[unscheduled.id] == []
    assert works_at[desk.id] == [garnet.id]
    assert works_at[customer.id] == []
    assert works_at[admin.id] == []

    at_garnet = await client.get(f"/api/users?branch_id={garnet.id}", headers=admin.headers)
    assert {row["id"] for row in at_garnet.json()} == {travelling.id, desk.id}
    as_desk = await client.get("/api/users", headers=desk.headers)
    assert {row["id"] for row in as_desk.json()} == {travelling.id, desk.id}
    at_ruby = await client.get(f"/api/users?branch_id={ruby.id}", headers=admin.headers)
    assert [row["id"] for row in at_ruby.json()] == [customer.id]

    # What an admin's edit returns carries them too.
    moved = await client.patch(
        f"/api/users/{desk.id}", headers=admin.headers, json={"branch_ids": [emerald.id]}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["branch_ids"] == [emerald.id]


async def test_users_permissions(client: httpx.AsyncClient, factory: Factory) -> None:
    branch = await factory.branch()
    body = {"email": "z@example.test", "password": "long-enough", "name": "Z", "role": "admin"}
    for user in (
        await factory.staff(branch),
        await factory.optometrist(branch),
        await factory.customer(),
    ):
        assert (await client.post("/api/users", headers=user.headers, json=body)).status_code == 403
    for user in (await factory.optometrist(branch), await factory.customer()):
        assert (await client.get("/api/users", headers=user.headers)).status_code == 403


async def test_branches(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    created = await client.post(
        "/api/branches",
        headers=admin.headers,
        json={"name": "Emerald", "code": "emerald", "address": "1 Road", "phone": "1"},
    )
    assert created.status_code == 201
    assert created.json()["code"] == "EMERALD"
    duplicate = await client.post(
        "/api/branches", headers=admin.headers, json={"name": "E2", "code": "EMERALD"}
    )
    assert duplicate.status_code == 409
    forbidden = await client.post(
        "/api/branches", headers=customer.headers, json={"name": "X", "code": "XX"}
    )
    assert forbidden.status_code == 403
    branch_id = created.json()["id"]
    closed = await client.patch(
        f"/api/branches/{branch_id}", headers=admin.headers, json={"is_active": False}
    )
    assert closed.json()["is_active"] is False
    seen_by_customer = await client.get("/api/branches", headers=customer.headers)
    assert branch_id not in {row["id"] for row in seen_by_customer.json()}
    seen_by_admin = await client.get("/api/branches", headers=admin.headers)
    assert branch_id in {row["id"] for row in seen_by_admin.json()}
    missing = await client.patch("/api/branches/9999", headers=admin.headers, json={"name": "N"})
    assert missing.status_code == 404


async def test_branch_time_zone(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    defaulted = await client.post(
        "/api/branches", headers=admin.headers, json={"name": "Unitop", "code": "UNITOP"}
    )
    assert defaulted.status_code == 201
    assert defaulted.json()["timezone"] == "UTC"  # OMS_TIMEZONE's default
    manila = await client.post(
        "/api/branches",
        headers=admin.headers,
        json={"name": "Emerald", "code": "EMERALD", "timezone": "Asia/Manila"},
    )
    assert manila.json()["timezone"] == "Asia/Manila"
    bad = await client.post(
        "/api/branches",
        headers=admin.headers,
        json={"name": "Garnet", "code": "GARNET", "timezone": "Asia/Atlantis"},
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["field"] == "timezone"
    moved = await client.patch(
        f"/api/branches/{defaulted.json()['id']}",
        headers=admin.headers,
        json={"timezone": "Europe/Madrid"},
    )
    assert moved.json()["timezone"] == "Europe/Madrid"
    listed = await client.get("/api/branches", headers=admin.headers)
    assert {row["code"]: row["timezone"] for row in listed.json()} == {
        "UNITOP": "Europe/Madrid",
        "EMERALD": "Asia/Manila",
    }
