"""The clinic's tables. One class per table; rules live in `oms.domain`, not here."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from oms.db.base import Base, BigId, UTCDateTime, utcnow


class Branch(Base):
    __tablename__ = "branches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # IANA name: the branch's dates and times ("today", slots, reminders) are local to it.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    # The branch a staff member works at; a customer's optional home branch.
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped to serialize concurrent bookings of one optometrist (a portable row lock).
    booking_lock: Mapped[int] = mapped_column(Integer, default=0)
    # Tokens carry the version they were issued under; bumping it revokes every older token
    # (a password, role or branch change, disabling). See oms.domain.sessions.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("role IN ('admin','staff','optometrist','customer')", name="role"),
    )


class Schedule(Base):
    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    optometrist_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    day_of_week: Mapped[int] = mapped_column(Integer)  # 0 = Monday ... 6 = Sunday
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        UniqueConstraint("optometrist_id", "branch_id", "day_of_week", name="uq_schedule_slot"),
        CheckConstraint("day_of_week BETWEEN 0 AND 6", name="day_of_week"),
        CheckConstraint("start_time < end_time", name="time_order"),
    )


class Appointment(Base):
    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    optometrist_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    type: Mapped[str] = mapped_column(String(30))
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The booker's `Idempotency-Key`: a retried booking returns this appointment, not a 409.
    idempotency_key: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        Index("ix_appointments_optometrist_day", "optometrist_id", "date"),
        CheckConstraint("start_time < end_time", name="time_order"),
        UniqueConstraint("created_by_id", "idempotency_key", name="uq_appointment_idempotency"),
    )


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    sku: Mapped[str] = mapped_column(String(60), unique=True)
    category: Mapped[str] = mapped_column(String(40))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    image: Mapped[str] = mapped_column(String(255), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BranchStock(Base):
    __tablename__ = "branch_stock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    threshold: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("product_id", "branch_id", name="uq_stock_product_branch"),
        CheckConstraint("on_hand >= 0", name="on_hand_non_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_range"),
        CheckConstraint("threshold >= 0", name="threshold_non_negative"),
    )


class StockMovement(Base):
    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    kind: Mapped[str] = mapped_column(String(20))  # set | adjust | restock
    delta: Mapped[int] = mapped_column(Integer)
    on_hand_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_stock_movements_stock", "branch_id", "product_id"),)


class Prescription(Base):
    __tablename__ = "prescriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    optometrist_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    right_eye: Mapped[dict[str, Any]] = mapped_column(JSON)
    left_eye: Mapped[dict[str, Any]] = mapped_column(JSON)
    issue_date: Mapped[date] = mapped_column(Date)
    expiry_date: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventRecord(Base):
    """The outbox and event log: one row per event, ids increasing across the whole system."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    # The full §4 payload, except the per-recipient `id` of notification events.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(Base):
    """A user's durable inbox: one row per recipient per event."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # No foreign keys (migration 0008): a broadcast writes one row per member in one statement,
    # and PostgreSQL's per-row key checks were half its time at 100,000 members. Rows are only
    # written by events/inbox_rows.py, with the event of the same transaction and ids read from
    # `users` (users and events are never deleted).
    user_id: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[int] = mapped_column(BigId)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "event_id", name="uq_notification_user_event"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        # events_between finds the inbox rows of a page of events (migration 0003).
        Index("ix_notifications_event_user", "event_id", "user_id"),
    )


# --- glasses orders and the timeline (DESIGN §11) ---------------------------------------------


class GlassesOrder(Base):
    """A pair of glasses (or contact lenses) ordered from a prescription, followed to pickup."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    prescription_id: Mapped[int] = mapped_column(ForeignKey("prescriptions.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    lens_type: Mapped[str] = mapped_column(String(20))
    frame_product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="ordered", index=True)
    # Branch-local calendar days: the day it was ordered and the day it is promised for.
    ordered_on: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # Set in the transaction that records order.late, so lateness is announced once.
    late_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint(
            "status IN ('ordered','in_lab','ready','collected','cancelled')", name="status"
        ),
        CheckConstraint(
            "lens_type IN ('single_vision','bifocal','progressive','contact_lens')",
            name="lens_type",
        ),
    )


class AppointmentReminder(Base):
    """One row per reminder sent (or deliberately skipped): the unique key is what makes each
    reminder happen once, however many workers race for it. Keyed by the start instant too, so a
    rescheduled appointment is owed fresh reminders and the old ones can never match again."""

    __tablename__ = "appointment_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    offset_label: Mapped[str] = mapped_column(String(16))  # as configured: "24h", "2h", "30m"
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The appointment.reminder event; None when a later offset was sent in its place.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("appointment_id", "offset_label", "starts_at", name="uq_reminder_once"),
    )


class RevokedToken(Base):
    """Tokens revoked one by one (log-out), kept until they would have expired anyway."""

    __tablename__ = "revoked_tokens"

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# --- delivery channels (DESIGN §10): preferences, push subscriptions, deliveries ----------------


class NotificationPreference(Base):
    """A user's own choices; only what they changed is stored (defaults come from their role)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    # {family: {"email"?: bool, "push"?: bool}}: overrides merged over the role's defaults.
    channels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    quiet_timezone: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PushSubscription(Base):
    """One browser (device) that asked for Web Push; removed when its push service says 404/410."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(2048), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(Base):
    """One inbox row going out on one channel: `pending -> sent | failed | skipped`.

    While a worker sends, `next_attempt_at` is its lease: the row is not due again until the lease
    ends, and `attempts` (bumped at each claim) is the fencing token its outcome is written with.
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("notification_id", "channel", name="uq_delivery_notification_channel"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        CheckConstraint("channel IN ('email','push')", name="channel"),
        CheckConstraint("status IN ('pending','sent','failed','skipped')", name="status"),
    )


class DeliveryCursor(Base):
    """How far the planner has read the inbox (one row), in (event id, inbox id) order: inbox rows
    after it are unplanned."""

    __tablename__ = "delivery_cursor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigId, default=0)
    last_notification_id: Mapped[int] = mapped_column(BigId, default=0)
