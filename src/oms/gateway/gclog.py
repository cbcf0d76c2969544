"""Garbage-collector pauses, logged for the benchmark (bench/run.py), off unless asked for.

With `OMS_GC_LOG=<file>` the gateway times every collection through `gc.callbacks` and appends
one line per pause, `<generation> <microseconds>`, to the file about twice a second (the callback
itself only appends to a list: no I/O inside a collection).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import time
from pathlib import Path
from typing import Any

from oms.tasks import cancel_and_wait

ENV = "OMS_GC_LOG"


class GcLog:
    def __init__(self, path: Path, *, flush_seconds: float = 0.5) -> None:
        self.path = path
        self.flush_seconds = flush_seconds
        self._started = 0.0
        self._pauses: list[tuple[int, int]] = []
        self._task: asyncio.Task[None] | None = None

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            micros = int((time.perf_counter() - self._started) * 1e6)
            self._pauses.append((int(info.get("generation", -1)), micros))

    def start(self) -> None:
        gc.callbacks.append(self._callback)
        self._task = asyncio.create_task(self._flush_forever(), name="oms-gc-log")

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._callback)
        await cancel_and_wait([self._task])
        self.flush()

    def flush(self) -> None:
        pauses, self._pauses = self._pauses, []
        if pauses:
            with self.path.open("a") as handle:
                handle.writelines(f"{gen} {micros}\n" for gen, micros in pauses)

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            self.flush()


def from_environment() -> GcLog | None:
    path = os.environ.get(ENV)
    return GcLog(Path(path)) if path else None
