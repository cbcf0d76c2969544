"""Message templates (Jinja2). HTML is autoescaped: titles and messages carry user input."""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

FAMILY_LABELS = {
    "appointment": "appointment",
    "inventory": "stock",
    "prescription": "prescription",
    "schedule": "schedule",
    "notification": "announcement",
    "order": "glasses order",
    "reminder": "appointment reminder",
}


@functools.cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("oms.delivery", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
