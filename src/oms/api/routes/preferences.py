"""REST routes: the caller's delivery preferences (DESIGN §10)."""

from __future__ import annotations

from fastapi import APIRouter

from oms.api.deps import CurrentActor, SessionDep
from oms.api.schemas.preferences import PreferencesIn, PreferencesOut
from oms.delivery import preferences
from oms.delivery.preferences import QuietHoursInput

router = APIRouter(prefix="/me", tags=["preferences"])


@router.get("/preferences")
async def get_preferences(actor: CurrentActor, session: SessionDep) -> PreferencesOut:
    return PreferencesOut.of(await preferences.get_preferences(session, actor))


@router.put("/preferences")
async def put_preferences(
    body: PreferencesIn, actor: CurrentActor, session: SessionDep
) -> PreferencesOut:
    channels = (
        {family: chosen.model_dump(exclude_none=True) for family, chosen in body.channels.items()}
        if body.channels is not None
        else None
    )
    quiet = body.quiet_hours
    updated = await preferences.update_preferences(
        session,
        actor,
        channels=channels,
        quiet_hours=QuietHoursInput(quiet.start, quiet.end, quiet.timezone) if quiet else None,
        clear_quiet_hours="quiet_hours" in body.model_fields_set and quiet is None,
    )
    return PreferencesOut.of(updated)
