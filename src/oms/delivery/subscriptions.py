"""Browsers that asked for Web Push (DESIGN §10), and which endpoints the server may POST to."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from urllib.parse import urlparse

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from oms.db.models import PushSubscription
from oms.domain.actors import Actor
from oms.domain.errors import InvalidField, NotFound
from oms.events.recorder import commit

# Devices per person: every push fans out to each, so one account must not make it thousands.
MAX_DEVICES = 10
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def _decoded(field: str, value: str, length: int) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise InvalidField(field, "must be base64url") from None
    if len(raw) != length:
        raise InvalidField(field, f"must decode to {length} bytes")
    return raw


def is_public_address(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def local_receiver_allowed(endpoint: str, app_env: str) -> bool:
    """Development and tests may use a push receiver on this machine (`http://127.0.0.1:PORT`)."""
    parsed = urlparse(endpoint)
    return (
        app_env in ("development", "test")
        and parsed.scheme == "http"
        and parsed.hostname == "127.0.0.1"
        and parsed.port is not None
    )


def check_endpoint(endpoint: str, app_env: str) -> None:
    """The server must not be made to POST inside its own network: https, and no private,
    loopback or link-local address (names are checked again, resolved, when sending)."""
    if local_receiver_allowed(endpoint, app_env):
        return
    parsed = urlparse(endpoint)
    if parsed.scheme != "https" or not parsed.hostname:
        raise InvalidField("endpoint", "must be an https:// URL")
    host = parsed.hostname.lower()
    literal = host.strip("[]")
    try:
        ipaddress.ip_address(literal)
    except ValueError:
        if host == "localhost" or host.endswith(_LOCAL_SUFFIXES) or "." not in host:
            raise InvalidField("endpoint", "must not be a local host name") from None
        return
    if not is_public_address(literal):
        raise InvalidField("endpoint", "must not be a private or loopback address")


async def subscribe(
    session: AsyncSession, actor: Actor, *, endpoint: str, p256dh: str, auth: str, app_env: str
) -> int:
    """Store (or refresh) this browser's subscription for the caller. A browser has one
    subscription per server key, so an endpoint seen before moves to whoever signed in now."""
    check_endpoint(endpoint, app_env)
    point = _decoded("keys.p256dh", p256dh, 65)
    if point[0] != 0x04:
        raise InvalidField("keys.p256dh", "must be an uncompressed P-256 point")
    _decoded("keys.auth", auth, 16)
    row = await session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    )
    if row is None:
        row = PushSubscription(user_id=actor.id, endpoint=endpoint, p256dh=p256dh, auth=auth)
        session.add(row)
    else:
        row.user_id, row.p256dh, row.auth = actor.id, p256dh, auth
    await session.flush()
    subscription_id = row.id
    await _keep_newest(session, actor.id)
    await commit(session)
    return subscription_id


async def _keep_newest(session: AsyncSession, user_id: int) -> None:
    """Past MAX_DEVICES, the oldest subscriptions go (most likely browsers no longer used)."""
    ids = list(
        await session.scalars(
            select(PushSubscription.id)
            .where(PushSubscription.user_id == user_id)
            .order_by(PushSubscription.id.desc())
            .offset(MAX_DEVICES)
        )
    )
    if ids:
        await session.execute(delete(PushSubscription).where(PushSubscription.id.in_(ids)))


async def unsubscribe(session: AsyncSession, actor: Actor, subscription_id: int) -> None:
    """Only one's own: someone else's subscription reads as missing."""
    row = await session.get(PushSubscription, subscription_id)
    if row is None or row.user_id != actor.id:
        raise NotFound(f"push subscription {subscription_id} was not found")
    await session.delete(row)
    await commit(session)


async def subscriptions_of(session: AsyncSession, user_id: int) -> list[PushSubscription]:
    return list(
        await session.scalars(select(PushSubscription).where(PushSubscription.user_id == user_id))
    )
