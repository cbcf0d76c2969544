"""REST routes: glasses orders (DESIGN §11). Parse, call one service, return a typed schema."""

from __future__ import annotations

from fastapi import APIRouter

from oms.api.deps import ClockDep, CurrentActor, SessionDep
from oms.api.schemas.common import Id
from oms.api.schemas.orders import OrderCancelIn, OrderIn, OrderOut
from oms.domain import orders
from oms.domain.order_rules import OrderStatus

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("")
async def list_orders(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    status: OrderStatus | None = None,
    branch_id: Id | None = None,
) -> list[OrderOut]:
    views = await orders.list_orders(session, actor, orders.OrderFilters(status, branch_id), clock)
    return [OrderOut.of(view) for view in views]


@router.post("", status_code=201)
async def place_order(
    body: OrderIn, actor: CurrentActor, session: SessionDep, clock: ClockDep
) -> OrderOut:
    new = orders.NewOrder(**body.model_dump())
    return OrderOut.of(await orders.place_order(session, actor, new, clock))


@router.get("/{order_id}")
async def get_order(
    order_id: Id, actor: CurrentActor, session: SessionDep, clock: ClockDep
) -> OrderOut:
    return OrderOut.of(await orders.get_order(session, actor, order_id, clock))


async def _act(
    session: SessionDep, actor: CurrentActor, clock: ClockDep, order_id: Id, action: str
) -> OrderOut:
    return OrderOut.of(await orders.transition(session, actor, order_id, action, clock))


@router.post("/{order_id}/send-to-lab")
async def send_to_lab(
    order_id: Id, actor: CurrentActor, session: SessionDep, clock: ClockDep
) -> OrderOut:
    return await _act(session, actor, clock, order_id, "send_to_lab")


@router.post("/{order_id}/mark-ready")
async def mark_ready(
    order_id: Id, actor: CurrentActor, session: SessionDep, clock: ClockDep
) -> OrderOut:
    return await _act(session, actor, clock, order_id, "mark_ready")


@router.post("/{order_id}/collect")
async def collect(
    order_id: Id, actor: CurrentActor, session: SessionDep, clock: ClockDep
) -> OrderOut:
    return await _act(session, actor, clock, order_id, "collect")


@router.post("/{order_id}/cancel")
async def cancel(
    order_id: Id,
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    body: OrderCancelIn | None = None,
) -> OrderOut:
    reason = body.reason if body is not None else ""
    view = await orders.transition(session, actor, order_id, "cancel", clock, reason=reason)
    return OrderOut.of(view)
