"""Revocation through real sockets and the real API (DESIGN §13): log-out, a password change and an
admin's edit close the user's sockets (`disconnect_reason` {reason: "revoked"}, then a socket.io
DISCONNECT) and refuse their older tokens on every route and at connect; joins are decided by the
user as they are now."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import update

from oms.api.app import create_api
from oms.db.models import User
from oms.runtime import Runtime
from tests.factories import PASSWORD, TestUser
from tests.gateway.conftest import LiveGateway
from tests.gateway.probes import Probe
from tests.gateway.scenario import Chain, notify


@pytest.fixture
async def api(runtime: Runtime) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_api(runtime))
    return httpx.AsyncClient(transport=transport, base_url="http://oms.test")


async def _login(api: httpx.AsyncClient, user: TestUser) -> str:
    response = await api.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _revoked(probe: Probe) -> None:
    await probe.wait_until(lambda: probe.disconnected)
    assert ("disconnect_reason", {"reason": "revoked", "message": "access was revoked"}) in (
        probe.events
    )


async def _refused_reason(api: httpx.AsyncClient, token: str) -> str:
    response = await api.get("/api/auth/me", headers=_bearer(token))
    assert response.status_code == 401
    reason: str = response.json()["error"]["details"]["reason"]
    return reason


async def test_logout_revokes_that_token_only(
    live: LiveGateway, chain: Chain, api: httpx.AsyncClient
) -> None:
    first, second = await _login(api, chain.customer), await _login(api, chain.customer)
    leaving, staying = await live.probe(first), await live.probe(second)

    response = await api.post("/api/auth/logout", headers=_bearer(first))
    assert response.status_code == 204
    assert response.headers["cache-control"] == "no-store"

    await _revoked(leaving)
    assert await _refused_reason(api, first) == "token_revoked"
    assert (await api.get("/api/auth/me", headers=_bearer(second))).status_code == 200
    refusal = await Probe().refused(live.url, first)
    assert refusal["code"] == "token_revoked"
    # The other session still receives events.
    event = await notify(live.runtime.database, {chain.customer.id})
    await staying.wait_for_ids(event.event_id)
    assert not staying.disconnected


async def test_password_change_signs_out_every_other_session(
    live: LiveGateway, chain: Chain, api: httpx.AsyncClient
) -> None:
    here, elsewhere = await _login(api, chain.staff_north), await _login(api, chain.staff_north)
    socket = await live.probe(elsewhere)

    wrong = await api.post(
        "/api/auth/password",
        headers=_bearer(here),
        json={"current_password": "not-it", "new_password": "a-new-password-1"},
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    changed = await api.post(
        "/api/auth/password",
        headers=_bearer(here),
        json={"current_password": PASSWORD, "new_password": "a-new-password-1"},
    )
    assert changed.status_code == 200, changed.text
    fresh = changed.json()["access_token"]

    await _revoked(socket)
    for old in (here, elsewhere, chain.staff_north.token):
        assert await _refused_reason(api, old) == "token_revoked"
    assert (await api.get("/api/auth/me", headers=_bearer(fresh))).status_code == 200
    relogin = await api.post(
        "/api/auth/login", json={"email": chain.staff_north.email, "password": "a-new-password-1"}
    )
    assert relogin.status_code == 200


@pytest.mark.parametrize(
    "change",
    [{"is_active": False}, {"role": "customer", "branch_ids": []}, {"branch_ids": ["south"]}],
    ids=["disabled", "role", "branch"],
)
async def test_admin_edit_closes_sockets_and_refuses_older_tokens(
    live: LiveGateway, chain: Chain, api: httpx.AsyncClient, change: dict[str, object]
) -> None:
    if change.get("branch_ids") == ["south"]:
        change = {"branch_ids": [chain.south.id]}
    sockets = [await live.probe(chain.staff_north.token), await live.probe(chain.staff_north.token)]
    bystander = await live.probe(chain.staff_south.token)

    response = await api.patch(
        f"/api/users/{chain.staff_north.id}", headers=chain.admin.headers, json=change
    )
    assert response.status_code == 200, response.text

    for socket in sockets:
        await _revoked(socket)
    assert await _refused_reason(api, chain.staff_north.token) in ("token_revoked", "invalid_token")
    assert (await Probe().refused(live.url, chain.staff_north.token))["code"] in (
        "token_revoked",
        "invalid_token",
    )
    # Nothing committed after the revocation reached the revoked sockets; others still get theirs.
    event = await notify(live.runtime.database, {chain.staff_north.id, chain.staff_south.id})
    await bystander.wait_for_ids(event.event_id)
    assert all(event.event_id not in socket.ids() for socket in sockets)
    assert not bystander.disconnected


async def test_edit_without_rights_change_keeps_sessions(
    live: LiveGateway, chain: Chain, api: httpx.AsyncClient
) -> None:
    socket = await live.probe(chain.customer.token)
    response = await api.patch(
        f"/api/users/{chain.customer.id}",
        headers=chain.admin.headers,
        json={"name": "Renamed", "phone": "555-0199"},
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Renamed"
    assert (await api.get("/api/auth/me", headers=chain.customer.headers)).status_code == 200
    event = await notify(live.runtime.database, {chain.customer.id})
    await socket.wait_for_ids(event.event_id)
    assert not socket.disconnected


async def test_only_admins_edit_users_and_admins_cannot_demote_themselves(
    chain: Chain, api: httpx.AsyncClient
) -> None:
    staff = await api.patch(
        f"/api/users/{chain.customer.id}", headers=chain.staff_north.headers, json={"name": "x"}
    )
    assert staff.status_code == 403
    itself = await api.patch(
        f"/api/users/{chain.admin.id}", headers=chain.admin.headers, json={"is_active": False}
    )
    assert itself.status_code == 422
    assert itself.json()["error"]["details"]["field"] == "is_active"
    staff_without_branch = await api.patch(
        f"/api/users/{chain.customer.id}", headers=chain.admin.headers, json={"role": "staff"}
    )
    assert staff_without_branch.status_code == 200  # a customer's home branch becomes theirs
    unknown = await api.patch("/api/users/999999", headers=chain.admin.headers, json={"name": "x"})
    assert unknown.status_code == 404


async def test_joins_are_decided_by_the_user_as_they_are_now(
    live: LiveGateway, chain: Chain
) -> None:
    """A role changed under a connected socket (here straight in the table, as if the revocation
    had not reached this node yet): the old branch is no longer joinable."""
    socket = await live.probe(chain.staff_north.token)
    async with live.runtime.database.session() as session:
        await session.execute(
            update(User).where(User.id == chain.staff_north.id).values(role="customer")
        )
        await session.commit()
    ack = await socket.call("join", f"branch.{chain.north.id}")
    assert ack == {
        "ok": False,
        "error": {
            "code": "channel_forbidden",
            "message": "you may not join this channel",
            "details": {},
        },
    }
