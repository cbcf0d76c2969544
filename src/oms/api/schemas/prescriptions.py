"""Prescriptions. Optical values are decimals: sent as JSON numbers or strings, returned as
strings ("-1.25") so no client reads them back through a float."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field, StrictInt

from oms.api.schemas.common import Id, Out, Schema
from oms.domain.prescriptions import PrescriptionView
from oms.domain.rx_rules import Eye, eye_from_json

PrismBase = Literal["up", "down", "in", "out"]


class EyeIn(Schema):
    """Ranges and steps are checked by `oms.domain.rx_rules` (one place for every caller)."""

    sphere: Decimal = Field(description="-20.00…+20.00 D in 0.25 steps")
    cylinder: Decimal = Field(description="-6.00…+6.00 D in 0.25 steps")
    axis: StrictInt | None = Field(
        None, description="1…180°, required when cylinder ≠ 0, else empty"
    )
    add: Decimal | None = Field(None, description="+0.75…+3.50 D in 0.25 steps")
    pd: Decimal | None = Field(None, description="monocular PD, 20.0…40.0 mm")
    prism: Decimal | None = Field(None, description="0.25…10.00 prism dioptres in 0.25 steps")
    prism_base: PrismBase | None = Field(None, description="required when prism is given")

    def to_eye(self) -> Eye:
        return Eye(**self.model_dump())


class PrescriptionCreateIn(Schema):
    patient_id: Id
    appointment_id: Id | None = None
    right_eye: EyeIn
    left_eye: EyeIn
    issue_date: date | None = Field(None, description="default: today (UTC)")
    expiry_date: date | None = Field(None, description="default: one year after issue_date")
    notes: str = Field("", max_length=4000)


class EyeOut(Out):
    sphere: Decimal
    cylinder: Decimal
    axis: int | None
    add: Decimal | None
    pd: Decimal | None
    prism: Decimal | None
    prism_base: PrismBase | None


class PersonOut(Out):
    id: int
    name: str


class PrescriptionOut(Out):
    id: int
    number: str
    patient: PersonOut
    optometrist: PersonOut
    appointment_id: int | None
    right_eye: EyeOut
    left_eye: EyeOut
    issue_date: date
    expiry_date: date
    notes: str
    created_at: datetime

    @classmethod
    def of(cls, view: PrescriptionView) -> PrescriptionOut:
        rx = view.prescription
        assert rx.number is not None, "numbered when issued"
        return cls.from_row(
            rx,
            patient=view.patient,
            optometrist=view.optometrist,
            right_eye=eye_from_json(rx.right_eye),
            left_eye=eye_from_json(rx.left_eye),
        )
