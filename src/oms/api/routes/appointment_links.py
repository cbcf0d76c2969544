"""REST routes: a reminder's signed confirm / cancel links (DESIGN §11). No bearer token: the
link's own token is the authority, for one action on one appointment until it starts. GET reads
(what the link will do), POST acts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, NamedTuple

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from oms.api.deps import ClockDep, SessionDep, SettingsDep
from oms.api.schemas.appointments import AppointmentOut
from oms.api.schemas.common import Id, Out
from oms.clock import Clock
from oms.domain import appointment_links
from oms.security.appointment_links import LinkAction

router = APIRouter(prefix="/appointments", tags=["appointment links"])

LinkToken = Annotated[str, Query(min_length=1, max_length=2000, description="the link's token")]


class LinkPreviewOut(Out):
    action: LinkAction
    expires_at: datetime
    appointment: AppointmentOut


class _Link(NamedTuple):
    """A link as it came back (its appointment and token), and what reading it needs."""

    appointment_id: int
    token: str
    session: AsyncSession
    app_key: str
    clock: Clock

    def use(self, action: LinkAction) -> appointment_links.LinkUse:
        return appointment_links.LinkUse(self.appointment_id, action, self.token)


async def _link(
    appointment_id: Id, token: LinkToken, session: SessionDep, settings: SettingsDep,
    clock: ClockDep,
) -> _Link:  # fmt: skip
    return _Link(appointment_id, token, session, settings.app_key, clock)


LinkDep = Annotated[_Link, Depends(_link)]


def _add_routes(action: LinkAction) -> None:
    """GET /{id}/<action>-link reads what the link will do, POST follows it; the routes keep the
    names (and so the OpenAPI operation ids) they have always had."""
    path = f"/{{appointment_id}}/{action}-link"

    @router.get(path, name=f"read_{action}_link")
    async def read_link(link: LinkDep) -> LinkPreviewOut:
        preview = await appointment_links.preview_link(
            link.session, link.app_key, link.use(action), link.clock
        )
        return LinkPreviewOut(
            action=preview.action,
            expires_at=preview.expires_at,
            appointment=AppointmentOut.of(preview.view),
        )

    @router.post(path, name=f"follow_{action}_link")
    async def follow_link(link: LinkDep) -> AppointmentOut:
        view = await appointment_links.follow_link(
            link.session, link.app_key, link.use(action), link.clock
        )
        return AppointmentOut.of(view)


_add_routes("confirm")
_add_routes("cancel")
