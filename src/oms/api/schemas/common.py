"""Schema pieces shared by several resources."""

from __future__ import annotations

import re
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

# Ids: a database key is never below 1, and an Integer key on PostgreSQL is 32-bit; bigger numbers
# would reach the driver and fail there (a 500) instead of being a clear 422 naming the field.
MAX_ID = 2**31 - 1
# Events, inbox rows and stock movements have 64-bit keys.
MAX_BIG_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
BigIdValue = Annotated[int, Field(ge=1, le=MAX_BIG_ID)]
# A phone number as people write it (spaces, dashes, +, extensions): only its length is checked.
Phone = Annotated[str, Field(max_length=40)]

# Free text where line breaks belong; everywhere else a string is one line.
MULTILINE_FIELDS = frozenset({"notes", "message", "reason", "address", "description"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\t\n\r]")


class Schema(BaseModel):
    """Request bodies refuse unknown fields so a typo is an error, not a silent no-op, and
    control characters (NUL and the like) in any text: they corrupt logs, CSV exports and
    terminals, and no person types them. Tabs and line breaks are fine in free text only."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            if _CONTROL.search(value):
                raise ValueError("must not contain control characters")
            if info.field_name not in MULTILINE_FIELDS and _LINE_BREAKS.search(value):
                raise ValueError("must be a single line (no tabs or line breaks)")
        return value


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def from_row(cls, row: object, **shown: object) -> Self:
        """The fields `shown` gives, every other one read from `row`'s attribute of the same name:
        a response names only what it shows differently from the row (a date as text, a party)."""
        read = {name: getattr(row, name) for name in cls.model_fields if name not in shown}
        return cls.model_validate(read | shown)


class Ok(Out):
    ok: bool = True


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_email(value: str) -> str:
    value = value.strip().lower()
    if len(value) > 255 or not _EMAIL.match(value):
        raise ValueError("is not a valid email address")
    return value


# A plain syntax check: internal domains such as `.test` and `.local` are legitimate here.
Email = Annotated[str, AfterValidator(_check_email)]
