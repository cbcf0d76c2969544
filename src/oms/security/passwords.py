"""argon2id password hashes, computed in worker threads.

argon2 is slow on purpose (~100 ms, 64 MiB here): run on the event loop, ten log-ins would stall
every socket and request of the process for a second. The async functions run it in anyio's
worker threads behind a capacity limiter, so a burst of log-ins queues for a bounded number of
hashing threads (and their memory) instead of blocking the loop or exhausting memory.

Under `APP_ENV=test` new hashes use argon2's cheapest profile so the suite is fast; verifying
reads the parameters from the hash itself, so hashes of either profile verify anywhere.
"""

from __future__ import annotations

import functools
import os

import anyio
import anyio.to_thread
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# At most this many hashes at once: each holds argon2's memory (64 MiB in production).
HASHING_THREADS = 4


@functools.cache
def _hasher() -> PasswordHasher:
    if os.environ.get("APP_ENV") == "test":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a miss costs the same time as a wrong
    password."""
    return _hasher().hash("not-a-real-password")


@functools.cache
def _limiter() -> anyio.CapacityLimiter:
    return anyio.CapacityLimiter(HASHING_THREADS)


def hash_password(password: str) -> str:
    """Synchronous: for the CLI and start-up only. Request handlers use `hash_password_async`."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password_async(password: str) -> str:
    return await anyio.to_thread.run_sync(hash_password, password, limiter=_limiter())


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    return await anyio.to_thread.run_sync(
        verify_password, password_hash, password, limiter=_limiter()
    )
