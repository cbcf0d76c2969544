"""Email: one function builds a message (text + HTML from the same templates), and two senders
deliver it — SMTP (aiosmtplib) for real, a Maildir under the data dir in development.

Errors are sorted the way SMTP means them: a 4xx reply, a refused connection or a timeout is
worth retrying; a 5xx reply is final.
"""

from __future__ import annotations

import asyncio
import email.policy
import mailbox
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlparse

import aiosmtplib

from oms.config import Settings
from oms.delivery.claims import SENT, Claimed, Outcome
from oms.delivery.links import item_url, unsubscribe_url
from oms.delivery.templates import FAMILY_LABELS, render
from oms.delivery.visit_links import VisitLinks

SMTP_TIMEOUT_SECONDS = 10.0
# CRLF line ends, and lines up to RFC 5322's limit: the default 78 would fold the long
# List-Unsubscribe URL into RFC 2047 encoded words, which mail clients do not read as a URL.
_POLICY = email.policy.SMTP.clone(max_line_length=998)


def build_email(
    settings: Settings, claimed: Claimed, visit: VisitLinks | None = None
) -> EmailMessage:
    """`visit`: a reminder's confirm and cancel links, made by the worker at send time."""
    payload = claimed.payload
    unsubscribe = unsubscribe_url(
        settings.public_url, settings.app_key, user_id=claimed.user_id, family=claimed.family
    )
    context = {
        "title": str(payload.get("title", "")),
        "message": str(payload.get("message", "")),
        "item_url": item_url(
            settings.public_url, claimed.event_name, payload, claimed.notification_id
        ),
        "unsubscribe_url": unsubscribe,
        "family_label": FAMILY_LABELS.get(claimed.family, claimed.family),
        "name": claimed.user_name,
        "confirm_url": visit.confirm if visit else None,
        "cancel_url": visit.cancel if visit else None,
    }
    message = EmailMessage(policy=_POLICY)
    message["From"] = settings.mail_from
    message["To"] = formataddr((claimed.user_name, claimed.user_email))
    message["Subject"] = context["title"]
    message["Date"] = formatdate(localtime=False)
    # The same id on every attempt: should a crash make us send it again, mail stores that
    # de-duplicate by Message-ID keep one copy.
    host = urlparse(settings.public_url).hostname or "oms.local"
    message["Message-ID"] = f"<delivery-{claimed.id}@{host}>"
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    message.set_content(render("notification.txt", **context))
    message.add_alternative(render("notification.html", **context), subtype="html")
    return message


class MailConnection(Protocol):
    async def send(self, message: EmailMessage) -> Outcome: ...


class EmailSender(Protocol):
    def connection(self) -> AbstractAsyncContextManager[MailConnection]: ...


def classify_smtp_error(error: Exception) -> Outcome:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in error.recipients]
        reason = "; ".join(f"{r.code} {r.message}" for r in error.recipients)
        return Outcome("failed" if all(c >= 500 for c in codes) else "retry", reason)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        reason = f"{error.code} {error.message}"
        return Outcome("failed" if error.code >= 500 else "retry", reason)
    # Refused or dropped connections, timeouts: the server may be back later.
    return Outcome("retry", f"{type(error).__name__}: {error}")


class _SmtpConnection:
    """One SMTP session for a batch, opened on first use and reopened after a drop."""

    def __init__(self, sender: SmtpSender) -> None:
        self._sender = sender
        self._client: aiosmtplib.SMTP | None = None

    async def _connect(self) -> aiosmtplib.SMTP:
        if self._client is None or not self._client.is_connected:
            client = self._sender.client()
            await client.connect()
            self._client = client
        return self._client

    async def send(self, message: EmailMessage) -> Outcome:
        try:
            client = await self._connect()
            # Flattened here with our policy: aiosmtplib's own would refold long headers.
            await client.sendmail(
                parseaddr(str(message["From"]))[1],
                [parseaddr(str(message["To"]))[1]],
                message.as_bytes(policy=_POLICY),
            )
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as error:
            outcome = classify_smtp_error(error)
            if not isinstance(error, aiosmtplib.SMTPResponseException):
                self._client = None  # the connection is gone; the next message reconnects
            elif self._client is not None and self._client.is_connected:
                await self._reset()
            return outcome
        return SENT

    async def _reset(self) -> None:
        assert self._client is not None
        try:
            await self._client.rset()
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
            self._client = None

    async def close(self) -> None:
        if self._client is not None and self._client.is_connected:
            try:
                await self._client.quit()
            except (TimeoutError, aiosmtplib.SMTPException, OSError):
                self._client.close()


class SmtpSender:
    """`smtp://user:pass@host:port` (plain), `?starttls=1` (STARTTLS), `smtps://` (implicit TLS)."""

    def __init__(self, url: str, ca_file: Path | None = None) -> None:
        self.ca_file = str(ca_file) if ca_file else None
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        self.implicit_tls = parsed.scheme == "smtps"
        self.starttls = query.get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None

    def client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.implicit_tls,
            start_tls=self.starttls,
            cert_bundle=self.ca_file,
            timeout=SMTP_TIMEOUT_SECONDS,
        )

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[MailConnection]:
        session = _SmtpConnection(self)
        try:
            yield session
        finally:
            await session.close()


class _MaildirConnection:
    def __init__(self, folder: mailbox.Maildir) -> None:
        self._folder = folder

    async def send(self, message: EmailMessage) -> Outcome:
        await asyncio.to_thread(self._folder.add, message)
        return SENT


class MaildirSender:
    """Development without SMTP_URL: each message is a file in OMS_DATA_DIR/mail/new/."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[MailConnection]:
        folder = await asyncio.to_thread(mailbox.Maildir, self.path, create=True)
        yield _MaildirConnection(folder)


def email_sender(settings: Settings) -> EmailSender | None:
    """SMTP when configured; a Maildir in development and tests; otherwise email is off."""
    if settings.smtp_url:
        return SmtpSender(settings.smtp_url, settings.smtp_ca_file)
    if settings.app_env in ("development", "test"):
        return MaildirSender(settings.oms_data_dir / "mail")
    return None
