"""A small chain for appointment tests: two branches, their staff, two optometrists at the first,
two customers and two admins; plus helpers that read back what an action recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from oms.db.database import Database
from oms.db.models import Branch, EventRecord, Notification
from oms.domain.appointment_rules import today_utc
from oms.events.catalogue import validate_payload
from oms.events.store import latest_event_id
from tests.conftest import PublishedLog
from tests.factories import Factory, TestUser


def future(days: int = 10) -> date:
    return today_utc() + timedelta(days=days)


def next_weekday(weekday: int, *, after: int = 7) -> date:
    """The first date at least `after` days ahead that falls on `weekday` (0 = Monday)."""
    day = future(after)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@dataclass
class World:
    emerald: Branch
    unitop: Branch
    staff: TestUser  # Emerald
    other_staff: TestUser  # Unitop
    optometrist: TestUser  # Emerald, every day 09:00-17:00
    other_optometrist: TestUser  # Emerald too, but never on these appointments
    customer: TestUser
    other_customer: TestUser
    admin: TestUser
    other_admin: TestUser

    def booking(
        self,
        *,
        day: date | None = None,
        start: str = "10:00",
        end: str = "10:30",
        patient: TestUser | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "optometrist_id": self.optometrist.id,
            "branch_id": self.emerald.id,
            "date": (day or future()).isoformat(),
            "start_time": start,
            "end_time": end,
            "type": "eye_exam",
        }
        if patient is not None:
            body["patient_id"] = patient.id
        return {**body, **extra}

    @property
    def audience(self) -> set[int]:
        """Who receives an event about the customer's appointment with the optometrist at
        Emerald: the patient, the optometrist, Emerald's staff and every admin."""
        return {self.customer.id, self.optometrist.id, self.staff.id, self.admin.id} | {
            self.other_admin.id
        }

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


@pytest.fixture
async def world(factory: Factory) -> World:
    emerald = await factory.branch("Emerald", "EMERALD")
    unitop = await factory.branch("Unitop", "UNITOP")
    return World(
        emerald=emerald,
        unitop=unitop,
        staff=await factory.staff(emerald),
        other_staff=await factory.staff(unitop),
        optometrist=await factory.optometrist(emerald),
        other_optometrist=await factory.optometrist(emerald),
        customer=await factory.user("customer", name="Maria Cruz"),
        other_customer=await factory.customer(),
        admin=await factory.admin(),
        other_admin=await factory.admin(),
    )


async def book(client: httpx.AsyncClient, world: World, **overrides: Any) -> dict[str, Any]:
    """The customer books (or `as_` books for `patient`); returns the created appointment."""
    who: TestUser = overrides.pop("as_", world.customer)
    response = await client.post(
        "/api/appointments", json=world.booking(**overrides), headers=who.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@dataclass(frozen=True)
class Recorded:
    name: str
    payload: dict[str, Any]
    recipients: set[int]


async def last_event_id(database: Database) -> int:
    async with database.session() as session:
        return await latest_event_id(session)


async def recorded_since(database: Database, after: int) -> list[Recorded]:
    """Events stored after `after`, each with the users who got an inbox row for it."""
    async with database.session() as session:
        events = (
            await session.scalars(
                select(EventRecord).where(EventRecord.id > after).order_by(EventRecord.id)
            )
        ).all()
        result = []
        for event in events:
            users = await session.scalars(
                select(Notification.user_id).where(Notification.event_id == event.id)
            )
            result.append(Recorded(event.name, event.payload, set(users.all())))
        return result


async def expect_events(
    database: Database,
    published: PublishedLog,
    after: int,
    expected: list[tuple[str, set[int]]],
) -> list[Recorded]:
    """Exactly `expected` (name, recipients) was stored, inboxed and published after `after`,
    each payload valid against the catalogue."""
    stored = await recorded_since(database, after)
    assert [(r.name, r.recipients) for r in stored] == expected
    assert published.names() == [name for name, _ in expected]
    for index, (_, users) in enumerate(expected):
        assert published.recipients(index) == users
        assert published.events[index].payload == stored[index].payload
        validate_payload(stored[index].payload)
    return stored


async def expect_no_events(database: Database, published: PublishedLog, after: int) -> None:
    assert await recorded_since(database, after) == []
    assert published.names() == []


def error_of(response: httpx.Response) -> tuple[int, str, str | None]:
    """(status, code, the field named) of an error response."""
    error = response.json()["error"]
    details = error["details"]
    field = details.get("field") or (details["fields"][0]["field"] if "fields" in details else None)
    return response.status_code, error["code"], field
