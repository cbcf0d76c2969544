"""Users and authentication."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from oms.api.schemas.common import Email, Out, Schema

Password = Field(min_length=8, max_length=128)


class UserOut(Out):
    id: int
    email: str
    name: str
    role: Literal["admin", "staff", "optometrist", "customer"]
    phone: str
    branch_id: int | None
    is_active: bool


class MeOut(UserOut):
    branch_ids: list[int]


class LoginIn(Schema):
    email: Email
    password: str = Field(min_length=1, max_length=128)


class TokenOut(Out):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    user: MeOut


class RegisterIn(Schema):
    email: Email
    password: str = Password
    name: str = Field(min_length=1, max_length=120)
    phone: str = Field("", max_length=40)
    home_branch_id: int | None = None


class UserCreateIn(Schema):
    email: Email
    password: str = Password
    name: str = Field(min_length=1, max_length=120)
    role: Literal["admin", "staff", "optometrist", "customer"]
    phone: str = Field("", max_length=40)
    branch_id: int | None = Field(None, description="required for staff; a customer's home branch")


class WalkInIn(Schema):
    """A patient registered at the desk: a name, and an email or a phone to reach them."""

    name: str = Field(min_length=1, max_length=120)
    email: Email | None = None
    phone: str = Field("", max_length=40)
    home_branch_id: int | None = None
