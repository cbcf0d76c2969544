"""`oms notify` and `oms connections` as an operator runs them: real subprocesses against the
test database and a live gateway."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_APP_KEY
from tests.gateway.conftest import LiveGateway
from tests.gateway.scenario import Chain, notify
from tests.start_imports import MIGRATIONS, SOCKETS, WEB, WEB_PUSH, loaded, oms_argv, packages

# Real `oms` subprocesses: scheduled first (tests/conftest.py), so they never end a run alone.
pytestmark = pytest.mark.slow


async def _oms(
    live: LiveGateway, tmp_path: Path, *args: str, listing: Path | None = None
) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "APP_ENV": "test",
        "APP_KEY": TEST_APP_KEY,
        "DATABASE_URL": live.runtime.settings.database,
        "OMS_DATA_DIR": str(tmp_path),
        "REDIS_URL": "",
    }
    argv = oms_argv(*args, listing=listing) if listing else [sys.executable, "-m", "oms.cli", *args]
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_notify_reaches_exactly_the_addressed_users(
    live: LiveGateway, chain: Chain, tmp_path: Path
) -> None:
    customer = await live.probe(chain.customer.token)
    other = await live.probe(chain.other_customer.token)
    code, out, err = await _oms(
        live,
        tmp_path,
        "notify",
        "--title",
        "Closing early",
        "--message",
        "At 3pm today",
        "--type",
        "alert",
        "--user",
        str(chain.customer.id),
        "--data",
        '{"at": "15:00"}',
        listing=tmp_path / "notify.modules",
    )
    assert code == 0, err
    assert out.startswith("sent notification.alert (event ")
    assert out.strip().endswith("to 1 recipient(s)")
    # A database command: it loads none of the serving stacks (each costs CPU at every start).
    assert "oms.domain.notifications" in loaded(tmp_path / "notify.modules")
    assert packages(tmp_path / "notify.modules") & (WEB | SOCKETS | WEB_PUSH | MIGRATIONS) == set()
    # The CLI has no Redis here: the gateway learns of the event from the table.
    await customer.wait_until(lambda: len(customer.events) == 1)
    name, payload = customer.events[0]
    assert name == "notification.alert"
    assert payload["title"] == "Closing early"
    assert payload["level"] == "warning"
    assert payload["data"] == {"at": "15:00"}
    # A later event for the other customer is the fence: the dispatcher hands out events in id
    # order (filling from the table first), so had the CLI's reached them, it would come first.
    fence = await notify(live.runtime.database, {chain.other_customer.id})
    await other.wait_for_ids(fence.event_id)
    assert other.ids() == [fence.event_id]


async def test_notify_refuses_bad_arguments(live: LiveGateway, tmp_path: Path) -> None:
    code, _, err = await _oms(live, tmp_path, "notify", "--title", "t", "--message", "m")
    assert code == 2
    assert "exactly one target" in err
    code, _, err = await _oms(
        live,
        tmp_path,
        "notify",
        "--title",
        "t",
        "--message",
        "m",
        "--role",
        "staff",
        "--data",
        "[1]",
    )
    assert code == 2
    assert "--data: must be a JSON object" in err


async def test_connections_lists_sockets(live: LiveGateway, chain: Chain, tmp_path: Path) -> None:
    await live.probe(chain.staff_north.token)
    await live.probe(chain.staff_north.token)
    code, out, err = await _oms(live, tmp_path, "connections", "--url", live.url, "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [row["user_id"] for row in rows] == [chain.staff_north.id] * 2
    code, out, err = await _oms(live, tmp_path, "connections", "--url", live.url)
    assert code == 0, err
    assert out.splitlines()[0].split()[:4] == ["socket_id", "user_id", "name", "role"]
    assert out.strip().endswith("2 connection(s)")
