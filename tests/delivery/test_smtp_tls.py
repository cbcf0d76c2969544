"""SMTP_URL's three forms against real aiosmtpd servers: STARTTLS with a login
(`smtp://user:pass@host:port?starttls=1`) and implicit TLS (`smtps://`), verified against the
server's certificate (SMTP_CA_FILE)."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from oms.delivery.email import SmtpSender
from tests.delivery.smtp_server import Recorder


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtp.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


def _authenticate(server: SMTP, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"oms", b"s3cret")
    return AuthResult(success=ok)


@pytest.fixture
async def servers(certificate: tuple[Path, Path]) -> AsyncIterator[tuple[Recorder, int, int]]:
    loop = asyncio.get_running_loop()
    recorder = Recorder()
    context = _context(certificate)

    def starttls() -> Any:
        return SMTP(
            recorder,
            hostname="smtp.test",
            loop=loop,
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            authenticator=_authenticate,
        )

    def implicit() -> Any:
        return SMTP(recorder, hostname="smtp.test", loop=loop)

    plain = await loop.create_server(starttls, "127.0.0.1", 0)
    wrapped = await loop.create_server(implicit, "127.0.0.1", 0, ssl=context)
    yield recorder, plain.sockets[0].getsockname()[1], wrapped.sockets[0].getsockname()[1]
    for server in (plain, wrapped):
        server.close()
        await server.wait_closed()


def _message() -> Any:
    from email.message import EmailMessage

    from oms.delivery.email import _POLICY

    message = EmailMessage(policy=_POLICY)
    message["From"] = "OMS <no-reply@oms.test>"
    message["To"] = "Ana <ana@example.test>"
    message["Subject"] = "Over TLS"
    message.set_content("hello")
    return message


async def test_starttls_with_login(
    servers: tuple[Recorder, int, int], certificate: tuple[Path, Path]
) -> None:
    recorder, port, _ = servers
    sender = SmtpSender(f"smtp://oms:s3cret@127.0.0.1:{port}?starttls=1", certificate[0])
    async with sender.connection() as connection:
        outcome = await connection.send(_message())
    assert outcome.status == "sent", outcome.reason
    assert [m["Subject"] for m in recorder.messages] == ["Over TLS"]


async def test_implicit_tls(
    servers: tuple[Recorder, int, int], certificate: tuple[Path, Path]
) -> None:
    recorder, _, port = servers
    sender = SmtpSender(f"smtps://127.0.0.1:{port}", certificate[0])
    async with sender.connection() as connection:
        outcome = await connection.send(_message())
    assert outcome.status == "sent", outcome.reason
    assert [m["Subject"] for m in recorder.messages] == ["Over TLS"]


async def test_an_unknown_certificate_is_refused(servers: tuple[Recorder, int, int]) -> None:
    recorder, _, port = servers
    async with SmtpSender(f"smtps://127.0.0.1:{port}").connection() as connection:
        outcome = await connection.send(_message())
    assert outcome.status == "retry"
    assert "CERTIFICATE_VERIFY_FAILED" in (outcome.reason or "")
    assert recorder.messages == []
