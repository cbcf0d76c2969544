"""Inventory events (DESIGN §4): the subject of a stock alert, its wording, and recording it.

`record_inventory_event` records in the caller's transaction; the caller finishes with
`oms.events.recorder.commit`, so the alert is published only if the stock change commits.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Branch, BranchStock, Product
from oms.domain.errors import NotFound
from oms.domain.stock_rules import ALERTS, stock_status
from oms.events.catalogue import (
    BranchWithAddress,
    InventoryDraft,
    InventoryEventName,
    ProductRef,
    StockLevel,
)
from oms.events.envelope import PublishedEvent
from oms.events.recipients import for_inventory
from oms.events.recorder import record_event


class StockKey(NamedTuple):
    """Which stock row: the order of the URL `/branches/{branch_id}/stock/{product_id}`."""

    branch_id: int
    product_id: int


def inventory_draft(
    name: InventoryEventName, message: str, product: Product, branch: Branch, stock: BranchStock
) -> InventoryDraft:
    """The §4 event. `current_level` is the available stock, the number the bands judge."""
    available = stock.on_hand - stock.reserved
    alert = ALERTS[name]
    return InventoryDraft(
        event=name,
        title=alert.title,
        message=message,
        level=alert.level,
        product=ProductRef(id=product.id, name=product.name, sku=product.sku, image=product.image),
        branch=BranchWithAddress(id=branch.id, name=branch.name, address=branch.address),
        stock=StockLevel(
            current_level=available,
            threshold=stock.threshold,
            status=stock_status(available, stock.threshold),
        ),
    )


def default_message(
    name: InventoryEventName, product: Product, branch: Branch, stock: BranchStock
) -> str:
    available = stock.on_hand - stock.reserved
    if name == "inventory.out_of_stock":
        return f"{product.name} ({product.sku}) is out of stock at {branch.name}."
    if name == "inventory.low_stock":
        return (
            f"{product.name} ({product.sku}) is running low at {branch.name}: "
            f"{available} left, threshold {stock.threshold}."
        )
    still_low = (
        f" It is still at or below its threshold of {stock.threshold}."
        if stock_status(available, stock.threshold) == "low"
        else ""
    )
    return (
        f"{product.name} ({product.sku}) is back in stock at {branch.name}: "
        f"{available} available.{still_low}"
    )


async def _load(
    session: AsyncSession, stock_row_or_ids: BranchStock | StockKey | tuple[int, int]
) -> tuple[Product, Branch, BranchStock]:
    if isinstance(stock_row_or_ids, BranchStock):
        stock = stock_row_or_ids
    else:
        key = StockKey(*stock_row_or_ids)
        found = await session.scalar(
            select(BranchStock).where(
                BranchStock.branch_id == key.branch_id, BranchStock.product_id == key.product_id
            )
        )
        if found is None:
            raise NotFound(f"product {key.product_id} is not stocked at branch {key.branch_id}")
        stock = found
    product = await session.get(Product, stock.product_id)
    branch = await session.get(Branch, stock.branch_id)
    if product is None or branch is None:
        raise NotFound("the stock row's product or branch no longer exists")
    return product, branch, stock


async def record_inventory_event(
    session: AsyncSession,
    stock_row_or_ids: BranchStock | StockKey | tuple[int, int],
    name: InventoryEventName,
    *,
    message: str | None = None,
) -> PublishedEvent:
    """Record `name` for a stock row (the row, or `(branch_id, product_id)`), to the branch's
    staff and every admin, in the caller's transaction. Title and level come from the name; the
    message defaults to a sentence about the row's current level."""
    product, branch, stock = await _load(session, stock_row_or_ids)
    return await record_event(
        session,
        inventory_draft(
            name, message or default_message(name, product, branch, stock), product, branch, stock
        ),
        recipients=await for_inventory(session, branch.id),
    )
