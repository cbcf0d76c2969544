"""REST routes: the front desk's patient look-up and walk-in registration (staff, admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from oms.api.deps import CurrentActor, SessionDep
from oms.api.schemas.users import UserOut, WalkInIn
from oms.domain import customers

router = APIRouter(prefix="/customers", tags=["users"])


@router.get("")
async def search_customers(
    actor: CurrentActor,
    session: SessionDep,
    q: Annotated[str, Query(max_length=120, description="part of a name, email or phone")] = "",
) -> list[UserOut]:
    rows = await customers.search(session, actor, q)
    return [UserOut.model_validate(row) for row in rows]


@router.post("", status_code=201)
async def register_walk_in(body: WalkInIn, actor: CurrentActor, session: SessionDep) -> UserOut:
    user = await customers.register_walk_in(session, actor, customers.WalkIn(**body.model_dump()))
    return UserOut.model_validate(user)
