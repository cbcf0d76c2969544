"""REST routes: optometrists' weekly schedules (DESIGN §5; admins write)."""

from __future__ import annotations

from fastapi import APIRouter

from oms.api.deps import AdminActor, CurrentActor, SessionDep
from oms.api.schemas.common import Id
from oms.api.schemas.schedules import ScheduleIn, ScheduleOut
from oms.domain import schedules

router = APIRouter(prefix="/optometrists", tags=["schedules"])


@router.get("/{optometrist_id}/schedule")
async def read_schedule(
    optometrist_id: Id, actor: CurrentActor, session: SessionDep
) -> ScheduleOut:
    return ScheduleOut.of(await schedules.read_schedule(session, actor, optometrist_id))


@router.put("/{optometrist_id}/schedule")
async def replace_schedule(
    optometrist_id: Id, body: ScheduleIn, actor: AdminActor, session: SessionDep
) -> ScheduleOut:
    specs = [row.spec() for row in body.rows]
    return ScheduleOut.of(await schedules.replace_schedule(session, actor, optometrist_id, specs))
