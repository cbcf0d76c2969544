"""GET /api/branches/{id}/optometrists: whom a customer can book at a branch (the web app's
booking form needs it; customers may not list users)."""

from __future__ import annotations

import httpx
from sqlalchemy import update

from oms.db.database import Database
from oms.db.models import Branch, Schedule, User
from oms.events.recorder import commit
from tests.conftest import PublishedLog
from tests.factories import Factory


async def test_lists_the_active_optometrists_scheduled_at_the_branch(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    here, there = await factory.branch(), await factory.branch()
    both = await factory.optometrist(here, there)
    await factory.optometrist(there)
    paused = await factory.optometrist(here)
    retired = await factory.optometrist(here)
    async with database.session() as session:
        await session.execute(
            update(Schedule).where(Schedule.optometrist_id == paused.id).values(is_active=False)
        )
        await session.execute(update(User).where(User.id == retired.id).values(is_active=False))
        await commit(session)
    for caller in (
        await factory.customer(),
        await factory.staff(there),
        await factory.admin(),
        both,
    ):
        response = await client.get(f"/api/branches/{here.id}/optometrists", headers=caller.headers)
        assert response.status_code == 200, caller.role
        assert response.json() == [{"id": both.id, "name": both.name}]
    assert published.events == []


async def test_needs_sign_in_and_a_live_branch(
    client: httpx.AsyncClient, factory: Factory, database: Database
) -> None:
    branch = await factory.branch()
    await factory.optometrist(branch)
    customer = await factory.customer()
    assert (await client.get(f"/api/branches/{branch.id}/optometrists")).status_code == 401
    missing = await client.get("/api/branches/999999/optometrists", headers=customer.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    async with database.session() as session:
        await session.execute(update(Branch).where(Branch.id == branch.id).values(is_active=False))
        await commit(session)
    closed = await client.get(f"/api/branches/{branch.id}/optometrists", headers=customer.headers)
    assert closed.status_code == 404
