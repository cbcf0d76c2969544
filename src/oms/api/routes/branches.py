"""REST routes: branches (everyone signed in reads; admins write)."""

from __future__ import annotations

from fastapi import APIRouter

from oms.api.deps import AdminActor, CurrentActor, SessionDep, SettingsDep
from oms.api.schemas.branches import (
    BookableOptometristOut,
    BranchCreateIn,
    BranchOut,
    BranchUpdateIn,
)
from oms.api.schemas.common import Id
from oms.domain import branches

router = APIRouter(prefix="/branches", tags=["branches"])


@router.get("")
async def list_branches(actor: CurrentActor, session: SessionDep) -> list[BranchOut]:
    rows = await branches.list_branches(session, include_inactive=actor.is_admin)
    return [BranchOut.model_validate(row) for row in rows]


@router.post("", status_code=201)
async def create_branch(
    body: BranchCreateIn, actor: AdminActor, session: SessionDep, settings: SettingsDep
) -> BranchOut:
    fields = body.model_dump()
    fields["timezone"] = body.timezone or settings.oms_timezone
    branch = await branches.create_branch(session, actor, **fields)
    return BranchOut.model_validate(branch)


@router.patch("/{branch_id}")
async def update_branch(
    branch_id: Id, body: BranchUpdateIn, actor: AdminActor, session: SessionDep
) -> BranchOut:
    changes = branches.BranchChanges(**body.model_dump(exclude_unset=True))
    return BranchOut.model_validate(
        await branches.update_branch(session, actor, branch_id, changes)
    )


@router.get("/{branch_id}/optometrists")
async def list_bookable_optometrists(
    branch_id: Id, actor: CurrentActor, session: SessionDep
) -> list[BookableOptometristOut]:
    rows = await branches.bookable_optometrists(session, branch_id)
    return [BookableOptometristOut.model_validate(row) for row in rows]
