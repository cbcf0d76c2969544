"""The cluster view: every gateway node's sockets, readable from any process (DESIGN §12).

Two backends share one interface, `Directory`:

- `LocalDirectory`: one process and no Redis (`oms serve`): the cluster is this process's gateway.
- `RedisDirectory`: each gateway node keeps its sockets in Redis hashes (`NodeAnnouncer`), and any
  process (another gateway, `oms api`, the CLI) reads every live node's.

A node is live while its heartbeat is fresh: it writes `beat_at` (its clock) every `ttl / 3`
seconds, and readers ignore a node whose last beat is older than `ttl` by their clock. So a node
that dies (SIGKILL, power loss) leaves the view within `ttl` seconds; one that stops cleanly
deletes its keys at once. Redis expiry (three times ttl) only collects what dead nodes left behind.
Readers decide by the clock rather than by Redis's expiry so that tests move a `ManualClock`
instead of waiting.

Writes are batched: connects and disconnects only mark a socket's row dirty, and one task writes
the dirty rows in a pipeline, so a connect storm costs a few round trips, not one per socket.
A row's `last_event_id` is as of its last write (connect, join, leave); this node's own rows are
read live.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import orjson
import redis.asyncio as redis
from redis.exceptions import RedisError
from redis.typing import EncodableT, FieldT

from oms.clock import Clock
from oms.domain.errors import DomainError
from oms.security.tokens import derive_key
from oms.tasks import cancel_and_wait

log = logging.getLogger(__name__)

Row = dict[str, Any]
Answer = TypeVar("Answer")
PRESENCE_ROLES = frozenset({"staff", "optometrist"})
DEFAULT_TTL_SECONDS = 10.0
_WRITE_CHUNK = 1000


class ClusterUnavailable(DomainError):
    """The cluster view lives in Redis, and Redis does not answer."""

    status = 503
    code = "cluster_unavailable"


class Directory(Protocol):
    async def connection_rows(self) -> list[Row]:
        """One row per socket on every live node (`gateway.connections.describe` + `node`)."""
        ...

    async def staff_rows(self) -> list[Row]:
        """The rows of staff members' and optometrists' sockets only (presence reads these)."""
        ...

    async def announced(self) -> dict[int, Announced] | None:
        """Whom presence has announced online and not yet offline, by user id; None while no
        node announces presence (the sockets alone then say who is online)."""
        ...

    async def close(self) -> None: ...


class LocalRows(Protocol):
    """What a directory reads of the gateway in its own process."""

    def connection_rows(self) -> list[dict[str, object]]: ...

    def staff_rows(self) -> list[dict[str, object]]:
        """The rows of PRESENCE_ROLES only, from the registry's staff index: presence reads these
        every second, and describing every socket to keep a few would cost O(sockets) a second
        (bench/sockets.py found it)."""
        ...

    def announced(self) -> dict[int, Announced]:
        """What this process's presence watch has announced (it always announces, alone)."""
        ...


class LocalDirectory:
    """No Redis: the gateway in this process, if any, is the whole cluster."""

    def __init__(self, local: Callable[[], LocalRows | None]) -> None:
        self._local = local

    async def connection_rows(self) -> list[Row]:
        gateway = self._local()
        return [dict(row) for row in gateway.connection_rows()] if gateway is not None else []

    async def staff_rows(self) -> list[Row]:
        gateway = self._local()
        return [dict(row) for row in gateway.staff_rows()] if gateway is not None else []

    async def announced(self) -> dict[int, Announced] | None:
        gateway = self._local()
        return gateway.announced() if gateway is not None else None

    async def close(self) -> None:
        return None


class Keys:
    """Redis key names, under a prefix of the deployment's own (derived from APP_KEY, as the bus
    channel is), so two deployments sharing a Redis never read each other's sockets."""

    def __init__(self, app_key: str) -> None:
        self.prefix = "oms:cluster:" + derive_key(app_key, "redis-cluster").hex()[:16]
        self.nodes = f"{self.prefix}:nodes"
        self.presence = f"{self.prefix}:presence"
        self.presence_leader = f"{self.prefix}:presence-leader"
        # pub/sub: some node's sockets changed (gateway/connections_signal.py)
        self.connections_changed = f"{self.prefix}:connections-changed"

    def node(self, node_id: str) -> str:
        return f"{self.prefix}:node:{node_id}"

    def sockets(self, node_id: str) -> str:
        return f"{self.prefix}:sockets:{node_id}"

    def staff(self, node_id: str) -> str:
        return f"{self.prefix}:staff:{node_id}"


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _by_socket(rows: list[Row]) -> dict[FieldT, EncodableT]:
    return {str(row["socket_id"]): orjson.dumps(row) for row in rows}


