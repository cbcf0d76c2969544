"""The `oms` command as an operator uses it: real subprocesses, a real server, real log-ins."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from oms.demo import DEMO_PASSWORD
from tests.gateway.probes import Probe
from tests.process_output import ProcessOutput
from tests.start_imports import MIGRATIONS, SOCKETS, WEB, WEB_PUSH, oms_argv, packages

# Real `oms` subprocesses: scheduled first (tests/conftest.py), so they never end a run alone.
pytestmark = pytest.mark.slow

DEMO_EMAILS = [
    "admin@everbright.test",
    "staff.emerald@everbright.test",
    "staff.unitop@everbright.test",
    "staff.newstar@everbright.test",
    "staff.garnet@everbright.test",
    "dr.prieto@everbright.test",
    "dr.santos@everbright.test",
    *(f"customer{n}@everbright.test" for n in range(1, 6)),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def oms_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "OMS_"))}
    environment.pop("DATABASE_URL", None)
    environment.pop("REDIS_URL", None)
    environment.update({"OMS_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **extra})
    return environment


def oms(
    *arguments: str,
    environment: dict[str, str],
    input: str | None = None,
    listing: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """`oms ARGUMENTS`; with `listing`, the process writes the modules it imported there."""
    argv = [sys.executable, "-m", "oms.cli", *arguments]
    return subprocess.run(
        oms_argv(*arguments, listing=listing) if listing else argv,
        env=environment,
        capture_output=True,
        text=True,
        input=input,
        timeout=60,
        check=False,
    )


# Generous: a start is waited for, never timed, and the machine running the suite may be busy.
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class DemoServer:
    url: str
    gateway_url: str


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[DemoServer]:
    """`oms serve --demo` on free ports, once it has said it is listening."""
    http_port, ws_port = free_port(), free_port()
    environment = oms_environment(tmp_path, HTTP_PORT=str(http_port), WEBSOCKET_PORT=str(ws_port))
    process = subprocess.Popen(
        [sys.executable, "-m", "oms.cli", "serve", "--demo"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = ProcessOutput(process.stdout, tmp_path / "serve.log")
    try:
        gateway = output.wait_for(r"OMS real-time gateway on (\S+)", within=START_TIMEOUT)
        yield DemoServer(f"http://127.0.0.1:{http_port}", gateway.group(1))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()
        print(output.text())


def test_serve_demo_every_account_logs_in(demo_server: DemoServer) -> None:
    base = demo_server.url
    roles = {}
    for email in DEMO_EMAILS:
        response = httpx.post(
            f"{base}/api/auth/login", json={"email": email, "password": DEMO_PASSWORD}, timeout=10
        )
        assert response.status_code == 200, (email, response.text)
        roles[email] = response.json()["user"]["role"]
    assert roles["admin@everbright.test"] == "admin"
    assert roles["dr.prieto@everbright.test"] == "optometrist"
    assert roles["customer5@everbright.test"] == "customer"
    token = httpx.post(
        f"{base}/api/auth/login",
        json={"email": "dr.prieto@everbright.test", "password": DEMO_PASSWORD},
        timeout=10,
    ).json()
    branches = httpx.get(
        f"{base}/api/branches",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    ).json()
    by_id = {branch["id"]: branch["code"] for branch in branches}
    assert sorted(by_id[b] for b in token["user"]["branch_ids"]) == ["EMERALD", "UNITOP"]


def test_serve_demo_has_an_order_board_and_announces_the_late_order(
    demo_server: DemoServer,
) -> None:
    """DESIGN §11: the demo's orders in every status, and `oms serve` runs the timeline."""
    base = demo_server.url
    login = httpx.post(
        f"{base}/api/auth/login",
        json={"email": "staff.emerald@everbright.test", "password": DEMO_PASSWORD},
        timeout=10,
    ).json()
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    orders = httpx.get(f"{base}/api/orders", headers=headers, timeout=10).json()
    statuses = {order["status"] for order in orders}
    assert statuses == {"ordered", "in_lab", "ready", "collected", "cancelled"}
    assert [order["late"] for order in orders].count(True) == 1
    # The timeline ticks as the server starts, maybe before this socket connects: replayed from
    # event 0, the announcement reaches it either way, the moment it is made.
    asyncio.run(_receives(demo_server.gateway_url, login["access_token"], "order.late"))


async def _receives(gateway_url: str, token: str, event: str) -> None:
    probe = await Probe().connect(gateway_url, token, last_event_id=0)
    try:
        await probe.wait_until(lambda: event in probe.names())
    finally:
        await probe.close()


def test_without_demo_no_demo_accounts(tmp_path: Path) -> None:
    environment = oms_environment(tmp_path)
    upgraded = oms("db", "upgrade", environment=environment)
    assert upgraded.returncode == 0, upgraded.stderr
    created = oms(
        "users",
        "create",
        "--email",
        "boss@example.test",
        "--name",
        "Boss",
        "--role",
        "admin",
        "--password",
        "a-long-password",
        environment=environment,
        listing=tmp_path / "users.modules",
    )
    assert created.returncode == 0, created.stderr
    assert "created admin boss@example.test" in created.stdout
    # A database command (it migrates, then writes): it loads none of the serving stacks, each
    # of which costs CPU at every start.
    assert packages(tmp_path / "users.modules") >= MIGRATIONS
    assert packages(tmp_path / "users.modules") & (WEB | SOCKETS | WEB_PUSH) == set()
    duplicate = oms(
        "users", "create", "--email", "boss@example.test", "--name", "B", "--password",
        "a-long-password", environment=environment,
    )  # fmt: skip
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr
    seeded = oms("seed", "--demo", environment=environment)
    assert seeded.returncode == 0
    assert "demo chain was not loaded" in seeded.stdout


def test_bad_configuration_stops_with_one_line(tmp_path: Path) -> None:
    environment = oms_environment(tmp_path, APP_KEY="your-laravel-app-key-here")
    result = oms("db", "upgrade", environment=environment)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: APP_KEY: is the placeholder from the guide; generate one with "
        "`oms key`"
    ]


def test_seed_demo_into_empty_database(tmp_path: Path) -> None:
    listing = tmp_path / "seed.modules"
    result = oms("seed", "--demo", environment=oms_environment(tmp_path), listing=listing)
    assert result.returncode == 0, result.stderr
    # It migrates (Alembic) and loads rows; it serves nothing, so it loads no serving stack.
    assert packages(listing) >= MIGRATIONS
    assert packages(listing) & (WEB | SOCKETS | WEB_PUSH) == set()
    for email in DEMO_EMAILS:
        assert email in result.stdout
