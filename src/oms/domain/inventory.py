"""Products and branch stock (DESIGN §3): the catalogue, per-branch levels, and every change to
them (set, adjust, restock), each recorded as a movement and raising an alert on a band crossing.

Every stock change locks its row first (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's
IMMEDIATE transactions already serialize writers), so two racing changes cannot both pass the
non-negative check, and the band before a change is the band the previous change left — each
crossing fires exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Branch, BranchStock, Product, StockMovement, User
from oms.domain.actors import Actor
from oms.domain.errors import Conflict, InvalidField, NotFound, PermissionDenied
from oms.domain.inventory_events import record_inventory_event
from oms.domain.stock_rules import StockSnapshot, alert_for_change
from oms.events.recorder import commit

# Far above any shelf, far below a 32-bit column: a typo of extra zeros is refused, not stored.
MAX_QUANTITY = 1_000_000

MovementKind = Literal["set", "adjust", "restock", "reserve", "release", "consume"]
# What an order does to its frame: holds one, gives it back, or hands it over.
ReservationKind = Literal["reserve", "release", "consume"]


class InsufficientStock(Conflict):
    code = "insufficient_stock"


@dataclass(frozen=True, slots=True)
class StockView:
    product: Product
    # The stock row's numbers as read, with what follows from them (available, status) by the
    # same rules the alerts use.
    numbers: StockSnapshot


@dataclass(frozen=True, slots=True)
class MovementView:
    movement: StockMovement
    actor_name: str | None


@dataclass(frozen=True, slots=True)
class NewProduct:
    name: str
    sku: str
    category: str
    price: Decimal
    image: str = ""


# --- products ---------------------------------------------------------------------------------


async def list_products(
    session: AsyncSession, *, category: str | None = None, search: str | None = None
) -> list[Product]:
    query = select(Product).where(Product.is_active.is_(True)).order_by(Product.name, Product.id)
    if category:
        query = query.where(Product.category == category)
    if search:
        query = query.where(
            Product.name.icontains(search, autoescape=True)
            | Product.sku.icontains(search, autoescape=True)
        )
    return list((await session.scalars(query)).all())


async def create_product(session: AsyncSession, actor: Actor, new: NewProduct) -> Product:
    if not actor.is_admin:
        raise PermissionDenied("only admins create products")
    sku = new.sku.upper()
    taken = Conflict(f"a product with sku {sku} already exists", details={"field": "sku"})
    if await session.scalar(select(Product.id).where(Product.sku == sku)) is not None:
        raise taken
    product = Product(
        name=new.name, sku=sku, category=new.category, price=new.price, image=new.image
    )
    session.add(product)
    try:
        await session.flush()
    except IntegrityError:
        # Another admin created the same sku between our check and our insert.
        await session.rollback()
        raise taken from None
    await commit(session)
    return product


# --- access -----------------------------------------------------------------------------------


async def check_stock_access(session: AsyncSession, actor: Actor, branch_id: int) -> Branch:
    """Admins see every branch's stock, staff their own; another branch is 404 to staff."""
    if actor.role not in ("admin", "staff"):
        raise PermissionDenied("branch stock is for staff and admins")
    branch = await session.get(Branch, branch_id)
    if branch is None or not (actor.is_admin or actor.works_at(branch_id)):
        raise NotFound(f"branch {branch_id} was not found")
    return branch


async def _product(session: AsyncSession, product_id: int, *, active_only: bool = False) -> Product:
    product = await session.get(Product, product_id)
    # A withdrawn product keeps its history but takes no new stock.
    if product is None or (active_only and not product.is_active):
        raise NotFound(f"product {product_id} was not found")
    return product


# --- reading ----------------------------------------------------------------------------------


async def list_branch_stock(session: AsyncSession, actor: Actor, branch_id: int) -> list[StockView]:
    await check_stock_access(session, actor, branch_id)
    rows = await session.execute(
        select(Product, BranchStock)
        .join(BranchStock, BranchStock.product_id == Product.id)
        .where(BranchStock.branch_id == branch_id, Product.is_active.is_(True))
        .order_by(Product.name, Product.id)
    )
    return [StockView(product, _snapshot(stock)) for product, stock in rows]


