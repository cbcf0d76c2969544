"""A small chain for inventory tests: two branches, everyone who may or may not see their stock,
one stocked product, and a reader of what the event table and inboxes hold."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from oms.db.database import Database
from oms.db.models import Branch, BranchStock, EventRecord, Notification, Product, StockMovement
from oms.events.catalogue import validate_payload
from tests.factories import Factory, TestUser


@dataclass
class Shop:
    branch: Branch
    other_branch: Branch
    admins: tuple[TestUser, TestUser]
    staff: tuple[TestUser, TestUser]  # both work at `branch`
    other_staff: TestUser  # works at `other_branch`
    optometrist: TestUser  # works at `branch` (in its channel, but not an inventory recipient)
    customer: TestUser  # home branch `branch`
    product: Product

    @property
    def admin(self) -> TestUser:
        return self.admins[0]

    @property
    def recipients(self) -> set[int]:
        """Who an inventory event at `branch` goes to: its staff and every admin."""
        return {user.id for user in (*self.admins, *self.staff)}

    def user(self, role: str) -> TestUser:
        return {
            "admin": self.admin,
            "staff": self.staff[0],
            "other_staff": self.other_staff,
            "optometrist": self.optometrist,
            "customer": self.customer,
        }[role]

    def stock_url(self, product_id: int | None = None, suffix: str = "") -> str:
        base = f"/api/branches/{self.branch.id}/stock"
        return base if product_id is None else f"{base}/{product_id}{suffix}"


@pytest.fixture
async def shop(factory: Factory) -> Shop:
    branch = await factory.branch("Emerald")
    other = await factory.branch("Unitop")
    return Shop(
        branch=branch,
        other_branch=other,
        admins=(await factory.admin(), await factory.admin()),
        staff=(await factory.staff(branch), await factory.staff(branch)),
        other_staff=await factory.staff(other),
        optometrist=await factory.optometrist(branch),
        customer=await factory.customer(branch),
        product=await factory.product("Classic Acetate Frame"),
    )


@dataclass(frozen=True)
class Recorded:
    """One recorded event and the users whose inbox holds it."""

    name: str
    payload: dict[str, object]
    inbox: frozenset[int]


async def recorded_events(database: Database) -> list[Recorded]:
    """Every event in the event table with its inbox rows, in id order; each payload validated."""
    async with database.session() as session:
        records = (await session.scalars(select(EventRecord).order_by(EventRecord.id))).all()
        result = []
        for record in records:
            validate_payload(record.payload)
            users = await session.scalars(
                select(Notification.user_id).where(Notification.event_id == record.id)
            )
            result.append(Recorded(record.name, record.payload, frozenset(users.all())))
        return result


async def stock_row(database: Database, branch_id: int, product_id: int) -> BranchStock | None:
    async with database.session() as session:
        row: BranchStock | None = await session.scalar(
            select(BranchStock).where(
                BranchStock.branch_id == branch_id, BranchStock.product_id == product_id
            )
        )
        return row


async def movements(database: Database, branch_id: int, product_id: int) -> list[StockMovement]:
    async with database.session() as session:
        rows = await session.scalars(
            select(StockMovement)
            .where(StockMovement.branch_id == branch_id, StockMovement.product_id == product_id)
            .order_by(StockMovement.id)
        )
        return list(rows.all())
