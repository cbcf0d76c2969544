"""Branches."""

from __future__ import annotations

from pydantic import Field

from oms.api.schemas.common import Out, Schema


class BranchOut(Out):
    id: int
    name: str
    code: str
    address: str
    phone: str
    is_active: bool
    timezone: str


class BranchCreateIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    code: str = Field(min_length=2, max_length=20, pattern=r"^[A-Za-z0-9_-]+$")
    address: str = Field("", max_length=255)
    phone: str = Field("", max_length=40)
    timezone: str | None = Field(
        None, max_length=64, description="IANA name; OMS_TIMEZONE when left out"
    )


class BranchUpdateIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    code: str | None = Field(None, min_length=2, max_length=20, pattern=r"^[A-Za-z0-9_-]+$")
    address: str | None = Field(None, max_length=255)
    phone: str | None = Field(None, max_length=40)
    is_active: bool | None = None
    timezone: str | None = Field(None, max_length=64, description="IANA name, e.g. Asia/Manila")


class BookableOptometristOut(Out):
    """Only what a customer needs to choose whom to book: no email, no phone."""

    id: int
    name: str
