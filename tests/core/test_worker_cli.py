"""`oms worker` as an operator runs it: a real subprocess working the timeline of a real
database (the demo chain's late order), stopped by SIGTERM; and `oms serve` running the same
timeline in process."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from oms.clock import SystemClock
from oms.db.database import Database
from oms.db.models import EventRecord
from oms.events.bus import InProcessBus
from oms.timeline.lateness import announce_late_orders
from tests.core.test_cli import oms, oms_environment
from tests.process_output import ProcessOutput
from tests.start_imports import MIGRATIONS, SOCKETS, WEB, WEB_PUSH, loaded, oms_argv, packages

# Real `oms` subprocesses: scheduled first (tests/conftest.py), so they never end a run alone.
pytestmark = pytest.mark.slow


def _database(data_dir: Path) -> Database:
    return Database(f"sqlite+aiosqlite:///{data_dir / 'oms.sqlite3'}", InProcessBus())


async def _event_names(database: Database) -> list[str]:
    async with database.session() as session:
        return list((await session.scalars(select(EventRecord.name))).all())


async def _names_in(data_dir: Path) -> list[str]:
    database = _database(data_dir)
    try:
        return await _event_names(database)
    finally:
        await database.dispose()


async def _late_order_announced_once(
    data_dir: Path, workers: list[subprocess.Popen[bytes]]
) -> None:
    database = _database(data_dir)
    try:
        async with asyncio.timeout(30):
            # Another process's database: nothing to be told by, so it is read until it shows.
            while "order.late" not in await _event_names(database):
                assert all(worker.poll() is None for worker in workers), "a worker exited"
                await asyncio.sleep(0.1)
        # A tick more, as either worker's next one would be: the order is announced already.
        assert await announce_late_orders(database, SystemClock()) == 0
    finally:
        await database.dispose()


def test_worker_needs_redis_unless_told(tmp_path: Path) -> None:
    result = oms("worker", environment=oms_environment(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("REDIS_URL: required for `oms worker`")


def test_worker_announces_the_demo_s_late_order_once_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    environment = oms_environment(tmp_path, TIMELINE_TICK_SECONDS="0.2")
    assert oms("seed", "--demo", environment=environment).returncode == 0
    logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
    listings = [log.with_suffix(".modules") for log in logs]
    workers = [
        subprocess.Popen(
            oms_argv("worker", "--without-redis", listing=listing),
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for listing in listings
    ]
    printed = [ProcessOutput(worker.stdout, log) for worker, log in zip(workers, logs, strict=True)]
    try:
        # Both running (signal handlers in place) before anything is judged.
        for output in printed:
            output.wait_for(re.escape("OMS worker: timeline every 0.2 s"), within=60)
        asyncio.run(_late_order_announced_once(tmp_path, workers))
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=15)
        for output in printed:
            output.close()
    # Each worker let the tick in hand finish: still one announcement.
    assert asyncio.run(_names_in(tmp_path)).count("order.late") == 1
    outputs = [log.read_text(errors="replace") for log in logs]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    # It serves nothing: no web or socket stack; Web Push libraries only once it sends a push.
    for listing in listings:
        assert "oms.delivery.worker" in loaded(listing)
        assert packages(listing) & (WEB | SOCKETS | WEB_PUSH | MIGRATIONS) == set()
