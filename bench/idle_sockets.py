"""20,000 idle sockets against one `oms serve` while `/health` and a log-in still answer
(issue 9, point 4). A benchmark run on demand, never a test; loopback only, bounded.

    uv run python bench/idle_sockets.py --sockets 20000

It starts `oms serve` on a throw-away SQLite database (`MAX_SOCKETS` as given, else its
default: the open-file limit less FILE_DESCRIPTOR_RESERVE) with a per-address cap, then opens
that many websockets to the gateway port from several 127.0.0.x source addresses (a loopback
address pair has only ~28,000 ephemeral ports), each authenticated with a socket.io CONNECT and
answering engine.io pings, so they stay. With all of them open it times `GET /health` on both
ports and a log-in on the HTTP port, opens one socket more (which must get 503 at the cap),
and reads the server's resident memory.

Opening more sockets than the open-file limit allows needs a higher limit: the script raises its
own (and so the server's) limit to `--file-limit` where the system lets it (else it keeps the
hard limit, and says so).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import insert
from websockets.frames import Frame, Opcode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from latency import create_customers, start_server

from oms.db.database import Database
from oms.db.models import User
from oms.security.passwords import hash_password

LOGIN_EMAIL = "login@bench.test"
LOGIN_PASSWORD = "bench-" + secrets.token_urlsafe(8)


def raise_limit(limit: int) -> int:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, max(limit, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class IdleSocket(asyncio.Protocol):
    """A websocket client that connects, authenticates, and then only answers pings."""

    def __init__(self, request: bytes, connect: bytes, done: asyncio.Future[str]) -> None:
        self.request = request
        self.connect = connect
        self.done = done
        self.buffer = b""
        self.upgraded = False
        self.transport: asyncio.Transport | None = None
        self.closed_code: int | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(self.request)  # type: ignore[union-attr]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            head, found, rest = self.buffer.partition(b"\r\n\r\n")
            if not found:
                return
            if not head.startswith(b"HTTP/1.1 101"):
                self._finish(head.split(b"\r\n")[0].decode())
                return
            self.upgraded = True
            self.buffer = rest
        while len(self.buffer) >= 2:
            size = self.buffer[1] & 0x7F
            start = 2
            if size == 126:
                if len(self.buffer) < 4:
                    return
                size, start = int.from_bytes(self.buffer[2:4], "big"), 4
            if len(self.buffer) < start + size:
                return
            opcode, payload = self.buffer[0] & 0x0F, self.buffer[start : start + size]
            self.buffer = self.buffer[start + size :]
            self._frame(opcode, payload)

    def _frame(self, opcode: int, payload: bytes) -> None:
        assert self.transport is not None
        if opcode == 0x8:
            self.closed_code = int.from_bytes(payload[:2], "big")
            self._finish(f"closed {self.closed_code}")
        elif payload.startswith(b"0{"):
            self.transport.write(self.connect)
        elif payload.startswith(b"40{"):
            self._finish("connected")
        elif payload == b"2":
            self.transport.write(_frame(b"3"))
        elif payload.startswith(b"44"):
            self._finish("refused " + payload.decode())

    def _finish(self, outcome: str) -> None:
        if not self.done.done():
            self.done.set_result(outcome)

    def connection_lost(self, exc: Exception | None) -> None:
        self._finish(f"lost {exc}")


def _frame(payload: bytes) -> bytes:
    return Frame(Opcode.TEXT, payload).serialize(mask=True, extensions=[])


async def open_socket(
    host: str, port: int, local: str, token: str
) -> tuple[str, IdleSocket | None, asyncio.BaseTransport | None]:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str] = loop.create_future()
    key = secrets.token_bytes(16).hex()[:22] + "=="
    request = (
        f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    ).encode()
    connect = _frame(b"40" + orjson.dumps({"token": token}))
    try:
        transport, protocol = await loop.create_connection(
            lambda: IdleSocket(request, connect, done), host, port, local_addr=(local, 0)
        )
    except OSError as error:
        return f"connect failed {error.errno}", None, None
    outcome = await asyncio.wait_for(done, 120)
    return outcome, protocol, transport


async def timed_get(url: str) -> tuple[int, float]:
    began = time.perf_counter()
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(url)
    return response.status_code, round((time.perf_counter() - began) * 1000, 1)


async def timed_login(api_url: str) -> tuple[int, float]:
    began = time.perf_counter()
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            api_url + "/api/auth/login", json={"email": LOGIN_EMAIL, "password": LOGIN_PASSWORD}
        )
    return response.status_code, round((time.perf_counter() - began) * 1000, 1)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


async def add_login_user(url: str) -> None:
    database = Database(url)
    try:
        async with database.session() as session:
            await session.execute(
                insert(User),
                [
                    {
                        "email": LOGIN_EMAIL,
                        "name": "Bench Login",
                        "role": "customer",
                        "password_hash": hash_password(LOGIN_PASSWORD),
                    }
                ],
            )
            await session.commit()
    finally:
        await database.dispose()


async def run(args: argparse.Namespace, api_url: str, socket_url: str, pid: int, users: Any) -> Any:
    host, port = socket_url.removeprefix("http://").rsplit(":", 1)
    addresses = [f"127.0.0.{2 + n}" for n in range(args.addresses)]
    outcomes: dict[str, int] = {}
    kept: list[asyncio.BaseTransport] = []
    began = time.perf_counter()
    rss_before = rss_mb(pid)
    for start in range(0, args.sockets, args.batch):
        batch = [
            open_socket(host, int(port), addresses[n % len(addresses)], users[n % len(users)])
            for n in range(start, min(start + args.batch, args.sockets))
        ]
        for outcome, _, transport in await asyncio.gather(*batch):
            key = outcome.split(" {")[0][:40]
            outcomes[key] = outcomes.get(key, 0) + 1
            if transport is not None:
                kept.append(transport)
    open_seconds = round(time.perf_counter() - began, 1)
    health_gateway = [await timed_get(socket_url + "/health") for _ in range(5)]
    health_api = [await timed_get(api_url + "/health") for _ in range(5)]
    logins = [await timed_login(api_url) for _ in range(3)]
    extra, _, extra_transport = await open_socket(host, int(port), "127.0.0.250", users[0])
    if extra_transport is not None:
        extra_transport.close()
    async with httpx.AsyncClient(timeout=30) as http:
        health = (await http.get(socket_url + "/health")).json()
    result = {
        "sockets_requested": args.sockets,
        "outcomes": outcomes,
        "open_seconds": open_seconds,
        "server_connections_reported": health.get("connections"),
        "server_rss_mb_before": rss_before,
        "server_rss_mb_with_sockets": rss_mb(pid),
        "health_gateway_port": {
            "status": sorted({code for code, _ in health_gateway}),
            "median_ms": statistics.median(ms for _, ms in health_gateway),
            "max_ms": max(ms for _, ms in health_gateway),
        },
        "health_http_port": {
            "status": sorted({code for code, _ in health_api}),
            "median_ms": statistics.median(ms for _, ms in health_api),
            "max_ms": max(ms for _, ms in health_api),
        },
        "login": {
            "status": sorted({code for code, _ in logins}),
            "median_ms": statistics.median(ms for _, ms in logins),
        },
        "one_socket_more": extra,
    }
    for transport in kept:
        transport.abort()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--addresses", type=int, default=25, help="127.0.0.x source addresses")
    parser.add_argument("--batch", type=int, default=250, help="sockets opened at once")
    parser.add_argument("--file-limit", type=int, default=32_768)
    parser.add_argument(
        "--max-sockets", type=int, default=0, help="the server's MAX_SOCKETS (0: its default)"
    )
    args = parser.parse_args()
    limit = raise_limit(args.file_limit)
    if limit < args.sockets + 1024:
        print(f"open-file limit is {limit}: fewer sockets will open than asked", file=sys.stderr)
    per_address = -(-args.sockets // args.addresses)
    with tempfile.TemporaryDirectory(prefix="oms-idle-") as directory:
        tmp = Path(directory)
        app_key = secrets.token_urlsafe(48)
        url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
        users = asyncio.run(create_customers(url, app_key, args.users))
        asyncio.run(add_login_user(url))
        env = {
            "APP_ENV": "production",
            "APP_KEY": app_key,
            "DATABASE_URL": url,
            "OMS_DATA_DIR": str(tmp),
            "HTTP_PORT": "0",
            "WEBSOCKET_PORT": "0",
            "REDIS_URL": "",
            "MAX_SOCKETS": str(args.max_sockets),
            "SOCKETS_PER_ADDRESS": str(per_address),
        }
        # The server inherits this process's raised limit.
        server, api_url, socket_url = start_server(env, tmp / "serve.log")
        try:
            import uvloop

            result = uvloop.run(
                run(args, api_url, socket_url, server.pid, [str(u["token"]) for u in users])
            )
        finally:
            server.terminate()
            server.wait(60)
        log_tail = (tmp / "serve.log").read_text(errors="replace").splitlines()[-5:]
    result["file_limit"] = limit
    result["server_log_tail"] = log_tail
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
