"""The demo chain's prescriptions and glasses orders (DESIGN §11), so a newcomer sees the order
board populated at once: a few orders in each status at every branch, and one late order (its due
date already past while it is still at the lab; the timeline announces it at start).

Rows are written directly, like the rest of the demo chain: loading the demo raises no events.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.clock import SYSTEM_CLOCK, Clock
from oms.db.models import Branch, BranchStock, GlassesOrder, Prescription, Product, User
from oms.domain.order_rules import OPEN_STATUSES, due_date, order_number
from oms.domain.prescriptions import one_year_after, rx_number
from oms.domain.rx_rules import Eye, eye_to_json
from oms.timezones import local_today

# (right, left): sphere, cylinder, axis, add
_EYES = (
    (("-1.25", "-0.50", 90, None), ("-1.00", "0", None, None)),
    (("+1.50", "0", None, "1.75"), ("+1.75", "0", None, "1.75")),
    (("-3.00", "-1.25", 175, None), ("-2.75", "-1.00", 5, None)),
    (("-0.75", "0", None, None), ("-0.50", "0", None, None)),
)


def _eye(sphere: str, cylinder: str, axis: int | None, add: str | None) -> dict[str, Any]:
    return eye_to_json(Eye(Decimal(sphere), Decimal(cylinder), axis, Decimal(add) if add else None))


# Where each demo customer's orders are placed (customer2 has none: an end-to-end test counts
# that she starts with no prescription).
_BRANCH_OF = {1: "EMERALD", 3: "NEWSTAR", 4: "GARNET", 5: "UNITOP"}
# Each of those customers' orders: (lens type, status, days ago it was ordered, with a frame)
_ORDERS_OF = {
    1: (
        ("single_vision", "ordered", 0, True),
        ("progressive", "in_lab", 4, True),
        ("single_vision", "in_lab", 9, False),  # due days ago: the late one
        ("bifocal", "ready", 8, True),
        ("single_vision", "collected", 20, True),
        ("contact_lens", "cancelled", 6, False),
    ),
    5: (
        ("contact_lens", "ordered", 1, False),
        ("bifocal", "in_lab", 2, True),
        ("single_vision", "ready", 4, True),
        ("progressive", "collected", 30, True),
    ),
    3: (
        ("single_vision", "ordered", 0, True),
        ("progressive", "in_lab", 3, False),
        ("contact_lens", "ready", 6, False),
    ),
    4: (
        ("bifocal", "ordered", 1, True),
        ("single_vision", "collected", 12, True),
        ("single_vision", "cancelled", 2, True),
    ),
}


def _prescription(patient: User, optometrist: User, eyes: int, today: date) -> Prescription:
    right, left = (_eye(*eye) for eye in _EYES[eyes % len(_EYES)])
    issued = today - timedelta(days=30)
    return Prescription(
        patient_id=patient.id,
        optometrist_id=optometrist.id,
        right_eye=right,
        left_eye=left,
        issue_date=issued,
        expiry_date=one_year_after(issued),
        notes="demo",
    )


async def load_demo_orders(
    session: AsyncSession,
    customers: list[User],
    branches: dict[str, Branch],
    optometrist_of: dict[int, User],
    clock: Clock = SYSTEM_CLOCK,
) -> None:
    """A prescription for each customer of `_BRANCH_OF` (by an optometrist of that branch), and
    their `_ORDERS_OF` there. The caller commits."""
    frame = await session.scalar(select(Product).where(Product.category == "frames"))
    assert frame is not None, "the demo stocks frames"
    prescriptions: dict[int, Prescription] = {}
    for number, code in _BRANCH_OF.items():
        branch = branches[code]
        today = local_today(branch.timezone, clock)
        rx = _prescription(customers[number - 1], optometrist_of[branch.id], number, today)
        session.add(rx)
        await session.flush()
        rx.number = rx_number(rx.id)
        prescriptions[number] = rx
    for number, own in _ORDERS_OF.items():
        branch = branches[_BRANCH_OF[number]]
        for lens_type, status, days_ago, with_frame in own:
            ordered_on = local_today(branch.timezone, clock) - timedelta(days=days_ago)
            order = GlassesOrder(
                prescription_id=prescriptions[number].id,
                patient_id=customers[number - 1].id,
                branch_id=branch.id,
                lens_type=lens_type,
                frame_product_id=frame.id if with_frame else None,
                status=status,
                ordered_on=ordered_on,
                due_date=due_date(ordered_on, lens_type),
                cancel_reason="changed their mind" if status == "cancelled" else "",
            )
            session.add(order)
            await session.flush()
            order.number = order_number(order.id)
            if with_frame and status in (*OPEN_STATUSES, "ready"):
                stock = await session.scalar(
                    select(BranchStock).where(
                        BranchStock.branch_id == branch.id, BranchStock.product_id == frame.id
                    )
                )
                assert stock is not None
                stock.reserved += 1
    await session.flush()
