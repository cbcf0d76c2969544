"""Every API route but log-in and registration refuses a caller without a valid token.

The routes are read from the app itself, so a route added later is covered without editing this.
"""

from __future__ import annotations

import re

import httpx
import pytest

from oms.api.app import create_api
from oms.runtime import Runtime

PUBLIC = {
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/register"),
    # Signed links in emails: the token in the URL is the authority (DESIGN §10).
    ("GET", "/api/unsubscribe"),
    ("POST", "/api/unsubscribe"),
    # A reminder's signed links carry their own token (tests/appointments/test_reminder_links.py).
    *(
        (method, f"/api/appointments/1/{action}-link")
        for method in ("GET", "POST")
        for action in ("confirm", "cancel")
    ),
}


def api_routes(runtime: Runtime) -> list[tuple[str, str]]:
    paths: dict[str, dict[str, object]] = create_api(runtime).openapi()["paths"]
    return sorted(
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, operations in paths.items()
        for method in operations
    )


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."],
)
async def test_every_private_route_needs_a_valid_token(
    client: httpx.AsyncClient, runtime: Runtime, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    checked = 0
    for method, path in api_routes(runtime):
        if (method, path) in PUBLIC:
            continue
        response = await client.request(method, path, headers=headers, json={})
        assert response.status_code == 401, f"{method} {path}: {response.status_code}"
        assert response.json()["error"]["code"] == "not_authenticated"
        checked += 1
    assert checked >= 3


async def test_openapi_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/auth/login" in response.json()["paths"]
