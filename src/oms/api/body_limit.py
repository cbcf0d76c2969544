"""Request body limits (DESIGN §13), enforced while the body streams in.

A declared `Content-Length` over the limit is refused before anything is read; a chunked body is
counted as it arrives and refused at the first chunk past the limit, so an oversized body never
sits in memory. Log-in, registration and password changes get a small limit of their own.

(Starlette's RequestBodyLimitMiddleware does the counting too, but answers in plain text whatever
the app's error handlers say; OMS answers every error in its one JSON shape.)
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oms.api.errors import json_error


class BodyTooLarge(HTTPException):
    """Raised from `receive`: FastAPI re-raises HTTPExceptions met while reading a body, and the
    app's handler renders it (413 `payload_too_large`)."""

    def __init__(self) -> None:
        super().__init__(413, "the request body is too large")


class BodyLimit:
    def __init__(
        self, app: ASGIApp, *, default: int, by_prefix: Sequence[tuple[str, int]] = ()
    ) -> None:
        self.app = app
        self.default = default
        self.by_prefix = tuple(by_prefix)

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.by_prefix:
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = json_error(413, "payload_too_large", "the request body is too large")
            response.headers["Connection"] = "close"
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        await self.app(scope, counted, send)
