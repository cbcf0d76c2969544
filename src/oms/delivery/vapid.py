"""The VAPID key pair that signs our Web Push requests (RFC 8292).

Made once and kept in the data dir (`vapid_private_key.pem`, readable by its owner only), or given
as `VAPID_PRIVATE_KEY` (PEM, or base64url DER/raw) — every API process of one deployment must use
the same pair, since browsers subscribed with its public key.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from oms.config import Settings

KEY_FILE = "vapid_private_key.pem"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class VapidKeys:
    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        self.private_key = private_key
        self.vapid = Vapid02(private_key=private_key)

    @property
    def public_key(self) -> str:
        """Base64url of the uncompressed point: what `pushManager.subscribe` wants."""
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return _b64url(raw)

    def headers(self, audience: str, subject: str, expires: int) -> dict[str, str]:
        signed: dict[str, str] = self.vapid.sign({"aud": audience, "sub": subject, "exp": expires})
        return signed


def _from_text(text: str) -> ec.EllipticCurvePrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:
        key = Vapid02.from_string(text).private_key
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("VAPID_PRIVATE_KEY: must be a P-256 EC private key")
    return key


def load_or_create(settings: Settings) -> VapidKeys:
    if settings.vapid_private_key:
        return VapidKeys(_from_text(settings.vapid_private_key))
    path: Path = settings.oms_data_dir / KEY_FILE
    if path.exists():
        return VapidKeys(_from_text(path.read_text()))
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{KEY_FILE}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    # A link never replaces: of two processes starting together, the first key written wins
    # and both use it.
    try:
        os.link(temporary, path)
    except FileExistsError:
        return VapidKeys(_from_text(path.read_text()))
    finally:
        temporary.unlink()
    return VapidKeys(key)
