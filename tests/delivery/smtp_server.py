"""A real SMTP server (aiosmtpd) on the test's own event loop, with scripted answers."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections import deque
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


class Recorder:
    """Keeps every accepted message; `answers` scripts the replies to DATA (default 250)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.answers: deque[str] = deque()
        self.received = asyncio.Event()
        # Hold the RCPT with this number (1-based) until `release` is set: a sender mid-send.
        self.hold_rcpt: int | None = None
        self.held = asyncio.Event()
        self.release = asyncio.Event()
        self.rcpts = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.rcpts += 1
        if self.rcpts == self.hold_rcpt:
            self.held.set()
            await self.release.wait()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.answers:
            answer = self.answers.popleft()
            if not answer.startswith("250"):
                return answer
        assert isinstance(envelope.content, bytes)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.raw.append(envelope.content)
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        self.received.set()
        return "250 OK"


class SmtpServer:
    def __init__(self) -> None:
        self.recorder = Recorder()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self, port: int = 0) -> None:
        loop = asyncio.get_running_loop()

        def protocol() -> Any:
            return SMTP(self.recorder, hostname="smtp.test", loop=loop)

        self._server = await loop.create_server(protocol, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
