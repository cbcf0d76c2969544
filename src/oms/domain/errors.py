"""Coded domain errors. The domain only raises; the one renderer (`oms.errors`) turns any of them
into `{"error": {"code", "message", "details"}}` for REST, and the same object on a socket.

They are the domain's members of the one error family (`oms.errors.CodedError`): each class
carries its `code` and HTTP `status`.
"""

from __future__ import annotations

from oms.errors import CodedError


class DomainError(CodedError):
    """A request the domain refuses (400 `bad_request` unless a subclass says otherwise)."""


class NotAuthenticated(DomainError, status=401, code="not_authenticated"):
    """Not signed in, or the token speaks for no one (REST names the token's reason in details)."""


class InvalidCredentials(DomainError, status=401, code="invalid_credentials"):
    pass


class PermissionDenied(DomainError, status=403, code="permission_denied"):
    """Signed in, but not allowed to do this."""


class NotFound(DomainError, status=404, code="not_found"):
    """No such thing, or not the caller's to see (another branch's data is 404, not 403)."""


class Conflict(DomainError, status=409, code="conflict"):
    pass


class InvalidTransition(Conflict, code="invalid_transition"):
    """The thing is not in a state this action applies to (an appointment's or order's)."""


class SlotUnavailable(Conflict, code="slot_unavailable"):
    pass


class InvalidField(DomainError, status=422, code="validation_error"):
    """A value that passed parsing but breaks a rule; names the field like a 422 from parsing."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", details={"field": field})
        self.field = field


class RateLimited(DomainError, status=429, code="rate_limited"):
    """Too many attempts; `retry_after` seconds until the next one is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many requests; try again in {retry_after} s",
            details={"retry_after": retry_after},
        )
        self.retry_after = retry_after
