"""API call -> socket event latency with many connected clients (a benchmark, not a test).

Starts a real `oms serve` on a throw-away database (SQLite by default; `--database-url` for
PostgreSQL), creates N customers, connects N stock socket.io-client v4 sockets from Node
(bench/node/latency.mjs, using the socket.io-client that `npm ci --prefix tests/node` installs),
then times `POST /api/notifications/broadcast` from just before the request to the event's
arrival: one recipient per call ("targeted"), and every client per call ("fan-out").

    uv run python bench/latency.py --clients 1000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import insert, select

from oms.db.database import Database
from oms.db.migrate import upgrade_async
from oms.db.models import User
from oms.events.bus import InProcessBus
from oms.security.passwords import hash_password
from oms.security.tokens import issue_token

ROOT = Path(__file__).resolve().parents[1]


async def create_customers(url: str, app_key: str, count: int) -> list[dict[str, object]]:
    await upgrade_async(url)
    database = Database(url, InProcessBus())
    password = hash_password(secrets.token_urlsafe(12))
    try:
        async with database.session() as session:
            await session.execute(
                insert(User),
                [
                    {
                        "email": f"bench{n}@bench.test",
                        "name": f"Bench {n}",
                        "role": "customer",
                        "password_hash": password,
                    }
                    for n in range(count)
                ],
            )
            ids = (await session.scalars(select(User.id).where(User.role == "customer"))).all()
            await session.commit()
    finally:
        await database.dispose()
    users = []
    for user_id in ids:
        token, _ = issue_token(
            app_key, user_id=user_id, role="customer", branch_ids=(), ttl_seconds=3600
        )
        users.append({"id": user_id, "token": token})
    return users


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "oms.cli", "serve"],
        env={**os.environ, **env},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        api = re.search(r"OMS web app and API on (http://\S+)", text)
        gateway = re.search(r"OMS real-time gateway on (http://\S+)", text)
        if api and gateway:
            return process, api.group(1), gateway.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"oms serve did not start:\n{log.read_text(errors='replace')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--targeted", type=int, default=300, help="one-recipient calls")
    parser.add_argument("--fanout", type=int, default=20, help="calls to every client")
    parser.add_argument("--pause-ms", type=int, default=20, help="pause between calls")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="oms-bench-") as directory:
        tmp = Path(directory)
        app_key = secrets.token_urlsafe(48)
        url = args.database_url or f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
        users = asyncio.run(create_customers(url, app_key, args.clients))
        env = {
            "APP_ENV": "production",
            "APP_KEY": app_key,
            "DATABASE_URL": url,
            "OMS_DATA_DIR": str(tmp),
            "HTTP_PORT": "0",
            "WEBSOCKET_PORT": "0",
            "REDIS_URL": "",
        }
        server, api_url, socket_url = start_server(env, tmp / "serve.log")
        try:
            config = tmp / "bench.json"
            config.write_text(
                json.dumps(
                    {
                        "api_url": api_url,
                        "socket_url": socket_url,
                        "app_key": app_key,
                        "users": users,
                        "targeted": args.targeted,
                        "fanout": args.fanout,
                        "pause_ms": args.pause_ms,
                    }
                )
            )
            result = subprocess.run(
                ["node", str(ROOT / "bench" / "node" / "latency.mjs"), str(config)],
                capture_output=True,
                text=True,
                timeout=900,
                check=True,
            )
            metrics = urllib.request.urlopen(socket_url + "/metrics", timeout=10).read().decode()
        finally:
            server.terminate()
            server.wait(30)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"oms serve ({database}, in-process bus), {figures['clients']} connected clients "
        f"(connected in {figures['connect_seconds']} s), {figures['missing']} missing"
    )
    for key in ("targeted", "fanout_each_recipient", "fanout_last_recipient"):
        row = figures[key]
        print(
            f"  {key:<22} n={row['count']:<6} p50={row['p50_ms']:>8.2f} ms  "
            f"p99={row['p99_ms']:>8.2f} ms  max={row['max_ms']:>8.2f} ms"
        )
    print(server_side(metrics))


def server_side(metrics: str) -> str:
    """The server's own view (oms_delivery_latency_seconds): event timestamp -> last socket
    write on the node, per event; bucket upper bounds, so p50/p99 are 'at most'."""
    buckets = [
        (float(bound), float(count))
        for bound, count in re.findall(
            r'oms_delivery_latency_seconds_bucket\{le="([^"+]+)"\} (\S+)', metrics
        )
    ]
    total = float(re.search(r"oms_delivery_latency_seconds_count (\S+)", metrics).group(1))  # type: ignore[union-attr]
    summed = float(re.search(r"oms_delivery_latency_seconds_sum (\S+)", metrics).group(1))  # type: ignore[union-attr]

    def at_most(quantile: float) -> str:
        for bound, count in buckets:
            if count >= quantile * total:
                return f"<= {bound * 1000:g} ms"
        return "> 10 s"

    return (
        f"  server commit->last write per event: n={total:g} mean={summed / total * 1000:.2f} ms"
        f"  p50 {at_most(0.5)}  p99 {at_most(0.99)}"
    )


if __name__ == "__main__":
    main()
