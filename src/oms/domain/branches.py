"""Branches of the chain."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Branch, User
from oms.domain.actors import Actor
from oms.domain.errors import Conflict, InvalidField, NotFound, PermissionDenied
from oms.events.recipients import branch_optometrists
from oms.events.recorder import commit
from oms.timezones import is_timezone


@dataclass(frozen=True)
class BranchChanges:
    name: str | None = None
    code: str | None = None
    address: str | None = None
    phone: str | None = None
    is_active: bool | None = None
    timezone: str | None = None


def _check_timezone(name: str) -> None:
    if not is_timezone(name):
        raise InvalidField("timezone", f"{name!r} is not an IANA time zone name (e.g. Asia/Manila)")


async def list_branches(session: AsyncSession, *, include_inactive: bool = False) -> list[Branch]:
    query = select(Branch).order_by(Branch.name)
    if not include_inactive:
        query = query.where(Branch.is_active.is_(True))
    return list((await session.scalars(query)).all())


async def get_branch(session: AsyncSession, branch_id: int) -> Branch:
    branch = await session.get(Branch, branch_id)
    if branch is None:
        raise NotFound(f"branch {branch_id} was not found")
    return branch


async def _check_code_free(session: AsyncSession, code: str, except_id: int | None = None) -> None:
    query = select(func.count()).where(Branch.code == code)
    if except_id is not None:
        query = query.where(Branch.id != except_id)
    if await session.scalar(query):
        raise Conflict(f"a branch with code {code} already exists", details={"field": "code"})


async def create_branch(
    session: AsyncSession,
    actor: Actor,
    *,
    name: str,
    code: str,
    address: str,
    phone: str,
    timezone: str,
) -> Branch:
    if not actor.is_admin:
        raise PermissionDenied("only admins create branches")
    _check_timezone(timezone)
    code = code.upper()
    await _check_code_free(session, code)
    branch = Branch(name=name, code=code, address=address, phone=phone, timezone=timezone)
    session.add(branch)
    await session.flush()
    await commit(session)
    return branch


async def update_branch(
    session: AsyncSession, actor: Actor, branch_id: int, changes: BranchChanges
) -> Branch:
    if not actor.is_admin:
        raise PermissionDenied("only admins change branches")
    branch = await get_branch(session, branch_id)
    if changes.timezone is not None:
        _check_timezone(changes.timezone)
    if changes.code is not None:
        await _check_code_free(session, changes.code.upper(), except_id=branch_id)
        changes = BranchChanges(**{**changes.__dict__, "code": changes.code.upper()})
    for field in fields(changes):
        value = getattr(changes, field.name)
        if value is not None:
            setattr(branch, field.name, value)
    await session.flush()
    await commit(session)
    return branch


async def bookable_optometrists(session: AsyncSession, branch_id: int) -> list[User]:
    """The optometrists who can be booked at an active branch: active, with an active schedule
    there. Any signed-in user may ask (customers need it to book; they cannot list users)."""
    branch = await get_branch(session, branch_id)
    if not branch.is_active:
        raise NotFound(f"branch {branch_id} was not found")
    ids = await branch_optometrists(session, branch_id)
    if not ids:
        return []
    query = select(User).where(User.id.in_(ids)).order_by(User.name, User.id)
    return list((await session.scalars(query)).all())
