"""A local push service: receives Web Push POSTs, checks the VAPID signature against our public
key and decrypts the RFC 8291 payload with the private key the "browser" (the test) made."""

from __future__ import annotations

import base64
import json
import os
import socket
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import http_ece
import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """What `pushManager.subscribe()` makes: a P-256 key pair and a 16-byte auth secret."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    payload: dict[str, Any]
    claims: dict[str, Any]


class PushReceiver:
    def __init__(self, vapid_public_key: str) -> None:
        self.vapid_public_key = vapid_public_key
        self.browsers: dict[str, Browser] = {}
        self.received: list[Received] = []
        self.statuses: deque[int] = deque()  # scripted answers; 201 when empty
        self.posts = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    def subscription(self, name: str) -> dict[str, Any]:
        browser = self.browsers.setdefault(name, Browser())
        return {
            "endpoint": f"http://127.0.0.1:{self.port}/push/{name}",
            "keys": {"p256dh": browser.p256dh, "auth": browser.auth},
        }

    def _verify_vapid(self, request: web.Request) -> dict[str, Any]:
        scheme, _, params = request.headers["Authorization"].partition(" ")
        assert scheme == "vapid"
        parts = dict(part.split("=", 1) for part in params.split(","))
        assert parts["k"] == self.vapid_public_key, "VAPID key is not the server's public key"
        public = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), b64url_decode(parts["k"])
        )
        claims: dict[str, Any] = jwt.decode(
            parts["t"], public, algorithms=["ES256"], audience=f"http://127.0.0.1:{self.port}"
        )
        return claims

    async def _handle(self, request: web.Request) -> web.Response:
        self.posts += 1
        name = request.match_info["name"]
        claims = self._verify_vapid(request)
        body = await request.read()
        assert request.headers["Content-Encoding"] == "aes128gcm"
        assert len(body) <= 4096
        status = self.statuses.popleft() if self.statuses else 201
        if status < 300:
            browser = self.browsers[name]
            plain = http_ece.decrypt(
                body,
                private_key=browser.private_key,
                auth_secret=browser.auth_secret,
                version="aes128gcm",
            )
            self.received.append(
                Received(
                    name,
                    {k.lower(): v for k, v in request.headers.items()},
                    json.loads(plain),
                    claims,
                )
            )
        return web.Response(status=status)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/push/{name}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        listening = socket.socket()
        listening.bind(("127.0.0.1", 0))
        self.port = listening.getsockname()[1]
        await web.SockSite(self._runner, listening).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
