"""Unit: the optical rules of one eye (pure, no database). The cases the web form shares are in
tests/shared/rx_cases.json (test_rx_cases.py); these are the server's own: Decimal arithmetic,
the types a JSON body can carry, normalisation and storage."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from oms.domain.errors import InvalidField
from oms.domain.rx_rules import Eye, check_eye, eye_from_json, eye_to_json

D = Decimal


def eye(**overrides: Any) -> Eye:
    fields: dict[str, Any] = {"sphere": D("-1.25"), "cylinder": D("0")} | overrides
    return Eye(**fields)


def refused(candidate: Eye, prefix: str = "right_eye") -> InvalidField:
    with pytest.raises(InvalidField) as caught:
        check_eye(candidate, prefix)
    return caught.value


def test_a_refusal_names_the_eye_and_field() -> None:
    error = refused(eye(sphere=D("20.25")), "left_eye")
    assert error.field == "left_eye.sphere"
    assert error.details == {"field": "left_eye.sphere"}
    assert error.message.startswith("left_eye.sphere: ")


def test_values_are_normalized() -> None:
    checked = check_eye(eye(sphere="-20", cylinder="+6", axis=90, add="2", pd="31"), "right_eye")
    assert (checked.sphere, checked.cylinder, checked.add, checked.pd) == (
        D("-20.00"), D("6.00"), D("2.00"), D("31.0"),
    )  # fmt: skip


def test_step_check_is_exact_not_float() -> None:
    # 0.1 + 0.15 is not 0.25 in binary float; as decimals it is exact either way.
    assert check_eye(eye(sphere=D("0.1") + D("0.15")), "right_eye").sphere == D("0.25")
    assert refused(eye(sphere=D("0.30000000000000004"))).field == "right_eye.sphere"


def test_refuses_floats_bools_nan_and_infinity() -> None:
    for value in (0.25, True, D("NaN"), D("Infinity"), "abc"):
        assert refused(eye(sphere=value)).field == "right_eye.sphere"


def test_axis_must_be_whole_degrees() -> None:
    assert refused(eye(cylinder=D("1.00"), axis=True)).field == "right_eye.axis"
    assert refused(eye(cylinder=D("1.00"), axis=D("90.5"))).field == "right_eye.axis"


def test_prism_needs_a_base_and_a_base_needs_a_prism() -> None:
    ok = check_eye(eye(prism=D("1.5"), prism_base="in"), "right_eye")
    assert (ok.prism, ok.prism_base) == (D("1.50"), "in")
    assert refused(eye(prism=D("1.50"))).field == "right_eye.prism_base"
    assert refused(eye(prism_base="up")).field == "right_eye.prism_base"
    assert refused(eye(prism=D("1.50"), prism_base="sideways")).field == "right_eye.prism_base"


def test_json_round_trip_keeps_exact_decimals() -> None:
    checked = check_eye(
        Eye(D("-2.5"), D("-1.75"), 170, D("2"), D("31.5"), D("0.75"), "up"), "right_eye"
    )
    stored = eye_to_json(checked)
    assert stored == {
        "sphere": "-2.50", "cylinder": "-1.75", "axis": 170, "add": "2.00", "pd": "31.5",
        "prism": "0.75", "prism_base": "up",
    }  # fmt: skip
    assert eye_from_json(stored) == checked
