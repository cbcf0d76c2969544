"""Events committed per second on PostgreSQL by 1, 2 and 4 concurrent writer processes (issue 12,
point 2: no global lock on the write path).

Each writer process loops for `--seconds`: one transaction records one event through the real
recorder (`record_event`, an inbox row for each of `--recipients` users) and commits. The figure is
commits per second summed over the processes. With `--hold`, one more transaction records an event
as the window opens and commits only as it closes (a slow request, a long fan-out): with a lock
held from an event's insert to its commit, nobody else commits meanwhile. Bounded: a few seconds
per run, loopback only.

    OMS_BENCH_DATABASE_URL=postgresql+asyncpg://oms@127.0.0.1:5432/oms_bench \\
        uv run python bench/event_writers.py [--seconds 3] [--writers 1,2,4]

The database is migrated and emptied first (it must be a throw-away one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import time

from sqlalchemy import text


async def _prepare(url: str, recipients: int) -> list[int]:
    from oms.db.database import Database
    from oms.db.migrate import upgrade_async
    from oms.db.models import User

    await upgrade_async(url)
    database = Database(url)
    try:
        async with database.session() as session:
            await session.execute(text("TRUNCATE notifications, events RESTART IDENTITY CASCADE"))
            await session.execute(text("DELETE FROM users WHERE email LIKE 'bench-writer-%'"))
            users = [
                User(
                    email=f"bench-writer-{n}@example.test",
                    name=f"Bench {n}",
                    role="customer",
                    password_hash="x",
                )
                for n in range(recipients)
            ]
            session.add_all(users)
            await session.commit()
            return [user.id for user in users]
    finally:
        await database.dispose()


async def _write(url: str, user_ids: list[int], seconds: float, start_at: float) -> int:
    from oms.db.database import Database
    from oms.events.catalogue import NotificationDraft
    from oms.events.recorder import commit, record_event

    database = Database(url)
    committed = 0
    try:
        async with database.session() as session:  # warm the connection before the clock starts
            await session.execute(text("SELECT 1"))
        await asyncio.sleep(max(0.0, start_at - time.time()))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            async with database.session() as session:
                await record_event(
                    session,
                    NotificationDraft(
                        event="notification.general",
                        title="bench",
                        message="bench",
                        level="info",
                        data={},
                    ),
                    recipients=user_ids,
                )
                await commit(session)
            committed += 1
    finally:
        await database.dispose()
    return committed


async def _hold(url: str, user_ids: list[int], seconds: float, start_at: float) -> int:
    """One slow transaction (a long fan-out, a slow request): records an event at the start of the
    window and commits only at its end."""
    from oms.db.database import Database
    from oms.events.catalogue import NotificationDraft
    from oms.events.recorder import commit, record_event

    database = Database(url)
    try:
        await asyncio.sleep(max(0.0, start_at - time.time() - 0.5))
        async with database.session() as session:
            await record_event(
                session,
                NotificationDraft(
                    event="notification.general",
                    title="slow",
                    message="slow",
                    level="info",
                    data={},
                ),
                recipients=user_ids,
            )
            await asyncio.sleep(seconds + 0.5)
            await commit(session)
    finally:
        await database.dispose()
    return 0


def _holder(url: str, user_ids: list[int], seconds: float, start_at: float, out: object) -> None:
    import uvloop

    out.put(uvloop.run(_hold(url, user_ids, seconds, start_at)))  # type: ignore[attr-defined]


def _writer(url: str, user_ids: list[int], seconds: float, start_at: float, out: object) -> None:
    import uvloop

    count = uvloop.run(_write(url, user_ids, seconds, start_at))
    out.put(count)  # type: ignore[attr-defined]


def run(url: str, writers: int, seconds: float, user_ids: list[int], hold: bool) -> float:
    results: multiprocessing.Queue[int] = multiprocessing.Queue()
    start_at = time.time() + 2.0  # every process connected before anyone starts
    processes = [
        multiprocessing.Process(target=_writer, args=(url, user_ids, seconds, start_at, results))
        for _ in range(writers)
    ]
    if hold:
        holder = (url, user_ids, seconds, start_at, results)
        processes.append(multiprocessing.Process(target=_holder, args=holder))
    for process in processes:
        process.start()
    total = sum(results.get(timeout=seconds + 60) for _ in processes)
    for process in processes:
        process.join(30)
    return total / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--writers", default="1,2,4")
    parser.add_argument("--recipients", type=int, default=1)
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--hold",
        action="store_true",
        help="one more transaction records an event at the start and commits at the end",
    )
    args = parser.parse_args()
    url = os.environ.get("OMS_BENCH_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        raise SystemExit("set OMS_BENCH_DATABASE_URL to a throw-away PostgreSQL database")
    user_ids = asyncio.run(_prepare(url, args.recipients))
    figures = {}
    for writers in (int(n) for n in args.writers.split(",")):
        figures[writers] = round(run(url, writers, args.seconds, user_ids, args.hold), 1)
        rate = figures[writers]
        print(f"{args.label} {writers} writer(s): {rate} events committed/s", flush=True)
    print(json.dumps({"label": args.label, "events_per_second": figures}))


if __name__ == "__main__":
    main()
