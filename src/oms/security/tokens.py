"""Access tokens: HS256 JWTs keyed from APP_KEY (never the raw key, so the key has one use each)."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass

import jwt

from oms.errors import CodedError

ISSUER = "oms"
_ALGORITHM = "HS256"


class TokenError(CodedError, status=401, code="invalid_token"):
    """A token that speaks for no one; its `code` says why: `auth_required`, `invalid_token`,
    `token_expired`, `token_revoked` (the socket's CONNECT refusal carries it as is)."""


class TokenRevoked(TokenError, code="token_revoked"):
    """Log-out, a password change or an admin's change revoked it (DESIGN §13)."""

    def __init__(self) -> None:
        super().__init__("this access token was revoked; sign in again")


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    role: str
    branch_ids: tuple[int, ...]
    expires_at: int
    # `jti`: names this one token, so log-out can revoke it alone.
    token_id: str = ""
    # The user's token version when it was issued; bumping the user's version revokes it.
    version: int = 0


def derive_key(app_key: str, purpose: str) -> bytes:
    return hmac.new(app_key.encode(), f"oms:{purpose}".encode(), hashlib.sha256).digest()


def issue_token(
    app_key: str,
    *,
    user_id: int,
    role: str,
    branch_ids: tuple[int, ...],
    ttl_seconds: int,
    version: int = 0,
) -> tuple[str, int]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": str(user_id),
        "role": role,
        "branches": list(branch_ids),
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
        "ver": version,
    }
    return jwt.encode(
        claims, derive_key(app_key, "access-token"), algorithm=_ALGORITHM
    ), ttl_seconds


def read_token(app_key: str, token: object) -> TokenClaims:
    if not isinstance(token, str) or not token:
        raise TokenError("an access token is required", code="auth_required")
    try:
        claims = jwt.decode(
            token,
            derive_key(app_key, "access-token"),
            algorithms=[_ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("the access token has expired", code="token_expired") from None
    except jwt.PyJWTError:
        raise TokenError("the access token is not valid") from None
    try:
        return TokenClaims(
            user_id=int(claims["sub"]),
            role=str(claims["role"]),
            branch_ids=tuple(int(b) for b in claims.get("branches", [])),
            expires_at=int(claims["exp"]),
            token_id=str(claims["jti"]),
            version=int(claims.get("ver", 0)),
        )
    except (KeyError, TypeError, ValueError):
        raise TokenError("the access token is not valid") from None