async def list_movements(
    session: AsyncSession,
    actor: Actor,
    branch_id: int,
    product_id: int,
    *,
    before_id: int | None = None,
    limit: int = 100,
) -> list[MovementView]:
    """A stock row's movements, newest first (page with `before_id`)."""
    await check_stock_access(session, actor, branch_id)
    await _product(session, product_id)
    query = (
        select(StockMovement, User.name)
        .outerjoin(User, User.id == StockMovement.actor_id)
        .where(StockMovement.branch_id == branch_id, StockMovement.product_id == product_id)
        .order_by(StockMovement.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(StockMovement.id < before_id)
    rows = await session.execute(query)
    return [MovementView(movement, name) for movement, name in rows]


# --- changing ---------------------------------------------------------------------------------


def _snapshot(stock: BranchStock) -> StockSnapshot:
    return StockSnapshot(stock.on_hand, stock.reserved, stock.threshold)


def _locked_row_query(branch_id: int, product_id: int) -> Select[BranchStock]:
    # populate_existing: if this session already holds the row, refresh it with what the lock
    # returned, or the check below would judge a stale level.
    return (
        select(BranchStock)
        .where(BranchStock.branch_id == branch_id, BranchStock.product_id == product_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def _lock_row(session: AsyncSession, branch_id: int, product_id: int) -> BranchStock:
    """The locked stock row, created empty (on hand 0, threshold 0) if the product is new here.

    A missing row means zero units, so stocking a product for the first time is judged as a
    change from `out`. Two requests creating the same row race on the unique constraint; the
    loser's savepoint rolls back and it locks the winner's row instead.
    """
    query = _locked_row_query(branch_id, product_id)
    row = await session.scalar(query)
    if row is not None:
        return row
    try:
        async with session.begin_nested():
            session.add(
                BranchStock(
                    product_id=product_id, branch_id=branch_id, on_hand=0, reserved=0, threshold=0
                )
            )
    except IntegrityError:
        pass
    row = await session.scalar(query)
    assert row is not None, "the stock row exists: we or a racing request just created it"
    return row


@dataclass(frozen=True, slots=True)
class _Change:
    kind: MovementKind
    on_hand: int
    threshold: int
    reason: str
    field: str  # the request field a refusal names


# Computes the change from the locked row's numbers, so it never works from a stale level.
_Plan = Callable[[StockSnapshot], _Change]


async def _change_stock(
    session: AsyncSession, actor: Actor, branch_id: int, product_id: int, plan: _Plan
) -> StockView:
    await check_stock_access(session, actor, branch_id)
    product = await _product(session, product_id, active_only=True)
    stock = await _lock_row(session, branch_id, product_id)
    before = _snapshot(stock)
    change = plan(before)
    _check_level(change, before)
    if (change.on_hand, change.threshold) == (before.on_hand, before.threshold):
        await commit(session)  # nothing changed: no movement, no alert (keeps a new empty row)
        return StockView(product, before)
    stock.on_hand, stock.threshold = change.on_hand, change.threshold
    await _record_change(session, stock, before, change.kind, change.reason, actor.id)
    await commit(session)
    return StockView(product, _snapshot(stock))


async def _record_change(
    session: AsyncSession,
    stock: BranchStock,
    before: StockSnapshot,
    kind: MovementKind,
    reason: str,
    actor_id: int | None,
) -> StockMovement:
    """The movement of a change already applied to the locked row, and the alert of the band
    crossing it made (judged on available stock), in the caller's transaction."""
    movement = StockMovement(
        product_id=stock.product_id,
        branch_id=stock.branch_id,
        kind=kind,
        delta=stock.on_hand - before.on_hand,
        on_hand_after=stock.on_hand,
        reason=reason,
        actor_id=actor_id,
    )
    session.add(movement)
    await session.flush()
    alert = alert_for_change(before, _snapshot(stock))
    if alert is not None:
        await record_inventory_event(session, stock, alert.name)
    return movement


def _check_level(change: _Change, before: StockSnapshot) -> None:
    if change.on_hand > MAX_QUANTITY:
        raise InvalidField(change.field, f"would take on hand above {MAX_QUANTITY}")
    if change.on_hand < before.reserved:
        raise InsufficientStock(
            f"not enough stock: {before.on_hand} on hand, {before.reserved} reserved, "
            f"{before.available} available",
            details={
                "field": change.field,
                "on_hand": before.on_hand,
                "reserved": before.reserved,
                "available": before.available,
            },
        )


async def set_stock(
    session: AsyncSession,
    actor: Actor,
    branch_id: int,
    product_id: int,
    *,
    on_hand: int | None = None,
    threshold: int | None = None,
    reason: str = "",
) -> StockView:
    """Set the counted level and/or the threshold; creates the row if the product is new here.

    A threshold-only change is a movement too (delta 0), so the history explains an alert that a
    threshold change raised."""
    if on_hand is None and threshold is None:
        raise InvalidField("on_hand", "give on_hand, threshold or both")

    def plan(now: StockSnapshot) -> _Change:
        new_threshold = now.threshold if threshold is None else threshold
        why = reason
        if not why and new_threshold != now.threshold:
            why = f"threshold {now.threshold} -> {new_threshold}"
        return _Change(
            "set", now.on_hand if on_hand is None else on_hand, new_threshold, why, "on_hand"
        )

    return await _change_stock(session, actor, branch_id, product_id, plan)


async def adjust_stock(
    session: AsyncSession, actor: Actor, branch_id: int, product_id: int, *, delta: int, reason: str
) -> StockView:
    """Add or remove units (a sale, breakage, a count correction), with a reason."""
    if delta == 0:
        raise InvalidField("delta", "must not be zero")
    if not reason.strip():
        raise InvalidField("reason", "is required")

    def plan(now: StockSnapshot) -> _Change:
        return _Change("adjust", now.on_hand + delta, now.threshold, reason.strip(), "delta")

    return await _change_stock(session, actor, branch_id, product_id, plan)


async def restock(
    session: AsyncSession,
    actor: Actor,
    branch_id: int,
    product_id: int,
    *,
    quantity: int,
    reason: str = "",
) -> StockView:
    """Receive a delivery of `quantity` units (creates the row if the product is new here)."""
    if quantity <= 0:
        raise InvalidField("quantity", "must be greater than 0")

    def plan(now: StockSnapshot) -> _Change:
        return _Change("restock", now.on_hand + quantity, now.threshold, reason, "quantity")

    return await _change_stock(session, actor, branch_id, product_id, plan)


# --- reservations (glasses orders, DESIGN §11) ------------------------------------------------


async def move_reservation(
    session: AsyncSession,
    *,
    branch_id: int,
    product_id: int,
    kind: ReservationKind,
    reason: str,
    actor_id: int | None,
    quantity: int = 1,
) -> StockMovement:
    """Reserve `quantity` units for an order (available drops, on hand does not), release them
    (available rises), or consume them at pickup (on hand and reserved both drop, available
    stays). Same row lock, movement and crossing alerts as every other stock change; does not
    commit, so the order's change and the stock's are one transaction. Returns the movement."""
    stock = await _lock_row(session, branch_id, product_id)
    before = _snapshot(stock)
    if kind == "reserve":
        if before.available < quantity:
            raise InsufficientStock(
                f"no frame available to reserve: {before.on_hand} on hand, "
                f"{before.reserved} reserved",
                details={
                    "field": "frame_product_id",
                    "on_hand": before.on_hand,
                    "reserved": before.reserved,
                    "available": before.available,
                },
            )
        stock.reserved += quantity
    else:
        # The order holds these units, and the row's CHECK keeps reserved <= on hand.
        assert before.reserved >= quantity, "an order releases only what it reserved"
        stock.reserved -= quantity
        if kind == "consume":
            stock.on_hand -= quantity
    return await _record_change(session, stock, before, kind, reason, actor_id)
