"""Signed one-purpose links in reminders (DESIGN §11): "confirm" or "cancel" one appointment,
as its patient, without signing in, until the appointment starts.

A link token is an HS256 JWT under a key derived from APP_KEY for this use only, so it can never
pass as an access token (nor an access token as a link). It names the appointment, the patient,
the action and the start instant it was issued for: a rescheduled appointment's old links stop
working, and every link stops at the start time (checked against the caller's clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, get_args

import jwt

from oms.clock import Clock
from oms.errors import CodedError
from oms.security.tokens import ISSUER, derive_key

LinkAction = Literal["confirm", "cancel"]
LINK_ACTIONS: tuple[str, ...] = get_args(LinkAction)
_ALGORITHM = "HS256"
_KEY_USE = "appointment-link"


class InvalidLink(CodedError, status=403, code="invalid_link"):
    """A link that is forged, for another action or appointment, or whose patient is gone."""


class LinkExpired(CodedError, status=410, code="link_expired"):
    """A link after its appointment started, or for the time it had before it was moved."""


@dataclass(frozen=True, slots=True)
class LinkClaims:
    appointment_id: int
    patient_id: int
    action: LinkAction
    starts_at: datetime


def issue_link_token(
    app_key: str, *, appointment_id: int, patient_id: int, action: LinkAction, starts_at: datetime
) -> str:
    claims = {
        "iss": ISSUER,
        "sub": str(patient_id),
        "appointment": appointment_id,
        "action": action,
        "exp": int(starts_at.timestamp()),
    }
    return jwt.encode(claims, derive_key(app_key, _KEY_USE), algorithm=_ALGORITHM)


def read_link_token(
    app_key: str, token: str, *, appointment_id: int, action: LinkAction, clock: Clock
) -> LinkClaims:
    """The claims of a link for `action` on `appointment_id` that has not expired by `clock`."""
    try:
        claims = jwt.decode(
            token,
            derive_key(app_key, _KEY_USE),
            algorithms=[_ALGORITHM],
            issuer=ISSUER,
            # Expiry is judged on our clock, not the library's: tests move time.
            options={"require": ["exp", "sub", "iss"], "verify_exp": False},
        )
        claimed = LinkClaims(
            appointment_id=int(claims["appointment"]),
            patient_id=int(claims["sub"]),
            action=claims["action"],
            starts_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        raise InvalidLink("this link is not valid") from None
    if claimed.appointment_id != appointment_id or claimed.action != action:
        raise InvalidLink("this link is not valid")
    if clock.now() >= claimed.starts_at:
        raise LinkExpired("this link expired when the appointment started")
    return claimed
