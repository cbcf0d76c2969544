"""The typed catalogue of real-time events (DESIGN §4). One source for the server and the web app.

Every event shares `EventBase`; each family adds its subject. `extra="forbid"` keeps payloads
exactly to contract: a field added by mistake fails a test instead of leaking data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict

Level = Literal["success", "info", "warning", "error"]

AppointmentEventName = Literal[
    "appointment.created",
    "appointment.updated",
    "appointment.confirmed",
    "appointment.cancelled",
    "appointment.completed",
    "appointment.no_show",
]
InventoryEventName = Literal["inventory.low_stock", "inventory.out_of_stock", "inventory.restocked"]
NotificationEventName = Literal["notification.general", "notification.alert", "notification.urgent"]
PrescriptionEventName = Literal["prescription.created"]
ScheduleEventName = Literal["schedule.updated"]
PresenceEventName = Literal["presence.changed"]

EventName = Literal[
    AppointmentEventName,
    InventoryEventName,
    NotificationEventName,
    PrescriptionEventName,
    ScheduleEventName,
    PresenceEventName,
]
# Nested Literals flatten, so this is every name (iterating the families would yield nothing).
EVENT_NAMES: tuple[str, ...] = get_args(EventName)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonRef(_Strict):
    id: int
    name: str


class PatientRef(PersonRef):
    email: str


class BranchRef(_Strict):
    id: int
    name: str


class BranchWithAddress(BranchRef):
    address: str


class AppointmentSubject(_Strict):
    id: int
    date: str
    time: str
    end_time: str
    status: str
    type: str
    patient: PatientRef
    optometrist: PersonRef
    branch: BranchRef


class ProductRef(_Strict):
    id: int
    name: str
    sku: str
    image: str


class StockLevel(_Strict):
    current_level: int
    threshold: int
    status: Literal["low", "out", "normal"]


class PrescriptionSubject(_Strict):
    id: int
    number: str
    patient: PersonRef
    optometrist: PersonRef
    issue_date: str
    expiry_date: str


class ScheduleSubject(_Strict):
    optometrist: PersonRef
    branch: BranchRef
    day_of_week: int
    start_time: str
    end_time: str
    is_active: bool


class EventBase(_Strict):
    event_id: int
    event: str
    type: str
    title: str
    message: str
    level: Level
    timestamp: datetime


class AppointmentEvent(EventBase):
    event: AppointmentEventName
    id: int
    appointment: AppointmentSubject


class InventoryEvent(EventBase):
    event: InventoryEventName
    product: ProductRef
    branch: BranchWithAddress
    stock: StockLevel


class NotificationEvent(EventBase):
    """`id` is the recipient's own inbox row, so it is added per recipient at delivery."""

    event: NotificationEventName
    id: int
    data: dict[str, Any]


class PrescriptionEvent(EventBase):
    event: PrescriptionEventName
    prescription: PrescriptionSubject


class ScheduleEvent(EventBase):
    event: ScheduleEventName
    schedule: ScheduleSubject


class PresenceUser(_Strict):
    id: int
    name: str
    role: str


class PresenceEvent(EventBase):
    """A staff member or optometrist came online (first socket in the cluster) or went offline
    (last socket closed, and not back within the debounce) — DESIGN §12."""

    event: PresenceEventName
    user: PresenceUser
    branch_ids: list[int]
    online: bool


EVENT_MODELS: dict[str, type[EventBase]] = {
    "appointment": AppointmentEvent,
    "inventory": InventoryEvent,
    "notification": NotificationEvent,
    "prescription": PrescriptionEvent,
    "schedule": ScheduleEvent,
    "presence": PresenceEvent,
}

# Fields every payload has; the rest of a payload is its subject.
BASE_FIELDS = frozenset(EventBase.model_fields)


def is_per_recipient(name: str) -> bool:
    """Notification events carry the recipient's inbox row id, so each recipient's copy differs."""
    return name.startswith("notification.")


def is_ambient(name: str) -> bool:
    """Events that keep a screen current but are not news: delivered (and replayed) like any
    other, but their inbox rows are stored already read and the inbox list leaves them out, so
    the bell never counts someone signing in."""
    return name.startswith("presence.")


def validate_payload(payload: dict[str, Any], *, inbox_id: int | None = None) -> EventBase:
    """Check a payload against its model; `inbox_id` stands in for the per-recipient `id`."""
    model = EVENT_MODELS[str(payload["event"]).split(".", 1)[0]]
    if is_per_recipient(str(payload["event"])):
        payload = {**payload, "id": inbox_id if inbox_id is not None else 0}
    return model.model_validate(payload)
