"""Writing an event's inbox rows: one statement for any number of recipients (DESIGN §12).

A broadcast to a role writes one inbox row per member. Handing SQLAlchemy a list of row dicts
with `RETURNING` (its "insertmanyvalues") cost 0.5-0.8 s for 5,000 rows on PostgreSQL (parameter
processing and RETURNING bookkeeping per row in Python) and about 1 s on SQLite, where keeping
RETURNING in parameter order made it run one INSERT per row, each a round trip to aiosqlite's
thread (bench/README.md, "Broadcasts persist at socket speed"). Here the recipient list travels
as ONE parameter (a PostgreSQL array, a JSON array on SQLite), the database expands it, and the
(user id, inbox id) pairs come back in one result: O(N) inside the database, one statement and
no per-row Python work on the request's path beyond the returned ids. A role's or branch's
members (an `Audience`) are not even sent: its query is the SELECT of the INSERT ... SELECT, so
100,000 member ids never travel to Python and back (0.8-1.5 s at 100,000 on the bench machine).

PostgreSQL returns the pairs as two arrays (asyncpg decodes them in C, no row objects); SQLite
returns rows, sorted here. Either way the result is the `Recipients` the envelope carries, in
user id order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import (
    BigInteger,
    Insert,
    Table,
    bindparam,
    case,
    func,
    insert,
    literal,
    null,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.base import UTCDateTime
from oms.db.models import Notification
from oms.events.envelope import Recipients
from oms.events.recipients import Audience

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


def _from_audience(
    audience: Audience, *, event_id: int, actor_id: int | None, all_read: bool, now: datetime
) -> Insert:
    """INSERT ... SELECT over the audience's query: the ids never leave the database."""
    members = audience.query.subquery("members")
    user_id = members.c[0]
    stamp = literal(now, UTCDateTime())
    read_at: Any = (
        stamp
        if all_read
        else null()
        if actor_id is None
        else case((user_id == actor_id, stamp), else_=null())
    )
    rows = select(user_id, literal(event_id, BigInteger()), read_at, stamp)
    return insert(cast(Table, Notification.__table__)).from_select(
        ["user_id", "event_id", "read_at", "created_at"], rows
    )


async def _write_audience(
    session: AsyncSession, written: Insert, *, postgresql: bool
) -> Recipients:
    table = cast(Table, Notification.__table__)
    returning = written.returning(table.c.user_id, table.c.id)
    if postgresql:
        rows = returning.cte("written")
        by_user = rows.c.user_id
        users, inboxes = (
            await session.execute(
                select(
                    func.array_agg(aggregate_order_by(rows.c.user_id, by_user)),
                    func.array_agg(aggregate_order_by(rows.c.id, by_user)),
                )
            )
        ).one()
        return Recipients(list(users or []), list(inboxes or []))
    return _by_user(await session.execute(returning))


def _by_user(rows: Iterable[Any]) -> Recipients:
    """SQLite's RETURNING rows as the envelope's `Recipients`, in user id order."""
    pairs = sorted((int(user), int(inbox)) for user, inbox in rows)
    return Recipients([user for user, _ in pairs], [inbox for _, inbox in pairs])


async def write_inbox_rows(
    session: AsyncSession,
    *,
    event_id: int,
    user_ids: list[int] | Audience,
    actor_id: int | None,
    all_read: bool,
    now: datetime,
) -> Recipients:
    """Insert one inbox row per user (distinct ids, or each member of an audience) for the event;
    returns the (user id, inbox id) pairs by user id."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    if isinstance(user_ids, Audience):
        written = _from_audience(
            user_ids, event_id=event_id, actor_id=actor_id, all_read=all_read, now=now
        )
        return await _write_audience(session, written, postgresql=postgresql)
    if not user_ids:
        return Recipients([], [])
    params: dict[str, Any] = {
        "event_id": event_id,
        "actor": actor_id,
        "all_read": all_read,
        "now": now,
    }
    if postgresql:
        params["user_ids"] = user_ids
        users, inboxes = (await session.execute(_POSTGRESQL, params)).one()
        return Recipients(list(users), list(inboxes))
    params["user_ids"] = orjson.dumps(user_ids).decode()
    return _by_user(await session.execute(_SQLITE, params))
