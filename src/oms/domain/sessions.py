"""Signed-in sessions: the one token -> actor check, and revoking tokens.

Every way in (REST, the gateway's connect and joins, the ops endpoints) turns a token into an
actor through `authenticate_token`. A token is refused when it is forged or expired, when its user
is gone or disabled, when it was issued under an older `users.token_version` (a password, role or
branch change, or disabling, bumps it), or when it was revoked by itself (log-out: a row in
`revoked_tokens` until the token would have expired anyway). The version is read with the user row
the actor needs anyway; the revoked-token check is one primary-key lookup.

Revocations are recorded as a `session.revoked` control event (events/catalogue.py) in the same
transaction, so every gateway node closes the user's sockets when the event reaches it, in order
with every other event: nothing committed after the revocation reaches a revoked socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import RevokedToken, User
from oms.domain.actors import Actor, actor_for
from oms.events.catalogue import SessionRevokedDraft
from oms.events.recorder import commit, record_event
from oms.security.tokens import TokenClaims, TokenError, TokenRevoked, read_token


@dataclass(frozen=True, slots=True)
class Authenticated:
    actor: Actor
    claims: TokenClaims


async def authenticate_token(session: AsyncSession, app_key: str, token: object) -> Authenticated:
    """The actor a token speaks for, as the user is now; TokenError when it speaks for no one."""
    claims = read_token(app_key, token)
    actor = await current_actor(
        session, claims.user_id, token_id=claims.token_id, version=claims.version
    )
    return Authenticated(actor, claims)


async def current_actor(
    session: AsyncSession, user_id: int, *, token_id: str, version: int
) -> Actor:
    """The user of an already verified token as they are now; TokenError when the token no
    longer holds (the user is gone or disabled, or the token was revoked)."""
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise TokenError("this account no longer exists or is disabled")
    if version != user.token_version:
        raise TokenRevoked()
    if await session.get(RevokedToken, token_id) is not None:
        raise TokenRevoked()
    return await actor_for(session, user)


async def _record_revocation(
    session: AsyncSession, user_id: int, *, token_id: str | None, min_version: int | None
) -> None:
    await record_event(
        session,
        SessionRevokedDraft(
            title="Signed out",
            message="access was revoked",
            level="info",
            user_id=user_id,
            token_id=token_id,
            min_version=min_version,
        ),
        recipients=(),
    )


async def revoke_token(session: AsyncSession, claims: TokenClaims) -> None:
    """Log-out: this one token stops working everywhere; the user's other sessions go on."""
    now = datetime.now(UTC)
    # Rows of tokens that have expired by now protect nothing: sweep them as we go.
    await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    if await session.get(RevokedToken, claims.token_id) is None:
        session.add(
            RevokedToken(
                token_id=claims.token_id,
                user_id=claims.user_id,
                expires_at=datetime.fromtimestamp(claims.expires_at, UTC),
            )
        )
    await _record_revocation(session, claims.user_id, token_id=claims.token_id, min_version=None)
    await commit(session)


async def revoke_all_tokens(session: AsyncSession, user: User) -> None:
    """Every token issued to `user` so far stops working (the caller commits). A token issued
    after this, under the new version, works."""
    user.token_version = user.token_version + 1
    await session.flush()
    await _record_revocation(session, user.id, token_id=None, min_version=user.token_version)
