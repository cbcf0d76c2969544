"""REST route: who of the staff and optometrists is online now, cluster-wide (DESIGN §12).

Staff members and optometrists see the branches they work at; admins see every branch; customers
see nobody (403). `branch_id` narrows the answer to one branch the caller may see.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from oms.api.deps import CurrentActor, RuntimeDep, SessionDep
from oms.api.schemas.common import Id, Out
from oms.cluster import presence_of
from oms.db.models import Branch
from oms.domain.actors import Actor
from oms.domain.errors import NotFound, PermissionDenied

router = APIRouter(tags=["presence"])


class PresenceUserOut(Out):
    id: int
    name: str
    role: str


class PresenceOut(Out):
    user: PresenceUserOut
    online_since: datetime
    sockets: int
    branch_ids: list[int]


async def visible_branches(
    session: AsyncSession, actor: Actor, branch_id: int | None
) -> frozenset[int] | None:
    """The branches whose people the caller may see (None: every branch)."""
    if actor.role == "customer":
        raise PermissionDenied("presence is for staff members, optometrists and admins")
    if branch_id is not None:
        if actor.is_admin:
            if await session.get(Branch, branch_id) is None:
                raise NotFound(f"branch {branch_id} was not found")
        elif branch_id not in actor.branch_ids:
            raise PermissionDenied(
                "you can see who is online only at the branches you work at",
                details={"field": "branch_id"},
            )
        return frozenset({branch_id})
    return None if actor.is_admin else actor.branch_ids


@router.get("/presence")
async def list_presence(
    actor: CurrentActor,
    session: SessionDep,
    runtime: RuntimeDep,
    branch_id: Id | None = Query(None),
) -> list[PresenceOut]:
    visible = await visible_branches(session, actor, branch_id)
    online = presence_of(await runtime.cluster().staff_rows())
    found = [
        PresenceOut(
            user=PresenceUserOut(id=entry.user_id, name=entry.name, role=entry.role),
            online_since=datetime.fromisoformat(entry.online_since.replace("Z", "+00:00")),
            sockets=entry.sockets,
            branch_ids=list(entry.branch_ids),
        )
        for entry in online.values()
        if visible is None or visible.intersection(entry.branch_ids)
    ]
    return sorted(found, key=lambda item: (item.user.name, item.user.id))
