"""A small chain for order tests: Emerald (Asia/Manila) and Unitop, everyone who may or may not
see Emerald's orders, a stocked frame, a prescription for the customer, and a clock set to a
known Monday morning in Manila."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from oms.clock import ManualClock
from oms.db.database import Database
from oms.db.models import Appointment, Branch, Product
from oms.events.recorder import commit
from tests.factories import Factory, TestUser

MANILA = "Asia/Manila"


def next_monday_morning_manila() -> datetime:
    """02:00 UTC (10:00 in Manila) on the first Monday at least two days from the real today, so
    a prescription issued today is valid and the weekday table is known."""
    today = datetime.now(UTC).date() + timedelta(days=2)
    monday = today + timedelta(days=(0 - today.weekday()) % 7)
    return datetime(monday.year, monday.month, monday.day, 2, 0, tzinfo=UTC)


@dataclass
class Lab:
    emerald: Branch
    unitop: Branch
    staff: TestUser  # Emerald
    other_staff: TestUser  # Unitop
    optometrist: TestUser  # Emerald
    other_optometrist: TestUser  # Unitop only
    customer: TestUser
    other_customer: TestUser
    admin: TestUser
    frame: Product
    prescription_id: int

    def body(self, **overrides: Any) -> dict[str, Any]:
        return {
            "prescription_id": self.prescription_id,
            "branch_id": self.emerald.id,
            "lens_type": "single_vision",
        } | overrides

    @property
    def audience(self) -> set[int]:
        """Who an order event at Emerald for the customer reaches: the patient and its staff."""
        return {self.customer.id, self.staff.id}

    def people(self) -> dict[str, TestUser]:
        return {
            "admin": self.admin,
            "staff": self.staff,
            "other_staff": self.other_staff,
            "optometrist": self.optometrist,
            "other_optometrist": self.other_optometrist,
            "customer": self.customer,
            "other_customer": self.other_customer,
        }


async def set_timezone(database: Database, branch: Branch, name: str) -> None:
    async with database.session() as session:
        await session.execute(update(Branch).where(Branch.id == branch.id).values(timezone=name))
        await commit(session)
    branch.timezone = name


async def past_visit(
    database: Database, patient: TestUser, optometrist: TestUser, branch: Branch
) -> None:
    """The exam the prescription came from: a completed visit at the branch, which is what makes
    the patient the branch's (staff see the prescriptions of their branches' patients only)."""
    async with database.session() as session:
        session.add(
            Appointment(
                patient_id=patient.id,
                optometrist_id=optometrist.id,
                branch_id=branch.id,
                date=date(2026, 1, 5),
                start_time=time(9, 0),
                end_time=time(9, 30),
                type="eye_exam",
                status="completed",
            )
        )
        await commit(session)


async def issue_prescription(
    client: httpx.AsyncClient, optometrist: TestUser, patient: TestUser
) -> int:
    response = await client.post(
        "/api/prescriptions",
        json={
            "patient_id": patient.id,
            "right_eye": {"sphere": "-1.25", "cylinder": "-0.50", "axis": 90},
            "left_eye": {"sphere": -1, "cylinder": 0},
        },
        headers=optometrist.headers,
    )
    assert response.status_code == 201, response.text
    rx_id: int = response.json()["id"]
    return rx_id


@pytest.fixture
async def lab(
    factory: Factory, database: Database, client: httpx.AsyncClient, clock: ManualClock
) -> Lab:
    emerald = await factory.branch("Emerald", "EMERALD")
    unitop = await factory.branch("Unitop", "UNITOP")
    await set_timezone(database, emerald, MANILA)
    optometrist = await factory.optometrist(emerald)
    customer = await factory.user("customer", name="Maria Cruz")
    frame = await factory.product("Classic Acetate Frame")
    await factory.stock(frame, emerald, on_hand=10, threshold=2)
    await past_visit(database, customer, optometrist, emerald)
    rx_id = await issue_prescription(client, optometrist, customer)
    clock.set(next_monday_morning_manila())
    return Lab(
        emerald=emerald,
        unitop=unitop,
        staff=await factory.staff(emerald),
        other_staff=await factory.staff(unitop),
        optometrist=optometrist,
        other_optometrist=await factory.optometrist(unitop),
        customer=customer,
        other_customer=await factory.customer(),
        admin=await factory.admin(),
        frame=frame,
        prescription_id=rx_id,
    )


async def place(
    client: httpx.AsyncClient, lab: Lab, *, as_: TestUser | None = None, **overrides: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/orders", json=lab.body(**overrides), headers=(as_ or lab.staff).headers
    )
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


async def act(
    client: httpx.AsyncClient, order_id: int, action: str, who: TestUser, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/api/orders/{order_id}/{action}", json=body or None, headers=who.headers
    )
