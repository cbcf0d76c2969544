"""Delivery worker throughput and due -> sent delay (DESIGN §10, issue 10), run on demand.

    uv run python bench/deliveries.py                      # 5,000 emails, then 5,000 pushes
    uv run python bench/deliveries.py --count 1000 --channel push
    uv run python bench/deliveries.py --database-url postgresql+asyncpg://...

A burst of N due deliveries (one urgent notification to N customers: due at once) is sent by ONE
worker (this process, the production `DeliveryWorker` with the system clock) to a local SMTP server
or push service in another process (bench/delivery_sink.py). Reported: deliveries per second of
wall time and per CPU second of the worker, and the delay from due (the delivery row's creation,
which is when an urgent one becomes due) to sent, p50/p99/max, read from the rows themselves.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from oms.clock import SystemClock  # noqa: E402
from oms.config import Settings  # noqa: E402
from oms.db.database import Database  # noqa: E402
from oms.db.migrate import upgrade_async  # noqa: E402
from oms.db.models import Delivery, PushSubscription, User  # noqa: E402
from oms.delivery.email import SmtpSender  # noqa: E402
from oms.delivery.push import PushSender  # noqa: E402
from oms.delivery.vapid import load_or_create  # noqa: E402
from oms.delivery.worker import DeliveryWorker  # noqa: E402
from oms.domain.notifications import broadcast  # noqa: E402

# A real browser's subscription keys (any valid P-256 point works: the sink does not decrypt).
P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _seed(database: Database, count: int, push_port: int | None) -> None:
    async with database.session() as session:
        ids = list(
            (
                await session.scalars(
                    insert(User).returning(User.id),
                    [
                        {
                            "email": f"bench{n}@example.test",
                            "name": f"Bench {n}",
                            "role": "customer",
                            "password_hash": "x",
                            "is_active": True,
                            "booking_lock": 0,
                        }
                        for n in range(count)
                    ],
                )
            ).all()
        )
        if push_port is not None:
            await session.execute(
                insert(PushSubscription),
                [
                    {
                        "user_id": user_id,
                        "endpoint": f"http://127.0.0.1:{push_port}/push/{user_id}",
                        "p256dh": P256DH,
                        "auth": AUTH,
                    }
                    for user_id in ids
                ],
            )
        await session.commit()
        await broadcast(
            session, sender=None, title="Bench", message="A burst", type="urgent", user_ids=ids
        )


async def run(channel: str, count: int, database_url: str | None, smtp: int, push: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="oms-bench-deliveries-") as directory:
        url = database_url or f"sqlite+aiosqlite:///{directory}/oms.sqlite3"
        await upgrade_async(url)
        settings = Settings.model_validate(
            {
                "APP_ENV": "test",
                "APP_KEY": "bench-key-0123456789-0123456789-0123456789",
                "DATABASE_URL": url,
                "OMS_DATA_DIR": directory,
                "SMTP_URL": f"smtp://127.0.0.1:{smtp}",
            }
        )
        database = Database(url)
        await _seed(database, count, push if channel == "push" else None)
        worker = DeliveryWorker(
            settings=settings,
            database=database,
            clock=SystemClock(),
            email=SmtpSender(f"smtp://127.0.0.1:{smtp}") if channel == "email" else None,
            push=PushSender(settings, load_or_create(settings)) if channel == "push" else None,
        )
        wall, cpu = time.perf_counter(), time.process_time()
        settled = await worker.run_until_idle()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if worker.push is not None:
            await worker.push.close()
        async with database.session() as session:
            rows = (await session.execute(select(Delivery.created_at, Delivery.sent_at))).all()
        await database.dispose()
    delays = [(sent - created).total_seconds() for created, sent in rows if sent is not None]
    return {
        "channel": channel,
        "database": "postgresql" if database_url else "sqlite",
        "deliveries": settled,
        "sent": len(delays),
        "wall_seconds": round(wall, 2),
        "per_second": round(len(delays) / wall, 1),
        "per_cpu_second": round(len(delays) / cpu, 1),
        "delay_p50_seconds": round(_percentile(delays, 0.50), 2),
        "delay_p99_seconds": round(_percentile(delays, 0.99), 2),
        "delay_max_seconds": round(max(delays), 2),
        "mean_delay_seconds": round(statistics.fmean(delays), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--channel", choices=["email", "push", "both"], default="both")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "delivery_sink.py")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sink.stdout is not None
        smtp, push = (int(port) for port in sink.stdout.readline().split())
        channels = ["email", "push"] if args.channel == "both" else [args.channel]
        for channel in channels:
            result = asyncio.run(run(channel, args.count, args.database_url, smtp, push))
            print(json.dumps(result), flush=True)
    finally:
        sink.terminate()
        sink.wait(timeout=10)


if __name__ == "__main__":
    main()
