"""Typed dependencies of the REST routes. The request-scoped ones the gateway's HTTP side shares
(runtime, session, the signed-in actor, admin-or-APP_KEY) live in oms.http.deps and are
re-exported here; role guards are the API's own."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends

from oms.domain.actors import Actor, Role
from oms.domain.errors import PermissionDenied
from oms.http.deps import AdminOrAppKey as AdminOrAppKey
from oms.http.deps import ClientAddress as ClientAddress
from oms.http.deps import ClockDep as ClockDep
from oms.http.deps import CurrentActor as CurrentActor
from oms.http.deps import CurrentAuth as CurrentAuth
from oms.http.deps import DatabaseDep as DatabaseDep
from oms.http.deps import RateLimitsDep as RateLimitsDep
from oms.http.deps import RuntimeDep as RuntimeDep
from oms.http.deps import SessionDep as SessionDep
from oms.http.deps import SettingsDep as SettingsDep
from oms.http.deps import bearer_token as bearer_token
from oms.http.deps import get_actor as get_actor
from oms.http.deps import get_auth as get_auth
from oms.http.deps import get_clock as get_clock
from oms.http.deps import get_database as get_database
from oms.http.deps import get_runtime as get_runtime
from oms.http.deps import get_session as get_session
from oms.http.deps import get_settings_dep as get_settings_dep
from oms.http.headers import APP_KEY_HEADER as APP_KEY_HEADER


def require_roles(*roles: Role) -> Callable[[Actor], Coroutine[Any, Any, Actor]]:
    async def check(actor: CurrentActor) -> Actor:
        if actor.role not in roles:
            raise PermissionDenied(f"this needs the role {' or '.join(roles)}")
        return actor

    return check


AdminActor = Annotated[Actor, Depends(require_roles("admin"))]
