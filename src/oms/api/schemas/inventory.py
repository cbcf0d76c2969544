"""Products, branch stock rows and stock movements."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from oms.api.schemas.common import Out, Schema
from oms.domain.inventory import MAX_QUANTITY, MovementView, StockView


class ProductOut(Out):
    id: int
    name: str
    sku: str
    category: str
    # Money leaves as a decimal string ("2499.00") so no client rounds it through a float.
    price: Decimal
    image: str


class ProductCreateIn(Schema):
    name: str = Field(min_length=1, max_length=160)
    sku: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+$")
    category: str = Field(min_length=1, max_length=40)
    price: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    image: str = Field("", max_length=255)


class StockRowOut(Out):
    product: ProductOut
    on_hand: int
    reserved: int
    available: int
    threshold: int
    status: Literal["normal", "low", "out"]

    @classmethod
    def of(cls, view: StockView) -> StockRowOut:
        numbers = view.numbers
        return cls(
            product=ProductOut.model_validate(view.product),
            on_hand=numbers.on_hand,
            reserved=numbers.reserved,
            available=numbers.available,
            threshold=numbers.threshold,
            status=numbers.status,
        )


class StockSetIn(Schema):
    on_hand: int | None = Field(None, ge=0, le=MAX_QUANTITY)
    threshold: int | None = Field(None, ge=0, le=MAX_QUANTITY)
    reason: str = Field("", max_length=500)


class StockAdjustIn(Schema):
    delta: int = Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY)
    reason: str = Field(min_length=1, max_length=500)

    @field_validator("delta")
    @classmethod
    def _non_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("must not be zero")
        return value


class RestockIn(Schema):
    quantity: int = Field(gt=0, le=MAX_QUANTITY)
    reason: str = Field("", max_length=500)


class ActorRef(Out):
    id: int
    name: str


class MovementOut(Out):
    id: int
    kind: Literal["set", "adjust", "restock"]
    delta: int
    on_hand_after: int
    reason: str
    actor: ActorRef | None
    created_at: datetime

    @classmethod
    def of(cls, view: MovementView) -> MovementOut:
        movement = view.movement
        actor = None
        if movement.actor_id is not None and view.actor_name is not None:
            actor = ActorRef(id=movement.actor_id, name=view.actor_name)
        return cls.from_row(movement, actor=actor)
