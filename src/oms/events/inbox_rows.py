"""Writing an event's inbox rows: one statement for any number of recipients (DESIGN §12).

A broadcast to a role writes one inbox row per member. Handing SQLAlchemy a list of row dicts
with `RETURNING` (its "insertmanyvalues") cost 0.5-0.8 s for 5,000 rows on PostgreSQL (parameter
processing and RETURNING bookkeeping per row in Python) and about 1 s on SQLite, where keeping
RETURNING in parameter order made it run one INSERT per row, each a round trip to aiosqlite's
thread (bench/README.md, "Broadcasts persist at socket speed"). Here the recipient list travels
as ONE parameter (a PostgreSQL array, a JSON array on SQLite), the database expands it, and the
(user id, inbox id) pairs come back in one result: O(N) inside the database, O(1) statements and
O(1) Python objects per batch on the request's path.

PostgreSQL returns the pairs as two arrays (asyncpg decodes them in C, no row objects); SQLite
returns rows, sorted here. Either way the result is the `Recipients` the envelope carries, in
user id order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import BigInteger, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.base import UTCDateTime
from oms.events.envelope import Recipients

# `read_at` is `now` for every row when `all_read` (ambient events), else only for the actor's
# own copy (NULL = NULL is not true, so no actor means no row read). PostgreSQL needs the types
# of parameters that only appear in the select list.
_POSTGRESQL = text(
    "WITH written AS ("
    " INSERT INTO notifications (user_id, event_id, read_at, created_at)"
    " SELECT u, CAST(:event_id AS BIGINT),"
    "  CASE WHEN CAST(:all_read AS BOOLEAN) OR u = CAST(:actor AS BIGINT)"
    "   THEN CAST(:now AS TIMESTAMPTZ) END,"
    "  CAST(:now AS TIMESTAMPTZ)"
    " FROM unnest(:user_ids) AS t(u)"
    " RETURNING user_id, id)"
    " SELECT array_agg(user_id ORDER BY user_id), array_agg(id ORDER BY user_id) FROM written"
).bindparams(
    bindparam("user_ids", type_=ARRAY(BigInteger())),
    bindparam("now", type_=UTCDateTime()),
)

_SQLITE = text(
    "INSERT INTO notifications (user_id, event_id, read_at, created_at)"
    " SELECT u, :event_id, CASE WHEN :all_read OR u = :actor THEN :now END, :now"
    " FROM (SELECT CAST(value AS INTEGER) AS u FROM json_each(:user_ids))"
    " RETURNING user_id, id"
).bindparams(bindparam("now", type_=UTCDateTime()))


async def write_inbox_rows(
    session: AsyncSession,
    *,
    event_id: int,
    user_ids: list[int],
    actor_id: int | None,
    all_read: bool,
    now: datetime,
) -> Recipients:
    """Insert one inbox row per user (distinct ids) for the event; returns the pairs by user id."""
    if not user_ids:
        return Recipients([], [])
    params: dict[str, Any] = {
        "event_id": event_id,
        "actor": actor_id,
        "all_read": all_read,
        "now": now,
    }
    if session.get_bind().dialect.name == "postgresql":
        params["user_ids"] = user_ids
        users, inboxes = (await session.execute(_POSTGRESQL, params)).one()
        return Recipients(list(users), list(inboxes))
    params["user_ids"] = orjson.dumps(user_ids).decode()
    rows = sorted((int(user), int(inbox)) for user, inbox in await session.execute(_SQLITE, params))
    return Recipients([user for user, _ in rows], [inbox for _, inbox in rows])
