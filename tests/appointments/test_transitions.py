"""The status machine over HTTP: each action's status, event, wording and audience; every
refused transition is a 409 that records nothing."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import httpx
import pytest

from oms.db.database import Database
from oms.domain.appointment_rules import human_when
from tests.appointments.conftest import (
    World,
    book,
    error_of,
    expect_events,
    expect_no_events,
    last_event_id,
)
from tests.conftest import PublishedLog


def _when(appointment: dict[str, Any]) -> str:
    return human_when(date.fromisoformat(appointment["date"]), time(10))


async def _act(
    client: httpx.AsyncClient, world: World, appointment_id: int, action: str, reason: str = ""
) -> httpx.Response:
    body = {"reason": reason} if reason else None
    return await client.post(
        f"/api/appointments/{appointment_id}/{action}", json=body, headers=world.staff.headers
    )


async def test_the_exam_from_booking_to_completion(
    client: httpx.AsyncClient, world: World, database: Database, published: PublishedLog
) -> None:
    appointment = await book(client, world)
    what = f"Maria Cruz's eye exam at Emerald on {_when(appointment)}"
    before = await last_event_id(database)
    published.clear()
    steps = [
        ("confirm", "confirmed", "appointment.confirmed", "Eye exam confirmed", "success"),
        ("start", "in_progress", "appointment.updated", "Eye exam started", "info"),
        ("complete", "completed", "appointment.completed", "Eye exam completed", "success"),
    ]
    for action, status, *_ in steps:
        response = await _act(client, world, appointment["id"], action)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    stored = await expect_events(
        database, published, before, [(name, world.audience) for _, _, name, _, _ in steps]
    )
    for record, (_, status, _, title, level) in zip(stored, steps, strict=True):
        assert record.payload["title"] == title
        assert record.payload["level"] == level
        assert record.payload["appointment"]["status"] == status
        assert record.payload["id"] == appointment["id"]
    assert [record.payload["message"] for record in stored] == [
        f"{what} is confirmed",
        f"{what} has started",
        f"{what} is completed",
    ]


@pytest.mark.parametrize("first", [[], ["confirm"]])
async def test_cancel_with_a_reason(
    first: list[str],
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    published: PublishedLog,
) -> None:
    appointment = await book(client, world)
    for action in first:
        await _act(client, world, appointment["id"], action)
    before = await last_event_id(database)
    published.clear()
    response = await client.post(
        f"/api/appointments/{appointment['id']}/cancel",
        json={"reason": "feeling unwell"},
        headers=world.customer.headers,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "feeling unwell"
    (event,) = await expect_events(
        database, published, before, [("appointment.cancelled", world.audience)]
    )
    assert event.payload["level"] == "warning"
    assert event.payload["title"] == "Eye exam cancelled"
    assert event.payload["by"] == {"id": world.customer.id, "name": "Maria Cruz"}
    assert event.payload["message"] == (
        f"Maria Cruz's eye exam at Emerald on {_when(appointment)} "
        "was cancelled by Maria Cruz: feeling unwell"
    )
    assert event.payload["appointment"]["status"] == "cancelled"


@pytest.mark.parametrize("first", [[], ["confirm"]])
async def test_no_show(
    first: list[str],
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    published: PublishedLog,
) -> None:
    appointment = await book(client, world)
    for action in first:
        await _act(client, world, appointment["id"], action)
    before = await last_event_id(database)
    published.clear()
    response = await client.post(
        f"/api/appointments/{appointment['id']}/no-show", headers=world.optometrist.headers
    )
    assert response.status_code == 200
    assert response.json()["status"] == "no_show"
    (event,) = await expect_events(
        database, published, before, [("appointment.no_show", world.audience)]
    )
    assert event.payload["level"] == "warning"
    assert event.payload["title"] == "Eye exam missed"
    assert event.payload["message"].startswith("Maria Cruz did not attend Maria Cruz's eye exam")


# (actions taken first, the refused action)
REFUSED = [
    ([], "start"),
    ([], "complete"),
    (["confirm"], "confirm"),
    (["confirm"], "complete"),
    (["confirm", "start"], "cancel"),
    (["confirm", "start"], "no-show"),
    (["confirm", "start"], "confirm"),
    (["confirm", "start", "complete"], "cancel"),
    (["confirm", "start", "complete"], "start"),
    (["cancel"], "confirm"),
    (["cancel"], "cancel"),
    (["no-show"], "start"),
    (["no-show"], "cancel"),
]


@pytest.mark.parametrize(("history", "action"), REFUSED)
async def test_refused_transitions_are_409_and_silent(
    history: list[str],
    action: str,
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    published: PublishedLog,
) -> None:
    appointment = await book(client, world)
    for step in history:
        assert (await _act(client, world, appointment["id"], step)).status_code == 200
    status = (
        await client.get(f"/api/appointments/{appointment['id']}", headers=world.admin.headers)
    ).json()["status"]
    before = await last_event_id(database)
    published.clear()
    response = await _act(client, world, appointment["id"], action)
    assert error_of(response) == (409, "invalid_transition", None)
    assert response.json()["error"]["details"]["status"] == status
    after = await client.get(f"/api/appointments/{appointment['id']}", headers=world.admin.headers)
    assert after.json()["status"] == status
    await expect_no_events(database, published, before)


async def test_unknown_action_and_bad_body(client: httpx.AsyncClient, world: World) -> None:
    appointment = await book(client, world)
    url = f"/api/appointments/{appointment['id']}"
    assert (await client.post(f"{url}/teleport", headers=world.admin.headers)).status_code == 404
    response = await client.post(f"{url}/cancel", json={"why": "x"}, headers=world.admin.headers)
    assert error_of(response) == (422, "validation_error", "why")
