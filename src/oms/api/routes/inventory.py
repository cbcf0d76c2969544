"""REST routes: products and branch stock (DESIGN §5). Authorization lives in oms.domain.inventory:
admins everywhere, staff at their own branch (another branch is 404), everyone else 403."""

from __future__ import annotations

from typing import Annotated, NamedTuple

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

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
from oms.domain.actors import Actor

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


class StockRow(NamedTuple):
    """The stock row a request addresses, and who addresses it: the leading arguments of every
    oms.domain.inventory call on one row."""

    session: AsyncSession
    actor: Actor
    branch_id: int
    product_id: int


async def _stock_row(
    branch_id: Id, product_id: Id, actor: CurrentActor, session: SessionDep
) -> StockRow:
    return StockRow(session, actor, branch_id, product_id)


StockRowDep = Annotated[StockRow, Depends(_stock_row)]


@router.put(STOCK + "/{product_id}")
async def set_stock(row: StockRowDep, body: StockSetIn) -> StockRowOut:
    return StockRowOut.of(await inventory.set_stock(*row, **body.model_dump(exclude_unset=True)))


@router.post(STOCK + "/{product_id}/adjust")
async def adjust_stock(row: StockRowDep, body: StockAdjustIn) -> StockRowOut:
    return StockRowOut.of(await inventory.adjust_stock(*row, delta=body.delta, reason=body.reason))


@router.post(STOCK + "/{product_id}/restock")
async def restock(row: StockRowDep, body: RestockIn) -> StockRowOut:
    view = await inventory.restock(*row, quantity=body.quantity, reason=body.reason)
    return StockRowOut.of(view)


@router.get(STOCK + "/{product_id}/movements")
async def list_movements(
    row: StockRowDep,
    before_id: BigIdValue | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> list[MovementOut]:
    views = await inventory.list_movements(*row, before_id=before_id, limit=limit)
    return [MovementOut.of(view) for view in views]
