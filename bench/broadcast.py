"""Persisted role broadcasts against Node's in-memory emit (DESIGN §12, issue 12 point 1).

    scripts/services.sh start     # PostgreSQL for part B (prints OMS_TEST_POSTGRES_URL)
    uv run python bench/broadcast.py                       # both parts, a few minutes
    uv run python bench/broadcast.py --members 0           # part A only (no PostgreSQL)

A. 5,000 connected customers. Node socket.io 4.8: `POST /publish` to room `role.customer`
   (in memory). OMS `oms serve` on SQLite: `POST /api/notifications/broadcast {role: customer}`
   (the event and 5,000 inbox rows committed, then delivered). Each broadcast is timed from just
   before the request to the last customer's receipt; p50/p99 over `--rounds` (after one
   unmeasured warm-up call per side).
B. `--members` (100,000) customers in PostgreSQL, `--connected` (15,000) of them connected through
   two load generator processes (each process has its own open-file limit). Each broadcast:
   the REST response (stored: event + every member's inbox row committed) and the last receipt
   among the connected ones, both from just before the request. The inbox rows are counted after.

Everything on 127.0.0.1; every process started is stopped by PID at the end (bench/run.py's
`Processes`). Raw figures: bench/results/broadcast-latest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from run import (
    ROOT,
    LoadGenerator,
    Processes,
    create_world,
    start_node,
    start_oms,
    start_py_spy,
    start_redis,
    stop_py_spy,
    terminate_on_signal,
)
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from oms.db.database import Database
from oms.db.models import Notification
from oms.events.bus import InProcessBus


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "p50": round(percentile(values, 0.5), 1),
        "p99": round(percentile(values, 0.99), 1),
        "max": round(max(values), 1),
    }


def connect(load: LoadGenerator, urls: list[str], users: list[dict[str, Any]]) -> float:
    reply = load.call({"op": "connect", "urls": urls, "users": users, "parallel": 100})
    if reply["count"] != len(users):
        raise RuntimeError(
            f"only {reply['count']} of {len(users)} connected (first error: {reply['error']})"
        )
    return float(reply["seconds"])


def role_rounds(load: LoadGenerator, rounds: int, pause: float, **command: Any) -> dict[str, Any]:
    """One warm-up call, then `rounds` broadcasts one at a time: last receipt times (ms)."""
    times: list[float] = []
    missing = 0
    for n in range(rounds + 1):
        reply = load.call({"op": "role_once", "event_id": n + 1, **command})
        missing += reply["expected"] - reply["count"]
        if n:  # the first call after start-up is cold (see bench/README.md), reported apart
            times.append(reply["last_at"] - reply["sent_at"])
        else:
            first = reply["last_at"] - reply["sent_at"]
        time.sleep(pause)
    return {
        "last_receipt_ms": summary(times),
        "first_ms": round(first, 1),
        "missing": missing,
        "rounds_ms": [round(t, 1) for t in times],
    }


def part_a(
    args: argparse.Namespace, processes: Processes, tmp: Path, redis_url: str
) -> dict[str, Any]:
    url = f"sqlite+aiosqlite:///{tmp / 'a.sqlite3'}"
    world = asyncio.run(create_world(url, args.clients))
    result: dict[str, Any] = {"clients": args.clients}
    for side in ("node", "oms"):
        print(f"  A: {side}, {args.clients} sockets ...", flush=True)
        if side == "node":
            server = start_node(processes, tmp, world, ["0"], redis_url)
        else:
            server = start_oms(processes, tmp, world, ["0"], redis_url, command="serve")
        load = LoadGenerator(processes, "1", tmp)
        try:
            connect(load, server.socket_urls, world.customers[: args.clients])
            time.sleep(args.settle)
            command: dict[str, Any] = (
                {"mode": "node", "publish_url": server.publish["urls"][0]}
                if side == "node"
                else {
                    "mode": "rest",
                    "api_url": server.api_url,
                    "admin_token": world.admin["token"],
                }
            )
            result[side] = role_rounds(load, args.rounds, args.pause, **command)
        finally:
            processes.stop(load.process)
            for process in server.processes:
                processes.stop(process)
    return result


async def _database(server_url: str, name: str, *, drop: bool) -> str:
    admin = create_async_engine(
        server_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as connection:
        await connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        if not drop:
            await connection.execute(text(f"CREATE DATABASE {name}"))
    await admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


def part_b(
    args: argparse.Namespace, processes: Processes, tmp: Path, redis_url: str, server_url: str
) -> dict[str, Any]:
    name = f"oms_bench_{os.getpid()}"
    url = asyncio.run(_database(server_url, name, drop=False))
    try:
        started = time.monotonic()
        world = asyncio.run(create_world(url, args.members))
        print(f"  B: {args.members} members in PostgreSQL ({time.monotonic() - started:.0f} s)")
        result: dict[str, Any] = {"members": args.members, "connected": args.connected}
        server = start_oms(processes, tmp, world, ["0"], redis_url, command="serve")
        half = args.connected // 2
        groups = [world.customers[:half], world.customers[half : args.connected]]
        for n in range(2):
            (tmp / f"lg{n}").mkdir(exist_ok=True)
        loads = [LoadGenerator(processes, "1", tmp / f"lg{n}") for n in range(2)]
        try:
            for load, group in zip(loads, groups, strict=True):
                seconds = connect(load, server.socket_urls, group)
                print(f"  B: {len(group)} sockets connected in {seconds:.0f} s", flush=True)
            time.sleep(args.settle)
            spy = start_py_spy(processes, server, args.profile) if args.profile else None
            stored: list[float] = []
            delivered: list[float] = []
            missing = 0
            for n in range(args.big_rounds + 1):
                loads[1].send({"op": "listen", "timeout_ms": 60000})
                assert loads[1].read()["type"] == "listening"
                reply = loads[0].call(
                    {
                        "op": "role_once",
                        "mode": "rest",
                        "api_url": server.api_url,
                        "admin_token": world.admin["token"],
                        "timeout_ms": 60000,
                    },
                    timeout=120,
                )
                heard = loads[1].read(timeout=120)
                missing += reply["expected"] - reply["count"] + heard["expected"] - heard["count"]
                if n:
                    stored.append(reply["stored_at"] - reply["sent_at"])
                    delivered.append(max(reply["last_at"], heard["last_at"]) - reply["sent_at"])
                print(
                    f"  B: round {n}{' (warm-up)' if not n else ''}: stored "
                    f"{reply['stored_at'] - reply['sent_at']:.0f} ms, last receipt "
                    f"{max(reply['last_at'], heard['last_at']) - reply['sent_at']:.0f} ms",
                    flush=True,
                )
                time.sleep(args.pause)
            if spy is not None:
                stop_py_spy(processes, spy)
            counts = asyncio.run(_newest_counts(url, args.big_rounds + 1))
            result.update(
                stored_ms=summary(stored),
                last_receipt_ms=summary(delivered),
                missing=missing,
                inbox_rows_per_event=counts,
            )
        finally:
            for load in loads:
                processes.stop(load.process)
            for process in server.processes:
                processes.stop(process)
        return result
    finally:
        asyncio.run(_database(server_url, name, drop=True))


async def _newest_counts(url: str, events: int) -> list[int]:
    database = Database(url, InProcessBus())
    try:
        async with database.session() as session:
            rows = await session.execute(
                select(Notification.event_id, func.count())
                .group_by(Notification.event_id)
                .order_by(Notification.event_id.desc())
                .limit(events)
            )
            return [int(count) for _, count in rows.all()]
    finally:
        await database.dispose()


def table(result: dict[str, Any]) -> str:
    lines = [
        "| broadcast to the customer role | metric | OMS | Node | OMS / Node |",
        "|---|---|---:|---:|---:|",
    ]
    a = result.get("a")
    if a:
        for metric in ("p50", "p99"):
            oms, node = a["oms"]["last_receipt_ms"][metric], a["node"]["last_receipt_ms"][metric]
            lines.append(
                f"| {a['clients']:,} connected, OMS persisted (REST, SQLite) vs Node in memory "
                f"(n={a['oms']['last_receipt_ms']['count']}) | last receipt {metric} (ms) | "
                f"{oms:,.1f} | {node:,.1f} | {oms / node:.2f} |"
            )
        lines.append(
            f"| same | first call after start (ms) | {a['oms']['first_ms']:,.1f} | "
            f"{a['node']['first_ms']:,.1f} | - |"
        )
        lines.append(
            f"| same | missing receipts | {a['oms']['missing']} | {a['node']['missing']} | - |"
        )
    b = result.get("b")
    if b:
        label = f"{b['members']:,} members on PostgreSQL, {b['connected']:,} connected"
        for key, metric in (
            ("stored_ms", "stored (REST response)"),
            ("last_receipt_ms", "last receipt"),
        ):
            values = b[key]
            lines.append(
                f"| {label} (n={values['count']}) | {metric} p50 / max (ms) | "
                f"{values['p50']:,.1f} / {values['max']:,.1f} | - | - |"
            )
        lines.append(
            f"| same | inbox rows per broadcast / missing receipts | "
            f"{', '.join(f'{c:,}' for c in b['inbox_rows_per_event'])} / {b['missing']} | - | - |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=5000, help="part A: connected customers")
    parser.add_argument("--rounds", type=int, default=20, help="part A: measured broadcasts/side")
    parser.add_argument("--members", type=int, default=100_000, help="part B (0: skip part B)")
    parser.add_argument("--connected", type=int, default=15_000, help="part B: sockets")
    parser.add_argument("--big-rounds", type=int, default=3, help="part B: measured broadcasts")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between broadcasts")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds after connecting")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("OMS_TEST_POSTGRES_URL"),
        help="a PostgreSQL server (any database on it; the bench makes and drops its own); "
        "default $OMS_TEST_POSTGRES_URL (scripts/services.sh)",
    )
    parser.add_argument("--parts", default="a,b")
    parser.add_argument("--profile", type=Path, help="part B: py-spy the OMS server to this file")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "broadcast-latest.json"
    )
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    parts = set(args.parts.split(","))
    if args.members and "b" in parts and not args.postgres_url:
        raise SystemExit("part B needs PostgreSQL: --postgres-url or OMS_TEST_POSTGRES_URL")
    processes = Processes()
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="oms-bench-") as directory, terminate_on_signal():
        tmp = Path(directory)
        try:
            redis_url = start_redis(processes, tmp, "1")
            if "a" in parts:
                result["a"] = part_a(args, processes, tmp, redis_url)
            if "b" in parts and args.members:
                result["b"] = part_b(args, processes, tmp, redis_url, args.postgres_url)
        finally:
            processes.stop_all()
    load = os.getloadavg()
    result["load_average"] = load
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print()
    print(table(result))
    print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; raw: {args.out}")


if __name__ == "__main__":
    main()
