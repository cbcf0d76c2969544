"""A reminder's confirm link in a browser that is not signed in (DESIGN §11): the page shows the
visit in words and only its button confirms it; a used or foreign link says so."""

from __future__ import annotations

from datetime import UTC, date, time
from urllib.parse import urlencode

import httpx
from playwright.sync_api import Browser, expect

from oms.config import DEV_APP_KEY
from oms.security.appointment_links import issue_link_token
from oms.timezones import instant
from tests.e2e.axe import serious_violations
from tests.e2e.browser import PASSWORD, next_working_day
from tests.e2e.server import OmsServer

PATIENT = "customer5@everbright.test"  # Carmen Lim
DOCTOR = "dr.prieto@everbright.test"


def book(server: OmsServer) -> tuple[dict[str, object], str]:
    """The patient books Dr. Prieto at Emerald through the API; returns the appointment and the
    branch's time zone."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        login = client.post("/api/auth/login", json={"email": PATIENT, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        branches = {b["code"]: b for b in client.get("/api/branches", headers=headers).json()}
        doctor = client.post("/api/auth/login", json={"email": DOCTOR, "password": PASSWORD})
        query = {
            "optometrist_id": doctor.json()["user"]["id"],
            "branch_id": branches["EMERALD"]["id"],
            "date": next_working_day(12).isoformat(),
        }
        slots = client.get("/api/appointments/availability", params=query, headers=headers)
        booked = client.post(
            "/api/appointments",
            json={**query, **slots.json()["slots"][-1], "type": "eye_exam"},
            headers=headers,
        )
        assert booked.status_code == 201, booked.text
        return booked.json(), str(branches["EMERALD"]["timezone"])


def confirm_link(server: OmsServer, appointment: dict[str, object], zone: str) -> str:
    """What the reminder's email carries (the worker signs it the same way at send time)."""
    starts = instant(
        zone,
        date.fromisoformat(str(appointment["date"])),
        time.fromisoformat(str(appointment["start_time"])),
    )
    patient = appointment["patient"]
    assert isinstance(patient, dict)
    token = issue_link_token(
        # The server's key: it runs in development, with the built-in key unless one is set.
        server.env().get("APP_KEY", DEV_APP_KEY),
        appointment_id=int(str(appointment["id"])),
        patient_id=int(patient["id"]),
        action="confirm",
        starts_at=starts.astimezone(UTC),
    )
    query = urlencode({"appointment": appointment["id"], "token": token})
    return f"{server.url}/visit/confirm?{query}"


def test_a_signed_out_patient_confirms_from_the_link(server: OmsServer, browser: Browser) -> None:
    appointment, zone = book(server)
    link = confirm_link(server, appointment, zone)
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your visit")
        expect(page.get_by_test_id("visit-link-when")).to_contain_text(
            "eye exam with Dr. Ana Prieto at Emerald"
        )
        assert serious_violations(page) == []
        # Opening the page read the visit only: it is still scheduled.
        with httpx.Client(base_url=server.url, timeout=10) as client:
            login = client.post("/api/auth/login", json={"email": PATIENT, "password": PASSWORD})
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            path = f"/api/appointments/{appointment['id']}"
            assert client.get(path, headers=headers).json()["status"] == "scheduled"
            page.get_by_role("button", name="Confirm").click()
            expect(page.get_by_test_id("visit-link-done")).to_have_text(
                "Your visit is confirmed. See you then!"
            )
            assert client.get(path, headers=headers).json()["status"] == "confirmed"

        # Opened again: nothing left to do.
        page.goto(link)
        expect(page.get_by_test_id("visit-link-done")).to_have_text(
            "This visit is already confirmed."
        )
        expect(page.get_by_role("button", name="Confirm")).to_have_count(0)
        # A link for another appointment (or a forged one) says so in words.
        page.goto(link.replace(f"appointment={appointment['id']}", "appointment=999999"))
        expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
        expect(page.get_by_test_id("visit-link-problem")).to_contain_text("not valid")
        assert serious_violations(page) == []
    finally:
        context.close()
