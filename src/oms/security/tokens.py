"""Access tokens: HS256 JWTs keyed from APP_KEY (never the raw key, so the key has one use each)."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass

import jwt

ISSUER = "oms"
_ALGORITHM = "HS256"


class TokenError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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
        raise TokenError("auth_required", "an access token is required")
    try:
        claims = jwt.decode(
            token,
            derive_key(app_key, "access-token"),
            algorithms=[_ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("token_expired", "the access token has expired") from None
    except jwt.PyJWTError:
        raise TokenError("invalid_token", "the access token is not valid") from None
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
        raise TokenError("invalid_token", "the access token is not valid") from None
