"""Late glasses orders (DESIGN §11): `order.late` once, when an order's due date is over in its
branch and it is still with the lab (ordered or in the lab).

What is due is a query; "announced" is the order's `late_notified_at`, set by a conditional
UPDATE (only while it is still empty and the order still open) in the same transaction as the
event. Two workers racing for one order: the second's UPDATE matches no row (PostgreSQL re-checks
the condition after the first commits; SQLite runs one writer at a time), so it records nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from oms.clock import Clock
from oms.db.database import Database
from oms.db.models import Branch, GlassesOrder
from oms.domain.order_events import record_order_event
from oms.domain.order_rules import OPEN_STATUSES, is_late
from oms.events.recorder import commit
from oms.timeline.batch import work_each
from oms.timezones import local_today


async def late_order_ids(session: AsyncSession, clock: Clock) -> list[int]:
    now: datetime = clock.now()
    # A branch's today is at most a day after UTC's: anything due later cannot be late anywhere.
    latest_due = (now + timedelta(days=1)).date()
    rows = await session.execute(
        select(GlassesOrder.id, GlassesOrder.status, GlassesOrder.due_date, Branch.timezone)
        .join(Branch, Branch.id == GlassesOrder.branch_id)
        .where(
            GlassesOrder.status.in_(OPEN_STATUSES),
            GlassesOrder.late_notified_at.is_(None),
            GlassesOrder.due_date < latest_due,
        )
        .order_by(GlassesOrder.due_date, GlassesOrder.id)
    )
    return [
        order_id
        for order_id, status, due, timezone in rows.all()
        if is_late(status, due, local_today(timezone, clock))
    ]


async def _announce(session: AsyncSession, order_id: int, clock: Clock) -> bool:
    claimed = await session.execute(
        update(GlassesOrder)
        .where(
            GlassesOrder.id == order_id,
            GlassesOrder.late_notified_at.is_(None),
            GlassesOrder.status.in_(OPEN_STATUSES),
        )
        .values(late_notified_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    assert isinstance(claimed, CursorResult)
    if claimed.rowcount != 1:
        await session.rollback()
        return False
    order = await session.get(GlassesOrder, order_id, populate_existing=True)
    assert order is not None
    await record_order_event(session, order, "order.late")
    await commit(session)
    return True


async def announce_late_orders(database: Database, clock: Clock) -> int:
    """Raise order.late for every order that became late; returns how many this call raised."""
    return await work_each(
        database,
        lambda session: late_order_ids(session, clock),
        lambda session, order_id: _announce(session, order_id, clock),
    )
