"""Each user's durable inbox (one row per recipient per event) and broadcasts (DESIGN §4, §5).

Reading and marking read touch only the caller's own rows; someone else's row reads as missing.
Marking read is not news: it makes no inbox row, only an `inbox.read` message to the reader's own
sockets, so every tab and device of theirs agrees at once.

Decisions where the design is silent:
- `unread=true` lists only unread rows; absent or false lists all.
- A broadcast to a role or branch with no members is still recorded (0 recipients) so the log
  shows it was sent; a broadcast to unknown or inactive user ids is refused.
- A broadcast's `data` is limited to 16 KiB of JSON: it travels to every recipient's socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal, get_args

import orjson
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.base import utcnow
from oms.db.models import Branch, EventRecord, Notification, User
from oms.domain.actors import ROLES, Actor
from oms.domain.errors import InvalidField, NotFound, PermissionDenied
from oms.events.catalogue import (
    BASE_FIELDS,
    InboxReadDraft,
    Level,
    NotificationDraft,
    NotificationEventName,
    is_per_recipient,
)
from oms.events.recipients import Audience, branch_audience, role_audience
from oms.events.recorder import commit, record_event, record_user_message

BroadcastType = Literal["general", "alert", "urgent"]
BROADCAST_TYPES: Final = get_args(BroadcastType)
LEVELS: Final[dict[str, Level]] = {"general": "info", "alert": "warning", "urgent": "error"}
EVENT_NAMES: Final[dict[str, NotificationEventName]] = {
    "general": "notification.general",
    "alert": "notification.alert",
    "urgent": "notification.urgent",
}
MAX_DATA_BYTES: Final = 16 * 1024
DEFAULT_PAGE: Final = 20
MAX_PAGE: Final = 100


@dataclass(frozen=True, slots=True)
class InboxItem:
    id: int
    event_id: int
    event: str
    title: str
    message: str
    level: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


def inbox_data(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What the inbox shows under `data`: a notification's own data, else the event's subject."""
    if is_per_recipient(name):
        data: dict[str, Any] = payload.get("data", {})
        return data
    return {key: value for key, value in payload.items() if key not in BASE_FIELDS}


def _item(row: Notification, record: EventRecord) -> InboxItem:
    payload = record.payload
    return InboxItem(
        id=row.id,
        event_id=record.id,
        event=record.name,
        title=str(payload.get("title", "")),
        message=str(payload.get("message", "")),
        level=str(payload.get("level", "info")),
        data=inbox_data(record.name, payload),
        created_at=row.created_at,
        read_at=row.read_at,
    )


def _inbox(actor: Actor) -> Any:
    return (
        select(Notification, EventRecord)
        .join(EventRecord, EventRecord.id == Notification.event_id)
        .where(Notification.user_id == actor.id)
    )


