"""The service starts, migrates, and logs a user in."""

from __future__ import annotations

import httpx

from tests.factories import PASSWORD, Factory


async def test_login_and_me(client: httpx.AsyncClient, factory: Factory) -> None:
    branch = await factory.branch()
    staff = await factory.staff(branch)
    response = await client.post(
        "/api/auth/login", json={"email": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["branch_ids"] == [branch.id]


async def test_wrong_password(client: httpx.AsyncClient, factory: Factory) -> None:
    user = await factory.customer()
    response = await client.post("/api/auth/login", json={"email": user.email, "password": "nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
