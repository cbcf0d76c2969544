"""Branches."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from oms.api.schemas.common import Out, Phone, Schema

# One definition a field, so creating and editing a branch accept exactly the same values.
BranchName = Annotated[str, Field(min_length=1, max_length=120)]
BranchCode = Annotated[str, Field(min_length=2, max_length=20, pattern=r"^[A-Za-z0-9_-]+$")]
Address = Annotated[str, Field(max_length=255)]
TimezoneName = Annotated[str, Field(max_length=64)]


class BranchOut(Out):
    id: int
    name: str
    code: str
    address: str
    phone: str
    is_active: bool
    timezone: str


class BranchCreateIn(Schema):
    name: BranchName
    code: BranchCode
    address: Address = ""
    phone: Phone = ""
    timezone: TimezoneName | None = Field(None, description="IANA name; OMS_TIMEZONE when left out")


class BranchUpdateIn(Schema):
    name: BranchName | None = None
    code: BranchCode | None = None
    address: Address | None = None
    phone: Phone | None = None
    is_active: bool | None = None
    timezone: TimezoneName | None = Field(None, description="IANA name, e.g. Asia/Manila")


class BookableOptometristOut(Out):
    """Only what a customer needs to choose whom to book: no email, no phone."""

    id: int
    name: str
