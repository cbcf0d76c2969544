"""`oms connections`: the cluster's sockets from Redis (every node), or GET /connections of a
gateway with the APP_KEY; printed as a table."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import redis.asyncio as redis

from oms.clock import SYSTEM_CLOCK
from oms.cluster import ClusterUnavailable, Keys, RedisDirectory
from oms.config import Settings
from oms.http.headers import APP_KEY_HEADER

COLUMNS = (
    "socket_id",
    "user_id",
    "name",
    "role",
    "branch_ids",
    "transport",
    "channels",
    "connected_at",
    "node",
)


async def cluster_rows(settings: Settings) -> list[dict[str, Any]]:
    """Every live node's sockets, read from Redis as a gateway or the API would."""
    assert settings.redis_url
    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5)
    directory = RedisDirectory(
        client, Keys(settings.app_key), SYSTEM_CLOCK, ttl_seconds=settings.oms_node_ttl_seconds
    )
    try:
        rows = await directory.connection_rows()
    except ClusterUnavailable as error:
        raise OSError(error.message) from None
    finally:
        await directory.close()
    return sorted(rows, key=lambda row: (str(row.get("node")), str(row["connected_at"])))


def fetch_connections(base_url: str, app_key: str, *, timeout: float = 5.0) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        base_url.rstrip("/") + "/connections", headers={APP_KEY_HEADER: app_key}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise OSError(f"HTTP {error.code}: {error.read().decode(errors='replace')}") from None
    rows: list[dict[str, Any]] = body["connections"]
    return rows


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value) or "-"
    return str(value)


def format_rows(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no connections"
    table = [list(COLUMNS)] + [[_cell(row.get(column)) for column in COLUMNS] for row in rows]
    widths = [max(len(line[index]) for line in table) for index in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in table
    ]
    return "\n".join(line.rstrip() for line in lines) + f"\n{len(rows)} connection(s)"
