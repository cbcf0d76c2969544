"""REST routes: glasses orders (DESIGN §11). Parse, call one service, return a typed schema."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

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


def _action_route(action: str) -> Callable[..., Awaitable[OrderOut]]:
    async def act(
        order_id: Id, actor: CurrentActor, session: SessionDep, clock: ClockDep
    ) -> OrderOut:
        return OrderOut.of(await orders.transition(session, actor, order_id, action, clock))

    return act


# One route an action, POST /{id}/<action> (cancel, which takes a reason, below): each is named
# after its action, as the OpenAPI's operation ids have always been.
for _action in ("send_to_lab", "mark_ready", "collect"):
    router.post(f"/{{order_id}}/{_action.replace('_', '-')}", name=_action)(_action_route(_action))


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
