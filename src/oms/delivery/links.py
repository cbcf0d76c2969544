"""Links that leave the server in a message: the item in the web app, and signed unsubscribes."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import jwt

from oms.delivery.families import FAMILIES, family_of
from oms.security.tokens import derive_key

_ALGORITHM = "HS256"
# Its own key (derived from APP_KEY for this purpose only): an unsubscribe link can never pass as
# an access token, nor an access token as an unsubscribe link.
_PURPOSE = "unsubscribe-link"
UNSUBSCRIBE_TTL_SECONDS = 365 * 86400


# family -> (the web app's page, the payload's subject, the page's query parameter for its id)
_PAGES: dict[str, tuple[str, str, str]] = {
    "order": ("/orders", "order", "id"),
    "prescription": ("/prescriptions", "prescription", "id"),
    "inventory": ("/inventory", "branch", "branch_id"),
}


def item_path(event_name: str, payload: dict[str, Any], notification_id: int) -> str:
    """Where the web app shows what the message is about."""
    family = family_of(event_name)
    if family == "schedule":
        return "/"
    if family in ("appointment", "reminder"):
        subject = payload.get("appointment") or {}
        return f"/appointments?{urlencode({'id': subject.get('id', payload.get('id', ''))})}"
    if family in _PAGES:
        page, key, parameter = _PAGES[family]
        subject = payload.get(key) or {}
        return f"{page}?{urlencode({parameter: subject.get('id', '')})}"
    return f"/notifications?{urlencode({'id': notification_id})}"


def item_url(public_url: str, event_name: str, payload: dict[str, Any], inbox_id: int) -> str:
    return public_url + item_path(event_name, payload, inbox_id)


def unsubscribe_token(app_key: str, *, user_id: int, family: str, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    claims = {"sub": str(user_id), "fam": family, "iat": issued}
    claims["exp"] = issued + UNSUBSCRIBE_TTL_SECONDS
    return jwt.encode(claims, derive_key(app_key, _PURPOSE), algorithm=_ALGORITHM)


def unsubscribe_url(public_url: str, app_key: str, *, user_id: int, family: str) -> str:
    token = unsubscribe_token(app_key, user_id=user_id, family=family)
    return f"{public_url}/api/unsubscribe?{urlencode({'token': token})}"


def read_unsubscribe_token(app_key: str, token: str) -> tuple[int, str] | None:
    """(user id, family) from a valid link, else None."""
    try:
        claims = jwt.decode(
            token,
            derive_key(app_key, _PURPOSE),
            algorithms=[_ALGORITHM],
            options={"require": ["exp", "sub", "fam"]},
        )
        user_id, family = int(claims["sub"]), str(claims["fam"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return None
    return (user_id, family) if family in FAMILIES else None
