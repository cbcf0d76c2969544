"""One family of coded errors, and the one renderer every way out of the server uses.

Whatever refuses something — the domain (a REST answer), a token check (a socket.io CONNECT
refusal or a 401), the channel policy (a join's acknowledgement), the socket caps (an HTTP
refusal of a new socket) — raises or returns a `CodedError`: a `code` clients branch on, a
`message` people read, `details` naming what it is about, and the HTTP `status` where one
applies. `error_object` renders any of them as `{"code", "message", "details"}`, which each path
wraps in its own envelope (DESIGN §4, §5):

- REST and HTTP refusals: `{"error": {...}}` with `status`;
- a join/leave acknowledgement: `{"ok": false, "error": {...}}`;
- a socket.io CONNECT refusal: `{message, code, details}` at the top (python clients read the
  packet as is) and again under `data` (the JS client exposes only `err.message` and `err.data`).

Nothing here knows a web or socket library, so every layer can raise these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict


class CodedError(Exception):
    """`status` and `code` are the class's (set with `class X(CodedError, status=…, code=…)`);
    one instance may carry its own `code` or `status` where a family shares a class."""

    status: int = 400
    code: str = "bad_request"

    def __init_subclass__(
        cls, *, status: int | None = None, code: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code

    def __init__(
        self,
        message: str,
        *,
        details: Mapping[str, Any] | None = None,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details) if details else {}
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class ErrorObject(TypedDict):
    code: str
    message: str
    details: dict[str, Any]


def error_object(error: CodedError) -> ErrorObject:
    """The one rendering of an error; every path below wraps it, none builds its own."""
    return {"code": error.code, "message": error.message, "details": error.details}


def error_body(error: CodedError) -> dict[str, ErrorObject]:
    """A REST answer or an HTTP refusal: `{"error": {"code", "message", "details"}}`."""
    return {"error": error_object(error)}


def refusal_ack(error: CodedError) -> dict[str, object]:
    """A refused join or leave: `{"ok": false, "error": {"code", "message", "details"}}`."""
    return {"ok": False, "error": error_object(error)}


def connect_refusal(error: CodedError) -> dict[str, Any]:
    """A socket.io CONNECT_ERROR's data: the error object at the top and under `data`."""
    rendered = error_object(error)
    return {**rendered, "data": rendered}
