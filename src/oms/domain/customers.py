"""The front desk's patients: find any customer of the chain, and register a walk-in on the spot.

A patient belongs to the chain, not to one branch: a customer whose home branch is elsewhere (or
who has none) walks in and is booked like anyone else. Staff and admins may search every customer
and create customers, and nothing else: no other role, no password (the patient sets one later
through "forgot password" or registration, which claims the account by its email).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import User
from oms.domain.accounts import NewUser, create_user
from oms.domain.actors import Actor
from oms.domain.errors import InvalidField, PermissionDenied

MAX_RESULTS = 20
# RFC 2606: `.invalid` never resolves, so a walk-in without an email is never mailed.
NO_EMAIL_DOMAIN = "no-email.invalid"


@dataclass(frozen=True, slots=True)
class WalkIn:
    name: str
    email: str | None = None
    phone: str = ""
    home_branch_id: int | None = None


def _check_front_desk(actor: Actor) -> None:
    if actor.role not in ("staff", "admin"):
        raise PermissionDenied("only staff and admins look up and register patients")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


async def search(session: AsyncSession, actor: Actor, text: str) -> list[User]:
    """Active customers whose name, email or phone contains `text` (case-insensitive); the
    first MAX_RESULTS by name. An empty query lists the first ones alphabetically."""
    _check_front_desk(actor)
    query = select(User).where(User.role == "customer", User.is_active.is_(True))
    text = text.strip()
    if text:
        pattern = _like(text)
        digits = "".join(ch for ch in text if ch.isdigit())
        matches = [
            func.lower(User.name).like(pattern, escape="\\"),
            func.lower(User.email).like(pattern, escape="\\"),
        ]
        if digits:
            # Phones are typed with spaces and dashes in every possible way: compare digits.
            stripped: ColumnElement[str] = User.phone.expression
            for separator in (" ", "-", "+", "(", ")"):
                stripped = func.replace(stripped, separator, "")
            matches.append(stripped.like(f"%{digits}%"))
        query = query.where(or_(*matches))
    rows = await session.scalars(query.order_by(User.name, User.id).limit(MAX_RESULTS))
    return list(rows.all())


async def register_walk_in(session: AsyncSession, actor: Actor, walk_in: WalkIn) -> User:
    _check_front_desk(actor)
    if not walk_in.name.strip():
        raise InvalidField("name", "must not be empty")
    if not walk_in.email and not walk_in.phone.strip():
        raise InvalidField("phone", "give an email or a phone number to reach the patient")
    email = walk_in.email or f"walk-in-{secrets.token_hex(6)}@{NO_EMAIL_DOMAIN}"
    home = walk_in.home_branch_id
    if home is None and actor.role == "staff":
        (home,) = actor.branch_ids  # registered at the desk of their branch
    new = NewUser(
        email=email,
        # Nobody knows this password: the account is claimed later, never logged into as is.
        password=secrets.token_urlsafe(32),
        name=walk_in.name.strip(),
        role="customer",
        phone=walk_in.phone.strip(),
        branch_id=home,
    )
    return await create_user(session, new)
