"""`oms worker`: background work without serving anything — no HTTP, no sockets."""

from __future__ import annotations

import asyncio
import signal

from oms.config import Settings
from oms.delivery.service import RunningWorker, start_delivery_worker
from oms.processes.bootstrap import build_runtime
from oms.timeline.loop import timeline_for


async def run_worker(settings: Settings) -> None:
    """`oms worker`: background work without serving anything — deliveries (DESIGN §10) and the
    timeline (§11); any number may run beside the API processes. Stops at SIGINT/SIGTERM after
    the work in hand."""
    runtime = build_runtime(settings)
    timeline = timeline_for(runtime)
    deliveries: RunningWorker | None = None
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    try:
        await runtime.bus.start()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopped.set)
        timeline.start()
        deliveries = start_delivery_worker(runtime, runtime.clock)
        print(
            f"OMS worker: timeline every {settings.timeline_tick_seconds:g} s; email and Web Push",
            flush=True,
        )
        await stopped.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await timeline.stop()
        if deliveries is not None:
            await deliveries.stop()
        await runtime.close()
