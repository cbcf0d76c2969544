"""A status machine: which actions may leave which statuses, and the status each leads to.
Appointments and glasses orders are each one (their tables: appointment_rules, order_rules)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from oms.domain.errors import InvalidTransition


@dataclass(frozen=True, slots=True)
class StatusMachine:
    # action -> (the statuses it may leave from, the status it leads to)
    transitions: Mapping[str, tuple[frozenset[str], str]]
    # (current status, action, target status) -> the refusal's message, in the thing's own words
    refusal: Callable[[str, str, str], str]

    def next_status(self, current: str, action: str) -> str:
        """The status `action` leads to from `current`, or InvalidTransition (409)."""
        sources, target = self.transitions[action]
        if current not in sources:
            raise InvalidTransition(
                self.refusal(current, action, target),
                details={"status": current, "action": action},
            )
        return target
