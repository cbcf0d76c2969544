"""`oms connections`: read GET /connections of a gateway with the APP_KEY, and print a table."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from oms.api.deps import APP_KEY_HEADER

COLUMNS = (
    "socket_id",
    "user_id",
    "name",
    "role",
    "branch_ids",
    "transport",
    "channels",
    "connected_at",
)


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
