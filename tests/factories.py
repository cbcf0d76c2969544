"""Test data builders that write real rows through the real models."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from oms.config import Settings
from oms.db.database import Database
from oms.db.models import Branch, BranchStock, Product, Schedule, User
from oms.domain.actors import Actor, Role, actor_for
from oms.events.recorder import commit
from oms.security.passwords import hash_password
from oms.security.tokens import issue_token

PASSWORD = "correct-horse-battery"
# Hashing is deliberately slow; every factory user shares one hash.
_PASSWORD_HASH = hash_password(PASSWORD)
_counter = itertools.count(1)


@dataclass(frozen=True)
class TestUser:
    __test__ = False  # not a pytest test class

    id: int
    role: Role
    email: str
    name: str
    branch_id: int | None
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Factory:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    async def branch(self, name: str | None = None, code: str | None = None) -> Branch:
        number = next(_counter)
        async with self.database.session() as session:
            branch = Branch(
                name=name or f"Branch {number}",
                code=code or f"BR{number}",
                address=f"{number} Main Street",
                phone="555-0100",
            )
            session.add(branch)
            await commit(session)
            return branch

    async def user(
        self, role: Role, *, branch_id: int | None = None, name: str | None = None
    ) -> TestUser:
        number = next(_counter)
        async with self.database.session() as session:
            user = User(
                email=f"{role}{number}@example.test",
                name=name or f"{role.title()} {number}",
                role=role,
                branch_id=branch_id,
                password_hash=_PASSWORD_HASH,
            )
            session.add(user)
            await session.flush()
            actor = await actor_for(session, user)
            await commit(session)
            return self.login(user, actor)

    def login(self, user: User, actor: Actor) -> TestUser:
        token, _ = issue_token(
            self.settings.app_key,
            user_id=user.id,
            role=user.role,
            branch_ids=tuple(sorted(actor.branch_ids)),
            ttl_seconds=3600,
        )
        return TestUser(user.id, actor.role, user.email, user.name, user.branch_id, token)

    async def admin(self) -> TestUser:
        return await self.user("admin")

    async def staff(self, branch: Branch) -> TestUser:
        return await self.user("staff", branch_id=branch.id)

    async def customer(self, home: Branch | None = None) -> TestUser:
        return await self.user("customer", branch_id=home.id if home else None)

    async def optometrist(
        self,
        *branches: Branch,
        days: range = range(7),
        start: time = time(9, 0),
        end: time = time(17, 0),
    ) -> TestUser:
        """An optometrist working every given branch on `days` (default: all week, 9 to 5)."""
        created = await self.user("optometrist")
        async with self.database.session() as session:
            session.add_all(
                Schedule(
                    optometrist_id=created.id,
                    branch_id=branch.id,
                    day_of_week=day,
                    start_time=start,
                    end_time=end,
                )
                for branch in branches
                for day in days
            )
            await commit(session)
            user = await session.get(User, created.id)
            assert user is not None
            return self.login(user, await actor_for(session, user))

    async def product(self, name: str | None = None, price: str = "100.00") -> Product:
        number = next(_counter)
        async with self.database.session() as session:
            product = Product(
                name=name or f"Product {number}",
                sku=f"SKU-{number:05d}",
                category="frames",
                price=Decimal(price),
            )
            session.add(product)
            await commit(session)
            return product

    async def stock(
        self, product: Product, branch: Branch, *, on_hand: int, threshold: int, reserved: int = 0
    ) -> BranchStock:
        async with self.database.session() as session:
            row = BranchStock(
                product_id=product.id,
                branch_id=branch.id,
                on_hand=on_hand,
                threshold=threshold,
                reserved=reserved,
            )
            session.add(row)
            await commit(session)
            return row
