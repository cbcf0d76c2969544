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
# DESIGN §11: the clinic's own timeline.
ReminderEventName = Literal["appointment.reminder"]
OrderEventName = Literal[
    "order.created",
    "order.updated",
    "order.ready",
    "order.collected",
    "order.cancelled",
    "order.late",
]
PresenceEventName = Literal["presence.changed"]

EventName = Literal[
    AppointmentEventName,
    InventoryEventName,
    NotificationEventName,
    PrescriptionEventName,
    ScheduleEventName,
    ReminderEventName,
    OrderEventName,
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


class OrderSubject(_Strict):
    id: int
    number: str
    status: Literal["ordered", "in_lab", "ready", "collected", "cancelled"]
    lens_type: Literal["single_vision", "bifocal", "progressive", "contact_lens"]
    due_date: str
    patient: PersonRef
    branch: BranchRef


class EventBase(_Strict):
    """The envelope every payload carries (DESIGN §4)."""

    event_id: int
    event: str
    type: str
    title: str
    message: str
    level: Level
    timestamp: datetime


# --- Drafts: what the domain builds -----------------------------------------------------------
# A draft is an event without its envelope: the name (a Literal of its family), the words and the
# subject, typed field by field so mypy checks every event the domain records. The recorder
# completes it (`event_id`, `type`, `timestamp`) into the payload of the wire model below, which
# is the draft plus the envelope (`class XEvent(XDraft, EventBase)`: envelope fields first).


class EventDraft(_Strict):
    event: str
    title: str
    message: str
    level: Level


class AppointmentDraft(EventDraft):
    event: AppointmentEventName
    id: int
    appointment: AppointmentSubject
    # Who acted (None when the system did): screens say "you" or the name from it.
    by: PersonRef | None = None


class InventoryDraft(EventDraft):
    event: InventoryEventName
    product: ProductRef
    branch: BranchWithAddress
    stock: StockLevel


class NotificationDraft(EventDraft):
    event: NotificationEventName
    data: dict[str, Any]


class PrescriptionDraft(EventDraft):
    event: PrescriptionEventName = "prescription.created"
    prescription: PrescriptionSubject


class ScheduleDraft(EventDraft):
    event: ScheduleEventName = "schedule.updated"
    schedule: ScheduleSubject


class ReminderDraft(EventDraft):
    """An appointment's subject plus which reminder this is (`offset`, as configured: "24h")."""

    event: ReminderEventName = "appointment.reminder"
    id: int
    appointment: AppointmentSubject
    offset: str


class OrderDraft(EventDraft):
    event: OrderEventName
    order: OrderSubject


# --- Wire models: the payloads as clients receive them (and the web app's generated types) -----


class AppointmentEvent(AppointmentDraft, EventBase):
    pass


class InventoryEvent(InventoryDraft, EventBase):
    pass


class NotificationEvent(NotificationDraft, EventBase):
    """`id` is the recipient's own inbox row, so it is added per recipient at delivery."""

    id: int


class PrescriptionEvent(PrescriptionDraft, EventBase):
    pass


class ScheduleEvent(ScheduleDraft, EventBase):
    pass


class ReminderEvent(ReminderDraft, EventBase):
    pass


class OrderEvent(OrderDraft, EventBase):
    pass


# --- user messages: to one user's own sockets only, never in an inbox -------------------------
# `inbox.read`: that user read some rows (`ids`) or everything (`all`) in one tab or device, so
# every other tab and device updates its bell and list at once.
UserMessageName = Literal["inbox.read"]
USER_MESSAGE_NAMES: tuple[str, ...] = get_args(UserMessageName)


class InboxReadDraft(EventDraft):
    """Not news: no words, no toast."""

    event: UserMessageName = "inbox.read"
    title: str = ""
    message: str = ""
    level: Level = "info"
    user_id: int
    ids: list[int]
    all: bool
    unread_count: int


class InboxReadEvent(InboxReadDraft, EventBase):
    pass


def is_user_message(name: str) -> bool:
    return name in USER_MESSAGE_NAMES


class PresenceUser(_Strict):
    id: int
    name: str
    role: str


class PresenceDraft(EventDraft):
    """A staff member or optometrist came online (first socket in the cluster) or went offline
    (last socket closed, and not back within the debounce) — DESIGN §12."""

    event: PresenceEventName = "presence.changed"
    user: PresenceUser
    branch_ids: list[int]
    online: bool


class PresenceEvent(PresenceDraft, EventBase):
    pass


EVENT_MODELS: dict[str, type[EventBase]] = {
    "appointment": AppointmentEvent,
    "inventory": InventoryEvent,
    "notification": NotificationEvent,
    "prescription": PrescriptionEvent,
    "schedule": ScheduleEvent,
    "order": OrderEvent,
    "inbox": InboxReadEvent,
    "presence": PresenceEvent,
}
# Events whose payload differs from the rest of their family, by full name.
EVENT_MODELS_BY_NAME: dict[str, type[EventBase]] = {
    "appointment.reminder": ReminderEvent,
}


def model_for(name: str) -> type[EventBase]:
    family = name.split(".", 1)[0]
    return EVENT_MODELS_BY_NAME.get(name) or EVENT_MODELS.get(family) or CONTROL_MODELS[family]


# Fields every payload has; the rest of a payload is its subject.
BASE_FIELDS = frozenset(EventBase.model_fields)


def is_per_recipient(name: str) -> bool:
    """Notification events carry the recipient's inbox row id, so each recipient's copy differs."""
    return name.startswith("notification.")


# --- Control events -------------------------------------------------------------------------------
# Recorded in the event log like every event, so they are ordered with the rest (nothing committed
# after a revocation reaches a revoked socket) and a node that missed the bus still reads them from
# the table; but never delivered to a client: they have no recipients, gateways act on them.
ControlEventName = Literal["session.revoked"]


class SessionRevokedDraft(EventDraft):
    """A user's tokens were revoked: the one named `token_id` (log-out), or every token issued
    under a version below `min_version` (password, role, branches, disabled)."""

    event: ControlEventName = "session.revoked"
    user_id: int
    token_id: str | None
    min_version: int | None


class SessionRevokedEvent(SessionRevokedDraft, EventBase):
    pass


CONTROL_MODELS: dict[str, type[EventBase]] = {"session": SessionRevokedEvent}


def is_control(name: str) -> bool:
    return name.split(".", 1)[0] in CONTROL_MODELS


def is_ambient(name: str) -> bool:
    """Events that keep a screen current but are not news: delivered (and replayed) like any
    other, but their inbox rows are stored already read and the inbox list leaves them out, so
    the bell never counts someone signing in."""
    return name.startswith("presence.")


def validate_payload(payload: dict[str, Any], *, inbox_id: int | None = None) -> EventBase:
    """Check a payload against its model; `inbox_id` stands in for the per-recipient `id`."""
    model = model_for(str(payload["event"]))
    if is_per_recipient(str(payload["event"])):
        payload = {**payload, "id": inbox_id if inbox_id is not None else 0}
    return model.model_validate(payload)


# Every draft `record_event` takes (user messages go through `record_user_message`): a union, so
# a draft's `event` is one of the catalogue's names wherever it is recorded.
RecordedDraft = (
    AppointmentDraft
    | InventoryDraft
    | NotificationDraft
    | PrescriptionDraft
    | ScheduleDraft
    | ReminderDraft
    | OrderDraft
    | PresenceDraft
    | SessionRevokedDraft
)
