"""Every error leaves as `{"error": {"code", "message", "details"}}`: the handlers the REST API and
the gateway's HTTP side both install. What is not a coded error yet (a parsing failure, a
framework's HTTPException) becomes one here, so all of them go through the one renderer,
`oms.errors`, that the socket paths use too."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from oms.domain.errors import RateLimited
from oms.errors import CodedError, error_body

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorOut(BaseModel):
    """Every error answer: `{"error": {"code", "message", "details"}}`."""

    error: ErrorDetail


_DESCRIPTIONS = {
    401: "not signed in, or the token is invalid, expired or revoked",
    403: "signed in, but not allowed to do this",
    404: "no such resource (or not yours to see)",
    409: "conflicts with the current state",
    413: "the request body is too large",
    422: "a field is invalid (named in the error)",
    429: "rate limited; see Retry-After",
}
# Documented on every API route, so clients (and Schemathesis) know each error's shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in _DESCRIPTIONS.items()
}
ERROR_RESPONSES[429]["headers"] = {
    "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
}


def respond(error: CodedError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(error), error.status, headers=headers)


def json_error(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> JSONResponse:
    return respond(CodedError(message, code=code, status=status, details=details))


def _field_path(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _coded_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, CodedError)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    return respond(error, headers)


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    fields = [
        {"field": _field_path(item["loc"]), "message": str(item["msg"])} for item in error.errors()
    ]
    first = fields[0] if fields else {"field": "body", "message": "invalid request"}
    message = f"{first['field']}: {first['message']}"
    return json_error(422, "validation_error", message, {"fields": fields})


async def _http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    code = _HTTP_CODES.get(error.status_code, "error")
    message = str(error.detail)
    if error.status_code == 413:
        message = "the request body is too large"
    return respond(CodedError(message, code=code, status=error.status_code), error.headers)


async def _unexpected_error(_: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=error)
    return json_error(500, "internal_error", "something went wrong on our side")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CodedError, _coded_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
