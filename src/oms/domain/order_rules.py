"""The rules of a glasses order that need no database (DESIGN §11): its status machine, its
due date, and when it is late. Pure, so each table is unit-tested whole.

Due date. A lens type takes a number of *lab days* (Monday to Saturday; the lab does not work
on Sundays): 3 for single vision, 7 for bifocal, 14 for progressive, 5 for contact lenses. The
due date is the day on which the last of those lab days falls, counting from the day after the
order date. Sundays are passed over and not counted, so a due date is never a Sunday:

    ordered Monday 2 March, single vision (3) -> Tue 1, Wed 2, Thu 3   -> Thursday 5 March
    ordered Friday 6 March, single vision (3) -> Sat 1, (Sun), Mon 2, Tue 3 -> Tuesday 10 March
    ordered Sunday 8 March, single vision (3) -> Mon 1, Tue 2, Wed 3   -> Wednesday 11 March

The order date is the branch's local date when the order is placed.

Late. An order is late once its due date is over in the branch (the branch's today is after the
due date) while it is still `ordered` or `in_lab`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal, cast, get_args

from oms.domain.status_machine import StatusMachine

LensType = Literal["single_vision", "bifocal", "progressive", "contact_lens"]
OrderStatus = Literal["ordered", "in_lab", "ready", "collected", "cancelled"]
OrderAction = Literal["send_to_lab", "mark_ready", "collect", "cancel"]

LENS_TYPES: tuple[str, ...] = get_args(LensType)
ORDER_STATUSES: tuple[str, ...] = get_args(OrderStatus)
ORDER_ACTIONS: tuple[str, ...] = get_args(OrderAction)


def order_kind(status: str, lens_type: str) -> tuple[OrderStatus, LensType]:
    """An order row's status and lens type as their Literals, for the typed models built from it
    (REST and events). The columns are str, held to these values by CHECK constraints; checked
    here too, so a stray value fails where it is read."""
    if status not in ORDER_STATUSES or lens_type not in LENS_TYPES:
        raise ValueError(f"not an order's status and lens type: {status!r}, {lens_type!r}")
    return cast(OrderStatus, status), cast(LensType, lens_type)


LAB_DAYS: dict[str, int] = {
    "single_vision": 3,
    "bifocal": 7,
    "progressive": 14,
    "contact_lens": 5,
}
SUNDAY = 6

# Still with the lab: these can be late.
OPEN_STATUSES: frozenset[str] = frozenset({"ordered", "in_lab"})

# action -> (the statuses it may leave from, the status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "send_to_lab": (frozenset({"ordered"}), "in_lab"),
    "mark_ready": (frozenset({"in_lab"}), "ready"),
    "collect": (frozenset({"ready"}), "collected"),
    "cancel": (frozenset({"ordered", "in_lab", "ready"}), "cancelled"),
}

_ACTION_WORDS: dict[str, str] = {
    "send_to_lab": "sent to the lab",
    "mark_ready": "marked ready",
    "collect": "collected",
    "cancel": "cancelled",
}

LENS_NOUNS: dict[str, str] = {
    "single_vision": "single-vision glasses",
    "bifocal": "bifocal glasses",
    "progressive": "progressive glasses",
    "contact_lens": "contact lenses",
}


def due_date(ordered_on: date, lens_type: str) -> date:
    """The order date plus the lens type's lab days, Sundays passed over (see the module)."""
    remaining = LAB_DAYS[lens_type]
    day = ordered_on
    while remaining:
        day += timedelta(days=1)
        if day.weekday() != SUNDAY:
            remaining -= 1
    return day


next_status = StatusMachine(
    TRANSITIONS,
    lambda current, action, target: (
        f"an order that is {current.replace('_', ' ')} cannot be {_ACTION_WORDS[action]}"
    ),
).next_status


def is_late(status: str, due: date, branch_today: date) -> bool:
    return status in OPEN_STATUSES and branch_today > due


def order_number(order_id: int) -> str:
    return f"ORD-{order_id:06d}"
