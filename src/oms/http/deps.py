"""Request-scoped dependencies shared by the REST API and the gateway's HTTP side: the runtime,
its settings, clock and database, a session per request, the client's address, the signed-in
user (the one token -> actor path), and "an admin or another backend holding APP_KEY"."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from oms.clock import Clock
from oms.config import Settings
from oms.db.database import Database
from oms.domain.actors import Actor
from oms.domain.errors import NotAuthenticated, PermissionDenied
from oms.domain.sessions import Authenticated, authenticate_token
from oms.events.recorder import set_acting_user
from oms.http.headers import APP_KEY_HEADER
from oms.rate_limits import RateLimits
from oms.runtime import Runtime
from oms.security.client_address import client_address
from oms.security.tokens import TokenError


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_settings_dep(runtime: RuntimeDep) -> Settings:
    return runtime.settings


def get_database(runtime: RuntimeDep) -> Database:
    return runtime.database


def get_clock(runtime: RuntimeDep) -> Clock:
    return runtime.clock


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ClockDep = Annotated[Clock, Depends(get_clock)]
DatabaseDep = Annotated[Database, Depends(get_database)]


# Requests that only read: they get a read session, which never queues behind a writer.
_READING_METHODS = frozenset({"GET", "HEAD"})


async def get_session(request: Request, database: DatabaseDep) -> AsyncIterator[AsyncSession]:
    """A session per request. Domain actions commit (and publish) themselves; anything left
    uncommitted when the request ends is rolled back. GET and HEAD read (`read_session`)."""
    reading = request.method in _READING_METHODS
    async with database.read_session() if reading else database.session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def get_rate_limits(runtime: RuntimeDep) -> RateLimits:
    return runtime.rate_limits


RateLimitsDep = Annotated[RateLimits, Depends(get_rate_limits)]


def get_client_address(request: Request, settings: SettingsDep) -> str:
    peer = request.client.host if request.client else None
    return client_address(
        peer, request.headers.get("x-forwarded-for"), settings.trusted_proxy_networks
    )


ClientAddress = Annotated[str, Depends(get_client_address)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def get_auth(request: Request, settings: SettingsDep, session: SessionDep) -> Authenticated:
    try:
        auth = await authenticate_token(session, settings.app_key, bearer_token(request))
    except TokenError as error:
        raise NotAuthenticated(error.message, details={"reason": error.code}) from None
    # Events this request records are the signed-in user's own: their copy arrives read and is
    # never mailed or pushed back to them (DESIGN §10).
    set_acting_user(session, auth.actor.id)
    return auth


CurrentAuth = Annotated[Authenticated, Depends(get_auth)]


async def get_actor(auth: CurrentAuth) -> Actor:
    return auth.actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


async def app_key_or_actor(
    request: Request, settings: SettingsDep, session: SessionDep
) -> Actor | None:
    """Another backend (or the CLI) presenting APP_KEY in `X-App-Key` acts as the system (None);
    otherwise the signed-in user. A wrong key is refused outright, even beside a valid token:
    whoever sent it holds a key that is not ours."""
    presented = request.headers.get(APP_KEY_HEADER)
    if presented is not None:
        # Constant time, so the key cannot be guessed byte by byte from response times.
        if hmac.compare_digest(presented.encode(), settings.app_key.encode()):
            return None
        raise PermissionDenied(
            f"the {APP_KEY_HEADER} header does not match", details={"field": APP_KEY_HEADER}
        )
    if bearer_token(request) is None:
        raise NotAuthenticated(f"sign in as an admin or present the {APP_KEY_HEADER} header")
    return (await get_auth(request, settings, session)).actor


async def require_admin_or_app_key(
    caller: Annotated[Actor | None, Depends(app_key_or_actor)],
) -> Actor | None:
    if caller is not None and not caller.is_admin:
        raise PermissionDenied("this needs the role admin")
    return caller


# The admin, or None for the system (APP_KEY).
AdminOrAppKey = Annotated[Actor | None, Depends(require_admin_or_app_key)]
