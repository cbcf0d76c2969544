"""Optometrists' weekly schedules: when and where each one works, read and replaced as a whole.

Bookings and schedule changes of one optometrist are serialized by the same lock
(`lock_optometrist`), so a booking never slips into hours that a concurrent change is removing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Branch, Schedule, User
from oms.domain.actors import Actor
from oms.domain.appointment_rules import hhmm
from oms.domain.errors import InvalidField, NotFound, PermissionDenied
from oms.events import recipients
from oms.events.catalogue import BranchRef, PersonRef, ScheduleDraft, ScheduleSubject
from oms.events.recorder import commit, record_event

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class ScheduleRowSpec:
    branch_id: int
    day_of_week: int
    start_time: time
    end_time: time
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class WeeklySchedule:
    optometrist: User
    rows: list[tuple[Schedule, Branch]]


async def lock_optometrist(session: AsyncSession, optometrist_id: int) -> None:
    """Take the optometrist's booking lock until this transaction ends.

    An UPDATE row lock works on both backends: PostgreSQL queues the next writer of this row
    until commit, and its following reads (READ COMMITTED) then see what the first one wrote;
    SQLite's IMMEDIATE transactions already serialize every writer.
    """
    await session.execute(
        update(User)
        .where(User.id == optometrist_id)
        .values(booking_lock=User.booking_lock + 1)
        .execution_options(synchronize_session=False)
    )


async def hours_on(
    session: AsyncSession, optometrist_id: int, branch_id: int, weekday: int
) -> Schedule | None:
    """The optometrist's active hours at the branch on that weekday, if they work then."""
    return await session.scalar(
        select(Schedule).where(
            Schedule.optometrist_id == optometrist_id,
            Schedule.branch_id == branch_id,
            Schedule.day_of_week == weekday,
            Schedule.is_active.is_(True),
        )
    )


async def get_optometrist(session: AsyncSession, optometrist_id: int) -> User:
    user = await session.get(User, optometrist_id)
    if user is None or user.role != "optometrist":
        raise NotFound(f"optometrist {optometrist_id} was not found")
    return user


async def _rows(session: AsyncSession, optometrist_id: int) -> list[tuple[Schedule, Branch]]:
    result = await session.execute(
        select(Schedule, Branch)
        .join(Branch, Branch.id == Schedule.branch_id)
        .where(Schedule.optometrist_id == optometrist_id)
        .order_by(Schedule.branch_id, Schedule.day_of_week)
    )
    return [(schedule, branch) for schedule, branch in result]


async def read_schedule(session: AsyncSession, actor: Actor, optometrist_id: int) -> WeeklySchedule:
    """Admins and the optometrist see it all; staff see the rows of their own branch, and only
    when the optometrist works there (otherwise it is not theirs to see: 404)."""
    if actor.role == "customer":
        raise PermissionDenied("customers do not read schedules; ask for availability instead")
    optometrist = await get_optometrist(session, optometrist_id)
    rows = await _rows(session, optometrist_id)
    if actor.is_admin or actor.id == optometrist_id:
        return WeeklySchedule(optometrist, rows)
    if actor.role == "staff":
        mine = [(schedule, branch) for schedule, branch in rows if actor.works_at(branch.id)]
        if mine:
            return WeeklySchedule(optometrist, mine)
    raise NotFound(f"optometrist {optometrist_id} was not found")


async def _check_specs(session: AsyncSession, specs: list[ScheduleRowSpec]) -> None:
    seen: set[tuple[int, int]] = set()
    for index, spec in enumerate(specs):
        field = f"rows.{index}"
        if (spec.branch_id, spec.day_of_week) in seen:
            raise InvalidField(f"{field}.day_of_week", "this branch and day are listed twice")
        seen.add((spec.branch_id, spec.day_of_week))
        if spec.end_time <= spec.start_time:
            raise InvalidField(f"{field}.end_time", "must be after start_time")
        branch = await session.get(Branch, spec.branch_id)
        if branch is None or (spec.is_active and not branch.is_active):
            raise InvalidField(f"{field}.branch_id", f"there is no active branch {spec.branch_id}")


def _same(row: Schedule, spec: ScheduleRowSpec) -> bool:
    return (row.start_time, row.end_time, row.is_active) == (
        spec.start_time,
        spec.end_time,
        spec.is_active,
    )


async def replace_schedule(
    session: AsyncSession, actor: Actor, optometrist_id: int, specs: list[ScheduleRowSpec]
) -> WeeklySchedule:
    """Make the optometrist's week exactly `specs`; one schedule.updated per row that was
    created, changed or removed (a removed row is announced as no longer active)."""
    if not actor.is_admin:
        raise PermissionDenied("only admins change schedules")
    optometrist = await get_optometrist(session, optometrist_id)
    await _check_specs(session, specs)
    await lock_optometrist(session, optometrist_id)
    existing = {
        (row.branch_id, row.day_of_week): row for row, _ in await _rows(session, optometrist_id)
    }
    wanted = {(spec.branch_id, spec.day_of_week): spec for spec in specs}
    changed: list[Schedule] = []
    for key, row in existing.items():
        if key not in wanted:
            await session.delete(row)
            changed.append(_removed(row))
    for key, spec in wanted.items():
        row = existing.get(key) or Schedule(optometrist_id=optometrist_id, **_fields(spec))
        if key in existing and _same(row, spec):
            continue
        for name, value in _fields(spec).items():
            setattr(row, name, value)
        session.add(row)
        changed.append(row)
    await session.flush()
    for row in sorted(changed, key=lambda r: (r.branch_id, r.day_of_week)):
        await _record_change(session, optometrist, row)
    await commit(session)
    return WeeklySchedule(optometrist, await _rows(session, optometrist_id))


def _fields(spec: ScheduleRowSpec) -> dict[str, Any]:
    return asdict(spec)  # a spec's fields are its row's columns


def _removed(row: Schedule) -> Schedule:
    """A detached copy of a deleted row, inactive, to announce its removal."""
    spec = ScheduleRowSpec(
        row.branch_id, row.day_of_week, row.start_time, row.end_time, is_active=False
    )
    return Schedule(optometrist_id=row.optometrist_id, **_fields(spec))


async def _record_change(session: AsyncSession, optometrist: User, row: Schedule) -> None:
    branch = await session.get(Branch, row.branch_id)
    assert branch is not None  # checked in _check_specs or held by the foreign key
    day = DAY_NAMES[row.day_of_week]
    if row.is_active:
        hours = f"{hhmm(row.start_time)} to {hhmm(row.end_time)}"
        message = f"{optometrist.name} works at {branch.name} on {day}s from {hours}"
    else:
        message = f"{optometrist.name} no longer works at {branch.name} on {day}s"
    await record_event(
        session,
        ScheduleDraft(
            title="Schedule updated",
            message=message,
            level="info",
            schedule=ScheduleSubject(
                optometrist=PersonRef(id=optometrist.id, name=optometrist.name),
                branch=BranchRef(id=branch.id, name=branch.name),
                day_of_week=row.day_of_week,
                start_time=hhmm(row.start_time),
                end_time=hhmm(row.end_time),
                is_active=row.is_active,
            ),
        ),
        recipients=await recipients.for_schedule(
            session, optometrist_id=optometrist.id, branch_id=row.branch_id
        ),
    )
