"""Test helpers: what the event seam recorded, as events and inbox rows in the database."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlalchemy import func, select

from oms.db.database import Database
from oms.db.models import Appointment, Branch, EventRecord, Notification
from tests.factories import TestUser


async def counts(database: Database) -> tuple[int, int]:
    """(events, inbox rows) in the whole database."""
    async with database.session() as session:
        events = await session.scalar(select(func.count()).select_from(EventRecord))
        inbox = await session.scalar(select(func.count()).select_from(Notification))
        return int(events or 0), int(inbox or 0)


async def inbox_of_event(database: Database, event_id: int) -> dict[int, int]:
    """{user id: inbox row id} for one event."""
    async with database.session() as session:
        rows = await session.execute(
            select(Notification.user_id, Notification.id).where(Notification.event_id == event_id)
        )
        return {int(user_id): int(row_id) for user_id, row_id in rows.all()}


async def stored_payload(database: Database, event_id: int) -> dict[str, Any]:
    async with database.session() as session:
        record = await session.get(EventRecord, event_id)
        assert record is not None
        return record.payload


async def appointment(
    database: Database,
    *,
    patient: TestUser,
    optometrist: TestUser,
    branch: Branch,
    status: str = "in_progress",
) -> int:
    """An appointment row written directly (the appointment rules are not under test here)."""
    async with database.session() as session:
        row = Appointment(
            patient_id=patient.id,
            optometrist_id=optometrist.id,
            branch_id=branch.id,
            date=date.today(),
            start_time=time(10, 0),
            end_time=time(10, 30),
            type="eye_exam",
            status=status,
        )
        session.add(row)
        await session.commit()
        return row.id
