"""The stock bands and the alert each crossing raises (pure rules, no database)."""

from __future__ import annotations

import itertools

import pytest

from oms.domain.stock_rules import (
    ALERTS,
    StockSnapshot,
    StockStatus,
    alert_for_change,
    crossing,
    stock_status,
)


@pytest.mark.parametrize(
    ("available", "threshold", "status"),
    [
        (0, 0, "out"),
        (0, 5, "out"),
        (1, 0, "normal"),
        (1, 1, "low"),
        (4, 5, "low"),
        (5, 5, "low"),
        (6, 5, "normal"),
        (100, 5, "normal"),
    ],
)
def test_status_of_a_level(available: int, threshold: int, status: StockStatus) -> None:
    assert stock_status(available, threshold) == status


# Every band transition, including staying put: (before, after) -> alert name or None.
TRANSITIONS: dict[tuple[StockStatus, StockStatus], str | None] = {
    ("normal", "normal"): None,
    ("normal", "low"): "inventory.low_stock",
    ("normal", "out"): "inventory.out_of_stock",
    ("low", "normal"): "inventory.restocked",
    ("low", "low"): None,
    ("low", "out"): "inventory.out_of_stock",
    ("out", "normal"): "inventory.restocked",
    ("out", "low"): "inventory.restocked",  # back on the shelf, though still low (our choice)
    ("out", "out"): None,
}


def test_the_table_covers_every_transition() -> None:
    bands: list[StockStatus] = ["normal", "low", "out"]
    assert set(TRANSITIONS) == set(itertools.product(bands, bands))


@pytest.mark.parametrize(("before", "after"), list(TRANSITIONS))
def test_crossing(before: StockStatus, after: StockStatus) -> None:
    alert = crossing(before, after)
    assert (alert.name if alert else None) == TRANSITIONS[(before, after)]


def test_alert_levels_and_titles() -> None:
    assert {name: (a.level, a.title) for name, a in ALERTS.items()} == {
        "inventory.low_stock": ("warning", "Low stock"),
        "inventory.out_of_stock": ("error", "Out of stock"),
        "inventory.restocked": ("success", "Restocked"),
    }


# (on_hand, reserved, threshold) before and after -> alert name or None.
CHANGES = [
    # level changes
    ((10, 0, 3), (9, 0, 3), None),
    ((10, 0, 3), (4, 0, 3), None),
    ((10, 0, 3), (3, 0, 3), "inventory.low_stock"),  # reaching the threshold is low
    ((10, 0, 3), (1, 0, 3), "inventory.low_stock"),
    ((10, 0, 3), (0, 0, 3), "inventory.out_of_stock"),  # straight to 0: only out_of_stock
    ((3, 0, 3), (2, 0, 3), None),
    ((3, 0, 3), (0, 0, 3), "inventory.out_of_stock"),
    ((3, 0, 3), (4, 0, 3), "inventory.restocked"),
    ((0, 0, 3), (2, 0, 3), "inventory.restocked"),
    ((0, 0, 3), (20, 0, 3), "inventory.restocked"),
    ((0, 0, 0), (1, 0, 0), "inventory.restocked"),  # threshold 0: out -> normal
    ((1, 0, 0), (0, 0, 0), "inventory.out_of_stock"),
    # bands judge available stock (on hand - reserved), not on hand
    ((10, 6, 3), (9, 6, 3), "inventory.low_stock"),
    ((10, 6, 3), (6, 6, 3), "inventory.out_of_stock"),
    ((6, 6, 3), (10, 6, 3), "inventory.restocked"),
    ((10, 0, 3), (10, 7, 3), "inventory.low_stock"),  # a reservation can cross too
    # threshold changes move the edge instead of the level
    ((10, 0, 3), (10, 0, 10), "inventory.low_stock"),
    ((10, 0, 3), (10, 0, 9), None),
    ((10, 0, 10), (10, 0, 3), "inventory.restocked"),
    ((10, 0, 10), (10, 0, 12), None),
    ((0, 0, 3), (0, 0, 10), None),
]


@pytest.mark.parametrize(("before", "after", "name"), CHANGES)
def test_alert_for_change(
    before: tuple[int, int, int], after: tuple[int, int, int], name: str | None
) -> None:
    alert = alert_for_change(StockSnapshot(*before), StockSnapshot(*after))
    assert (alert.name if alert else None) == name
