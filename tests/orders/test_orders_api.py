"""Glasses orders through the API against a real database: placing, every transition and
refusal, who may see what, and the events each step records for whom."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import update

from oms.clock import ManualClock
from oms.db.database import Database
from oms.db.models import Product
from oms.events.catalogue import OrderEvent, validate_payload
from tests.appointments.conftest import error_of, expect_events, expect_no_events, last_event_id
from tests.conftest import PublishedLog
from tests.factories import Factory
from tests.orders.conftest import Lab, act, place


def day(text: object) -> date:
    return date.fromisoformat(str(text))


async def test_staff_place_an_order_and_the_patient_and_staff_are_told(
    client: httpx.AsyncClient, lab: Lab, database: Database, published: PublishedLog
) -> None:
    published.clear()
    before = await last_event_id(database)
    order = await place(client, lab, notes="anti-glare")

    assert order["number"] == f"ORD-{order['id']:06d}"
    assert order["status"] == "ordered"
    assert order["lens_type"] == "single_vision"
    assert order["prescription_id"] == lab.prescription_id
    assert order["patient"] == {"id": lab.customer.id, "name": "Maria Cruz"}
    assert order["branch"] == {"id": lab.emerald.id, "name": "Emerald"}
    assert order["notes"] == "anti-glare"
    assert order["frame"] is None
    assert order["late"] is False
    # The clock is Monday 10:00 in Manila: single vision (3 lab days) is due Thursday.
    assert day(order["ordered_on"]).weekday() == 0
    assert day(order["due_date"]) == day(order["ordered_on"]) + timedelta(days=3)

    (created,) = await expect_events(database, published, before, [("order.created", lab.audience)])
    model = validate_payload(created.payload)
    assert isinstance(model, OrderEvent)
    assert model.level == "success"
    assert created.payload["order"] == {
        "id": order["id"],
        "number": order["number"],
        "status": "ordered",
        "lens_type": "single_vision",
        "due_date": order["due_date"],
        "patient": {"id": lab.customer.id, "name": "Maria Cruz"},
        "branch": {"id": lab.emerald.id, "name": "Emerald"},
    }


async def test_the_order_date_is_the_branch_s_date(
    client: httpx.AsyncClient, lab: Lab, clock: ManualClock
) -> None:
    # Monday 23:30 UTC is already Tuesday 07:30 in Manila.
    clock.advance(timedelta(hours=21, minutes=30))
    order = await place(client, lab, lens_type="progressive")
    ordered_on = day(order["ordered_on"])
    assert ordered_on.weekday() == 1
    # 14 lab days from a Tuesday pass over two Sundays.
    assert day(order["due_date"]) == ordered_on + timedelta(days=16)


@pytest.mark.parametrize("who", ["staff", "optometrist", "admin"])
async def test_who_may_place_an_order(client: httpx.AsyncClient, lab: Lab, who: str) -> None:
    order = await place(client, lab, as_=lab.people()[who])
    assert order["created_by_id"] == lab.people()[who].id


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("customer", 403, "permission_denied"),
        ("other_staff", 403, "permission_denied"),
        ("other_optometrist", 403, "permission_denied"),
    ],
)
async def test_who_may_not_place_an_order(
    client: httpx.AsyncClient,
    lab: Lab,
    database: Database,
    published: PublishedLog,
    who: str,
    status: int,
    code: str,
) -> None:
    published.clear()
    before = await last_event_id(database)
    response = await client.post("/api/orders", json=lab.body(), headers=lab.people()[who].headers)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    await expect_no_events(database, published, before)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lens_type": "trifocal"}, "lens_type"),
        ({"prescription_id": 999_999}, "prescription_id"),
        ({"branch_id": 999_999}, "branch_id"),
        ({"frame_product_id": 999_999}, "frame_product_id"),
        ({"notes": "x" * 2001}, "notes"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_orders_name_the_field(
    client: httpx.AsyncClient, lab: Lab, overrides: dict[str, object], field: str
) -> None:
    response = await client.post(
        "/api/orders", json=lab.body(**overrides), headers=lab.admin.headers
    )
    assert error_of(response)[0] == 422
    assert error_of(response)[2] == field, response.text


async def test_a_frame_must_be_a_frame(
    client: httpx.AsyncClient, lab: Lab, factory: Factory, database: Database
) -> None:
    lens = await factory.product("Lens cloth")
    async with database.session() as session:
        await session.execute(
            update(Product).where(Product.id == lens.id).values(category="accessories")
        )
        await session.commit()
    response = await client.post(
        "/api/orders", json=lab.body(frame_product_id=lens.id), headers=lab.staff.headers
    )
    assert error_of(response) == (422, "validation_error", "frame_product_id")


async def test_an_expired_prescription_is_refused(
    client: httpx.AsyncClient, lab: Lab, clock: ManualClock
) -> None:
    clock.advance(timedelta(days=400))
    response = await client.post("/api/orders", json=lab.body(), headers=lab.staff.headers)
    assert error_of(response) == (422, "validation_error", "prescription_id")


async def test_another_branch_s_prescription_is_not_usable_by_its_staff(
    client: httpx.AsyncClient, lab: Lab
) -> None:
    # Unitop's staff may not see a prescription issued at Emerald, so cannot order from it.
    response = await client.post(
        "/api/orders", json=lab.body(branch_id=lab.unitop.id), headers=lab.other_staff.headers
    )
    assert error_of(response) == (422, "validation_error", "prescription_id")


STEPS = [
    ("send-to-lab", "in_lab", "order.updated", "info"),
    ("mark-ready", "ready", "order.ready", "success"),
    ("collect", "collected", "order.collected", "success"),
]


async def test_an_order_goes_to_the_lab_is_ready_and_is_collected(
    client: httpx.AsyncClient, lab: Lab, database: Database, published: PublishedLog
) -> None:
    order = await place(client, lab)
    for action, status, event, level in STEPS:
        published.clear()
        before = await last_event_id(database)
        response = await act(client, order["id"], action, lab.staff)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
        (recorded,) = await expect_events(database, published, before, [(event, lab.audience)])
        assert recorded.payload["order"]["status"] == status
        assert recorded.payload["level"] == level
    assert recorded.payload["event"] == "order.collected"


async def test_ready_is_the_patient_s_good_news(
    client: httpx.AsyncClient, lab: Lab, published: PublishedLog
) -> None:
    order = await place(client, lab)
    await act(client, order["id"], "send-to-lab", lab.optometrist)
    published.clear()
    assert (await act(client, order["id"], "mark-ready", lab.admin)).status_code == 200
    ready = published.only()
    assert ready.payload["title"] == "Your glasses are ready"
    assert ready.payload["level"] == "success"
    assert "ready for pickup at Emerald" in ready.payload["message"]


# Every (status, action) the machine refuses, reached through the API.
PATHS = {
    "ordered": [],
    "in_lab": ["send-to-lab"],
    "ready": ["send-to-lab", "mark-ready"],
    "collected": ["send-to-lab", "mark-ready", "collect"],
    "cancelled": ["cancel"],
}
REFUSED = [
    ("ordered", "mark-ready"),
    ("ordered", "collect"),
    ("in_lab", "send-to-lab"),
    ("in_lab", "collect"),
    ("ready", "send-to-lab"),
    ("ready", "mark-ready"),
    ("collected", "send-to-lab"),
    ("collected", "mark-ready"),
    ("collected", "collect"),
    ("collected", "cancel"),
    ("cancelled", "send-to-lab"),
    ("cancelled", "mark-ready"),
    ("cancelled", "collect"),
    ("cancelled", "cancel"),
]


@pytest.mark.parametrize(("status", "action"), REFUSED)
async def test_refused_transitions_are_409_and_change_nothing(
    client: httpx.AsyncClient,
    lab: Lab,
    database: Database,
    published: PublishedLog,
    status: str,
    action: str,
) -> None:
    order = await place(client, lab, frame_product_id=lab.frame.id)
    for step in PATHS[status]:
        assert (await act(client, order["id"], step, lab.staff)).status_code == 200
    published.clear()
    before = await last_event_id(database)
    response = await act(client, order["id"], action, lab.staff)
    assert error_of(response)[:2] == (409, "invalid_transition")
    assert response.json()["error"]["details"]["status"] == status
    await expect_no_events(database, published, before)
    now = await client.get(f"/api/orders/{order['id']}", headers=lab.staff.headers)
    assert now.json()["status"] == status


@pytest.mark.parametrize("status", ["ordered", "in_lab", "ready"])
async def test_cancel_from_any_open_status_with_a_reason(
    client: httpx.AsyncClient, lab: Lab, database: Database, published: PublishedLog, status: str
) -> None:
    order = await place(client, lab)
    for step in PATHS[status]:
        await act(client, order["id"], step, lab.staff)
    published.clear()
    before = await last_event_id(database)
    response = await act(client, order["id"], "cancel", lab.staff, reason="patient moved away")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "patient moved away"
    (cancelled,) = await expect_events(
        database, published, before, [("order.cancelled", lab.audience)]
    )
    assert cancelled.payload["message"].endswith("was cancelled: patient moved away")
    assert cancelled.payload["level"] == "warning"


@pytest.mark.parametrize("action", ["send-to-lab", "mark-ready", "collect", "cancel"])
async def test_patients_read_but_never_move_their_orders(
    client: httpx.AsyncClient, lab: Lab, action: str
) -> None:
    order = await place(client, lab)
    response = await act(client, order["id"], action, lab.customer)
    assert error_of(response)[:2] == (403, "permission_denied")


@pytest.mark.parametrize("who", ["other_staff", "other_optometrist", "other_customer"])
async def test_outsiders_get_404_for_reads_and_actions(
    client: httpx.AsyncClient, lab: Lab, who: str
) -> None:
    order = await place(client, lab)
    headers = lab.people()[who].headers
    assert (await client.get(f"/api/orders/{order['id']}", headers=headers)).status_code == 404
    response = await act(client, order["id"], "send-to-lab", lab.people()[who])
    assert error_of(response)[:2] == (404, "not_found")
    assert (await client.get("/api/orders", headers=headers)).json() == []


async def test_listing_is_scoped_and_filtered(client: httpx.AsyncClient, lab: Lab) -> None:
    first = await place(client, lab)
    second = await place(client, lab, lens_type="progressive")
    await act(client, second["id"], "send-to-lab", lab.staff)

    def ids(response: httpx.Response) -> list[int]:
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()]

    # Ordered by due date: single vision first.
    for who in ("customer", "staff", "optometrist", "admin"):
        headers = lab.people()[who].headers
        assert ids(await client.get("/api/orders", headers=headers)) == [first["id"], second["id"]]
    staff = lab.staff.headers
    in_lab = await client.get("/api/orders", params={"status": "in_lab"}, headers=staff)
    assert ids(in_lab) == [second["id"]]
    here = await client.get("/api/orders", params={"branch_id": lab.emerald.id}, headers=staff)
    assert ids(here) == [first["id"], second["id"]]
    there = await client.get(
        "/api/orders", params={"branch_id": lab.unitop.id}, headers=lab.admin.headers
    )
    assert ids(there) == []
    elsewhere = await client.get("/api/orders", params={"branch_id": lab.unitop.id}, headers=staff)
    assert error_of(elsewhere)[:2] == (404, "not_found")
    bad = await client.get("/api/orders", params={"status": "lost"}, headers=staff)
    assert error_of(bad)[0] == 422


async def test_late_is_shown_once_the_due_day_is_over_in_the_branch(
    client: httpx.AsyncClient, lab: Lab, clock: ManualClock
) -> None:
    order = await place(client, lab)  # due Thursday
    url = f"/api/orders/{order['id']}"
    clock.advance(timedelta(days=3, hours=13))  # Thursday 23:00 in Manila
    assert (await client.get(url, headers=lab.staff.headers)).json()["late"] is False
    clock.advance(timedelta(hours=1, minutes=1))  # Friday 00:01 in Manila
    assert (await client.get(url, headers=lab.staff.headers)).json()["late"] is True
    await act(client, order["id"], "send-to-lab", lab.staff)
    await act(client, order["id"], "mark-ready", lab.staff)
    assert (await client.get(url, headers=lab.customer.headers)).json()["late"] is False
