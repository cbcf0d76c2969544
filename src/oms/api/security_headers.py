"""Response headers every HTTP answer carries (DESIGN §13), as one pure ASGI middleware.

- A strict Content-Security-Policy: the built web app loads only its own files (no inline script,
  no eval), talks only to its own origin (plus CSP_CONNECT_SRC when the gateway lives elsewhere),
  and may not be framed (`frame-ancestors 'none'`, and X-Frame-Options for older browsers).
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (URLs carry record ids).
- HSTS only when the request came over TLS: on plain HTTP it would be ignored, and sending it
  from a development server could pin a browser to https for a host that has none.
- `Cache-Control: no-store` on API answers (tokens, patients' records) unless a route set its own.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=63072000; includeSubDomains"
# The only inline styles the web app makes: sonner 2.0.8 (toasts) inserts an empty <style> and then
# its stylesheet's text at run time. Allowed by exact hash (the e2e test fails on any other inline
# style, or when a sonner upgrade changes these); web/src/main.tsx also bundles the same sheet.
SONNER_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-StEaX+se6YS7pqjzrzMIA0KaX9zF/8zAhvQXZAe5epY='",
)
# Swagger UI (development only) loads its script and styles from a CDN, with an inline script.
_DOCS_PATH = "/api/docs"


def content_security_policy(extra_connect: str = "") -> str:
    connect = " ".join(["'self'", *extra_connect.split()])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' {' '.join(SONNER_STYLE_HASHES)}",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src {connect}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, csp: str) -> None:
        self.app = app
        self.csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not path.startswith(_DOCS_PATH):
                    headers.setdefault("Content-Security-Policy", self.csp)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if tls:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if path.startswith("/api/"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
