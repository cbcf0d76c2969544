"""Who is acting: the signed-in user with the role and branches every rule is checked against."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Schedule, User

Role = Literal["admin", "staff", "optometrist", "customer"]
ROLES: tuple[str, ...] = get_args(Role)


@dataclass(frozen=True, slots=True)
class Actor:
    id: int
    role: Role
    name: str
    email: str
    # Branches whose channel this user is in: a staff member's branch, an optometrist's
    # scheduled branches. Customers are in none (a home branch is not membership).
    branch_ids: frozenset[int]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def works_at(self, branch_id: int) -> bool:
        return self.role in ("staff", "optometrist") and branch_id in self.branch_ids


async def work_branches(session: AsyncSession, users: Sequence[User]) -> dict[int, frozenset[int]]:
    """Each user's branch channels (`Actor.branch_ids`), by id: a staff member's branch, the
    branches of an optometrist's active schedule rows; none for admins and customers. One query
    for all the optometrists among `users`."""
    optometrists = [user.id for user in users if user.role == "optometrist"]
    scheduled: dict[int, set[int]] = {}
    if optometrists:
        rows = await session.execute(
            select(Schedule.optometrist_id, Schedule.branch_id)
            .where(Schedule.optometrist_id.in_(optometrists), Schedule.is_active.is_(True))
            .distinct()
        )
        for optometrist_id, branch_id in rows:
            scheduled.setdefault(optometrist_id, set()).add(branch_id)

    def of(user: User) -> frozenset[int]:
        if user.role == "staff":
            return frozenset({user.branch_id}) if user.branch_id is not None else frozenset()
        return frozenset(scheduled.get(user.id, ()))

    return {user.id: of(user) for user in users}


async def branch_ids_of(session: AsyncSession, user: User) -> frozenset[int]:
    return (await work_branches(session, [user]))[user.id]


async def actor_for(session: AsyncSession, user: User) -> Actor:
    role: Role = user.role  # type: ignore[assignment]  # the table's CHECK constrains it
    return Actor(user.id, role, user.name, user.email, await branch_ids_of(session, user))
