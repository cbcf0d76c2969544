"""Stock bands and the alerts their crossings raise (DESIGN §3). Pure: no database, no I/O.

A level sits in one of three bands, judged on *available* stock (on hand - reserved) against the
row's threshold:

    out     available == 0
    low     0 < available <= threshold
    normal  available > threshold

An alert fires only when a change moves the level into another band, so a run of sales inside the
low band raises one `low_stock`, not one per sale:

    normal -> low     inventory.low_stock     (warning)
    normal -> out     inventory.out_of_stock  (error; one alert, not low then out)
    low    -> out     inventory.out_of_stock  (error)
    low    -> normal  inventory.restocked     (success)
    out    -> normal  inventory.restocked     (success)
    out    -> low     inventory.restocked     (success)

The last row is our choice where the design was silent. For a shop the news that matters is "you
can sell this again"; the payload's `stock.status` is `low`, so the alert still tells staff the
level is below threshold. Firing `low_stock` instead would tell them something they already knew
(it was out) and hide that it is back on the shelf.

A threshold change moves the band edge instead of the level, and is judged the same way: raising
the threshold over the current level raises `low_stock`; lowering it below the level clears the
alert with `restocked`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from oms.events.catalogue import InventoryEventName, Level

StockStatus = Literal["normal", "low", "out"]


def stock_status(available: int, threshold: int) -> StockStatus:
    if available <= 0:
        return "out"
    if available <= threshold:
        return "low"
    return "normal"


@dataclass(frozen=True, slots=True)
class Alert:
    name: InventoryEventName
    level: Level
    title: str


LOW_STOCK = Alert("inventory.low_stock", "warning", "Low stock")
OUT_OF_STOCK = Alert("inventory.out_of_stock", "error", "Out of stock")
RESTOCKED = Alert("inventory.restocked", "success", "Restocked")

ALERTS: dict[InventoryEventName, Alert] = {
    alert.name: alert for alert in (LOW_STOCK, OUT_OF_STOCK, RESTOCKED)
}

_CROSSINGS: dict[tuple[StockStatus, StockStatus], Alert] = {
    ("normal", "low"): LOW_STOCK,
    ("normal", "out"): OUT_OF_STOCK,
    ("low", "out"): OUT_OF_STOCK,
    ("low", "normal"): RESTOCKED,
    ("out", "normal"): RESTOCKED,
    ("out", "low"): RESTOCKED,
}


def crossing(before: StockStatus, after: StockStatus) -> Alert | None:
    """The alert a move from band `before` to band `after` raises, or None inside one band."""
    return _CROSSINGS.get((before, after))


@dataclass(frozen=True, slots=True)
class StockSnapshot:
    """A stock row's numbers at one moment."""

    on_hand: int
    reserved: int
    threshold: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def status(self) -> StockStatus:
        return stock_status(self.available, self.threshold)


def alert_for_change(before: StockSnapshot, after: StockSnapshot) -> Alert | None:
    """The alert a change of a stock row raises (level, reservation or threshold), if any."""
    return crossing(before.status, after.status)
