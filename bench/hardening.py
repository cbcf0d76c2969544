"""Issue 9 figures (run once, by hand; not a test):

1. Event-loop lag while 20 log-ins arrive at once, with argon2 at production cost: hashing in
   worker threads (as shipped) and forced inline on the loop (`--inline`, as before).
2. The server's RSS while 10 clients each stream a 100 MiB body at log-in and at a general route.

    uv run python bench/hardening.py [--inline]

Server and clients share this process (the clients stream from generators, holding ~64 KiB each).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

os.environ["APP_ENV"] = "development"  # production argon2 parameters (passwords.py)

import httpx

from oms.config import Settings
from oms.db.migrate import upgrade_async
from oms.db.models import User
from oms.domain import accounts
from oms.events.recorder import commit
from oms.security import passwords
from oms.server import build_http_app, build_runtime, uvicorn_server

PASSWORD = "bench-password-1"
LOGINS = 20


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def lag_probe(samples: list[float], stop: asyncio.Event, period: float = 0.005) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(period)
        samples.append((time.perf_counter() - start - period) * 1000)


async def big_body(size: int) -> AsyncIterator[bytes]:
    chunk = b"x" * 65536
    yield b'{"email": "a@b.test", "password": "'
    for _ in range(size // len(chunk)):
        yield chunk
    yield b'"}'


async def main(inline: bool, no_body_limit: bool) -> None:
    if inline:
        # As before the fix: the hash on the event loop.
        async def verify(hash_: str | None, password: str) -> bool:
            return passwords.verify_password(hash_, password)

        accounts.verify_password_async = verify  # type: ignore[assignment]
    tmp = Path(tempfile.mkdtemp())
    settings = Settings.model_validate(
        {
            "APP_KEY": "bench-key-0123456789-0123456789-0123456789",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'oms.sqlite3'}",
            "RATE_LOGIN_PER_ADDRESS": "100000/minute",
            "RATE_LOGIN_PER_ACCOUNT": "100000/minute",
            # --no-body-limit: as before the fix (the whole body is read, then parsed).
            **(
                {"MAX_BODY_BYTES": str(2**40), "AUTH_MAX_BODY_BYTES": str(2**40)}
                if no_body_limit
                else {}
            ),
        }
    )
    await upgrade_async(settings.database)
    runtime = build_runtime(settings)
    async with runtime.database.session() as session:
        session.add(
            User(
                email="bench@example.test",
                name="Bench",
                role="customer",
                password_hash=passwords.hash_password(PASSWORD),
            )
        )
        await commit(session)
    server = uvicorn_server(build_http_app(runtime), settings, "127.0.0.1", 0)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn exposes only this flag)
        await asyncio.sleep(0.01)
    url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        await http.post(
            "/api/auth/login", json={"email": "bench@example.test", "password": PASSWORD}
        )
        samples: list[float] = []
        stop = asyncio.Event()
        probe = asyncio.create_task(lag_probe(samples, stop))
        started = time.perf_counter()
        codes = await asyncio.gather(
            *(
                http.post(
                    "/api/auth/login", json={"email": "bench@example.test", "password": PASSWORD}
                )
                for _ in range(LOGINS)
            )
        )
        elapsed = time.perf_counter() - started
        stop.set()
        await probe
        samples.sort()
        p99 = samples[int(len(samples) * 0.99) - 1]
        print(
            f"{'inline' if inline else 'threads'}: {LOGINS} log-ins in {elapsed:.2f} s, "
            f"statuses {sorted({c.status_code for c in codes})}; loop lag p50 "
            f"{statistics.median(samples):.1f} ms, p99 {p99:.1f} ms, max {samples[-1]:.1f} ms "
            f"({len(samples)} samples)"
        )
        before = rss_mb()
        peak = before
        size = 100 * 1024 * 1024

        async def send(path: str) -> int:
            response = await http.post(
                path, content=big_body(size), headers={"Content-Type": "application/json"}
            )
            return response.status_code

        async def watch() -> None:
            nonlocal peak
            while True:
                peak = max(peak, rss_mb())
                await asyncio.sleep(0.02)

        watcher = asyncio.create_task(watch())
        # Without a limit each body is held (and parsed) whole: 4, as in the issue, not 10.
        bodies = 4 if no_body_limit else 10
        statuses = await asyncio.gather(
            *(send("/api/auth/login" if n % 2 else "/api/branches") for n in range(bodies))
        )
        watcher.cancel()
        print(
            f"{bodies} concurrent 100 MiB bodies (chunked): statuses {sorted(set(statuses))}; "
            f"RSS {before:.0f} MB -> peak {peak:.0f} MB"
        )
    server.should_exit = True
    await task
    await runtime.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--inline", action="store_true", help="hash on the event loop (before)")
    parser.add_argument("--no-body-limit", action="store_true", help="no body limit (before)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.inline, arguments.no_body_limit))
    sys.exit(0)
