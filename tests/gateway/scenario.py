"""A small chain (two branches and their people) and a well-formed event of every type, with the
recipients DESIGN §4 prescribes, computed by the real `oms.events.recipients` functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from oms.db.database import Database
from oms.db.models import Branch
from oms.events import recipients
from oms.events.catalogue import EVENT_NAMES, RecordedDraft
from oms.events.envelope import PublishedEvent
from oms.events.recorder import commit, record_event
from tests.factories import Factory, TestUser


@dataclass
class Chain:
    north: Branch
    south: Branch
    admin: TestUser
    staff_north: TestUser
    staff_south: TestUser
    optometrist_north: TestUser
    optometrist_south: TestUser
    customer: TestUser
    other_customer: TestUser

    @property
    def everyone(self) -> dict[str, TestUser]:
        return {name: value for name, value in vars(self).items() if isinstance(value, TestUser)}


async def build_chain(factory: Factory) -> Chain:
    north = await factory.branch("North")
    south = await factory.branch("South")
    return Chain(
        north=north,
        south=south,
        admin=await factory.admin(),
        staff_north=await factory.staff(north),
        staff_south=await factory.staff(south),
        optometrist_north=await factory.optometrist(north),
        optometrist_south=await factory.optometrist(south),
        customer=await factory.customer(home=north),
        other_customer=await factory.customer(home=north),
    )


def _person(user: TestUser) -> dict[str, Any]:
    return {"id": user.id, "name": user.name}


def _branch(branch: Branch) -> dict[str, Any]:
    return {"id": branch.id, "name": branch.name}


def subject_for(name: str, chain: Chain) -> dict[str, Any]:
    """A valid §4 subject for `name`, about the customer / north branch."""
    family = name.split(".", 1)[0]
    if name == "appointment.reminder":
        return {**subject_for("appointment.created", chain), "offset": "24h"}
    if family == "order":
        return {
            "order": {
                "id": 5,
                "number": "ORD-000005",
                "status": "ready",
                "lens_type": "progressive",
                "due_date": "2026-03-16",
                "patient": _person(chain.customer),
                "branch": _branch(chain.north),
            }
        }
    if family == "appointment":
        return {
            "id": 7,
            "appointment": {
                "id": 7,
                "date": "2026-03-02",
                "time": "09:00",
                "end_time": "09:30",
                "status": "scheduled",
                "type": "eye_exam",
                "patient": {**_person(chain.customer), "email": chain.customer.email},
                "optometrist": _person(chain.optometrist_north),
                "branch": _branch(chain.north),
            },
        }
    if family == "inventory":
        return {
            "product": {"id": 3, "name": "Frame", "sku": "SKU-3", "image": ""},
            "branch": {**_branch(chain.north), "address": chain.north.address},
            "stock": {"current_level": 2, "threshold": 5, "status": "low"},
        }
    if family == "notification":
        return {"data": {"source": "test"}}
    if family == "prescription":
        return {
            "prescription": {
                "id": 4,
                "number": "RX-000004",
                "patient": _person(chain.customer),
                "optometrist": _person(chain.optometrist_north),
                "issue_date": "2026-03-02",
                "expiry_date": "2027-03-02",
            }
        }
    if family == "schedule":
        return {
            "schedule": {
                "optometrist": _person(chain.optometrist_north),
                "branch": _branch(chain.north),
                "day_of_week": 1,
                "start_time": "09:00",
                "end_time": "17:00",
                "is_active": True,
            }
        }
    if family == "presence":
        return {
            "user": {"id": chain.staff_north.id, "name": chain.staff_north.name, "role": "staff"},
            "branch_ids": [chain.north.id],
            "online": True,
        }
    raise ValueError(name)


async def recipients_for(database: Database, name: str, chain: Chain) -> set[int]:
    """Who must receive `name` about the customer at the north branch (DESIGN §4)."""
    family, kind = name.split(".", 1)
    async with database.session() as session:
        if name == "appointment.reminder":
            return recipients.for_reminder(patient_id=chain.customer.id)
        if family == "order":
            return await recipients.for_order(
                session,
                patient_id=chain.customer.id,
                branch_id=chain.north.id,
                late=kind == "late",
            )
        if family == "appointment":
            return await recipients.for_appointment(
                session,
                patient_id=chain.customer.id,
                optometrist_id=chain.optometrist_north.id,
                branch_id=chain.north.id,
            )
        if family == "inventory":
            return await recipients.for_inventory(session, chain.north.id)
        if family == "prescription":
            return recipients.for_prescription(
                patient_id=chain.customer.id, optometrist_id=chain.optometrist_north.id
            )
        if family == "schedule":
            return await recipients.for_schedule(
                session, optometrist_id=chain.optometrist_north.id, branch_id=chain.north.id
            )
        if family == "presence":
            return await recipients.for_presence(session, [chain.north.id])
        # notifications: one of each addressing form
        if kind == "general":
            return {chain.customer.id, chain.staff_south.id}
        if kind == "alert":
            return await recipients.role_members(session, "staff")
        return await recipients.branch_members(session, chain.north.id)


# What each family must reach in the chain, by name (the assertion does not trust the functions).
EXPECTED = {
    "appointment": {"admin", "staff_north", "optometrist_north", "customer"},
    "appointment.reminder": {"customer"},
    "order": {"staff_north", "customer"},
    "order.late": {"admin", "staff_north", "customer"},
    "inventory": {"admin", "staff_north"},
    "prescription": {"optometrist_north", "customer"},
    "schedule": {"optometrist_north", "staff_north"},
    "presence": {"admin", "staff_north", "optometrist_north"},
    "notification.general": {"customer", "staff_south"},
    "notification.alert": {"staff_north", "staff_south"},
    "notification.urgent": {"staff_north", "optometrist_north"},
}


def expected_names(name: str) -> set[str]:
    return EXPECTED.get(name) or EXPECTED[name.split(".", 1)[0]]


# The scenarios hold event names as data, so their drafts are checked at run time, by name.
_DRAFTS: TypeAdapter[RecordedDraft] = TypeAdapter(
    Annotated[RecordedDraft, Field(discriminator="event")]
)


def draft(
    name: str, subject: dict[str, Any], *, title: str, message: str, level: str
) -> RecordedDraft:
    return _DRAFTS.validate_python(
        {"event": name, "title": title, "message": message, "level": level, **subject}
    )


async def record(
    database: Database, name: str, recipient_ids: set[int], subject: dict[str, Any]
) -> PublishedEvent:
    """Record and commit one event through the real seam (publishes on the database's bus)."""
    async with database.session() as session:
        event = await record_event(
            session,
            draft(name, subject, title=f"{name} title", message=f"{name} message", level="info"),
            recipients=recipient_ids,
        )
        await commit(session)
    return event


async def notify(database: Database, user_ids: set[int], text: str = "note") -> PublishedEvent:
    return await record(database, "notification.general", user_ids, {"data": {"text": text}})


async def record_unpublished(
    database: Database, name: str, recipient_ids: set[int], subject: dict[str, Any]
) -> int:
    """Commit an event the way a process that dies right after its commit leaves it: in the
    table, never published."""
    async with database.session() as session:
        event = await record_event(
            session,
            draft(
                name,
                subject,
                title="unpublished",
                message="committed, never published",
                level="warning",
            ),
            recipients=recipient_ids,
        )
        await session.commit()
    return event.event_id


ALL_EVENT_NAMES = EVENT_NAMES
