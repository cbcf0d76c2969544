"""REST routes: a reminder's signed confirm / cancel links (DESIGN §11). No bearer token: the
link's own token is the authority, for one action on one appointment until it starts. GET reads
(what the link will do), POST acts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from oms.api.deps import ClockDep, SessionDep, SettingsDep
from oms.api.schemas.appointments import AppointmentOut
from oms.api.schemas.common import Id, Out
from oms.domain import appointment_links
from oms.security.appointment_links import LinkAction

router = APIRouter(prefix="/appointments", tags=["appointment links"])

LinkToken = Annotated[str, Query(min_length=1, max_length=2000, description="the link's token")]


class LinkPreviewOut(Out):
    action: LinkAction
    expires_at: datetime
    appointment: AppointmentOut


async def _preview(
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    appointment_id: Id,
    action: LinkAction,
    token: str,
) -> LinkPreviewOut:
    preview = await appointment_links.preview_link(
        session, settings.app_key, appointment_id, action, token, clock
    )
    return LinkPreviewOut(
        action=preview.action,
        expires_at=preview.expires_at,
        appointment=AppointmentOut.of(preview.view),
    )


async def _follow(
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    appointment_id: Id,
    action: LinkAction,
    token: str,
) -> AppointmentOut:
    view = await appointment_links.follow_link(
        session, settings.app_key, appointment_id, action, token, clock
    )
    return AppointmentOut.of(view)


@router.get("/{appointment_id}/confirm-link")
async def read_confirm_link(
    appointment_id: Id, token: LinkToken, session: SessionDep, settings: SettingsDep,
    clock: ClockDep,
) -> LinkPreviewOut:  # fmt: skip
    return await _preview(session, settings, clock, appointment_id, "confirm", token)


@router.post("/{appointment_id}/confirm-link")
async def follow_confirm_link(
    appointment_id: Id, token: LinkToken, session: SessionDep, settings: SettingsDep,
    clock: ClockDep,
) -> AppointmentOut:  # fmt: skip
    return await _follow(session, settings, clock, appointment_id, "confirm", token)


@router.get("/{appointment_id}/cancel-link")
async def read_cancel_link(
    appointment_id: Id, token: LinkToken, session: SessionDep, settings: SettingsDep,
    clock: ClockDep,
) -> LinkPreviewOut:  # fmt: skip
    return await _preview(session, settings, clock, appointment_id, "cancel", token)


@router.post("/{appointment_id}/cancel-link")
async def follow_cancel_link(
    appointment_id: Id, token: LinkToken, session: SessionDep, settings: SettingsDep,
    clock: ClockDep,
) -> AppointmentOut:  # fmt: skip
    return await _follow(session, settings, clock, appointment_id, "cancel", token)
