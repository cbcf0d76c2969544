"""Prescriptions through the API against a real database: issuing, validation, the event, scope."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from oms.db.database import Database
from oms.domain.actors import Role
from oms.domain.prescriptions import one_year_after
from oms.events.catalogue import PrescriptionEvent, validate_payload
from tests.conftest import PublishedLog
from tests.factories import Factory, TestUser
from tests.notifications.support import appointment, counts, inbox_of_event, stored_payload


def body(patient_id: int, **overrides: Any) -> dict[str, Any]:
    return {
        "patient_id": patient_id,
        "right_eye": {"sphere": "-1.25", "cylinder": "-0.50", "axis": 90, "add": 1.5, "pd": 31.5},
        "left_eye": {"sphere": -1, "cylinder": 0},
    } | overrides


def today() -> date:
    return datetime.now(UTC).date()


async def issue(
    client: httpx.AsyncClient, optometrist: TestUser, patient: TestUser, **overrides: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/prescriptions", json=body(patient.id, **overrides), headers=optometrist.headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_optometrist_issues_and_both_people_are_told(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    branch = await factory.branch()
    optometrist = await factory.optometrist(branch)
    patient = await factory.customer()
    await factory.staff(branch)  # branch staff are not told about prescriptions
    await factory.admin()
    events_before, inbox_before = await counts(database)

    rx = await issue(client, optometrist, patient, notes="progressives")

    assert rx["number"] == f"RX-{rx['id']:06d}"
    assert rx["patient"] == {"id": patient.id, "name": patient.name}
    assert rx["optometrist"] == {"id": optometrist.id, "name": optometrist.name}
    assert rx["right_eye"] == {
        "sphere": "-1.25", "cylinder": "-0.50", "axis": 90, "add": "1.50", "pd": "31.5",
        "prism": None, "prism_base": None,
    }  # fmt: skip
    assert rx["left_eye"]["sphere"] == "-1.00"
    assert rx["left_eye"]["axis"] is None
    assert rx["issue_date"] == today().isoformat()
    assert rx["expiry_date"] == one_year_after(today()).isoformat()
    assert rx["notes"] == "progressives"

    event = published.only()
    assert event.name == "prescription.created"
    assert published.recipients() == {patient.id, optometrist.id}
    model = validate_payload(event.payload)
    assert isinstance(model, PrescriptionEvent)
    assert model.level == "success"
    assert event.payload["prescription"] == {
        "id": rx["id"],
        "number": rx["number"],
        "patient": {"id": patient.id, "name": patient.name},
        "optometrist": {"id": optometrist.id, "name": optometrist.name},
        "issue_date": rx["issue_date"],
        "expiry_date": rx["expiry_date"],
    }
    # Health data stays out of the event: no optical values anywhere in it.
    assert "right_eye" not in str(event.payload)
    assert "sphere" not in str(event.payload)
    assert await stored_payload(database, event.event_id) == event.payload
    inbox = await inbox_of_event(database, event.event_id)
    assert inbox == dict(event.recipients)
    assert await counts(database) == (events_before + 1, inbox_before + 2)


@pytest.mark.parametrize("role", ["admin", "staff", "customer"])
async def test_only_optometrists_issue(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    published: PublishedLog,
    role: Role,
) -> None:
    branch = await factory.branch()
    patient = await factory.customer()
    user = await factory.user(role, branch_id=branch.id if role == "staff" else None)
    before = await counts(database)
    response = await client.post("/api/prescriptions", json=body(patient.id), headers=user.headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    response = await client.post("/api/prescriptions", json=body(patient.id))
    assert response.status_code == 401
    assert published.events == []
    assert await counts(database) == before


@pytest.mark.parametrize(
    ("eye_field", "value", "path"),
    [
        ({"sphere": "20.25"}, None, "right_eye.sphere"),
        ({"sphere": "1.30"}, None, "right_eye.sphere"),
        ({"cylinder": "-6.25"}, None, "right_eye.cylinder"),
        ({"axis": 181}, None, "right_eye.axis"),
        ({"axis": None}, None, "right_eye.axis"),
        ({"add": "3.75"}, None, "right_eye.add"),
        ({"pd": 64}, None, "right_eye.pd"),
        ({"prism": "1.00"}, None, "right_eye.prism_base"),
        ({"prism": "10.25", "prism_base": "in"}, None, "right_eye.prism"),
        (None, {"sphere": "0", "cylinder": "0", "axis": 90}, "left_eye.axis"),
        (None, {"sphere": "-20.50", "cylinder": "0"}, "left_eye.sphere"),
        (None, {"sphere": "0", "cylinder": "0", "prism_base": "up"}, "left_eye.prism_base"),
        # Refused while parsing (wrong types), named the same way.
        ({"sphere": "abc"}, None, "right_eye.sphere"),
        ({"axis": 90.5}, None, "right_eye.axis"),
        ({"prism": "1.00", "prism_base": "sideways"}, None, "right_eye.prism_base"),
        (None, {"sphere": "0"}, "left_eye.cylinder"),
        ({"colour": "blue"}, None, "right_eye.colour"),
    ],
)
async def test_out_of_range_values_are_422_naming_the_field(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    published: PublishedLog,
    eye_field: dict[str, Any] | None,
    value: dict[str, Any] | None,
    path: str,
) -> None:
    branch = await factory.branch()
    optometrist = await factory.optometrist(branch)
    patient = await factory.customer()
    payload = body(patient.id)
    if eye_field is not None:
        payload["right_eye"] = payload["right_eye"] | eye_field
    if value is not None:
        payload["left_eye"] = value
    before = await counts(database)
    response = await client.post("/api/prescriptions", json=payload, headers=optometrist.headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"].startswith(f"{path}: ")
    named = error["details"].get("field") or error["details"]["fields"][0]["field"]
    assert named == path
    assert published.events == []
    assert await counts(database) == before


async def test_patient_must_be_an_active_customer(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    branch = await factory.branch()
    optometrist = await factory.optometrist(branch)
    staff = await factory.staff(branch)
    before = await counts(database)
    for patient_id in (staff.id, optometrist.id, 999_999):
        response = await client.post(
            "/api/prescriptions", json=body(patient_id), headers=optometrist.headers
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"] == {"field": "patient_id"}
    assert published.events == []
    assert await counts(database) == before


async def test_dates(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    branch = await factory.branch()
    optometrist = await factory.optometrist(branch)
    patient = await factory.customer()
    rx = await issue(
        client, optometrist, patient, issue_date="2024-02-29", expiry_date="2025-06-30"
    )
    assert (rx["issue_date"], rx["expiry_date"]) == ("2024-02-29", "2025-06-30")
    rx = await issue(client, optometrist, patient, issue_date="2024-02-29")
    assert rx["expiry_date"] == "2025-02-28"  # a year after a leap day
    published.clear()
    before = await counts(database)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    refusals = [
        ({"issue_date": "2024-05-01", "expiry_date": "2024-05-01"}, "expiry_date"),
        ({"issue_date": "2024-05-01", "expiry_date": "2024-04-01"}, "expiry_date"),
        ({"issue_date": tomorrow}, "issue_date"),
        ({"expiry_date": "2000-01-01"}, "expiry_date"),
    ]
    for overrides, field in refusals:
        response = await client.post(
            "/api/prescriptions", json=body(patient.id, **overrides), headers=optometrist.headers
        )
        assert response.status_code == 422, overrides
        assert response.json()["error"]["details"] == {"field": field}
    assert published.events == []
    assert await counts(database) == before


async def test_appointment_must_be_the_optometrists_own_exam_of_that_patient(
    client: httpx.AsyncClient, factory: Factory, database: Database, published: PublishedLog
) -> None:
    branch = await factory.branch()
    optometrist = await factory.optometrist(branch)
    colleague = await factory.optometrist(branch)
    patient = await factory.customer()
    other_patient = await factory.customer()

    async def make(status: str, **who: TestUser) -> int:
        people = {"patient": patient, "optometrist": optometrist} | who
        return await appointment(database, branch=branch, status=status, **people)

    for status in ("in_progress", "completed"):
        appointment_id = await make(status)
        rx = await issue(client, optometrist, patient, appointment_id=appointment_id)
        assert rx["appointment_id"] == appointment_id
    assert published.names() == ["prescription.created"] * 2
    published.clear()
    before = await counts(database)
    refused = [
        await make("in_progress", optometrist=colleague),
        await make("in_progress", patient=other_patient),
        await make("scheduled"),
        await make("confirmed"),
        await make("cancelled"),
        999_999,
    ]
    for appointment_id in refused:
        response = await client.post(
            "/api/prescriptions",
            json=body(patient.id, appointment_id=appointment_id),
            headers=optometrist.headers,
        )
        assert response.status_code == 422, appointment_id
        assert response.json()["error"]["details"] == {"field": "appointment_id"}
    assert published.events == []
    assert await counts(database) == before


async def test_reads_are_scoped(
    client: httpx.AsyncClient, factory: Factory, database: Database
) -> None:
    north, south = await factory.branch(), await factory.branch()
    dr_north = await factory.optometrist(north)
    dr_south = await factory.optometrist(south)
    dr_both = await factory.optometrist(north, south)
    ann, bob = await factory.customer(), await factory.customer()
    staff_north, staff_south = await factory.staff(north), await factory.staff(south)
    admin = await factory.admin()

    exam_north = await appointment(database, patient=ann, optometrist=dr_north, branch=north)
    exam_south = await appointment(database, patient=bob, optometrist=dr_both, branch=south)
    rx1 = (await issue(client, dr_north, ann, appointment_id=exam_north))["id"]
    rx2 = (await issue(client, dr_south, bob))["id"]  # no appointment: where dr_south works
    rx3 = (await issue(client, dr_both, bob, appointment_id=exam_south))["id"]  # south only
    rx4 = (await issue(client, dr_both, ann))["id"]  # no appointment: both branches
    everything = {rx1, rx2, rx3, rx4}

    expected = {
        ann: {rx1, rx4},
        bob: {rx2, rx3},
        dr_north: {rx1},
        dr_south: {rx2},
        dr_both: {rx3, rx4},
        # Staff see the prescriptions of their branch's patients (an appointment there), whoever
        # issued them: ann was seen at north only, bob at south only.
        staff_north: {rx1, rx4},
        staff_south: {rx2, rx3},
        admin: everything,
    }
    for user, visible in expected.items():
        listed = await client.get("/api/prescriptions", headers=user.headers)
        assert listed.status_code == 200
        ids = [row["id"] for row in listed.json()]
        assert ids == sorted(visible, reverse=True), user.email  # newest first
        for rx_id in everything:
            one = await client.get(f"/api/prescriptions/{rx_id}", headers=user.headers)
            assert one.status_code == (200 if rx_id in visible else 404), (user.email, rx_id)
            if rx_id in visible:
                assert one.json()["right_eye"]["sphere"] == "-1.25"

    by_patient = await client.get(f"/api/prescriptions?patient_id={ann.id}", headers=admin.headers)
    assert [row["id"] for row in by_patient.json()] == [rx4, rx1]
    filtered = await client.get(
        f"/api/prescriptions?patient_id={bob.id}", headers=staff_north.headers
    )
    assert filtered.json() == []
    assert (await client.get("/api/prescriptions")).status_code == 401
    assert (await client.get("/api/prescriptions/999999", headers=admin.headers)).status_code == 404