async def list_inbox(
    session: AsyncSession,
    actor: Actor,
    *,
    before_id: int | None = None,
    limit: int = DEFAULT_PAGE,
    unread: bool = False,
) -> list[InboxItem]:
    """Newest first. The next page is `before_id` = the last row's id (a cursor that stays right
    while new rows arrive, unlike an offset)."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidField("limit", f"must be between 1 and {MAX_PAGE}")
    query = (
        _inbox(actor)
        # Ambient events (presence) keep screens current; they are not inbox items.
        .where(EventRecord.name.not_like("presence.%"))
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    rows = await session.execute(query)
    return [_item(row, record) for row, record in rows.all()]


async def unread_count(session: AsyncSession, actor: Actor) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    )
    return int(count or 0)


async def mark_read(session: AsyncSession, actor: Actor, notification_id: int) -> InboxItem:
    """Idempotent: a row already read keeps its first read time."""
    found = (
        await session.execute(_inbox(actor).where(Notification.id == notification_id))
    ).one_or_none()
    if found is None:
        raise NotFound(f"notification {notification_id} was not found")
    row, record = found
    if row.read_at is None:
        row.read_at = utcnow()
        await session.flush()
        await _tell_own_sockets(session, actor, ids=[row.id], everything=False)
    await commit(session)
    return _item(row, record)


async def mark_all_read(session: AsyncSession, actor: Actor) -> int:
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        await _tell_own_sockets(session, actor, ids=[], everything=True)
    await commit(session)
    return count


async def _tell_own_sockets(
    session: AsyncSession, actor: Actor, *, ids: list[int], everything: bool
) -> None:
    await record_user_message(
        session,
        InboxReadDraft(
            user_id=actor.id,
            ids=ids,
            all=everything,
            unread_count=await unread_count(session, actor),
        ),
    )


# --- broadcasts ---------------------------------------------------------------------------------

_TARGET_FIELDS: Final = ("user_ids", "role", "branch_id")


def _check_target(user_ids: list[int] | None, role: str | None, branch_id: int | None) -> None:
    given = [
        field
        for field, value in zip(_TARGET_FIELDS, (user_ids, role, branch_id), strict=True)
        if value is not None
    ]
    if len(given) != 1:
        got = ", ".join(given) if given else "none"
        error = InvalidField(
            "|".join(_TARGET_FIELDS),
            f"give exactly one of user_ids, role or branch_id (got {got})",
        )
        error.details["given"] = given
        raise error


async def _check_users(session: AsyncSession, user_ids: list[int]) -> set[int]:
    wanted = set(user_ids)
    if not wanted:
        raise InvalidField("user_ids", "must not be empty")
    found = set(
        (
            await session.scalars(
                select(User.id).where(User.id.in_(wanted), User.is_active.is_(True))
            )
        ).all()
    )
    missing = sorted(wanted - found)
    if missing:
        raise InvalidField(
            "user_ids", f"there is no active user {', '.join(str(i) for i in missing)}"
        )
    return found


async def resolve_recipients(
    session: AsyncSession, user_ids: list[int] | None, role: str | None, branch_id: int | None
) -> set[int] | Audience:
    """Listed users are checked here; a role's or branch's members are an `Audience` the
    database resolves as it writes their inbox rows (DESIGN §12: no per-member work here)."""
    _check_target(user_ids, role, branch_id)
    if user_ids is not None:
        return await _check_users(session, user_ids)
    if role is not None:
        if role not in ROLES:
            raise InvalidField("role", f"must be one of {', '.join(ROLES)}")
        return role_audience(role)
    assert branch_id is not None
    if await session.get(Branch, branch_id) is None:
        raise InvalidField("branch_id", f"there is no branch {branch_id}")
    return branch_audience(branch_id)


def _check_content(title: str, message: str, type: str, data: dict[str, Any] | None) -> None:
    if type not in BROADCAST_TYPES:
        raise InvalidField("type", f"must be one of {', '.join(BROADCAST_TYPES)}")
    if not title.strip():
        raise InvalidField("title", "must not be empty")
    if not message.strip():
        raise InvalidField("message", "must not be empty")
    if data is not None and len(orjson.dumps(data)) > MAX_DATA_BYTES:
        raise InvalidField("data", f"must be at most {MAX_DATA_BYTES} bytes of JSON")


async def broadcast(
    session: AsyncSession,
    *,
    sender: Actor | None,
    title: str,
    message: str,
    type: str,
    user_ids: list[int] | None = None,
    role: str | None = None,
    branch_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> tuple[int, int]:
    """Send a general / alert / urgent notification to exactly one target: these users, everyone
    with this role, or this branch's members (its staff and the optometrists working there).

    `sender` None is the system itself (the CLI, `notify_*`, a backend presenting APP_KEY).
    Returns (event id, number of recipients).
    """
    if sender is not None and not sender.is_admin:
        raise PermissionDenied("only admins send notifications")
    _check_content(title, message, type, data)
    recipients = await resolve_recipients(session, user_ids, role, branch_id)
    event = await record_event(
        session,
        NotificationDraft(
            event=EVENT_NAMES[type],
            title=title,
            message=message,
            level=LEVELS[type],
            data=data or {},
        ),
        recipients=recipients,
    )
    await commit(session)
    return event.event_id, len(event.recipients)
