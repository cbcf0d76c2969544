"""Glasses orders (DESIGN §11)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from oms.api.schemas.appointments import BranchRefOut, PersonOut
from oms.api.schemas.common import Id, Out, Schema
from oms.domain.order_rules import LensType, OrderStatus, order_kind
from oms.domain.orders import OrderView


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
    ordered_on: str = Field(description="YYYY-MM-DD, the branch's date")
    due_date: str = Field(description="YYYY-MM-DD, the branch's date")
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
        status, lens_type = order_kind(row.status, row.lens_type)
        return cls(
            id=row.id,
            number=row.number,
            status=status,
            lens_type=lens_type,
            prescription_id=row.prescription_id,
            frame=FrameOut.model_validate(view.frame) if view.frame else None,
            notes=row.notes,
            ordered_on=row.ordered_on.isoformat(),
            due_date=row.due_date.isoformat(),
            late=view.late,
            cancel_reason=row.cancel_reason,
            patient=PersonOut.model_validate(view.parties.patient),
            branch=BranchRefOut.model_validate(view.parties.branch),
            created_by_id=row.created_by_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class OrderIn(Schema):
    prescription_id: Id
    branch_id: Id
    lens_type: LensType
    frame_product_id: Id | None = None
    notes: str = Field("", max_length=2000)


class OrderCancelIn(Schema):
    reason: str = Field("", max_length=500)
