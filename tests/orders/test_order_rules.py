"""The order rules that need no database: the due-date table and the status machine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oms.domain.errors import InvalidTransition
from oms.domain.order_rules import (
    LAB_DAYS,
    ORDER_ACTIONS,
    ORDER_STATUSES,
    TRANSITIONS,
    due_date,
    is_late,
    next_status,
    order_number,
)

MON, FRI, SAT, SUN = date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 8)


@pytest.mark.parametrize(
    ("ordered", "lens_type", "due"),
    [
        # Monday: no Sunday inside three or five lab days.
        (MON, "single_vision", date(2026, 3, 5)),  # Thu
        (MON, "contact_lens", date(2026, 3, 7)),  # Sat
        (MON, "bifocal", date(2026, 3, 10)),  # Tue: Sun 8 passed over
        (MON, "progressive", date(2026, 3, 18)),  # Wed: Sundays 8 and 15 passed over
        # Friday: Sat counts, Sun does not.
        (FRI, "single_vision", date(2026, 3, 10)),  # Sat, Mon, Tue
        (FRI, "contact_lens", date(2026, 3, 12)),  # Sat, Mon..Thu
        (FRI, "bifocal", date(2026, 3, 14)),  # Sat, Mon..Sat
        (FRI, "progressive", date(2026, 3, 23)),  # Mon: Sundays 8, 15 and 22 passed over
        # Saturday: the next lab day is Monday.
        (SAT, "single_vision", date(2026, 3, 11)),  # Mon, Tue, Wed
        (SAT, "contact_lens", date(2026, 3, 13)),
        # Ordered on a Sunday (a branch open on Sundays): counting starts on Monday.
        (SUN, "single_vision", date(2026, 3, 11)),
        (SUN, "bifocal", date(2026, 3, 16)),  # Mon..Sat, (Sun 15), Mon
    ],
)
def test_due_date_table(ordered: date, lens_type: str, due: date) -> None:
    assert due_date(ordered, lens_type) == due


@pytest.mark.parametrize("lens_type", sorted(LAB_DAYS))
def test_a_due_date_is_never_a_sunday_and_counts_exactly_its_lab_days(lens_type: str) -> None:
    start = date(2026, 1, 1)
    for offset in range(28):
        ordered = start + timedelta(days=offset)
        due = due_date(ordered, lens_type)
        assert due.weekday() != 6
        between = [ordered + timedelta(days=n) for n in range(1, (due - ordered).days + 1)]
        assert sum(day.weekday() != 6 for day in between) == LAB_DAYS[lens_type]


def test_lab_days_are_the_contract() -> None:
    assert LAB_DAYS == {"single_vision": 3, "bifocal": 7, "progressive": 14, "contact_lens": 5}


ALLOWED = {
    ("ordered", "send_to_lab"): "in_lab",
    ("in_lab", "mark_ready"): "ready",
    ("ready", "collect"): "collected",
    ("ordered", "cancel"): "cancelled",
    ("in_lab", "cancel"): "cancelled",
    ("ready", "cancel"): "cancelled",
}


@pytest.mark.parametrize("status", ORDER_STATUSES)
@pytest.mark.parametrize("action", ORDER_ACTIONS)
def test_status_machine(status: str, action: str) -> None:
    expected = ALLOWED.get((status, action))
    if expected is None:
        with pytest.raises(InvalidTransition) as refused:
            next_status(status, action)
        assert refused.value.code == "invalid_transition"
        assert refused.value.status == 409
        assert refused.value.details == {"status": status, "action": action}
    else:
        assert next_status(status, action) == expected


def test_every_action_is_in_the_machine() -> None:
    assert set(TRANSITIONS) == set(ORDER_ACTIONS)


def test_late_only_while_with_the_lab_and_after_the_due_day() -> None:
    due = date(2026, 3, 5)
    assert not is_late("in_lab", due, due)
    assert is_late("in_lab", due, due + timedelta(days=1))
    assert is_late("ordered", due, due + timedelta(days=1))
    for status in ("ready", "collected", "cancelled"):
        assert not is_late(status, due, due + timedelta(days=9))


def test_order_number() -> None:
    assert order_number(1) == "ORD-000001"
    assert order_number(123456) == "ORD-123456"
