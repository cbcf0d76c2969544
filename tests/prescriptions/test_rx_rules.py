"""Unit: the optical rules of one eye (pure, no database)."""

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


@pytest.mark.parametrize("value", ["-20.00", "-20", "-0.25", "0", "0.00", "+0.25", "19.75", "20"])
def test_sphere_accepts_range_and_quarter_steps(value: str) -> None:
    assert check_eye(eye(sphere=D(value)), "right_eye").sphere == D(value).quantize(D("0.01"))


@pytest.mark.parametrize("value", ["-20.25", "20.25", "100", "-0.10", "1.30", "0.125", "2.01"])
def test_sphere_refuses_out_of_range_or_off_step(value: str) -> None:
    error = refused(eye(sphere=D(value)), "left_eye")
    assert error.field == "left_eye.sphere"
    assert error.details == {"field": "left_eye.sphere"}
    assert error.message.startswith("left_eye.sphere: ")


def test_step_check_is_exact_not_float() -> None:
    # 0.1 + 0.15 is not 0.25 in binary float; as decimals it is exact either way.
    assert check_eye(eye(sphere=D("0.1") + D("0.15")), "right_eye").sphere == D("0.25")
    assert refused(eye(sphere=D("0.30000000000000004"))).field == "right_eye.sphere"


def test_refuses_floats_bools_nan_and_infinity() -> None:
    for value in (0.25, True, D("NaN"), D("Infinity"), "abc"):
        assert refused(eye(sphere=value)).field == "right_eye.sphere"


@pytest.mark.parametrize(
    ("value", "ok"),
    [("-6.00", True), ("6.00", True), ("-0.25", True), ("-6.25", False), ("6.25", False),
     ("-1.10", False)],
)  # fmt: skip
def test_cylinder_range_and_steps(value: str, ok: bool) -> None:
    candidate = eye(cylinder=D(value), axis=90)
    if ok:
        assert check_eye(candidate, "right_eye").cylinder == D(value)
    else:
        assert refused(candidate).field == "right_eye.cylinder"


@pytest.mark.parametrize("axis", [1, 90, 180])
def test_axis_in_range_with_cylinder(axis: int) -> None:
    assert check_eye(eye(cylinder=D("-0.75"), axis=axis), "right_eye").axis == axis


@pytest.mark.parametrize("axis", [0, 181, -5, None])
def test_axis_required_and_bounded_with_cylinder(axis: int | None) -> None:
    assert refused(eye(cylinder=D("-0.75"), axis=axis)).field == "right_eye.axis"


def test_axis_must_be_whole_degrees() -> None:
    assert refused(eye(cylinder=D("1.00"), axis=True)).field == "right_eye.axis"
    assert refused(eye(cylinder=D("1.00"), axis=D("90.5"))).field == "right_eye.axis"


def test_axis_refused_without_cylinder() -> None:
    error = refused(eye(cylinder=D("0.00"), axis=90))
    assert error.field == "right_eye.axis"
    assert "cylinder is 0" in error.message
    assert check_eye(eye(cylinder=D("0.00")), "right_eye").axis is None


@pytest.mark.parametrize(("value", "ok"), [("0.75", True), ("3.50", True), ("2.25", True),
    ("0.50", False), ("3.75", False), ("1.10", False), ("-1.00", False)])  # fmt: skip
def test_add(value: str, ok: bool) -> None:
    if ok:
        assert check_eye(eye(add=D(value)), "right_eye").add == D(value)
    else:
        assert refused(eye(add=D(value))).field == "right_eye.add"


@pytest.mark.parametrize(("value", "ok"), [("20", True), ("31.5", True), ("32.3", True),
    ("40.0", True), ("19.9", False), ("40.5", False), ("64", False), ("31.25", False)])  # fmt: skip
def test_monocular_pd(value: str, ok: bool) -> None:
    if ok:
        assert check_eye(eye(pd=D(value)), "left_eye").pd == D(value)
    else:
        assert refused(eye(pd=D(value)), "left_eye").field == "left_eye.pd"


def test_prism_needs_a_base_and_a_base_needs_a_prism() -> None:
    ok = check_eye(eye(prism=D("1.5"), prism_base="in"), "right_eye")
    assert (ok.prism, ok.prism_base) == (D("1.50"), "in")
    assert refused(eye(prism=D("1.50"))).field == "right_eye.prism_base"
    assert refused(eye(prism_base="up")).field == "right_eye.prism_base"
    assert refused(eye(prism=D("1.50"), prism_base="sideways")).field == "right_eye.prism_base"


@pytest.mark.parametrize("value", ["0", "0.10", "10.25", "-1.00", "1.30"])
def test_prism_range_and_steps(value: str) -> None:
    assert refused(eye(prism=D(value), prism_base="out")).field == "right_eye.prism"


def test_prism_bounds_accepted() -> None:
    for value in ("0.25", "10.00"):
        assert check_eye(eye(prism=D(value), prism_base="down"), "right_eye").prism == D(value)


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
