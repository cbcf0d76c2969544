"""REST routes: products and branch stock (DESIGN §5). Authorization lives in oms.domain.inventory:
admins everywhere, staff at their own branch (another branch is 404), everyone else 403."""

from __future__ import annotations

from fastapi import APIRouter, Query

from oms.api.deps import AdminActor, CurrentActor, SessionDep
from oms.api.schemas.common import BigIdValue, Id
from oms.api.schemas.inventory import (
    MovementOut,
    ProductCreateIn,
    ProductOut,
    RestockIn,
    StockAdjustIn,
    StockRowOut,
    StockSetIn,
)
from oms.domain import inventory

router = APIRouter(tags=["inventory"])

STOCK = "/branches/{branch_id}/stock"


@router.get("/products")
async def list_products(
    actor: CurrentActor,
    session: SessionDep,
    category: str | None = None,
    search: str | None = Query(None, max_length=100),
) -> list[ProductOut]:
    rows = await inventory.list_products(session, category=category, search=search)
    return [ProductOut.model_validate(row) for row in rows]


@router.post("/products", status_code=201)
async def create_product(
    body: ProductCreateIn, actor: AdminActor, session: SessionDep
) -> ProductOut:
    product = await inventory.create_product(
        session, actor, inventory.NewProduct(**body.model_dump())
    )
    return ProductOut.model_validate(product)


@router.get(STOCK)
async def list_stock(branch_id: Id, actor: CurrentActor, session: SessionDep) -> list[StockRowOut]:
    rows = await inventory.list_branch_stock(session, actor, branch_id)
    return [StockRowOut.of(row) for row in rows]


@router.put(STOCK + "/{product_id}")
async def set_stock(
    branch_id: Id, product_id: Id, body: StockSetIn, actor: CurrentActor, session: SessionDep
) -> StockRowOut:
    view = await inventory.set_stock(
        session, actor, branch_id, product_id, **body.model_dump(exclude_unset=True)
    )
    return StockRowOut.of(view)


@router.post(STOCK + "/{product_id}/adjust")
async def adjust_stock(
    branch_id: Id, product_id: Id, body: StockAdjustIn, actor: CurrentActor, session: SessionDep
) -> StockRowOut:
    view = await inventory.adjust_stock(
        session, actor, branch_id, product_id, delta=body.delta, reason=body.reason
    )
    return StockRowOut.of(view)


@router.post(STOCK + "/{product_id}/restock")
async def restock(
    branch_id: Id, product_id: Id, body: RestockIn, actor: CurrentActor, session: SessionDep
) -> StockRowOut:
    view = await inventory.restock(
        session, actor, branch_id, product_id, quantity=body.quantity, reason=body.reason
    )
    return StockRowOut.of(view)


@router.get(STOCK + "/{product_id}/movements")
async def list_movements(
    branch_id: Id,
    product_id: Id,
    actor: CurrentActor,
    session: SessionDep,
    before_id: BigIdValue | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> list[MovementOut]:
    rows = await inventory.list_movements(
        session, actor, branch_id, product_id, before_id=before_id, limit=limit
    )
    return [MovementOut.of(row) for row in rows]
