"""Typed dependencies shared by every route: the session, the signed-in actor, role guards.

The request-scoped ones that the gateway's HTTP side needs too live in oms.http.deps."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request

from oms.domain.actors import Actor, Role, load_actor
from oms.domain.errors import NotAuthenticated, PermissionDenied
from oms.http.deps import DatabaseDep as DatabaseDep
from oms.http.deps import RuntimeDep as RuntimeDep
from oms.http.deps import SessionDep as SessionDep
from oms.http.deps import SettingsDep as SettingsDep
from oms.http.deps import bearer_token as bearer_token
from oms.http.deps import get_database as get_database
from oms.http.deps import get_runtime as get_runtime
from oms.http.deps import get_session as get_session
from oms.http.deps import get_settings_dep as get_settings_dep
from oms.security.tokens import TokenError, read_token


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
