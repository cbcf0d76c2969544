"""Access tokens: signed with a key derived from APP_KEY, refused when forged or expired."""

from __future__ import annotations

import time

import jwt
import pytest

from oms.security.tokens import TokenError, derive_key, issue_token, read_token

KEY = "a" * 40


def test_round_trip() -> None:
    token, ttl = issue_token(KEY, user_id=7, role="staff", branch_ids=(3,), ttl_seconds=60)
    claims = read_token(KEY, token)
    assert (claims.user_id, claims.role, claims.branch_ids, ttl) == (7, "staff", (3,), 60)


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (None, "auth_required"),
        ("", "auth_required"),
        (42, "auth_required"),
        ("not-a-jwt", "invalid_token"),
    ],
)
def test_refusals(token: object, code: str) -> None:
    with pytest.raises(TokenError) as raised:
        read_token(KEY, token)
    assert raised.value.code == code


def test_forged_with_another_key() -> None:
    token, _ = issue_token("b" * 40, user_id=1, role="admin", branch_ids=(), ttl_seconds=60)
    with pytest.raises(TokenError) as raised:
        read_token(KEY, token)
    assert raised.value.code == "invalid_token"


def test_signed_with_the_raw_app_key_is_refused() -> None:
    """The signing key is derived, so a token signed with APP_KEY itself does not pass."""
    now = int(time.time())
    claims = {"iss": "oms", "sub": "1", "role": "admin", "exp": now + 60}
    with pytest.raises(TokenError):
        read_token(KEY, jwt.encode(claims, KEY, algorithm="HS256"))


def test_alg_none_is_refused() -> None:
    now = int(time.time())
    claims = {"iss": "oms", "sub": "1", "role": "admin", "exp": now + 60}
    token = jwt.encode(claims, "", algorithm="none")
    with pytest.raises(TokenError) as raised:
        read_token(KEY, token)
    assert raised.value.code == "invalid_token"


def test_expired() -> None:
    now = int(time.time())
    claims = {"iss": "oms", "sub": "1", "role": "admin", "iat": now - 120, "exp": now - 60}
    token = jwt.encode(claims, derive_key(KEY, "access-token"), algorithm="HS256")
    with pytest.raises(TokenError) as raised:
        read_token(KEY, token)
    assert raised.value.code == "token_expired"
