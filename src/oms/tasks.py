"""Stopping a component's background tasks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any


async def cancel_and_wait(tasks: Iterable[asyncio.Task[Any] | None]) -> None:
    """Cancel every task (a `None`, a task never started, is passed over), then wait until each
    has finished, so nothing of a stopped component still runs when its owner closes what the
    tasks used (a Redis client, the database)."""
    started = [task for task in tasks if task is not None]
    for task in started:
        task.cancel()
    for task in started:
        with contextlib.suppress(asyncio.CancelledError):
            await task
