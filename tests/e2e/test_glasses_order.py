"""The glasses journey in real browsers (DESIGN §11): the optometrist completes a visit and
orders glasses from it; the branch's staff send them to the lab and mark them ready; the patient,
on a phone-width page, sees "Your glasses are ready" arrive live; the order is collected."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.e2e.browser import PASSWORD, next_working_day
from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer

PATIENT = "customer4@everbright.test"  # Ramon Garcia, home branch Garnet
DOCTOR = "dr.santos@everbright.test"  # works at Newstar and Garnet
STAFF = "staff.garnet@everbright.test"


def book_a_visit(server: OmsServer) -> int:
    """The patient books Dr. Santos at Garnet (through the API: booking in a browser is another
    test's journey)."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        login = client.post("/api/auth/login", json={"email": PATIENT, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        branches = {b["code"]: b["id"] for b in client.get("/api/branches", headers=headers).json()}
        doctor = login_id(client, DOCTOR)
        day = next_working_day(3).isoformat()
        query = {"optometrist_id": doctor, "branch_id": branches["GARNET"], "date": day}
        slot = client.get("/api/appointments/availability", params=query, headers=headers).json()
        first = slot["slots"][0]
        booked = client.post(
            "/api/appointments",
            json={**query, **first, "type": "eye_exam"},
            headers=headers,
        )
        assert booked.status_code == 201, booked.text
        appointment_id: int = booked.json()["id"]
        return appointment_id


def login_id(client: httpx.Client, email: str) -> int:
    answer = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    user_id: int = answer.json()["user"]["id"]
    return user_id


def test_order_glasses_from_a_visit_to_pickup(server: OmsServer, sign_in_as: SignIn) -> None:
    appointment_id = book_a_visit(server)
    doctor = sign_in_as(DOCTOR)
    staff = sign_in_as(STAFF)
    patient = sign_in_as(PATIENT, phone=True)

    # The optometrist takes the visit through the exam and writes the prescription.
    # That visit itself (the demo chain has others of Ramon's), shown whatever its status.
    doctor.visit(f"/appointments?focus={appointment_id}")
    visit = doctor.page.locator(f'[data-testid="appointment-row"][data-id="{appointment_id}"]')
    visit.get_by_test_id("action-confirm").click()
    expect(visit).to_have_attribute("data-status", "confirmed")
    visit.get_by_test_id("action-start").click()
    expect(visit).to_have_attribute("data-status", "in_progress")
    doctor.visit("/prescriptions/new")
    form = doctor.page
    form.get_by_test_id("rx-appointment").select_option(index=1)
    form.get_by_test_id("rx-right_eye.sphere").fill("-2.00")
    form.get_by_test_id("rx-right_eye.cylinder").fill("0")
    form.get_by_test_id("rx-left_eye.sphere").fill("-1.75")
    form.get_by_test_id("rx-left_eye.cylinder").fill("0")
    form.get_by_test_id("rx-submit").click()
    expect(patient.toast("prescription.created")).to_be_visible()
    doctor.visit(f"/appointments?focus={appointment_id}")
    visit.get_by_test_id("action-complete").click()
    expect(visit).to_have_attribute("data-status", "completed")

    # ... and orders glasses from the completed visit: its prescription is preselected.
    visit.get_by_test_id("action-order-glasses").click()
    order_form = doctor.page.get_by_test_id("order-form")
    expect(order_form.get_by_test_id("order-rx")).not_to_have_value("")
    order_form.get_by_test_id("order-branch").select_option(label="Garnet")
    order_form.get_by_label("Progressive").check()
    order_form.get_by_test_id("order-frame").select_option(index=1)
    doctor.shot("optometrist-order-form")
    order_form.get_by_test_id("order-submit").click()
    expect(doctor.page.get_by_test_id("order-board")).to_be_visible()

    # Staff see it arrive on their board, and the patient on their phone.
    expect(staff.toast("order.created")).to_be_visible()
    expect(patient.toast("order.created")).to_be_visible()
    patient.visit("/orders")
    mine = patient.page.get_by_test_id("order-row").filter(has_text="Progressive").first
    expect(mine).to_have_attribute("data-status", "ordered")

    staff.visit("/orders")
    # Ramon has a demo bifocal order too; this one is his only progressive one.
    ours = (
        staff.page.get_by_test_id("order-row")
        .filter(has_text="Ramon Garcia")
        .filter(has_text="Progressive")
    )
    card = (
        staff.page.get_by_test_id("order-board")
        .get_by_test_id("order-row")
        .filter(has_text="Ramon Garcia")
        .filter(has_text="Progressive")
    )
    expect(card).to_have_count(1)
    card.get_by_test_id("order-action-send-to-lab").click()
    expect(card).to_have_attribute("data-status", "in_lab")
    expect(mine).to_have_attribute("data-status", "in_lab")
    staff.shot("staff-order-board")
    card.get_by_test_id("order-action-mark-ready").click()

    # The news a patient must never miss, live on the phone.
    ready = patient.toast("order.ready")
    expect(ready).to_be_visible()
    expect(ready).to_have_text("Your glasses are ready")
    expect(ready).to_have_attribute("data-level", "success")
    expect(mine).to_have_attribute("data-status", "ready")
    expect(mine).to_contain_text("Ready for pickup at Garnet")
    width = patient.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the orders page is {width}px wide on a phone"
    patient.shot("patient-glasses-ready-phone")

    card.get_by_test_id("order-action-collect").click()
    expect(patient.toast("order.collected")).to_be_visible()
    expect(mine).to_have_attribute("data-status", "collected")
    expect(card).to_have_count(0)  # off the board, into "collected and cancelled"
    expect(ours).to_have_attribute("data-status", "collected")
