"""A customer books in one browser; the branch's staff and the optometrist see the toast, the bell
count and their list change in theirs, live, while staff of another branch see nothing (DESIGN §4
"who receives what", §6, §7). How fast is measured by bench/, not asserted here (DESIGN §9)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.browser import next_working_day
from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer


def test_a_booking_reaches_exactly_its_people_live(server: OmsServer, sign_in_as: SignIn) -> None:
    staff = sign_in_as("staff.emerald@everbright.test")
    doctor = sign_in_as("dr.prieto@everbright.test")
    elsewhere = sign_in_as("staff.newstar@everbright.test")
    customer = sign_in_as("customer1@everbright.test", phone=True)
    watchers = (staff, doctor, elsewhere)
    for person in watchers:
        person.visit("/appointments")
    bells = {p.email: p.bell_count() for p in watchers}
    rows = {p.email: p.appointment_rows().count() for p in watchers}

    page = customer.page
    customer.visit("/appointments")
    page.get_by_test_id("open-booking").click()
    page.get_by_test_id("booking-branch").select_option(label="Emerald")
    page.get_by_test_id("booking-optometrist").select_option(label="Dr. Ana Prieto")
    page.get_by_test_id("booking-date").fill(next_working_day().isoformat())
    page.get_by_test_id("slot").first.check()
    customer.shot("customer-booking-phone")

    page.get_by_test_id("booking-submit").click()
    for person in (staff, doctor):
        expect(person.toast("appointment.created")).to_be_visible()
        expect(person.bell()).to_have_attribute("data-count", str(bells[person.email] + 1))
        expect(person.appointment_rows()).to_have_count(rows[person.email] + 1)
        expect(person.appointment_rows().filter(has_text="Maria Cruz").first).to_be_visible()

    # The patient is told too; staff of another branch are not (a later event of theirs is the
    # fence: it shows, so the booking would have shown before it).
    expect(customer.toast("appointment.created")).to_be_visible()
    server.notify("After the booking", elsewhere.email)
    elsewhere.sees_only_the_fence("After the booking", bells[elsewhere.email])
    expect(elsewhere.toast("appointment.created")).to_have_count(0)
    expect(elsewhere.appointment_rows()).to_have_count(rows[elsewhere.email])

    staff.shot("staff-appointments-after-booking")
    doctor.shot("optometrist-appointments-after-booking")
    elsewhere.shot("other-branch-staff-sees-nothing")
    customer.visit("/")
    customer.shot("customer-dashboard-phone")


def test_the_appointment_moves_through_the_exam_live(server: OmsServer, sign_in_as: SignIn) -> None:
    customer = sign_in_as("customer2@everbright.test")
    doctor = sign_in_as("dr.prieto@everbright.test")
    staff = sign_in_as("staff.unitop@everbright.test")
    page = customer.page
    customer.visit("/appointments")
    page.get_by_test_id("open-booking").click()
    page.get_by_test_id("booking-branch").select_option(label="Unitop")
    page.get_by_test_id("booking-optometrist").select_option(label="Dr. Ana Prieto")
    page.get_by_test_id("booking-date").fill(next_working_day(2).isoformat())
    page.get_by_test_id("slot").first.check()
    page.get_by_test_id("booking-submit").click()

    doctor.visit("/appointments")
    staff.visit("/appointments")
    mine = doctor.appointment_rows().filter(has_text="Jose Reyes").first
    mine.get_by_test_id("action-confirm").click()
    expect(customer.toast("appointment.confirmed")).to_be_visible()
    at_desk = staff.appointment_rows().filter(has_text="Jose Reyes").first
    expect(at_desk).to_have_attribute("data-status", "confirmed")
    doctor.appointment_rows().filter(has_text="Jose Reyes").first.get_by_test_id(
        "action-start"
    ).click()
    expect(staff.appointment_rows().filter(has_text="Jose Reyes").first).to_have_attribute(
        "data-status", "in_progress"
    )
    expect(customer.appointment_rows().filter(has_text="Dr. Ana Prieto").first).to_have_attribute(
        "data-status", "in_progress"
    )

    # The optometrist writes the prescription; the form refuses what the server would.
    doctor.visit("/prescriptions/new")
    form = doctor.page
    form.get_by_test_id("rx-appointment").select_option(index=1)
    form.get_by_test_id("rx-right_eye.sphere").fill("-1.10")
    form.get_by_test_id("rx-right_eye.cylinder").fill("-0.75")
    form.get_by_test_id("rx-submit").click()
    expect(form.get_by_test_id("rx-error")).to_have_count(2)  # SPH step, AXIS required
    doctor.shot("optometrist-prescription-form-errors")
    form.get_by_test_id("rx-right_eye.sphere").fill("-1.25")
    form.get_by_test_id("rx-right_eye.axis").fill("90")
    form.get_by_test_id("rx-left_eye.add").fill("1.50")
    form.get_by_test_id("rx-submit").click()
    expect(customer.toast("prescription.created")).to_be_visible()
    customer.visit("/prescriptions")
    expect(customer.page.get_by_test_id("prescription-row")).to_have_count(1)
    customer.shot("customer-prescriptions")
