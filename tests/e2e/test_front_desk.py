"""The front desk's day in the browser (issue 13), several people side by side, desktop and a
390 px phone: staff find a patient of any branch (or register a walk-in) and book them; everyone
reads who acted and "your eye exam"; a double click books once; times are the branch's; an
action pressed offline says so; two tabs agree on what was read."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from oms.domain.appointment_rules import human_when
from tests.e2e.browser import Person, next_working_day
from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer

MANILA = ZoneInfo("Asia/Manila")  # the demo chain's branches


def open_booking(person: Person, server: OmsServer, branch: str, optometrist: str) -> Page:
    page = person.page
    person.visit("/appointments")
    page.get_by_test_id("open-booking").click()
    branch_select = page.get_by_test_id("booking-branch")
    if branch_select.is_enabled():
        branch_select.select_option(label=branch)
    page.get_by_test_id("booking-optometrist").select_option(label=optometrist)
    return page


def choose_patient(page: Page, search: str, name: str) -> None:
    page.get_by_test_id("booking-patient-search").fill(search)
    # The rows answer the search once the list is no longer busy (until then the previous
    # search's rows stay, and may move under the click).
    expect(page.get_by_test_id("booking-patient-results")).to_have_attribute("aria-busy", "false")
    page.get_by_test_id("booking-patient-option").filter(has_text=name).click()
    expect(page.get_by_test_id("booking-patient-chosen")).to_contain_text(name)


def first_slot(page: Page) -> str:
    """Choose the first free time; its start as "HH:MM"."""
    slot = page.get_by_test_id("slot").first
    slot.check()
    return slot.get_attribute("value") or ""


def test_staff_book_a_patient_of_no_branch_with_a_double_click(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    staff = sign_in_as("staff.emerald@everbright.test")
    patient = sign_in_as("customer5@everbright.test", phone=True)  # Carmen Lim: no home branch
    doctor = sign_in_as("dr.prieto@everbright.test")
    for person in (staff, patient, doctor):
        person.visit("/appointments")
    staff_bell, doctor_bell = staff.bell_count(), doctor.bell_count()
    carmen_rows = staff.appointment_rows().filter(has_text="Carmen Lim").count()

    page = open_booking(staff, server, "Emerald", "Dr. Ana Prieto")
    choose_patient(page, "carmen", "Carmen Lim")
    day = next_working_day(3)
    page.get_by_test_id("booking-date").fill(day.isoformat())
    start = first_slot(page)
    when = human_when(day, time.fromisoformat(start))
    staff.shot("staff-booking-for-a-walk-in-desktop")
    page.get_by_test_id("booking-submit").dblclick()

    # The patient reads who booked "your eye exam", with the date as people say it.
    toast = patient.toast("appointment.created")
    expect(toast).to_have_text("Eye exam booked")
    description = patient.page.locator("[data-sonner-toast]").filter(has=toast)
    expect(description).to_contain_text(
        f"Emerald Front Desk booked your eye exam at Emerald on {when}"
    )
    expect(patient.appointment_rows().filter(has_text="Eye exam").first).to_be_visible()
    patient.shot("patient-told-who-booked-phone")
    # The optometrist reads who acted and for whom; their bell goes up by one.
    doctor_toast = doctor.page.locator("[data-sonner-toast]").filter(
        has=doctor.toast("appointment.created")
    )
    expect(doctor_toast).to_contain_text(
        f"Emerald Front Desk booked an eye exam for Carmen Lim at Emerald on {when}"
    )
    expect(doctor.bell()).to_have_attribute("data-count", str(doctor_bell + 1))
    # The desk: one booking for the double click, one toast saying "You", no bell, no error.
    expect(staff.toasts()).to_have_count(1)
    staff_toast = staff.page.locator("[data-sonner-toast]").filter(has=staff.toasts())
    expect(staff_toast).to_contain_text(
        f"You booked an eye exam for Carmen Lim at Emerald on {when}"
    )
    expect(staff.page.get_by_test_id("booking-error")).to_have_count(0)
    expect(staff.appointment_rows().filter(has_text="Carmen Lim")).to_have_count(carmen_rows + 1)
    expect(staff.bell()).to_have_attribute("data-count", str(staff_bell))
    # Focus is back on the button that opened the form, not lost to the page.
    expect(page.get_by_test_id("open-booking")).to_be_focused()
    staff.shot("staff-after-booking-desktop")


def test_staff_register_a_walk_in_on_the_spot_on_a_phone(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    staff = sign_in_as("staff.unitop@everbright.test", phone=True)
    page = open_booking(staff, server, "Unitop", "Dr. Ana Prieto")
    page.get_by_test_id("booking-patient-search").fill("Andrea Walk-in")
    expect(page.get_by_test_id("booking-patient-results")).to_contain_text("No customer matches")
    page.get_by_test_id("walk-in-open").click()
    expect(page.get_by_test_id("walk-in-name")).to_have_value("Andrea Walk-in")
    page.get_by_test_id("walk-in-submit").click()
    # A name alone cannot reach anyone: the desk is told what to add.
    expect(page.get_by_test_id("walk-in-form")).to_contain_text("Give a phone number or an email")
    page.get_by_test_id("walk-in-phone").fill("+63 917 555 0199")
    page.get_by_test_id("walk-in-submit").click()
    expect(page.get_by_test_id("booking-patient-chosen")).to_contain_text("Andrea Walk-in")
    page.get_by_test_id("booking-date").fill(next_working_day(4).isoformat())
    first_slot(page)
    staff.shot("staff-walk-in-phone")
    page.get_by_test_id("booking-submit").click()
    expect(staff.appointment_rows().filter(has_text="Andrea Walk-in")).to_have_count(1)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the phone page is {width}px wide"


def test_started_slots_are_never_offered_and_today_is_the_branchs(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    customer = sign_in_as("customer4@everbright.test")
    page = open_booking(customer, server, "Emerald", "Dr. Ana Prieto")
    now = datetime.now(MANILA)
    today = now.date().isoformat()
    # The browser runs in UTC here; the branch's day is Manila's, and so is the earliest date.
    expect(page.get_by_test_id("booking-date")).to_have_attribute("min", today)
    page.get_by_test_id("booking-date").fill(today)
    expect(page.locator('[data-testid="slot"], [data-testid="no-slots"]').first).to_be_attached()
    for value in page.get_by_test_id("slot").evaluate_all("(els) => els.map((e) => e.value)"):
        assert time.fromisoformat(value) > now.time().replace(tzinfo=None), value


def test_an_action_pressed_offline_says_so_and_never_happens_later(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    staff = sign_in_as("staff.emerald@everbright.test", phone=True)
    page = open_booking(staff, server, "Emerald", "Dr. Ana Prieto")
    choose_patient(page, "maria", "Maria Cruz")
    page.get_by_test_id("booking-date").fill(next_working_day(5).isoformat())
    first_slot(page)
    page.get_by_test_id("booking-submit").click()
    row = (
        staff.appointment_rows()
        .filter(has_text="Maria Cruz")
        .filter(has=page.get_by_test_id("action-confirm"))
        .first
    )
    expect(row).to_be_visible()
    row_id = row.get_attribute("data-id")
    mine = page.locator(f'[data-testid="appointment-row"][data-id="{row_id}"]')

    page.context.set_offline(True)
    expect(staff.dot()).to_have_attribute("data-state", "disconnected")
    mine.get_by_test_id("action-confirm").click()
    expect(page.get_by_text("You are offline, so nothing was sent.")).to_be_visible()
    expect(mine).to_have_attribute("data-status", "scheduled")
    expect(mine.get_by_test_id("action-confirm")).to_be_enabled()
    staff.shot("staff-offline-action-phone")

    page.context.set_offline(False)
    expect(staff.dot()).to_have_attribute("data-state", "connected")
    # Back online nothing was sent behind the person's back; pressing again does it.
    staff.go(server.url, "/appointments")
    expect(mine).to_have_attribute("data-status", "scheduled")
    mine.get_by_test_id("action-confirm").click()
    expect(mine).to_have_attribute("data-status", "confirmed")


def test_reads_reach_every_tab_of_the_reader(server: OmsServer, sign_in_as: SignIn) -> None:
    desk = sign_in_as("staff.newstar@everbright.test")
    phone = sign_in_as("customer3@everbright.test", phone=True)
    laptop = sign_in_as("customer3@everbright.test")
    page = open_booking(desk, server, "Newstar", "Dr. Miguel Santos")
    choose_patient(page, "liza", "Liza Bautista")
    page.get_by_test_id("booking-date").fill(next_working_day(3).isoformat())
    first_slot(page)
    page.get_by_test_id("booking-submit").click()
    for tab in (phone, laptop):
        expect(tab.toast("appointment.created")).to_be_visible()
        expect(tab.bell()).not_to_have_attribute("data-count", "0")

    laptop.visit("/notifications")
    laptop.page.get_by_test_id("read-all").click()
    # The phone's bell follows without navigating or reloading.
    expect(laptop.bell()).to_have_attribute("data-count", "0")
    expect(phone.bell()).to_have_attribute("data-count", "0")
    phone.shot("other-tab-bell-cleared-phone")


def test_sign_in_errors_are_in_words_per_field(server: OmsServer, sign_in_as: SignIn) -> None:
    anyone = sign_in_as("customer2@everbright.test", phone=True)
    page = anyone.page
    page.get_by_test_id("logout").click()
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_text("Enter your email address.")).to_be_visible()
    expect(page.get_by_text("Enter your password.")).to_be_visible()
    expect(page.get_by_test_id("login-email")).to_be_focused()
    page.get_by_test_id("login-email").fill("not-an-email")
    page.get_by_test_id("login-password").fill("x")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_text("Enter an email address like name@example.com.")).to_be_visible()
    page.get_by_test_id("login-email").fill("customer2@everbright.test")
    page.get_by_test_id("login-submit").click()
    expect(page.locator(".form-error")).to_contain_text(
        "That email and password do not match an account."
    )
    expect(page.get_by_text("Value error")).to_have_count(0)
    anyone.shot("sign-in-errors-phone")
