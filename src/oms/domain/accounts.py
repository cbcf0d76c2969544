"""Accounts: log-in, self-registration, and admins creating users."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Branch, User
from oms.domain.actors import Actor, Role, actor_for
from oms.domain.errors import Conflict, InvalidCredentials, InvalidField, NotFound, PermissionDenied
from oms.domain.sessions import revoke_all_tokens
from oms.events.recipients import branch_optometrists
from oms.events.recorder import commit
from oms.security.passwords import hash_password_async, verify_password_async


@dataclass(frozen=True)
class UserChanges:
    """An admin's edit of a user; None leaves a field as it is. `branch_ids` is the user's branch
    membership: exactly one for staff, at most one (the home branch) for a customer, none for an
    admin; an optometrist's branches follow their schedule and are not set here."""

    name: str | None = None
    phone: str | None = None
    role: Role | None = None
    branch_ids: list[int] | None = None
    is_active: bool | None = None


@dataclass(frozen=True)
class NewUser:
    email: str
    password: str
    name: str
    role: Role
    phone: str = ""
    branch_id: int | None = None


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def authenticate(session: AsyncSession, email: str, password: str) -> tuple[User, Actor]:
    user = await session.scalar(select(User).where(User.email == normalize_email(email)))
    if not await verify_password_async(user.password_hash if user else None, password) or not user:
        raise InvalidCredentials("email or password is wrong")
    if not user.is_active:
        raise InvalidCredentials("this account is disabled")
    return user, await actor_for(session, user)


async def _check_branch(session: AsyncSession, branch_id: int | None, field: str) -> None:
    if branch_id is None:
        return
    branch = await session.get(Branch, branch_id)
    if branch is None or not branch.is_active:
        raise InvalidField(field, f"there is no active branch {branch_id}")


async def create_user(session: AsyncSession, new: NewUser) -> User:
    """Insert a user (the caller decides who may). Staff need a branch; admins have none."""
    if new.role == "staff" and new.branch_id is None:
        raise InvalidField("branch_id", "staff must belong to a branch")
    if new.role in ("admin", "optometrist") and new.branch_id is not None:
        raise InvalidField("branch_id", f"a user with role {new.role} has no branch_id")
    await _check_branch(session, new.branch_id, "branch_id")
    email = normalize_email(new.email)
    taken = await session.scalar(select(func.count()).where(User.email == email))
    if taken:
        raise Conflict("an account with this email already exists", details={"field": "email"})
    user = User(
        email=email,
        name=new.name,
        phone=new.phone,
        password_hash=await hash_password_async(new.password),
        role=new.role,
        branch_id=new.branch_id,
    )
    session.add(user)
    try:
        await session.flush()
        await commit(session)
    except IntegrityError:  # a concurrent registration took the email first
        await session.rollback()
        raise Conflict(
            "an account with this email already exists", details={"field": "email"}
        ) from None
    return user


async def register_customer(session: AsyncSession, new: NewUser) -> User:
    await _check_branch(session, new.branch_id, "home_branch_id")
    return await create_user(session, NewUser(**{**new.__dict__, "role": "customer"}))


async def admin_create_user(session: AsyncSession, actor: Actor, new: NewUser) -> User:
    if not actor.is_admin:
        raise PermissionDenied("only admins create users")
    return await create_user(session, new)


async def list_users(
    session: AsyncSession, actor: Actor, *, role: str | None = None, branch_id: int | None = None
) -> list[User]:
    """Admins see everyone, or a branch's people with `branch_id`; staff see the people of their
    own branch. A branch's people: its staff, the customers whose home branch it is, and the
    active optometrists its schedule names."""
    query = select(User).order_by(User.id)
    if role is not None:
        query = query.where(User.role == role)
    if actor.is_admin:
        if branch_id is None:
            return list((await session.scalars(query)).all())
    else:
        if actor.role != "staff":
            raise PermissionDenied("only admins and staff list users")
        (own_branch,) = actor.branch_ids
        if branch_id is not None and branch_id != own_branch:
            raise NotFound(f"branch {branch_id} was not found")
        branch_id = own_branch
    optometrists = await branch_optometrists(session, branch_id)
    query = query.where((User.branch_id == branch_id) | User.id.in_(optometrists))
    return list((await session.scalars(query)).all())


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} was not found")
    return user


async def change_password(
    session: AsyncSession, actor: Actor, current_password: str, new_password: str
) -> User:
    """Set a new password and revoke every token issued so far (the caller issues a fresh one,
    so this session goes on while every other one is signed out)."""
    user = await get_user(session, actor.id)
    if not await verify_password_async(user.password_hash, current_password):
        raise InvalidCredentials("the current password is wrong")
    user.password_hash = await hash_password_async(new_password)
    await revoke_all_tokens(session, user)
    await commit(session)
    return user


def _branch_of(role: str, branch_ids: list[int] | None, current: int | None) -> int | None:
    if branch_ids is None:
        branch_ids = [current] if current is not None else []
    if len(set(branch_ids)) > 1:
        raise InvalidField("branch_ids", "a user belongs to at most one branch")
    branch = branch_ids[0] if branch_ids else None
    if role == "staff" and branch is None:
        raise InvalidField("branch_ids", "staff must belong to a branch")
    if role in ("admin", "optometrist") and branch is not None:
        raise InvalidField("branch_ids", f"a user with role {role} has no branch")
    return branch


async def update_user(
    session: AsyncSession, actor: Actor, user_id: int, changes: UserChanges
) -> User:
    """An admin edits a user. Disabling, or a change of role or branch, revokes every token the
    user holds and closes their sockets: their rights were decided by what just changed."""
    if not actor.is_admin:
        raise PermissionDenied("only admins edit users")
    user = await get_user(session, user_id)
    if user.id == actor.id and (changes.is_active is False or changes.role not in (None, "admin")):
        raise InvalidField(
            "is_active" if changes.is_active is False else "role",
            "admins cannot disable or demote themselves",
        )
    role = changes.role or user.role
    if changes.branch_ids is not None and role == "optometrist" and changes.branch_ids:
        raise InvalidField("branch_ids", "an optometrist's branches follow their schedule")
    # A role change clears a branch the new role cannot have (e.g. staff -> optometrist).
    current = user.branch_id if role in ("staff", "customer") else None
    branch = _branch_of(role, changes.branch_ids, current)
    if branch != user.branch_id:
        await _check_branch(session, branch, "branch_ids")
    revokes = (
        (changes.is_active is False and user.is_active)
        or role != user.role
        or branch != user.branch_id
    )
    if changes.name is not None:
        user.name = changes.name
    if changes.phone is not None:
        user.phone = changes.phone
    if changes.is_active is not None:
        user.is_active = changes.is_active
    user.role = role
    user.branch_id = branch
    if revokes:
        await revoke_all_tokens(session, user)
    await commit(session)
    return user
