"""REST routes: users (admins read and create; staff read their own branch's people)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from oms.api.deps import AdminActor, CurrentActor, SessionDep
from oms.api.schemas.common import Id
from oms.api.schemas.users import UserCreateIn, UserOut, UserUpdateIn
from oms.domain import accounts

router = APIRouter(prefix="/users", tags=["users"])


@router.get("")
async def list_users(
    actor: CurrentActor,
    session: SessionDep,
    role: Literal["admin", "staff", "optometrist", "customer"] | None = None,
    branch_id: Id | None = None,
) -> list[UserOut]:
    rows = await accounts.list_users(session, actor, role=role, branch_id=branch_id)
    return [UserOut.model_validate(row) for row in rows]


@router.post("", status_code=201)
async def create_user(body: UserCreateIn, actor: AdminActor, session: SessionDep) -> UserOut:
    user = await accounts.admin_create_user(session, actor, accounts.NewUser(**body.model_dump()))
    return UserOut.model_validate(user)


@router.patch("/{user_id}")
async def update_user(
    user_id: Id, body: UserUpdateIn, actor: AdminActor, session: SessionDep
) -> UserOut:
    changes = accounts.UserChanges(**body.model_dump(exclude_unset=True))
    user = await accounts.update_user(session, actor, user_id, changes)
    return UserOut.model_validate(user)
