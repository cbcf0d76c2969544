"""Request-scoped dependencies shared by the REST API and the gateway's HTTP side: the runtime,
its settings and database, a session per request, the presented bearer token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from oms.config import Settings
from oms.db.database import Database
from oms.runtime import Runtime


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
