"""Each user's choice of channels per event family, and quiet hours (DESIGN §10).

Only overrides are stored, merged over the role's defaults on every read: a default changed in a
later release reaches everyone who never touched that switch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import NotificationPreference
from oms.delivery.families import CHANNELS, FAMILIES, role_defaults
from oms.delivery.quiet_hours import QuietHours, parse_quiet_hours
from oms.domain.actors import Actor
from oms.domain.errors import InvalidField
from oms.events.recorder import commit


@dataclass(frozen=True, slots=True)
class Preferences:
    channels: dict[str, dict[str, bool]]
    quiet_hours: QuietHours | None

    def wants(self, family: str, channel: str) -> bool:
        return self.channels.get(family, {}).get(channel, False)


@dataclass(frozen=True, slots=True)
class QuietHoursInput:
    start: str
    end: str
    timezone: str


def effective(role: str, row: NotificationPreference | None) -> Preferences:
    channels = role_defaults(role)
    if row is None:
        return Preferences(channels, None)
    for family, chosen in (row.channels or {}).items():
        if family in channels:
            channels[family].update({k: bool(v) for k, v in chosen.items() if k in CHANNELS})
    quiet = None
    if row.quiet_start is not None and row.quiet_end is not None and row.quiet_timezone:
        quiet = QuietHours(row.quiet_start, row.quiet_end, row.quiet_timezone)
    return Preferences(channels, quiet)


async def get_preferences(session: AsyncSession, actor: Actor) -> Preferences:
    return effective(actor.role, await session.get(NotificationPreference, actor.id))


def _check_channels(channels: dict[str, dict[str, bool]]) -> None:
    for family, chosen in channels.items():
        if family not in FAMILIES:
            raise InvalidField(
                f"channels.{family}", f"unknown family; one of {', '.join(FAMILIES)}"
            )
        for channel in chosen:
            if channel not in CHANNELS:
                raise InvalidField(
                    f"channels.{family}.{channel}", "unknown channel; one of email, push"
                )


async def _row_for(session: AsyncSession, user_id: int) -> NotificationPreference:
    row = await session.scalar(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    )
    if row is None:
        row = NotificationPreference(user_id=user_id, channels={})
        session.add(row)
    return row


def _merged(stored: dict[str, Any] | None, changes: dict[str, dict[str, bool]]) -> dict[str, Any]:
    merged: dict[str, Any] = {family: dict(chosen) for family, chosen in (stored or {}).items()}
    for family, chosen in changes.items():
        merged.setdefault(family, {}).update(chosen)
    return merged  # a new object, so the JSON column sees the change


async def update_preferences(
    session: AsyncSession,
    actor: Actor,
    *,
    channels: dict[str, dict[str, bool]] | None,
    quiet_hours: QuietHoursInput | None,
    clear_quiet_hours: bool,
) -> Preferences:
    """Merge a subset: families and channels not sent keep their value; quiet hours change only
    when sent (`null` turns them off)."""
    if channels:
        _check_channels(channels)
    quiet = (
        parse_quiet_hours(quiet_hours.start, quiet_hours.end, quiet_hours.timezone)
        if quiet_hours is not None
        else None
    )
    row = await _row_for(session, actor.id)
    if channels:
        row.channels = _merged(row.channels, channels)
    if quiet is not None:
        row.quiet_start, row.quiet_end, row.quiet_timezone = quiet.start, quiet.end, quiet.timezone
    elif clear_quiet_hours:
        row.quiet_start = row.quiet_end = row.quiet_timezone = None
    await session.flush()
    await commit(session)
    return effective(actor.role, row)


async def turn_off_email(session: AsyncSession, user_id: int, family: str) -> None:
    """What a signed unsubscribe link does (no sign-in: the link itself is the authority)."""
    row = await _row_for(session, user_id)
    row.channels = _merged(row.channels, {family: {"email": False}})
    await session.flush()
    await commit(session)
