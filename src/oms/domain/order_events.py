"""Order events (DESIGN §11): the subject every order event carries, its wording, and the one
function through which order changes are recorded (in the caller's transaction)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Branch, GlassesOrder, User
from oms.domain.order_rules import LENS_NOUNS, order_kind
from oms.domain.wording import readable_date
from oms.events import recipients
from oms.events.catalogue import (
    BranchRef,
    Level,
    OrderDraft,
    OrderEventName,
    OrderSubject,
    PersonRef,
)
from oms.events.envelope import PublishedEvent
from oms.events.recorder import record_event


@dataclass(frozen=True, slots=True)
class OrderParties:
    patient: User
    branch: Branch


async def load_order_parties(session: AsyncSession, order: GlassesOrder) -> OrderParties:
    patient = await session.get(User, order.patient_id)
    branch = await session.get(Branch, order.branch_id)
    # The foreign keys guarantee both.
    assert patient is not None
    assert branch is not None
    return OrderParties(patient, branch)


def order_subject(order: GlassesOrder, parties: OrderParties) -> OrderSubject:
    assert order.number is not None
    status, lens_type = order_kind(order.status, order.lens_type)
    return OrderSubject(
        id=order.id,
        number=order.number,
        status=status,
        lens_type=lens_type,
        due_date=order.due_date.isoformat(),
        patient=PersonRef(id=parties.patient.id, name=parties.patient.name),
        branch=BranchRef(id=parties.branch.id, name=parties.branch.name),
    )


_TITLES: dict[str, tuple[str, Level]] = {
    "order.created": ("Glasses ordered", "success"),
    "order.updated": ("Order updated", "info"),
    "order.ready": ("Your glasses are ready", "success"),
    "order.collected": ("Order collected", "success"),
    "order.cancelled": ("Order cancelled", "warning"),
    "order.late": ("Order is late", "warning"),
}


def default_message(name: str, order: GlassesOrder, parties: OrderParties) -> str:
    what = f"{order.number} ({LENS_NOUNS[order.lens_type]} for {parties.patient.name})"
    due = readable_date(order.due_date)
    return {
        "order.created": f"{what} was ordered at {parties.branch.name}, due {due}",
        "order.updated": f"{what} is at the lab, due {due}",
        "order.ready": f"{what} is ready for pickup at {parties.branch.name}",
        "order.collected": f"{what} was collected at {parties.branch.name}",
        "order.cancelled": f"{what} was cancelled",
        "order.late": f"{what} was due {due} and is not ready yet",
    }[name]


async def record_order_event(
    session: AsyncSession, order: GlassesOrder, name: OrderEventName, *, message: str | None = None
) -> PublishedEvent:
    """Record `name` about `order` for the patient and the branch's staff (and every admin when
    it is late), in the caller's transaction (published when the caller commits)."""
    parties = await load_order_parties(session, order)
    title, level = _TITLES[name]
    return await record_event(
        session,
        OrderDraft(
            event=name,
            title=title,
            message=message or default_message(name, order, parties),
            level=level,
            order=order_subject(order, parties),
        ),
        recipients=await recipients.for_order(
            session,
            patient_id=order.patient_id,
            branch_id=order.branch_id,
            late=name == "order.late",
        ),
    )
