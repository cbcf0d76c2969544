"""Users and authentication."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import Field

from oms.api.schemas.common import Email, Id, Out, Phone, Schema
from oms.db.models import User

Password = Field(min_length=8, max_length=128)
PersonName = Annotated[str, Field(min_length=1, max_length=120)]


class UserOut(Out):
    id: int
    email: str
    name: str
    role: Literal["admin", "staff", "optometrist", "customer"]
    phone: str
    branch_id: int | None
    is_active: bool


class MemberOut(UserOut):
    """A user and the branches they work at (their branch channels): a staff member's branch, an
    optometrist's by their weekly schedule; none for admins and customers (a customer's home
    branch is `branch_id`)."""

    branch_ids: list[int]

    @classmethod
    def of(cls, user: User, branch_ids: Iterable[int]) -> MemberOut:
        return cls(**UserOut.model_validate(user).model_dump(), branch_ids=sorted(branch_ids))


class LoginIn(Schema):
    email: Email
    password: str = Field(min_length=1, max_length=128)


class TokenOut(Out):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    user: MemberOut


class RegisterIn(Schema):
    email: Email
    password: str = Password
    name: PersonName
    phone: Phone = ""
    home_branch_id: Id | None = None


class UserCreateIn(Schema):
    email: Email
    password: str = Password
    name: PersonName
    role: Literal["admin", "staff", "optometrist", "customer"]
    phone: Phone = ""
    branch_id: Id | None = Field(None, description="required for staff; a customer's home branch")


class PasswordChangeIn(Schema):
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Password


class UserUpdateIn(Schema):
    """Only the fields sent change. A role, branch or is_active=false change signs the user out
    everywhere (their tokens are revoked and their sockets closed)."""

    name: PersonName | None = None
    phone: Phone | None = None
    role: Literal["admin", "staff", "optometrist", "customer"] | None = None
    branch_ids: list[Id] | None = Field(None, max_length=1)
    is_active: bool | None = None


class WalkInIn(Schema):
    """A patient registered at the desk: a name, and an email or a phone to reach them."""

    name: PersonName
    email: Email | None = None
    phone: Phone = ""
    home_branch_id: Id | None = None
