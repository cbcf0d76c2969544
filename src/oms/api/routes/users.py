"""REST routes: users (admins read and create; staff read their own branch's people)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from oms.api.deps import AdminActor, CurrentActor, SessionDep
from oms.api.schemas.common import Id
from oms.api.schemas.users import MemberOut, UserCreateIn, UserUpdateIn
from oms.domain import accounts
from oms.domain.actors import branch_ids_of, work_branches

router = APIRouter(prefix="/users", tags=["users"])


@router.get("")
async def list_users(
    actor: CurrentActor,
    session: SessionDep,
    role: Literal["admin", "staff", "optometrist", "customer"] | None = None,
    branch_id: Id | None = None,
) -> list[MemberOut]:
    rows = await accounts.list_users(session, actor, role=role, branch_id=branch_id)
    branches = await work_branches(session, rows)
    return [MemberOut.of(row, branches[row.id]) for row in rows]


@router.post("", status_code=201)
async def create_user(body: UserCreateIn, actor: AdminActor, session: SessionDep) -> MemberOut:
    user = await accounts.admin_create_user(session, actor, accounts.NewUser(**body.model_dump()))
    return MemberOut.of(user, await branch_ids_of(session, user))


@router.patch("/{user_id}")
async def update_user(
    user_id: Id, body: UserUpdateIn, actor: AdminActor, session: SessionDep
) -> MemberOut:
    changes = accounts.UserChanges(**body.model_dump(exclude_unset=True))
    user = await accounts.update_user(session, actor, user_id, changes)
    return MemberOut.of(user, await branch_ids_of(session, user))
