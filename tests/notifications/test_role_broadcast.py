"""Broadcasts to a role or branch at scale (DESIGN §12 "Broadcasts persist at socket speed"): one
statement writes every member's inbox row (events/inbox_rows.py); each member then has their
own row, unread count and read state, on both databases."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select, update

from oms.db.database import Database
from oms.db.models import Notification, User
from oms.domain.actors import actor_for
from oms.domain.notifications import broadcast
from oms.events.recipients import branch_members
from oms.events.store import events_between
from tests.conftest import PublishedLog
from tests.factories import Factory, TestUser
from tests.notifications.support import inbox_of_event

# The bulk insert is written per dialect: run on every backend.
pytestmark = pytest.mark.both_databases

BROADCAST = "/api/notifications/broadcast"


async def _send(client: httpx.AsyncClient, sender: TestUser, **target: Any) -> int:
    response = await client.post(
        BROADCAST,
        json={"title": "Closed Monday", "message": "Holiday", "type": "general"} | target,
        headers=sender.headers,
    )
    assert response.status_code == 201, response.text
    event_id: int = response.json()["event_id"]
    return event_id


async def _unread(client: httpx.AsyncClient, user: TestUser) -> int:
    response = await client.get("/api/notifications/unread-count", headers=user.headers)
    assert response.status_code == 200, response.text
    count: int = response.json()["count"]
    return count


async def _inbox(client: httpx.AsyncClient, user: TestUser) -> list[dict[str, Any]]:
    response = await client.get("/api/notifications", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


async def _set(database: Database, user: TestUser, **values: Any) -> None:
    async with database.session() as session:
        await session.execute(update(User).where(User.id == user.id).values(**values))
        await session.commit()


async def _signed_in_again(database: Database, factory: Factory, who: TestUser) -> TestUser:
    """A fresh token for someone whose role changed (the old one is revoked with it)."""
    async with database.session() as session:
        user = await session.get(User, who.id)
        assert user is not None
        return factory.login(user, await actor_for(session, user))


async def test_every_member_has_their_own_row_unread_count_and_read_state(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    admin = await factory.admin()
    ann, bob, cid = [await factory.customer() for _ in range(3)]
    staff = await factory.staff(await factory.branch())
    event_id = await _send(client, admin, role="customer")

    rows = await inbox_of_event(database, event_id)
    assert set(rows) == {ann.id, bob.id, cid.id}
    assert len(set(rows.values())) == 3  # a row each
    # What went to the sockets is exactly what was stored, in user id order.
    event = published.only()
    assert list(event.recipients) == sorted(rows.items())
    for member in (ann, bob, cid):
        [item] = await _inbox(client, member)
        assert item["id"] == rows[member.id]
        assert item["event_id"] == event_id
        assert item["title"] == "Closed Monday"
        assert item["read_at"] is None
        assert await _unread(client, member) == 1
    assert await _inbox(client, staff) == []

    read = await client.post(f"/api/notifications/{rows[ann.id]}/read", headers=ann.headers)
    assert read.status_code == 200, read.text
    assert read.json()["read_at"] is not None
    # Ann's row is hers: Bob cannot mark it, and his own stays unread.
    theirs = await client.post(f"/api/notifications/{rows[ann.id]}/read", headers=bob.headers)
    assert theirs.status_code == 404
    assert [await _unread(client, member) for member in (ann, bob, cid)] == [0, 1, 1]

    everything = await client.post("/api/notifications/read-all", headers=bob.headers)
    assert everything.json() == {"count": 1}
    assert [await _unread(client, member) for member in (ann, bob, cid)] == [0, 0, 1]


async def test_later_members_do_not_get_it_and_disabled_members_never_do(
    client: httpx.AsyncClient, factory: Factory, database: Database
) -> None:
    admin = await factory.admin()
    member = await factory.customer()
    disabled = await factory.customer()
    await _set(database, disabled, is_active=False)
    promoted = await factory.staff(await factory.branch())

    event_id = await _send(client, admin, role="customer")
    await _set(database, promoted, role="customer")
    newcomer = await factory.customer()
    later = await _send(client, admin, role="customer")

    assert set(await inbox_of_event(database, event_id)) == {member.id}
    assert set(await inbox_of_event(database, later)) == {member.id, promoted.id, newcomer.id}
    for joined in (promoted, newcomer):
        relogged = await _signed_in_again(database, factory, joined)
        assert [item["event_id"] for item in await _inbox(client, relogged)] == [later]
        assert await _unread(client, relogged) == 1


async def test_the_senders_own_copy_arrives_read(
    client: httpx.AsyncClient, factory: Factory, database: Database
) -> None:
    sender, other = await factory.admin(), await factory.admin()
    event_id = await _send(client, sender, role="admin")
    async with database.session() as session:
        read_at = dict(
            (
                await session.execute(
                    select(Notification.user_id, Notification.read_at).where(
                        Notification.event_id == event_id
                    )
                )
            ).all()
        )
    assert set(read_at) == {sender.id, other.id}
    assert read_at[sender.id] is not None
    assert read_at[other.id] is None
    assert await _unread(client, sender) == 0
    assert await _unread(client, other) == 1


async def test_thousands_of_members_in_one_write(
    database: Database, published: PublishedLog
) -> None:
    """The path a 100,000-member broadcast takes (bench/broadcast.py measures that one), with
    enough members to span many of the old insert's batches."""
    members = 3000
    async with database.session() as session:
        await session.execute(
            insert(User),
            [
                {
                    "email": f"member{n}@example.test",
                    "name": f"Member {n}",
                    "role": "customer",
                    "password_hash": "-",
                    "is_active": n % 100 != 7,  # 30 disabled among them
                }
                for n in range(members)
            ],
        )
        await session.commit()
    async with database.session() as session:
        event_id, count = await broadcast(
            session, sender=None, title="All", message="Everyone", type="alert", role="customer"
        )
        active = set(
            (
                await session.scalars(
                    select(User.id).where(User.role == "customer", User.is_active.is_(True))
                )
            ).all()
        )
    assert count == len(active) == members - 30
    rows = await inbox_of_event(database, event_id)
    assert set(rows) == active
    event = published.only()
    assert list(event.recipients) == sorted(rows.items())
    # Replay and the gateways' gap fill read the same recipients back from the table.
    async with database.read_session() as session:
        [stored] = await events_between(session, event_id - 1, event_id)
    assert list(stored.recipients) == sorted(rows.items())


async def test_a_branch_broadcast_reaches_exactly_the_branch_channel_members(
    client: httpx.AsyncClient, factory: Factory, database: Database
) -> None:
    """The audience the database resolves is `branch_members`: the branch's active staff and the
    optometrists with an active schedule there — not other branches', not customers."""
    admin = await factory.admin()
    north, south = await factory.branch(), await factory.branch()
    staff, optometrist = await factory.staff(north), await factory.optometrist(north)
    both = await factory.optometrist(north, south)
    await factory.staff(south)
    await factory.optometrist(south)
    await factory.customer(north)
    gone = await factory.staff(north)
    await _set(database, gone, is_active=False)

    event_id = await _send(client, admin, branch_id=north.id)
    async with database.session() as session:
        members = await branch_members(session, north.id)
    assert set(await inbox_of_event(database, event_id)) == members
    assert members == {staff.id, optometrist.id, both.id}


async def test_a_role_with_no_members_is_recorded_with_none(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    admin = await factory.admin()
    response = await client.post(
        BROADCAST,
        json={"title": "Hello", "message": "Anyone?", "type": "general", "role": "optometrist"},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["recipients"] == 0
    assert await inbox_of_event(database, response.json()["event_id"]) == {}
    assert list(published.only().recipients) == []
