"""Schema pieces shared by several resources."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


class Schema(BaseModel):
    """Request bodies refuse unknown fields so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


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