def new_node_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class _ClusterRedis:
    """What the readers of the view (`RedisDirectory`) and each node's writer (`NodeAnnouncer`)
    must agree on: the deployment's Redis keys, the clock heartbeats are stamped and judged by,
    and how long a silent node stays live."""

    def __init__(self, client: redis.Redis, keys: Keys, clock: Clock, ttl_seconds: float) -> None:
        self.client = client
        self.keys = keys
        self.clock = clock
        self.ttl_seconds = ttl_seconds


class RedisDirectory(_ClusterRedis):
    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        clock: Clock,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        local: Callable[[], LocalRows | None] | None = None,
        local_node: str | None = None,
    ) -> None:
        super().__init__(client, keys, clock, ttl_seconds)
        # This process's own gateway, read live instead of through Redis.
        self._local = local
        self._local_node = local_node

    async def live_nodes(self) -> list[str]:
        """Nodes whose last heartbeat is at most `ttl` old; forgets nodes whose keys are gone."""
        node_ids = sorted(text(member) for member in await self.client.smembers(self.keys.nodes))
        if not node_ids:
            return []
        beats = await self.client.mget([self.keys.node(node_id) for node_id in node_ids])
        now = self.clock.now().timestamp()
        live, gone = [], []
        for node_id, raw in zip(node_ids, beats, strict=True):
            if raw is None:
                gone.append(node_id)
            elif now - float(orjson.loads(raw)["beat_at"]) <= self.ttl_seconds:
                live.append(node_id)
        if gone:
            await self.client.srem(self.keys.nodes, *gone)
        return live

    async def _rows(
        self, key_of: Callable[[str], str], local_rows: Callable[[LocalRows], list[Row]]
    ) -> list[Row]:
        nodes = await self.live_nodes()
        remote = [node for node in nodes if node != self._local_node]
        rows: list[Row] = []
        local = self._local() if self._local is not None else None
        if local is not None and self._local_node in nodes:
            rows += [{**row, "node": self._local_node} for row in local_rows(local)]
        if remote:
            async with self.client.pipeline(transaction=False) as pipe:
                for node_id in remote:
                    pipe.hvals(key_of(node_id))
                answers = await pipe.execute()
            rows += [orjson.loads(raw) for values in answers for raw in values]
        return rows

    async def connection_rows(self) -> list[Row]:
        every_row = self._rows(self.keys.sockets, lambda local: local.connection_rows())
        return await self._answer(every_row)

    async def staff_rows(self) -> list[Row]:
        return await self._answer(self._rows(self.keys.staff, lambda local: local.staff_rows()))

    async def announced(self) -> dict[int, Announced] | None:
        return await self._answer(self._announced())

    async def _announced(self) -> dict[int, Announced] | None:
        # The leader's lease lapses when no node announces (every gateway stopped): what it
        # announced last is then no one's truth any more.
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.exists(self.keys.presence_leader)
            pipe.hgetall(self.keys.presence)
            leading, raw = await pipe.execute()
        return announced_from(raw) if leading else None

    @staticmethod
    async def _answer(reading: Coroutine[Any, Any, Answer]) -> Answer:
        try:
            return await reading
        except (RedisError, OSError):
            raise ClusterUnavailable(
                "the cluster view is kept in Redis, which does not answer; try again shortly"
            ) from None

    async def close(self) -> None:
        await self.client.aclose()


