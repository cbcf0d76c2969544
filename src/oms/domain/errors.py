"""Coded domain errors. The HTTP layer and the socket layer render them; the domain only raises.

Each class carries its `code` and HTTP `status`; one handler turns any of them into
`{"error": {"code", "message", "details"}}`.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class SlotUnavailable(Conflict):
    code = "slot_unavailable"


class InvalidField(DomainError):
    """A value that passed parsing but breaks a rule; names the field like a 422 from parsing."""

    status = 422
    code = "validation_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", details={"field": field})
        self.field = field


class RateLimited(DomainError):
    """Too many attempts; `retry_after` seconds until the next one is allowed."""

    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many requests; try again in {retry_after} s",
            details={"retry_after": retry_after},
        )
        self.retry_after = retry_after
