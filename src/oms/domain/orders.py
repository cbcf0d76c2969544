"""Glasses orders (DESIGN §11): place one from a prescription, take it through the lab to pickup,
list and read them.

Who may see an order: admins all, staff and optometrists their branches' orders, the patient
their own; to anyone else it does not exist (404). Staff and optometrists of the branch and admins
place and move orders; patients only read theirs.

Decisions where the design is silent:
- The prescription must be one the person ordering may read (so an order cannot be used to probe
  another branch's prescriptions) and must not have expired by the branch's today.
- A frame must be an active product of the `frames` category; the order reserves one unit of it
  at the order's branch (409 `insufficient_stock` when none is available).
- A frame is reserved before the order row is written, so a refused order leaves no gap in the
  order numbers on SQLite (PostgreSQL sequences may still skip after a rollback).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.clock import Clock
from oms.db.models import Branch, GlassesOrder, Product
from oms.domain import inventory, prescriptions
from oms.domain.actors import Actor
from oms.domain.errors import InvalidField, NotFound, PermissionDenied
from oms.domain.order_events import OrderParties, load_order_parties, record_order_event
from oms.domain.order_rules import due_date as due_date_for
from oms.domain.order_rules import is_late, next_status, order_number
from oms.domain.visibility import load_visible
from oms.events.catalogue import OrderEventName
from oms.events.recorder import commit
from oms.timezones import local_today

FRAME_CATEGORY = "frames"

EVENT_FOR_ACTION: dict[str, OrderEventName] = {
    "send_to_lab": "order.updated",
    "mark_ready": "order.ready",
    "collect": "order.collected",
    "cancel": "order.cancelled",
}
STOCK_FOR_ACTION: dict[str, inventory.ReservationKind] = {
    "collect": "consume",
    "cancel": "release",
}


@dataclass(frozen=True, slots=True)
class NewOrder:
    prescription_id: int
    branch_id: int
    lens_type: str
    frame_product_id: int | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class OrderView:
    order: GlassesOrder
    parties: OrderParties
    frame: Product | None
    late: bool


@dataclass(frozen=True, slots=True)
class OrderFilters:
    status: str | None = None
    branch_id: int | None = None


def can_see(actor: Actor, order: GlassesOrder) -> bool:
    if actor.is_admin:
        return True
    if actor.role in ("staff", "optometrist"):
        return actor.works_at(order.branch_id)
    return order.patient_id == actor.id


async def _view(session: AsyncSession, order: GlassesOrder, clock: Clock) -> OrderView:
    parties = await load_order_parties(session, order)
    frame = (
        await session.get(Product, order.frame_product_id)
        if order.frame_product_id is not None
        else None
    )
    today = local_today(parties.branch.timezone, clock)
    return OrderView(order, parties, frame, is_late(order.status, order.due_date, today))


# --- placing ----------------------------------------------------------------------------------


def _check_may_order(actor: Actor, branch_id: int) -> None:
    if actor.role == "customer":
        raise PermissionDenied("glasses are ordered by the branch's staff and optometrists")
    if not actor.is_admin and not actor.works_at(branch_id):
        raise PermissionDenied(
            "staff and optometrists order only at their own branches",
            details={"field": "branch_id"},
        )


async def _frame(session: AsyncSession, product_id: int) -> Product:
    product = await session.get(Product, product_id)
    if product is None or not product.is_active:
        raise InvalidField("frame_product_id", f"there is no active product {product_id}")
    if product.category != FRAME_CATEGORY:
        raise InvalidField("frame_product_id", f"{product.name} is not a frame")
    return product


async def check_order(
    session: AsyncSession, actor: Actor, new: NewOrder, clock: Clock
) -> tuple[Branch, prescriptions.PrescriptionView, Product | None]:
    _check_may_order(actor, new.branch_id)
    branch = await session.get(Branch, new.branch_id)
    if branch is None or not branch.is_active:
        raise InvalidField("branch_id", f"there is no active branch {new.branch_id}")
    try:
        rx = await prescriptions.get_prescription(session, actor, new.prescription_id)
    except NotFound:
        raise InvalidField(
            "prescription_id", f"there is no prescription {new.prescription_id} you may use"
        ) from None
    if rx.prescription.expiry_date < local_today(branch.timezone, clock):
        raise InvalidField(
            "prescription_id", f"expired on {rx.prescription.expiry_date.isoformat()}"
        )
    frame = None if new.frame_product_id is None else await _frame(session, new.frame_product_id)
    return branch, rx, frame


async def place_order(
    session: AsyncSession, actor: Actor, new: NewOrder, clock: Clock
) -> OrderView:
    branch, rx, frame = await check_order(session, actor, new, clock)
    movement = None
    if frame is not None:
        movement = await inventory.move_reservation(
            session,
            branch_id=branch.id,
            product_id=frame.id,
            kind="reserve",
            reason="glasses order",
            actor_id=actor.id,
        )
    ordered_on = local_today(branch.timezone, clock)
    order = GlassesOrder(
        prescription_id=rx.prescription.id,
        patient_id=rx.patient.id,
        branch_id=branch.id,
        lens_type=new.lens_type,
        frame_product_id=frame.id if frame else None,
        notes=new.notes,
        status="ordered",
        ordered_on=ordered_on,
        due_date=due_date_for(ordered_on, new.lens_type),
        created_by_id=actor.id,
    )
    session.add(order)
    await session.flush()  # the number comes from the id
    order.number = order_number(order.id)
    if movement is not None:
        movement.reason = f"reserved for {order.number}"
    await record_order_event(session, order, "order.created")
    await commit(session)
    return await _view(session, order, clock)


# --- moving along -----------------------------------------------------------------------------


async def _visible(
    session: AsyncSession, actor: Actor, order_id: int, *, lock: bool = False
) -> GlassesOrder:
    return await load_visible(
        session, GlassesOrder, order_id, lambda row: can_see(actor, row), "order", lock=lock
    )


async def transition(
    session: AsyncSession,
    actor: Actor,
    order_id: int,
    action: str,
    clock: Clock,
    *,
    reason: str = "",
) -> OrderView:
    """send_to_lab | mark_ready | collect | cancel, as the status machine allows (else 409).
    Collecting hands the reserved frame over; cancelling puts it back on the shelf."""
    order = await _visible(session, actor, order_id, lock=True)
    if actor.role == "customer":
        raise PermissionDenied("orders are moved along by the branch")
    order.status = next_status(order.status, action)
    if action == "cancel":
        order.cancel_reason = reason
    stock_kind = STOCK_FOR_ACTION.get(action)
    if stock_kind is not None and order.frame_product_id is not None:
        await inventory.move_reservation(
            session,
            branch_id=order.branch_id,
            product_id=order.frame_product_id,
            kind=stock_kind,
            reason=f"{order.number} {order.status}",
            actor_id=actor.id,
        )
    await session.flush()
    parties = await load_order_parties(session, order)
    message = None
    if action == "cancel" and reason:
        message = f"{order.number} for {parties.patient.name} was cancelled: {reason}"
    await record_order_event(session, order, EVENT_FOR_ACTION[action], message=message)
    await commit(session)
    return await _view(session, order, clock)


# --- reading ----------------------------------------------------------------------------------


async def get_order(session: AsyncSession, actor: Actor, order_id: int, clock: Clock) -> OrderView:
    return await _view(session, await _visible(session, actor, order_id), clock)


async def list_orders(
    session: AsyncSession, actor: Actor, filters: OrderFilters, clock: Clock
) -> list[OrderView]:
    query = select(GlassesOrder)
    if actor.role in ("staff", "optometrist"):
        if filters.branch_id is not None and not actor.works_at(filters.branch_id):
            raise NotFound(f"branch {filters.branch_id} was not found")
        query = query.where(GlassesOrder.branch_id.in_(actor.branch_ids))
    elif actor.role == "customer":
        query = query.where(GlassesOrder.patient_id == actor.id)
    if filters.status is not None:
        query = query.where(GlassesOrder.status == filters.status)
    if filters.branch_id is not None:
        query = query.where(GlassesOrder.branch_id == filters.branch_id)
    rows = (await session.scalars(query.order_by(GlassesOrder.due_date, GlassesOrder.id))).all()
    return [await _view(session, row, clock) for row in rows]
