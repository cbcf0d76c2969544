"""The demo chain (DESIGN §8): four branches, their people, schedules and stocked products.

Loaded only when asked for (`oms seed --demo`, `oms serve --demo`) and only into an empty database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import Branch, BranchStock, Product, Schedule, User
from oms.demo_orders import load_demo_orders
from oms.security.passwords import hash_password

DEMO_PASSWORD = "everbright-demo"
DEMO_DOMAIN = "everbright.test"

# The seed's chain is in the Philippines (DESIGN §3).
DEMO_TIMEZONE = "Asia/Manila"
BRANCHES = (
    ("Emerald", "EMERALD", "12 Emerald Avenue, Pasig City", "+63 2 8123 4501"),
    ("Unitop", "UNITOP", "Unitop Mall, Rizal Avenue, Manila", "+63 2 8123 4502"),
    ("Newstar", "NEWSTAR", "Newstar Plaza, Quezon City", "+63 2 8123 4503"),
    ("Garnet", "GARNET", "8 Garnet Road, Ortigas Center", "+63 2 8123 4504"),
)
OPTOMETRISTS = (
    ("dr.prieto", "Dr. Ana Prieto", ("EMERALD", "UNITOP")),
    ("dr.santos", "Dr. Miguel Santos", ("NEWSTAR", "GARNET")),
)
CUSTOMERS = (
    ("Maria Cruz", "EMERALD"),
    ("Jose Reyes", "UNITOP"),
    ("Liza Bautista", "NEWSTAR"),
    ("Ramon Garcia", "GARNET"),
    ("Carmen Lim", None),
)
# name, sku, category, price, on hand, threshold (a few sit just above their threshold)
PRODUCTS = (
    ("Classic Acetate Frame", "FRM-ACE-001", "frames", "2499.00", 24, 5),
    ("Titanium Rimless Frame", "FRM-TIT-002", "frames", "5999.00", 6, 5),
    ("Single Vision Lens 1.56", "LNS-SV-156", "lenses", "1200.00", 40, 10),
    ("Progressive Lens 1.67", "LNS-PRG-167", "lenses", "7800.00", 11, 10),
    ("Daily Contact Lenses (30)", "CL-DAY-30", "contact_lenses", "1650.00", 30, 8),
    ("Monthly Contact Lenses (6)", "CL-MON-6", "contact_lenses", "2100.00", 9, 8),
    ("Multipurpose Lens Solution 360ml", "SOL-MP-360", "solutions", "450.00", 50, 12),
    ("Hard Shell Case", "CASE-HARD", "accessories", "250.00", 13, 12),
)
WORKDAYS = range(0, 6)  # Monday to Saturday
OPENS, CLOSES = time(9, 0), time(17, 0)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    name: str


async def database_is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(func.count()).select_from(User))


async def load_demo(session: AsyncSession) -> list[DemoLogin]:
    """Insert the demo chain and return the log-ins. The caller commits."""
    password_hash = hash_password(DEMO_PASSWORD)
    branches = {
        code: Branch(name=n, code=code, address=a, phone=p, timezone=DEMO_TIMEZONE)
        for n, code, a, p in BRANCHES
    }
    session.add_all(branches.values())
    await session.flush()
    people: list[User] = [User(email=f"admin@{DEMO_DOMAIN}", name="Chain Admin", role="admin")]
    for name, code, *_ in BRANCHES:
        people.append(
            User(
                email=f"staff.{code.lower()}@{DEMO_DOMAIN}",
                name=f"{name} Front Desk",
                role="staff",
                branch_id=branches[code].id,
            )
        )
    optometrists = [
        User(email=f"{handle}@{DEMO_DOMAIN}", name=name, role="optometrist")
        for handle, name, _ in OPTOMETRISTS
    ]
    people += optometrists
    for number, (name, home) in enumerate(CUSTOMERS, start=1):
        people.append(
            User(
                email=f"customer{number}@{DEMO_DOMAIN}",
                name=name,
                role="customer",
                branch_id=branches[home].id if home else None,
            )
        )
    for person in people:
        person.password_hash = password_hash
    session.add_all(people)
    await session.flush()
    for optometrist, (_, _, codes) in zip(optometrists, OPTOMETRISTS, strict=True):
        session.add_all(
            Schedule(
                optometrist_id=optometrist.id,
                branch_id=branches[code].id,
                day_of_week=day,
                start_time=OPENS,
                end_time=CLOSES,
            )
            for code in codes
            for day in WORKDAYS
        )
    products = [
        Product(name=name, sku=sku, category=category, price=Decimal(price))
        for name, sku, category, price, _, _ in PRODUCTS
    ]
    session.add_all(products)
    await session.flush()
    for product, (*_, on_hand, threshold) in zip(products, PRODUCTS, strict=True):
        session.add_all(
            BranchStock(
                product_id=product.id, branch_id=branch.id, on_hand=on_hand, threshold=threshold
            )
            for branch in branches.values()
        )
    await session.flush()
    await load_demo_orders(  # DESIGN §11: a populated order board
        session,
        [p for p in people if p.role == "customer"],
        branches,
        {
            branches[code].id: o
            for o, (*_, codes) in zip(optometrists, OPTOMETRISTS, strict=True)
            for code in codes
        },
    )
    return [DemoLogin(p.email, p.role, p.name) for p in people]
