"""`oms worker` as an operator runs it: a real subprocess working the timeline of a real
database (the demo chain's late order), stopped by SIGTERM; and `oms serve` running the same
timeline in process."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from oms.db.database import Database
from oms.db.models import EventRecord
from oms.events.bus import InProcessBus
from tests.core.test_cli import oms, oms_environment
from tests.start_imports import MIGRATIONS, SOCKETS, WEB, WEB_PUSH, loaded, oms_argv, packages

# Real `oms` subprocesses: scheduled first (tests/conftest.py), so they never end a run alone.
pytestmark = pytest.mark.slow


async def _event_names(data_dir: Path) -> list[str]:
    database = Database(f"sqlite+aiosqlite:///{data_dir / 'oms.sqlite3'}", InProcessBus())
    try:
        async with database.session() as session:
            return list((await session.scalars(select(EventRecord.name))).all())
    finally:
        await database.dispose()


def _wait_for_event(data_dir: Path, name: str, process: subprocess.Popen[bytes]) -> list[str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        names = asyncio.run(_event_names(data_dir))
        if name in names:
            return names
        assert process.poll() is None, "the worker exited"
        time.sleep(0.1)
    raise AssertionError(f"no {name} within 30 s")


def test_worker_needs_redis_unless_told(tmp_path: Path) -> None:
    result = oms("worker", environment=oms_environment(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("REDIS_URL: required for `oms worker`")


def _wait_for_line(log: Path, text: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        assert process.poll() is None, f"the worker exited: {log.read_text(errors='replace')}"
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not printed within 60 s")


def test_worker_announces_the_demo_s_late_order_once_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    environment = oms_environment(tmp_path, TIMELINE_TICK_SECONDS="0.2")
    assert oms("seed", "--demo", environment=environment).returncode == 0
    logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
    listings = [log.with_suffix(".modules") for log in logs]
    workers = []
    for log, listing in zip(logs, listings, strict=True):
        with log.open("wb") as output:
            workers.append(
                subprocess.Popen(
                    oms_argv("worker", "--without-redis", listing=listing),
                    env=environment,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        # Both running (signal handlers in place) before anything is judged.
        for log, worker in zip(logs, workers, strict=True):
            _wait_for_line(log, "OMS worker: timeline every 0.2 s", worker)
        _wait_for_event(tmp_path, "order.late", workers[0])
        # Both workers keep ticking; the late order stays announced once.
        for _ in range(5):
            assert all(worker.poll() is None for worker in workers)
            time.sleep(0.2)
        assert asyncio.run(_event_names(tmp_path)).count("order.late") == 1
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=15)
    outputs = [log.read_text(errors="replace") for log in logs]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    # It serves nothing: no web or socket stack; Web Push libraries only once it sends a push.
    for listing in listings:
        assert "oms.delivery.worker" in loaded(listing)
        assert packages(listing) & (WEB | SOCKETS | WEB_PUSH | MIGRATIONS) == set()
