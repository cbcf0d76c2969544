"""The inbox through the API: pages, unread filter and count, marking read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from oms.db.database import Database
from oms.notify import notify_users
from tests.conftest import PublishedLog
from tests.factories import Factory, TestUser
from tests.notifications.support import counts


async def inbox(client: httpx.AsyncClient, user: TestUser, query: str = "") -> list[dict[str, Any]]:
    response = await client.get(f"/api/notifications{query}", headers=user.headers)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


async def unread(client: httpx.AsyncClient, user: TestUser) -> int:
    response = await client.get("/api/notifications/unread-count", headers=user.headers)
    assert response.status_code == 200
    count: int = response.json()["count"]
    return count


async def fill(database: Database, user: TestUser, other: TestUser, n: int) -> list[int]:
    """n notifications for `user`, interleaved with some for `other` only; returns event ids."""
    event_ids = []
    for i in range(n):
        event_ids.append(
            await notify_users(
                database, f"title {i}", f"message {i}", "general", [user.id], {"i": i}
            )
        )
        if i % 3 == 0:
            await notify_users(database, "not yours", "no", "alert", [other.id])
    return event_ids


async def test_pages_newest_first_with_before_id(
    client: httpx.AsyncClient, factory: Factory, database: Database
) -> None:
    ann, bob = await factory.customer(), await factory.customer()
    event_ids = await fill(database, ann, bob, 25)

    first = await inbox(client, ann)
    assert len(first) == 20
    assert [row["event_id"] for row in first] == event_ids[::-1][:20]
    assert [row["id"] for row in first] == sorted((row["id"] for row in first), reverse=True)
    second = await inbox(client, ann, f"?before_id={first[-1]['id']}")
    assert [row["event_id"] for row in second] == event_ids[::-1][20:]
    assert await inbox(client, ann, f"?before_id={second[-1]['id']}") == []

    small = await inbox(client, ann, "?limit=3")
    assert [row["event_id"] for row in small] == event_ids[::-1][:3]
    rest = await inbox(client, ann, f"?limit=100&before_id={small[-1]['id']}")
    assert [row["event_id"] for row in rest] == event_ids[::-1][3:]

    row = first[0]
    assert set(row) == {
        "id", "event_id", "event", "title", "message", "level", "data", "created_at", "read_at",
    }  # fmt: skip
    assert (row["event"], row["title"], row["message"], row["level"]) == (
        "notification.general", "title 24", "message 24", "info",
    )  # fmt: skip
    assert row["data"] == {"i": 24}
    assert row["read_at"] is None
    assert datetime.fromisoformat(row["created_at"]).tzinfo is not None

    assert all(r["title"] != "not yours" for r in first + second)
    assert len(await inbox(client, bob)) == 9


async def test_limit_is_bounded(client: httpx.AsyncClient, factory: Factory) -> None:
    ann = await factory.customer()
    for query in ("?limit=0", "?limit=101", "?limit=x"):
        response = await client.get(f"/api/notifications{query}", headers=ann.headers)
        assert response.status_code == 422
        assert response.json()["error"]["details"]["fields"][0]["field"] == "limit"


async def test_other_events_show_their_subject_as_data(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    branch = await factory.branch()
    optometrist = await factory.optometrist(branch)
    patient = await factory.customer()
    body = {
        "patient_id": patient.id,
        "right_eye": {"sphere": "0", "cylinder": "0"},
        "left_eye": {"sphere": "0", "cylinder": "0"},
    }
    created = await client.post("/api/prescriptions", json=body, headers=optometrist.headers)
    assert created.status_code == 201
    rx = created.json()
    (row,) = await inbox(client, patient)
    assert row["event"] == "prescription.created"
    assert row["level"] == "success"
    assert row["data"] == {
        "prescription": {
            "id": rx["id"],
            "number": rx["number"],
            "patient": {"id": patient.id, "name": patient.name},
            "optometrist": {"id": optometrist.id, "name": optometrist.name},
            "issue_date": rx["issue_date"],
            "expiry_date": rx["expiry_date"],
        }
    }


async def test_read_one_unread_filter_and_count(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    ann, bob = await factory.customer(), await factory.customer()
    await fill(database, ann, bob, 5)
    rows = await inbox(client, ann)
    assert await unread(client, ann) == 5
    published.clear()
    before = await counts(database)

    target = rows[1]
    response = await client.post(f"/api/notifications/{target['id']}/read", headers=ann.headers)
    assert response.status_code == 200
    marked = response.json()
    assert marked["id"] == target["id"]
    assert marked["read_at"] is not None
    again = await client.post(f"/api/notifications/{target['id']}/read", headers=ann.headers)
    assert again.json()["read_at"] == marked["read_at"]  # idempotent: keeps the first read time

    assert await unread(client, ann) == 4
    assert [r["id"] for r in await inbox(client, ann, "?unread=true")] == [
        r["id"] for r in rows if r["id"] != target["id"]
    ]
    assert len(await inbox(client, ann, "?unread=false")) == 5
    assert (await inbox(client, ann))[1]["read_at"] == marked["read_at"]

    # Marking read makes no inbox row; it tells the reader's own sockets only, once (the second
    # mark changed nothing), with the new count for their bell.
    (told,) = published.events
    assert (told.name, list(told.recipients)) == ("inbox.read", [(ann.id, 0)])
    assert (told.payload["ids"], told.payload["all"]) == ([target["id"]], False)
    assert told.payload["unread_count"] == 4
    events, rows_before = before
    assert await counts(database) == (events + 1, rows_before)


async def test_cannot_read_someone_elses(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    ann, bob = await factory.customer(), await factory.customer()
    await fill(database, ann, bob, 2)
    bobs = await inbox(client, bob)
    response = await client.post(f"/api/notifications/{bobs[0]['id']}/read", headers=ann.headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    missing = await client.post("/api/notifications/999999/read", headers=ann.headers)
    assert missing.status_code == 404
    assert await unread(client, bob) == 1
    assert (await inbox(client, bob))[0]["read_at"] is None


async def test_read_all_marks_only_the_callers_unread(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    ann, bob = await factory.customer(), await factory.customer()
    await fill(database, ann, bob, 4)
    first = (await inbox(client, ann))[0]
    read_first = await client.post(f"/api/notifications/{first['id']}/read", headers=ann.headers)
    first_read_at = read_first.json()["read_at"]
    published.clear()
    before = await counts(database)

    response = await client.post("/api/notifications/read-all", headers=ann.headers)
    assert response.status_code == 200
    assert response.json() == {"count": 3}
    assert await unread(client, ann) == 0
    assert await inbox(client, ann, "?unread=true") == []
    rows = await inbox(client, ann)
    assert rows[0]["read_at"] == first_read_at  # already read: keeps its first read time
    assert all(row["read_at"] is not None for row in rows)
    again = await client.post("/api/notifications/read-all", headers=ann.headers)
    assert again.json() == {"count": 0}
    assert await unread(client, bob) == 2
    (told,) = published.events  # the second read-all changed nothing: no message
    assert (told.name, list(told.recipients)) == ("inbox.read", [(ann.id, 0)])
    assert (told.payload["all"], told.payload["unread_count"]) == (True, 0)
    events, rows_before = before
    assert await counts(database) == (events + 1, rows_before)


async def test_inbox_needs_a_user(client: httpx.AsyncClient) -> None:
    for method, path in (
        ("GET", "/api/notifications"),
        ("GET", "/api/notifications/unread-count"),
        ("POST", "/api/notifications/1/read"),
        ("POST", "/api/notifications/read-all"),
    ):
        response = await client.request(method, path)
        assert response.status_code == 401, path
