"""Glasses orders (DESIGN §11)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from oms.api.schemas.appointments import BranchRefOut, PersonOut
from oms.api.schemas.common import Id, Out, Schema
from oms.domain.order_rules import LensType, OrderStatus
from oms.domain.orders import OrderView

# An order's dates are days of its branch's calendar.
BranchDay = Annotated[str, Field(description="YYYY-MM-DD, the branch's date")]


class FrameOut(Out):
    id: int
    name: str
    sku: str


class OrderOut(Out):
    id: int
    number: str
    status: OrderStatus
    lens_type: LensType
    prescription_id: int
    frame: FrameOut | None
    notes: str
    ordered_on: BranchDay
    due_date: BranchDay
    late: bool = Field(description="still with the lab after its due date")
    cancel_reason: str
    patient: PersonOut
    branch: BranchRefOut
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: OrderView) -> OrderOut:
        row = view.order
        assert row.number is not None
        return cls.from_row(
            row,
            frame=view.frame,
            ordered_on=row.ordered_on.isoformat(),
            due_date=row.due_date.isoformat(),
            late=view.late,
            patient=view.parties.patient,
            branch=view.parties.branch,
        )


class OrderIn(Schema):
    prescription_id: Id
    branch_id: Id
    lens_type: LensType
    frame_product_id: Id | None = None
    notes: str = Field("", max_length=2000)


class OrderCancelIn(Schema):
    reason: str = Field("", max_length=500)