class NodeAnnouncer(_ClusterRedis):
    """Keeps one gateway node's sockets and heartbeat in Redis."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        clock: Clock,
        node_id: str,
        rows_now: Callable[[], list[dict[str, object]]],
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
    ) -> None:
        super().__init__(client, keys, clock, ttl_seconds)
        self.node_id = node_id
        self._rows_now = rows_now
        self._dirty: dict[str, Row | None] = {}
        self._wake = asyncio.Event()
        self._resync = True  # the first beat writes every row
        self._tasks: list[asyncio.Task[None]] = []
        # Called once changed rows are in Redis (a reader then sees them): the gateway's
        # `connections.changed` signal (gateway/connections_signal.py).
        self.on_written: Callable[[], None] | None = None

    def _written(self) -> None:
        if self.on_written is not None:
            self.on_written()

    @property
    def _expire_seconds(self) -> int:
        return max(30, int(self.ttl_seconds * 3))

    # --- what the gateway calls (synchronous: nothing on the connect path waits for Redis) ---

    def put(self, row: dict[str, object]) -> None:
        self._dirty[str(row["socket_id"])] = {**row, "node": self.node_id}
        self._wake.set()

    def drop(self, socket_id: str) -> None:
        self._dirty[socket_id] = None
        self._wake.set()

    # --- Redis --------------------------------------------------------------------------------

    async def flush(self) -> None:
        """Write the rows marked since the last flush."""
        dirty, self._dirty = self._dirty, {}
        if not dirty:
            return
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                for socket_id, row in dirty.items():
                    if row is None:
                        pipe.hdel(self.keys.sockets(self.node_id), socket_id)
                        pipe.hdel(self.keys.staff(self.node_id), socket_id)
                        continue
                    raw = orjson.dumps(row)
                    pipe.hset(self.keys.sockets(self.node_id), socket_id, raw)
                    if row["role"] in PRESENCE_ROLES:
                        pipe.hset(self.keys.staff(self.node_id), socket_id, raw)
                await pipe.execute()
            self._written()
        except (RedisError, OSError):
            log.warning("could not write %d socket row(s) to Redis; resyncing later", len(dirty))
            self._resync = True

    async def beat(self) -> None:
        """Say this node is alive; rewrite every row when Redis lost them (restart, flush)."""
        beat = orjson.dumps({"node": self.node_id, "beat_at": self.clock.now().timestamp()})
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.set(self.keys.node(self.node_id), beat, ex=self._expire_seconds, get=True)
                pipe.sadd(self.keys.nodes, self.node_id)
                pipe.expire(self.keys.sockets(self.node_id), self._expire_seconds)
                pipe.expire(self.keys.staff(self.node_id), self._expire_seconds)
                previous, *_ = await pipe.execute()
            if previous is None or self._resync:
                await self._rewrite()
        except (RedisError, OSError):
            log.warning("could not write node %s's heartbeat to Redis", self.node_id)
            self._resync = True

    async def _rewrite(self) -> None:
        self._dirty.clear()
        rows = [{**row, "node": self.node_id} for row in self._rows_now()]
        sockets, staff = self.keys.sockets(self.node_id), self.keys.staff(self.node_id)
        await self.client.delete(sockets, staff)
        for start in range(0, len(rows), _WRITE_CHUNK):
            chunk = rows[start : start + _WRITE_CHUNK]
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.hset(sockets, mapping=_by_socket(chunk))
                on_staff = _by_socket([r for r in chunk if r["role"] in PRESENCE_ROLES])
                if on_staff:
                    pipe.hset(staff, mapping=on_staff)
                pipe.expire(sockets, self._expire_seconds)
                pipe.expire(staff, self._expire_seconds)
                await pipe.execute()
        self._resync = False
        self._written()

    async def forget_node(self) -> None:
        """A clean stop: leave the view now rather than when the heartbeat goes stale."""
        with contextlib.suppress(RedisError, OSError):
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.srem(self.keys.nodes, self.node_id)
                pipe.delete(
                    self.keys.node(self.node_id),
                    self.keys.sockets(self.node_id),
                    self.keys.staff(self.node_id),
                )
                await pipe.execute()

    # --- the node's own loops -------------------------------------------------------------------

    async def start(self) -> None:
        await self.beat()
        self._tasks = [
            asyncio.create_task(self._beat_forever(), name="oms-node-heartbeat"),
            asyncio.create_task(self._flush_forever(), name="oms-node-rows"),
        ]

    async def stop(self) -> None:
        await cancel_and_wait(self._tasks)
        self._tasks = []
        await self.forget_node()

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.ttl_seconds / 3)
            await self.beat()

    async def _flush_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self.flush()


@dataclass(frozen=True, slots=True)
class OnlineUser:
    """Who an online staff member or optometrist is, as presence shows and announces them."""

    user_id: int
    name: str
    role: str
    branch_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Presence(OnlineUser):
    online_since: str  # the earliest connected_at of the user's sockets (ISO 8601, UTC)
    sockets: int


@dataclass(frozen=True, slots=True)
class Announced(OnlineUser):
    """What presence last announced of an online user (gateway/presence.py keeps it): when the
    view then said they came online, and `absent_since` while their offline is pending."""

    online_since: str | None = None
    absent_since: float | None = None

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "user_id": self.user_id,
                "name": self.name,
                "role": self.role,
                "branch_ids": list(self.branch_ids),
                "online_since": self.online_since,
                "absent_since": self.absent_since,
            }
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> Announced:
        data: dict[str, Any] = orjson.loads(raw)
        return cls(
            int(data["user_id"]),
            str(data["name"]),
            str(data["role"]),
            tuple(int(b) for b in data["branch_ids"]),
            data.get("online_since"),  # absent from what a release before it wrote
            data.get("absent_since"),
        )


def announced_from(raw: dict[Any, Any]) -> dict[int, Announced]:
    """The presence hash as Redis returns it (user id → Announced's JSON)."""
    return {int(user_id): Announced.from_json(value) for user_id, value in raw.items()}


def presence_of(rows: list[Row]) -> dict[int, Presence]:
    """Online staff members and optometrists from their socket rows, by user id."""
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(int(row["user_id"]), []).append(row)
    found = {}
    for user_id, own in grouped.items():
        newest = max(own, key=lambda row: str(row["connected_at"]))
        found[user_id] = Presence(
            user_id=user_id,
            name=str(newest["name"]),
            role=str(newest["role"]),
            branch_ids=tuple(sorted({int(b) for row in own for b in row["branch_ids"]})),
            online_since=min(str(row["connected_at"]) for row in own),
            sockets=len(own),
        )
    return found
