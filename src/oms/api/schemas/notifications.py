"""The notification inbox and broadcasts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from oms.api.schemas.common import BigIdValue, Id, Out, Schema
from oms.domain.notifications import DEFAULT_PAGE, MAX_PAGE


class NotificationOut(Out):
    id: int = Field(description="the inbox row (use as before_id for the next page)")
    event_id: int
    event: str
    title: str
    message: str
    level: Literal["success", "info", "warning", "error"]
    data: dict[str, Any] = Field(
        description="a notification's own data; for other events, the event's subject"
    )
    created_at: datetime
    read_at: datetime | None


class InboxPageQuery(BaseModel):
    """A page of the inbox, newest first: `list_inbox`'s keyword arguments. (A query, not a body:
    unknown query parameters are ignored, as on every other GET.)"""

    before_id: BigIdValue | None = None
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    unread: bool = False


class UnreadCountOut(Out):
    count: int


class MarkedCountOut(Out):
    count: int = Field(description="how many rows this call marked read")


class BroadcastIn(Schema):
    """Exactly one of `user_ids`, `role`, `branch_id`."""

    title: str = Field(min_length=1, max_length=200)
    message: str = Field(min_length=1, max_length=2000)
    type: Literal["general", "alert", "urgent"] = "general"
    user_ids: list[Id] | None = Field(None, min_length=1, max_length=10_000)
    role: Literal["admin", "staff", "optometrist", "customer"] | None = None
    branch_id: Id | None = None
    data: dict[str, Any] | None = None


class BroadcastOut(Out):
    event_id: int
    recipients: int = Field(description="how many users it was addressed to")
