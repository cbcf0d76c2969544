"""The shared table of prescription-eye cases (tests/shared/rx_cases.json), run against the
server's rules; the web form's rules run the same table in vitest (rx-rules.test.ts)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from oms.domain.errors import InvalidField
from oms.domain.rx_rules import Eye, check_eye

TABLE = Path(__file__).resolve().parents[1] / "shared" / "rx_cases.json"
CASES: list[dict[str, Any]] = json.loads(TABLE.read_text())["cases"]


def eye_as_sent(draft: dict[str, str]) -> Eye:
    """The eye as the form sends it: decimal strings (never floats), the axis a number, empty
    fields null (sphere and cylinder "0" when the case leaves them out)."""
    text = {"sphere": "0", "cylinder": "0"} | draft

    def optional(key: str) -> str | None:
        value = text.get(key, "").strip()
        return value or None

    axis_text = text.get("axis", "").strip()
    axis: int | Decimal | None = None
    if re.fullmatch(r"-?\d+", axis_text):
        axis = int(axis_text)
    elif axis_text:
        axis = Decimal(axis_text)
    # The API hands the rules the text it got, so the checks see strings, not Decimals.
    fields: dict[str, Any] = {
        "sphere": text["sphere"],
        "cylinder": text["cylinder"],
        "axis": axis,
        **{key: optional(key) for key in ("add", "pd", "prism", "prism_base")},
    }
    return Eye(**fields)


@pytest.mark.parametrize("case", CASES, ids=[json.dumps(case["eye"]) for case in CASES])
def test_the_server_rules_agree_with_the_shared_table(case: dict[str, Any]) -> None:
    candidate = eye_as_sent(case["eye"])
    if case["refused"] is None:
        check_eye(candidate, "right_eye")
        return
    with pytest.raises(InvalidField) as caught:
        check_eye(candidate, "right_eye")
    assert caught.value.field == f"right_eye.{case['refused']}"
    assert case["says"] in caught.value.message


def test_the_table_covers_every_rule() -> None:
    refused = {case["refused"] for case in CASES}
    assert refused == {None, "sphere", "cylinder", "axis", "add", "pd", "prism", "prism_base"}
