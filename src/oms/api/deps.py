"""Typed dependencies shared by every route: the session, the signed-in actor, role guards."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from oms.config import Settings
from oms.db.database import Database
from oms.domain.actors import Actor, Role, load_actor
from oms.domain.errors import NotAuthenticated, PermissionDenied
from oms.runtime import Runtime
from oms.security.tokens import TokenError, read_token


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_settings_dep(runtime: RuntimeDep) -> Settings:
    return runtime.settings


def get_database(runtime: RuntimeDep) -> Database:
    return runtime.database


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
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


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def get_actor(request: Request, settings: SettingsDep, session: SessionDep) -> Actor:
    try:
        claims = read_token(settings.app_key, bearer_token(request))
    except TokenError as error:
        raise NotAuthenticated(error.message, details={"reason": error.code}) from None
    actor = await load_actor(session, claims.user_id)
    if actor is None:
        raise NotAuthenticated("this account no longer exists or is disabled")
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


def require_roles(*roles: Role) -> Callable[[Actor], Coroutine[Any, Any, Actor]]:
    async def check(actor: CurrentActor) -> Actor:
        if actor.role not in roles:
            raise PermissionDenied(f"this needs the role {' or '.join(roles)}")
        return actor

    return check


AdminActor = Annotated[Actor, Depends(require_roles("admin"))]
