"""Who receives what (DESIGN §4). Each function returns user ids; a set, so each user once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Schedule, User


async def _active_users(session: AsyncSession, *conditions: object) -> set[int]:
    rows = await session.scalars(select(User.id).where(User.is_active.is_(True), *conditions))  # type: ignore[arg-type]
    return set(rows.all())


async def admins(session: AsyncSession) -> set[int]:
    return await _active_users(session, User.role == "admin")


async def branch_staff(session: AsyncSession, branch_id: int) -> set[int]:
    return await _active_users(session, User.role == "staff", User.branch_id == branch_id)


def _working_at(branch_id: int) -> Select[int]:
    """The optometrists with an active schedule at the branch."""
    return select(Schedule.optometrist_id).where(
        Schedule.branch_id == branch_id, Schedule.is_active.is_(True)
    )


async def branch_optometrists(session: AsyncSession, branch_id: int) -> set[int]:
    return await _active_users(
        session, User.role == "optometrist", User.id.in_(_working_at(branch_id))
    )


async def role_members(session: AsyncSession, role: str) -> set[int]:
    return await _members(session, role_audience(role))


async def branch_members(session: AsyncSession, branch_id: int) -> set[int]:
    """Everyone in the `branch.{id}` channel: its staff and the optometrists who work there."""
    return await _members(session, branch_audience(branch_id))


async def for_appointment(
    session: AsyncSession, *, patient_id: int, optometrist_id: int, branch_id: int
) -> set[int]:
    return (
        {patient_id, optometrist_id}
        | await branch_staff(session, branch_id)
        | await admins(session)
    )


async def for_inventory(session: AsyncSession, branch_id: int) -> set[int]:
    return await branch_staff(session, branch_id) | await admins(session)


def for_prescription(*, patient_id: int, optometrist_id: int) -> set[int]:
    return {patient_id, optometrist_id}


async def for_schedule(session: AsyncSession, *, optometrist_id: int, branch_id: int) -> set[int]:
    return {optometrist_id} | await branch_staff(session, branch_id)


# --- DESIGN §11: orders and reminders ---------------------------------------------------------


async def for_order(
    session: AsyncSession, *, patient_id: int, branch_id: int, late: bool = False
) -> set[int]:
    """The patient and the branch's staff; admins too when the order is late."""
    users = {patient_id} | await branch_staff(session, branch_id)
    return users | await admins(session) if late else users


def for_reminder(*, patient_id: int) -> set[int]:
    return {patient_id}


async def for_presence(session: AsyncSession, branch_ids: Iterable[int]) -> set[int]:
    """A staff member's or optometrist's presence (DESIGN §12): the members of their branches,
    and the admins (who see every branch's "Online now")."""
    found = await admins(session)
    for branch_id in branch_ids:
        found |= await branch_members(session, branch_id)
    return found


# --- DESIGN §12: audiences resolved where the inbox rows are written --------------------------


@dataclass(frozen=True, slots=True)
class Audience:
    """Everyone a query selects (one column: user ids, each once), for `record_event`'s
    `recipients`: the inbox rows are then written by one INSERT ... SELECT over it
    (events/inbox_rows.py), so a broadcast to 100,000 members never brings their ids into Python
    and back. Resolved in the recording transaction: members who join later are not in it."""

    query: Select[Any]


def role_audience(role: str) -> Audience:
    return Audience(select(User.id).where(User.is_active.is_(True), User.role == role))


def branch_audience(branch_id: int) -> Audience:
    """The `branch.{id}` channel's members: its staff and the optometrists who work there."""
    return Audience(
        select(User.id).where(
            User.is_active.is_(True),
            or_(
                and_(User.role == "staff", User.branch_id == branch_id),
                and_(User.role == "optometrist", User.id.in_(_working_at(branch_id))),
            ),
        )
    )


async def _members(session: AsyncSession, audience: Audience) -> set[int]:
    return set((await session.scalars(audience.query)).all())
