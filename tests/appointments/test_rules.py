"""The appointment rules on their own: the status machine, times, overlap, free slots."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from oms.domain.appointment_rules import (
    ACTIONS,
    STATUSES,
    TRANSITIONS,
    check_reschedulable,
    check_times,
    free_slots,
    next_status,
    overlaps,
    within,
)
from oms.domain.errors import InvalidField, InvalidTransition

ALLOWED = {
    ("scheduled", "confirm"): "confirmed",
    ("confirmed", "start"): "in_progress",
    ("in_progress", "complete"): "completed",
    ("scheduled", "cancel"): "cancelled",
    ("confirmed", "cancel"): "cancelled",
    ("scheduled", "no_show"): "no_show",
    ("confirmed", "no_show"): "no_show",
}


@pytest.mark.parametrize(("current", "action"), sorted(ALLOWED))
def test_allowed_transitions(current: str, action: str) -> None:
    assert next_status(current, action) == ALLOWED[(current, action)]


REFUSED = sorted(
    (current, action)
    for current in STATUSES
    for action in ACTIONS
    if (current, action) not in ALLOWED
)


@pytest.mark.parametrize(("current", "action"), REFUSED)
def test_every_other_transition_is_refused(current: str, action: str) -> None:
    with pytest.raises(InvalidTransition) as caught:
        next_status(current, action)
    assert caught.value.status == 409
    assert caught.value.code == "invalid_transition"
    assert caught.value.details == {"status": current, "action": action}


def test_machine_table_is_exactly_the_design() -> None:
    table = {
        (current, action): target
        for action, (sources, target) in TRANSITIONS.items()
        for current in sources
    }
    assert table == ALLOWED
    # Terminal states go nowhere.
    for terminal in ("completed", "cancelled", "no_show"):
        assert not any(current == terminal for current, _ in table)


@pytest.mark.parametrize("status", ["scheduled", "confirmed"])
def test_reschedulable(status: str) -> None:
    check_reschedulable(status)


@pytest.mark.parametrize("status", ["in_progress", "completed", "cancelled", "no_show"])
def test_not_reschedulable(status: str) -> None:
    with pytest.raises(InvalidTransition):
        check_reschedulable(status)


TODAY = date(2026, 6, 15)


def test_times_today_and_later_are_fine() -> None:
    check_times(TODAY, time(9), time(9, 30), today=TODAY)
    check_times(TODAY + timedelta(days=400), time(9), time(9, 30), today=TODAY)


def test_past_date_names_date() -> None:
    with pytest.raises(InvalidField) as caught:
        check_times(TODAY - timedelta(days=1), time(9), time(10), today=TODAY)
    assert caught.value.field == "date"


@pytest.mark.parametrize("end", [time(9), time(8, 59)])
def test_end_not_after_start_names_end_time(end: time) -> None:
    with pytest.raises(InvalidField) as caught:
        check_times(TODAY, time(9), end, today=TODAY)
    assert caught.value.field == "end_time"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((time(10), time(10, 30)), (time(10), time(10, 30)), True),
        ((time(10), time(10, 30)), (time(10, 15), time(10, 45)), True),
        ((time(10), time(11)), (time(10, 15), time(10, 30)), True),
        ((time(10, 15), time(10, 30)), (time(10), time(11)), True),
        ((time(10), time(10, 30)), (time(10, 30), time(11)), False),  # back to back
        ((time(10, 30), time(11)), (time(10), time(10, 30)), False),
        ((time(9), time(9, 30)), (time(14), time(15)), False),
    ],
)
def test_overlaps(a: tuple[time, time], b: tuple[time, time], expected: bool) -> None:
    assert overlaps(*a, *b) is expected
    assert overlaps(*b, *a) is expected


def test_within_hours() -> None:
    assert within(time(9), time(17), time(9), time(17))
    assert within(time(10), time(10, 30), time(9), time(17))
    assert not within(time(8, 30), time(9, 30), time(9), time(17))
    assert not within(time(16, 30), time(17, 30), time(9), time(17))


def test_free_slots_skip_taken_time() -> None:
    slots = free_slots(
        time(9), time(11), 30, [(time(9, 30), time(10)), (time(10, 15), time(10, 45))]
    )
    assert slots == [(time(9), time(9, 30))]


def test_free_slots_stop_at_closing_and_midnight() -> None:
    assert free_slots(time(9), time(10, 10), 30, []) == [
        (time(9), time(9, 30)),
        (time(9, 30), time(10)),
    ]
    assert free_slots(time(23), time(23, 59), 45, []) == [(time(23), time(23, 45))]
    assert free_slots(time(9), time(9, 20), 30, []) == []
