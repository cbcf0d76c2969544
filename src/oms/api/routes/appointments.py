"""REST routes: appointments (DESIGN §5). Parse, call one service, return a typed schema."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query

from oms.api.deps import ClockDep, CurrentActor, SessionDep
from oms.api.schemas.appointments import (
    ActionIn,
    AppointmentIn,
    AppointmentOut,
    AppointmentUpdateIn,
    AvailabilityOut,
    SlotOut,
)
from oms.api.schemas.common import Id
from oms.domain import appointments
from oms.domain.appointment_rules import Status, hhmm

router = APIRouter(prefix="/appointments", tags=["appointments"])


@router.get("")
async def list_appointments(
    actor: CurrentActor,
    session: SessionDep,
    date_from: date | None = None,
    date_to: date | None = None,
    status: Status | None = None,
    branch_id: Id | None = None,
) -> list[AppointmentOut]:
    filters = appointments.ListFilters(date_from, date_to, status, branch_id)
    rows = await appointments.list_appointments(session, actor, filters)
    return [AppointmentOut.of(row) for row in rows]


# Printable ASCII without spaces, like the keys clients generate (UUIDs, ULIDs).
IDEMPOTENCY_KEY = r"^[\x21-\x7e]{1,80}$"


@router.post("", status_code=201)
async def book(
    body: AppointmentIn,
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            pattern=IDEMPOTENCY_KEY,
            description="a key of the client's choosing: a retry with the same key returns the "
            "first booking instead of booking again (or a 409 for the slot it took)",
        ),
    ] = None,
) -> AppointmentOut:
    booking = appointments.NewBooking(**body.model_dump(), idempotency_key=idempotency_key)
    return AppointmentOut.of(await appointments.book(session, actor, booking, clock=clock))


# Declared before /{appointment_id} so "availability" is never read as an id.
@router.get("/availability")
async def availability(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    optometrist_id: Id,
    branch_id: Id,
    date: date,
    duration: int = Query(30, ge=5, le=480, description="slot length in minutes"),
) -> AvailabilityOut:
    slots = await appointments.availability(
        session, optometrist_id, branch_id, date, duration, clock=clock
    )
    return AvailabilityOut(
        optometrist_id=optometrist_id,
        branch_id=branch_id,
        date=date.isoformat(),
        duration=duration,
        slots=[SlotOut(start_time=hhmm(start), end_time=hhmm(end)) for start, end in slots],
    )


@router.get("/{appointment_id}")
async def get_appointment(
    appointment_id: Id, actor: CurrentActor, session: SessionDep
) -> AppointmentOut:
    return AppointmentOut.of(await appointments.get_appointment(session, actor, appointment_id))


@router.patch("/{appointment_id}")
async def update_appointment(
    appointment_id: Id,
    body: AppointmentUpdateIn,
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
) -> AppointmentOut:
    changes = appointments.AppointmentChanges(**body.model_dump(exclude_unset=True))
    view = await appointments.update_appointment(
        session, actor, appointment_id, changes, clock=clock
    )
    return AppointmentOut.of(view)


def _action_route(action: str) -> Callable[..., Awaitable[AppointmentOut]]:
    async def act(
        appointment_id: Id, actor: CurrentActor, session: SessionDep, body: ActionIn | None = None
    ) -> AppointmentOut:
        reason = body.reason if body is not None else ""
        view = await appointments.transition(session, actor, appointment_id, action, reason=reason)
        return AppointmentOut.of(view)

    return act


# One route an action, POST /{id}/<action>: each is named after its action, as the OpenAPI's
# operation ids have always been.
for _action in ("confirm", "start", "complete", "cancel", "no_show"):
    router.post(f"/{{appointment_id}}/{_action.replace('_', '-')}", name=_action)(
        _action_route(_action)
    )
