"""Event families and channels, and what each role gets when it has chosen nothing (DESIGN §10)."""

from __future__ import annotations

from typing import Final, Literal, get_args

Family = Literal[
    "appointment", "inventory", "prescription", "schedule", "notification", "order", "reminder"
]
FAMILIES: Final[tuple[str, ...]] = get_args(Family)
Channel = Literal["email", "push"]
CHANNELS: Final[tuple[str, ...]] = get_args(Channel)

# These go out at once: the unread delay would defeat them (DESIGN §10 "When").
IMMEDIATE_EVENTS: Final = frozenset({"notification.urgent", "appointment.reminder"})
# The only event sent inside quiet hours.
QUIET_HOURS_EXEMPT: Final = frozenset({"notification.urgent"})

_CUSTOMER_FAMILIES: Final = frozenset(
    {"appointment", "prescription", "order", "reminder", "notification"}
)


def family_of(event_name: str) -> str:
    """`appointment.reminder` is the `reminder` family; every other event, its prefix."""
    if event_name == "appointment.reminder":
        return "reminder"
    return event_name.split(".", 1)[0]


def role_defaults(role: str) -> dict[str, dict[str, bool]]:
    """Customers: email and push for what concerns them; staff, optometrists, admins: push only
    (they spend the day in the app, and their mailbox is not where the clinic's work happens)."""
    if role == "customer":
        return {
            family: {"email": family in _CUSTOMER_FAMILIES, "push": family in _CUSTOMER_FAMILIES}
            for family in FAMILIES
        }
    return {family: {"email": False, "push": True} for family in FAMILIES}
