"""Running the delivery worker inside a process (`oms serve`, `oms api`, `oms worker`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from oms.clock import SYSTEM_CLOCK, Clock
from oms.delivery.email import email_sender
from oms.delivery.families import IMMEDIATE_EVENTS
from oms.delivery.push import PushSender
from oms.delivery.vapid import load_or_create
from oms.delivery.worker import DeliveryWorker
from oms.events.envelope import PublishedEvent
from oms.runtime import Runtime


def build_worker(runtime: Runtime, clock: Clock = SYSTEM_CLOCK) -> DeliveryWorker:
    settings = runtime.settings
    metrics = runtime.metrics
    return DeliveryWorker(
        settings=settings,
        database=runtime.database,
        clock=clock,
        email=email_sender(settings),
        push=PushSender(settings, load_or_create(settings)),
        on_settled=lambda channel, status: metrics.deliveries.labels(channel, status).inc(),
    )


class RunningWorker:
    """The worker as a background task of this process. Events this process commits that go out
    at once (urgent, reminders) wake it instead of waiting for its poll."""

    def __init__(self, runtime: Runtime, worker: DeliveryWorker) -> None:
        self.worker = worker
        self._stop = asyncio.Event()
        self._unsubscribe = runtime.bus.subscribe(self._on_events)
        self._task = asyncio.create_task(worker.run_forever(self._stop), name="oms-deliveries")

    async def _on_events(self, events: Sequence[PublishedEvent]) -> None:
        if any(event.name in IMMEDIATE_EVENTS for event in events):
            self.worker.wake()

    async def stop(self) -> None:
        self._stop.set()
        await self._task
        self._unsubscribe()
        if self.worker.push is not None:
            await self.worker.push.close()


def start_delivery_worker(runtime: Runtime, clock: Clock = SYSTEM_CLOCK) -> RunningWorker:
    return RunningWorker(runtime, build_worker(runtime, clock))


async def run_worker(runtime: Runtime) -> None:
    """`oms worker`: deliveries only, until SIGINT/SIGTERM."""
    import signal

    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    running = start_delivery_worker(runtime)
    print("OMS delivery worker running", flush=True)
    try:
        await stopped.wait()
    finally:
        await running.stop()
