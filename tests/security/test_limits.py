"""Rate limits and body limits through the real app: 429 `rate_limited` with Retry-After,
413 `payload_too_large` before a big body is read; X-Forwarded-For believed only from
TRUSTED_PROXIES."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from oms.api.app import create_api
from oms.config import Settings
from oms.networks import parse_networks
from oms.runtime import Runtime
from oms.security.client_address import client_address
from tests.factories import PASSWORD, Factory

SMALL = {
    "rate_login_per_account": "3/minute",
    "rate_login_per_address": "6/minute",
    "rate_register_per_address": "2/minute",
    "rate_broadcast_per_sender": "2/minute",
    "rate_socket_connect_per_address": "2/minute",
    "rate_socket_join_per_socket": "2/minute",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update=SMALL)


def _assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60


async def _login(client: httpx.AsyncClient, email: str, password: str, **headers: str) -> int:
    response = await client.post(
        "/api/auth/login", json={"email": email, "password": password}, headers=headers
    )
    if response.status_code == 429:
        _assert_limited(response)
    return response.status_code


async def test_wrong_passwords_for_one_account_are_limited(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    victim, other = await factory.customer(), await factory.customer()
    assert [await _login(client, victim.email, "wrong") for _ in range(3)] == [401] * 3
    # The guesser is stopped, even with the right password; other accounts are not affected.
    assert await _login(client, victim.email, PASSWORD) == 429
    assert await _login(client, other.email, PASSWORD) == 200


async def test_log_ins_from_one_address_are_limited_and_forwarded_for_is_not_believed(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.customer()
    codes = [
        await _login(client, user.email, PASSWORD, **{"X-Forwarded-For": f"198.51.100.{n}"})
        for n in range(7)
    ]
    assert codes == [200] * 6 + [429]


async def test_a_trusted_proxy_passes_the_client_address(
    runtime: Runtime, factory: Factory
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"trusted_proxies": "127.0.0.0/8"})
    transport = httpx.ASGITransport(app=create_api(runtime), client=("127.0.0.1", 5000))
    user = await factory.customer()
    async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as client:
        codes = [
            await _login(client, user.email, PASSWORD, **{"X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(8)
        ]
    assert codes == [200] * 8


def test_client_address_reads_the_chain_from_the_right() -> None:
    proxies = parse_networks("10.0.0.0/8, ::1")
    assert client_address("10.0.0.5", "203.0.113.9, 10.0.0.7", proxies) == "203.0.113.9"
    assert client_address("203.0.113.1", "1.2.3.4", proxies) == "203.0.113.1"
    assert client_address("10.0.0.5", "6.6.6.6, 203.0.113.9", proxies) == "203.0.113.9"
    assert client_address("10.0.0.5", "not-an-ip", proxies) == "10.0.0.5"
    assert client_address(None, None, proxies) == "unknown"


async def test_registrations_from_one_address_are_limited(client: httpx.AsyncClient) -> None:
    codes = []
    for n in range(3):
        response = await client.post(
            "/api/auth/register",
            json={"email": f"new{n}@example.test", "password": "long-enough-1", "name": "N"},
        )
        codes.append(response.status_code)
    assert codes == [201, 201, 429]


async def test_broadcasts_per_sender_are_limited(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    body = {"title": "t", "message": "m", "user_ids": [customer.id]}
    codes = [
        (await client.post("/api/notifications/broadcast", json=body, headers=admin.headers))
        for _ in range(3)
    ]
    assert [c.status_code for c in codes] == [201, 201, 429]
    _assert_limited(codes[-1])


async def test_bodies_over_the_limit_are_refused_before_they_are_read(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    big_password = {"email": "a@example.test", "password": "x" * 5000}
    login = await client.post("/api/auth/login", json=big_password)
    assert login.status_code == 413
    assert login.json()["error"]["code"] == "payload_too_large"

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"title": "t", "message": "'
        for _ in range(2048):
            yield b"x" * 1024
        yield b'"}'

    chunked = await client.post(
        "/api/notifications/broadcast",
        content=chunks(),
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert chunked.status_code == 413
    assert chunked.json()["error"]["code"] == "payload_too_large"
    declared = await client.post(
        "/api/branches",
        content=b"{}",
        headers={**admin.headers, "Content-Length": str(50 * 1024 * 1024)},
    )
    assert declared.status_code == 413
