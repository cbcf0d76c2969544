"""The optical rules of a prescription, per eye (DESIGN §3). Pure: no database, no clock.

Values are `Decimal`, never float, so "is it a multiple of 0.25" is exact. Each refusal is an
`InvalidField` naming the path the client sent, e.g. `right_eye.sphere`.

Decisions where the design is silent:
- AXIS belongs to a cylinder. With CYL = 0 an axis is refused rather than silently dropped: an
  axis without a cylinder usually means the cylinder was left out by mistake.
- PD is monocular (each eye's pupil to the nose bridge): 20.0…40.0 mm, at most one decimal
  (pupillometers read to 0.5 or 0.1 mm).
- Prism is 0.25…10.00 prism dioptres in 0.25 steps; "no prism" is null, not 0. A prism needs its
  base (up|down|in|out) and a base needs a prism.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Final, Literal, get_args

from oms.domain.errors import InvalidField

PrismBase = Literal["up", "down", "in", "out"]
PRISM_BASES: Final = get_args(PrismBase)

QUARTER: Final = Decimal("0.25")
TENTH: Final = Decimal("0.1")
CENTI: Final = Decimal("0.01")

SPHERE_RANGE: Final = (Decimal("-20.00"), Decimal("20.00"))
CYLINDER_RANGE: Final = (Decimal("-6.00"), Decimal("6.00"))
AXIS_RANGE: Final = (1, 180)
ADD_RANGE: Final = (Decimal("0.75"), Decimal("3.50"))
PD_RANGE: Final = (Decimal("20.0"), Decimal("40.0"))
PRISM_RANGE: Final = (Decimal("0.25"), Decimal("10.00"))


@dataclass(frozen=True, slots=True)
class Eye:
    sphere: Decimal
    cylinder: Decimal
    axis: int | None = None
    add: Decimal | None = None
    pd: Decimal | None = None
    prism: Decimal | None = None
    prism_base: str | None = None


def _decimal(value: object, field: str) -> Decimal:
    # bool is an int; a float would carry binary noise into the step check.
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidField(field, "must be a decimal number")
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise InvalidField(field, "must be a decimal number") from None
    if not number.is_finite():
        raise InvalidField(field, "must be a finite number")
    return number


def _in_range(number: Decimal, bounds: tuple[Decimal, Decimal], field: str, unit: str) -> None:
    low, high = bounds
    if not low <= number <= high:
        raise InvalidField(field, f"must be between {low:+} and {high:+}{unit} (got {number})")


def _stepped(
    value: object, bounds: tuple[Decimal, Decimal], step: Decimal, field: str, unit: str = ""
) -> Decimal:
    number = _decimal(value, field)
    _in_range(number, bounds, field, unit)  # before the step check: the range bounds the exponent
    if number % step != 0:
        raise InvalidField(field, f"must be in steps of {step}{unit} (got {number})")
    return number.quantize(CENTI)


def check_axis(axis: object, cylinder: Decimal, field: str) -> int | None:
    if cylinder == 0:
        if axis is not None:
            raise InvalidField(field, "must be empty when the cylinder is 0 (no astigmatism)")
        return None
    if axis is None:
        raise InvalidField(field, "is required when the cylinder is not 0")
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise InvalidField(field, "must be a whole number of degrees")
    low, high = AXIS_RANGE
    if not low <= axis <= high:
        raise InvalidField(field, f"must be between {low} and {high} degrees (got {axis})")
    return axis


def check_pd(pd: object, field: str) -> Decimal | None:
    if pd is None:
        return None
    number = _decimal(pd, field)
    low, high = PD_RANGE
    if not low <= number <= high:
        raise InvalidField(field, f"must be between {low} and {high} mm (got {number})")
    if number % TENTH != 0:
        raise InvalidField(field, f"must have at most one decimal (got {number})")
    return number.quantize(TENTH)


def check_prism(prism: object, base: object, prefix: str) -> tuple[Decimal | None, str | None]:
    if prism is None:
        if base is not None:
            raise InvalidField(f"{prefix}.prism_base", "must be empty when there is no prism")
        return None, None
    amount = _stepped(prism, PRISM_RANGE, QUARTER, f"{prefix}.prism", " prism dioptres")
    if base is None:
        raise InvalidField(f"{prefix}.prism_base", "is required when a prism is given")
    if base not in PRISM_BASES:
        raise InvalidField(f"{prefix}.prism_base", f"must be one of {', '.join(PRISM_BASES)}")
    return amount, str(base)


def check_eye(eye: Eye, prefix: str) -> Eye:
    """Validate one eye; returns it normalized (two decimals, one for PD). `prefix` names the eye
    in errors: `right_eye` or `left_eye`."""
    sphere = _stepped(eye.sphere, SPHERE_RANGE, QUARTER, f"{prefix}.sphere", " D")
    cylinder = _stepped(eye.cylinder, CYLINDER_RANGE, QUARTER, f"{prefix}.cylinder", " D")
    axis = check_axis(eye.axis, cylinder, f"{prefix}.axis")
    add = None
    if eye.add is not None:
        add = _stepped(eye.add, ADD_RANGE, QUARTER, f"{prefix}.add", " D")
    pd = check_pd(eye.pd, f"{prefix}.pd")
    prism, prism_base = check_prism(eye.prism, eye.prism_base, prefix)
    return replace(
        eye,
        sphere=sphere,
        cylinder=cylinder,
        axis=axis,
        add=add,
        pd=pd,
        prism=prism,
        prism_base=prism_base,
    )


def _text(number: Decimal | None) -> str | None:
    return None if number is None else str(number)


def eye_to_json(eye: Eye) -> dict[str, Any]:
    """Stored as decimal strings ("-1.25"): JSON numbers would round-trip through float."""
    return {
        "sphere": str(eye.sphere),
        "cylinder": str(eye.cylinder),
        "axis": eye.axis,
        "add": _text(eye.add),
        "pd": _text(eye.pd),
        "prism": _text(eye.prism),
        "prism_base": eye.prism_base,
    }


def eye_from_json(data: dict[str, Any]) -> Eye:
    def number(key: str) -> Decimal | None:
        value = data.get(key)
        return None if value is None else Decimal(str(value))

    sphere, cylinder = number("sphere"), number("cylinder")
    assert sphere is not None, "a stored eye always has a sphere"
    assert cylinder is not None, "a stored eye always has a cylinder"
    return Eye(
        sphere=sphere,
        cylinder=cylinder,
        axis=data.get("axis"),
        add=number("add"),
        pd=number("pd"),
        prism=number("prism"),
        prism_base=data.get("prism_base"),
    )
