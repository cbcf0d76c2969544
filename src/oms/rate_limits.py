"""Rate limits (DESIGN §13), with the `limits` package: in memory for one process, in Redis when
REDIS_URL is set so every node and the API process count together.

Each rule is a `limits` string from the settings (e.g. `10/minute;50/hour`); a hit over any of its
windows raises `RateLimited` (429, `Retry-After`). If Redis does not answer, limits fail open: a
broken counter must not lock every clinic out of log-in.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Literal

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from redis.exceptions import RedisError

from oms.config import Settings
from oms.domain.errors import RateLimited

log = logging.getLogger(__name__)

Rule = Literal[
    "login_account",
    "login_address",
    "register_address",
    "broadcast_sender",
    "socket_connect_address",
    "socket_join",
]


def _storage(redis_url: str | None) -> Storage:
    if not redis_url:
        return MemoryStorage()
    uri = "async+redis+unix://" + redis_url[7:] if redis_url.startswith("unix://") else redis_url
    storage = storage_from_string(
        uri if uri.startswith("async+") else "async+" + uri, implementation="redispy"
    )
    assert isinstance(storage, Storage)
    return storage


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(_storage(settings.redis_url))
        self._rules: dict[Rule, list[RateLimitItem]] = {
            "login_account": parse_many(settings.rate_login_per_account),
            "login_address": parse_many(settings.rate_login_per_address),
            "register_address": parse_many(settings.rate_register_per_address),
            "broadcast_sender": parse_many(settings.rate_broadcast_per_sender),
            "socket_connect_address": parse_many(settings.rate_socket_connect_per_address),
            "socket_join": parse_many(settings.rate_socket_join_per_socket),
        }

    async def hit(self, rule: Rule, key: str) -> None:
        """Count one attempt; RateLimited when it is one too many in any window of the rule."""
        for item in self._rules[rule]:
            if not await self._call(self._limiter.hit(item, rule, key)):
                raise RateLimited(await self._retry_after(item, rule, key))

    async def check(self, rule: Rule, key: str) -> None:
        """RateLimited when the next hit would be refused (without counting this attempt)."""
        for item in self._rules[rule]:
            if not await self._call(self._limiter.test(item, rule, key)):
                raise RateLimited(await self._retry_after(item, rule, key))

    async def _retry_after(self, item: RateLimitItem, rule: str, key: str) -> int:
        try:
            stats = await self._limiter.get_window_stats(item, rule, key)
        except (RedisError, OSError):
            return item.get_expiry()
        return max(1, math.ceil(stats.reset_time - time.time()))

    @staticmethod
    async def _call(check: object) -> bool:
        try:
            return bool(await check)  # type: ignore[misc]
        except (RedisError, OSError):
            log.warning("rate-limit storage did not answer; letting the request through")
            return True
