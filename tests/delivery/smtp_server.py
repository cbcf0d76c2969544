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
        self.envelopes: list[tuple[str, list[str]]] = []
        self.answers: deque[str] = deque()
        self.received = asyncio.Event()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.answers:
            answer = self.answers.popleft()
            if not answer.startswith("250"):
                return answer
        assert isinstance(envelope.content, bytes)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
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
