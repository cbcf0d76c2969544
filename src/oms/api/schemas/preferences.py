"""Delivery preferences, push subscriptions and the delivery log (DESIGN §10)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, StrictBool

from oms.api.schemas.common import Out, Schema
from oms.delivery.preferences import Preferences


class FamilyChannels(Out):
    email: bool
    push: bool


class QuietHoursOut(Out):
    start: str = Field(examples=["22:00"])
    end: str = Field(examples=["07:00"])
    timezone: str = Field(examples=["Asia/Manila"])


class PreferencesOut(Out):
    channels: dict[str, FamilyChannels] = Field(description="every family, email and push")
    quiet_hours: QuietHoursOut | None

    @classmethod
    def of(cls, preferences: Preferences) -> PreferencesOut:
        quiet = preferences.quiet_hours
        return cls(
            channels={
                family: FamilyChannels(**chosen) for family, chosen in preferences.channels.items()
            },
            quiet_hours=QuietHoursOut(
                start=quiet.start.strftime("%H:%M"),
                end=quiet.end.strftime("%H:%M"),
                timezone=quiet.timezone,
            )
            if quiet
            else None,
        )


class FamilyChannelsIn(Schema):
    email: StrictBool | None = None
    push: StrictBool | None = None


class QuietHoursIn(Schema):
    start: str = Field(examples=["22:00"])
    end: str = Field(examples=["07:00"])
    timezone: str = Field(examples=["Asia/Manila"], max_length=64)


class PreferencesIn(Schema):
    """A subset: families left out keep their value; `quiet_hours: null` turns them off."""

    channels: dict[str, FamilyChannelsIn] | None = None
    quiet_hours: QuietHoursIn | None = None


class PushPublicKeyOut(Out):
    public_key: str = Field(description="the VAPID public key, base64url (applicationServerKey)")


class PushKeysIn(Schema):
    p256dh: str = Field(min_length=20, max_length=200)
    auth: str = Field(min_length=8, max_length=100)


class PushSubscriptionIn(Schema):
    endpoint: str = Field(min_length=10, max_length=2048)
    keys: PushKeysIn


class CreatedOut(Out):
    id: int


class DeliveryUser(Out):
    id: int
    name: str


class DeliveryOut(Out):
    id: int
    notification_id: int
    user: DeliveryUser
    channel: Literal["email", "push"]
    status: Literal["pending", "sent", "failed", "skipped"]
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
