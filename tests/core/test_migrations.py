"""The migrations build exactly the schema the models describe, and go back down, on both databases.

Each engineer adds a migration beside a model change; this is what notices a model change that no
migration makes (or an index in one and not the other), before a deployment does.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from oms.db.base import Base
from oms.db.engine import create_engine
from oms.db.migrate import alembic_config, upgrade
from tests.conftest import BACKENDS, admin_statements

pytestmark = pytest.mark.both_databases


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A database with no tables at all, of the backend asked for."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server_url = os.environ["OMS_TEST_POSTGRES_URL"]
    name = f"oms_test_{os.getpid()}_migrations"
    admin = server_url.rsplit("/", 1)[0] + "/postgres"
    asyncio.run(
        admin_statements(admin, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    )
    yield server_url.rsplit("/", 1)[0] + "/" + name
    asyncio.run(admin_statements(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def _inspect(url: str) -> tuple[list[Any], set[str]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
            tables = await connection.run_sync(_tables)
    finally:
        await engine.dispose()
    return differences, tables


def test_migrations_make_the_models_schema_and_undo_it(empty_database: str) -> None:
    upgrade(empty_database)
    differences, tables = asyncio.run(_inspect(empty_database))
    assert differences == []
    assert tables == set(Base.metadata.tables)

    command.downgrade(alembic_config(empty_database), "base")
    assert asyncio.run(_inspect(empty_database))[1] == set()

    upgrade(empty_database)
    assert asyncio.run(_inspect(empty_database)) == ([], set(Base.metadata.tables))
