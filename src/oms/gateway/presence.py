"""Presence (DESIGN §12): which staff members and optometrists are online, cluster-wide, and
`presence.changed` when that changes.

Who is online is derived, never counted: a user is online while at least one socket of theirs is
in the cluster view (`cluster.Directory.staff_rows`). Counting connects and disconnects would go
wrong for good the first time a node died without saying goodbye; the view forgets a dead node by
itself.

`PresenceWatch.reconcile` compares the view with what was last announced and records the
changes. One node at a time does this (a Redis lease; always this one without Redis), so each
change is recorded once, and what was announced lives in Redis, so a new leader carries on where
the old one stopped instead of announcing everyone again.

Debounce: a user whose last socket closed is announced offline only once they have been absent
for `debounce_seconds` (by the injected clock), so a page reload (a close and an open a second
apart) announces nothing. Coming online is announced at the next reconcile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace
from typing import Protocol

import redis.asyncio as redis
from redis.exceptions import RedisError

from oms.clock import Clock
from oms.cluster import Announced, Directory, Keys, announced_from, presence_of, text
from oms.db.database import Database
from oms.events import recipients
from oms.events.catalogue import PresenceDraft, PresenceUser
from oms.events.recorder import commit, record_event
from oms.tasks import cancel_and_wait

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 5.0
RECONCILE_SECONDS = 1.0


class AnnouncedStore(Protocol):
    async def lead(self) -> bool:
        """True while this node is the one that announces (renewed on every call)."""
        ...

    async def load(self) -> dict[int, Announced]: ...

    async def save(self, put: list[Announced], delete: list[int]) -> None: ...


class MemoryStore:
    """One process, no Redis: it always leads."""

    def __init__(self) -> None:
        self.announced: dict[int, Announced] = {}

    async def lead(self) -> bool:
        return True

    async def load(self) -> dict[int, Announced]:
        return dict(self.announced)

    async def save(self, put: list[Announced], delete: list[int]) -> None:
        for item in put:
            self.announced[item.user_id] = item
        for user_id in delete:
            self.announced.pop(user_id, None)


class RedisStore:
    def __init__(
        self, client: redis.Redis, keys: Keys, node_id: str, *, lease_seconds: float
    ) -> None:
        self.client = client
        self.keys = keys
        self.node_id = node_id
        self.lease_ms = int(lease_seconds * 1000)

    async def lead(self) -> bool:
        key = self.keys.presence_leader
        if await self.client.set(key, self.node_id, nx=True, px=self.lease_ms):
            return True
        holder = await self.client.get(key)
        if holder is not None and text(holder) == self.node_id:
            await self.client.pexpire(key, self.lease_ms)
            return True
        return False

    async def release(self) -> None:
        holder = await self.client.get(self.keys.presence_leader)
        if holder is not None and text(holder) == self.node_id:
            await self.client.delete(self.keys.presence_leader)

    async def load(self) -> dict[int, Announced]:
        return announced_from(await self.client.hgetall(self.keys.presence))

    async def save(self, put: list[Announced], delete: list[int]) -> None:
        async with self.client.pipeline(transaction=True) as pipe:
            if put:
                pipe.hset(self.keys.presence, mapping={a.user_id: a.to_json() for a in put})
            if delete:
                pipe.hdel(self.keys.presence, *delete)
            await pipe.execute()


class PresenceWatch:
    def __init__(
        self,
        directory: Directory,
        store: AnnouncedStore,
        database: Database,
        clock: Clock,
        *,
        debounce_seconds: float = DEBOUNCE_SECONDS,
    ) -> None:
        self.directory = directory
        self.store = store
        self.database = database
        self.clock = clock
        self.debounce_seconds = debounce_seconds
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def reconcile(self) -> list[tuple[Announced, bool]]:
        """Announce what changed since the last call; returns (user, online) per change."""
        async with self._lock:
            if not await self.store.lead():
                return []
            online = presence_of(await self.directory.staff_rows())
            announced = await self.store.load()
            now = self.clock.now().timestamp()
            put: list[Announced] = []
            gone: list[int] = []
            changes: list[tuple[Announced, bool]] = []
            for user_id, here in online.items():
                before = announced.get(user_id)
                current = Announced(
                    user_id, here.name, here.role, here.branch_ids, here.online_since
                )
                if before is None:
                    changes.append((current, True))
                # New, back within the debounce, other branches, or a new first socket now.
                if before != current:
                    put.append(current)
            for user_id, before in announced.items():
                if user_id in online:
                    continue
                if before.absent_since is None:
                    put.append(replace(before, absent_since=now))
                elif now - before.absent_since >= self.debounce_seconds:
                    changes.append((before, False))
                    gone.append(user_id)
            if changes:
                await self._record(changes)
            if put or gone:
                await self.store.save(put, gone)
            return changes

    async def _record(self, changes: list[tuple[Announced, bool]]) -> None:
        async with self.database.session() as session:
            for user, online in changes:
                targets = await recipients.for_presence(session, user.branch_ids)
                await record_event(
                    session,
                    PresenceDraft(
                        title=f"{user.name} is {'online' if online else 'offline'}",
                        message="",
                        level="info",
                        user=PresenceUser(id=user.user_id, name=user.name, role=user.role),
                        branch_ids=list(user.branch_ids),
                        online=online,
                    ),
                    recipients=targets,
                )
            await commit(session)

    async def start(self, interval_seconds: float) -> None:
        self._task = asyncio.create_task(self._forever(interval_seconds), name="oms-presence")

    async def stop(self) -> None:
        await cancel_and_wait([self._task])
        self._task = None
        release = getattr(self.store, "release", None)
        if release is not None:
            with contextlib.suppress(RedisError, OSError):
                await release()

    async def _forever(self, interval_seconds: float) -> None:
        while True:
            await asyncio.sleep(interval_seconds)
            try:
                await self.reconcile()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("presence reconcile failed; retrying")
