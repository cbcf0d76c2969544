"""The clinic's other daily screens (issue 13): an admin edits an optometrist's week while the
desk has a booking form open on that day; the optometrist reads their own; a completed visit
offers "Write prescription" to its optometrist; "Upcoming" holds only visits still ahead; panels
close with Escape and give focus back; a toast's and an inbox row's "Open" go to the item; the
connections view follows people coming and going, by name."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.browser import next_working_day
from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer
from tests.e2e.test_front_desk import choose_patient, first_slot, open_booking

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# The demo's working hours as the schedule writes them (an en dash between the times).
NINE_TO_FIVE = "9:00 am\u20135:00 pm"


def test_a_schedule_change_reaches_an_open_booking_form_and_the_optometrist(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    desk = sign_in_as("staff.garnet@everbright.test")
    doctor = sign_in_as("dr.santos@everbright.test", phone=True)
    admin = sign_in_as("admin@everbright.test")
    day = next_working_day(6)
    weekday = DAYS[day.weekday()]

    page = open_booking(desk, server, "Garnet", "Dr. Miguel Santos")
    page.get_by_test_id("booking-date").fill(day.isoformat())
    expect(page.get_by_test_id("slot").first).to_be_visible()

    doctor.visit("/schedule")
    # The doctor's week a day at a time: that day reads both of their branches, under one name.
    that_day = doctor.page.get_by_test_id("schedule-day").filter(has_text=weekday)
    expect(that_day).to_have_count(1)
    mine = that_day.get_by_test_id("schedule-row")
    expect(mine).to_have_text([f"{NINE_TO_FIVE} at Newstar", f"{NINE_TO_FIVE} at Garnet"])

    admin.visit("/schedule")
    admin.page.get_by_test_id("schedule-optometrist").select_option(label="Dr. Miguel Santos")
    rows = admin.page.get_by_test_id("schedule-edit-row")
    expect(rows.first).to_be_visible()
    garnet_that_day = rows.filter(
        has=admin.page.locator('[data-testid="schedule-branch"] option:checked', has_text="Garnet")
    ).filter(
        has=admin.page.locator('[data-testid="schedule-day"] option:checked', has_text=weekday)
    )
    expect(garnet_that_day).to_have_count(1)
    garnet_that_day.get_by_role("checkbox").uncheck()
    admin.shot("admin-schedule-editor-desktop")
    admin.page.get_by_test_id("schedule-save").click()

    # The open form learns at once: no stale times to pick and be refused.
    expect(page.get_by_test_id("no-slots")).to_be_visible()
    expect(desk.toast("schedule.updated").first).to_be_visible()
    expect(mine).to_have_text([f"{NINE_TO_FIVE} at Newstar", "Not working at Garnet"])
    doctor.shot("optometrist-own-schedule-phone")

    # Put the day back for the other tests of this server.
    garnet_that_day.get_by_role("checkbox").check()
    admin.page.get_by_test_id("schedule-save").click()
    expect(page.get_by_test_id("slot").first).to_be_visible()


def test_a_completed_visit_offers_write_prescription_and_upcoming_drops_it(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    desk = sign_in_as("staff.emerald@everbright.test")
    doctor = sign_in_as("dr.prieto@everbright.test")
    page = open_booking(desk, server, "Emerald", "Dr. Ana Prieto")
    choose_patient(page, "ramon", "Ramon Garcia")
    page.get_by_test_id("booking-date").fill(next_working_day(7).isoformat())
    first_slot(page)
    page.get_by_test_id("booking-submit").click()

    doctor.visit("/appointments")
    visit = doctor.appointment_rows().filter(has_text="Ramon Garcia").first
    visit_id = visit.get_attribute("data-id")
    row = doctor.page.locator(f'[data-testid="appointment-row"][data-id="{visit_id}"]')
    for action in ("confirm", "start", "complete"):
        button = row.get_by_test_id(f"action-{action}")
        # Each button names the appointment it acts on.
        named = re.compile(rf"^{action.title()} Ramon Garcia's eye exam, \w{{3}} \d+ \w{{3}}, ")
        expect(button).to_have_attribute("aria-label", named)
        button.click()
    expect(row).to_have_count(0)  # completed: no longer "Upcoming"
    doctor.page.get_by_role("button", name="Completed", exact=True).click()
    row.get_by_test_id("action-write-rx").click()
    expect(doctor.page).to_have_url(f"{server.url}/prescriptions/new?appointment_id={visit_id}")
    expect(doctor.page.get_by_test_id("rx-appointment")).to_have_value(str(visit_id))
    doctor.shot("optometrist-write-prescription-from-visit")


def test_panels_close_with_escape_and_open_goes_to_the_item(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    customer = sign_in_as("customer1@everbright.test", phone=True)
    page = open_booking(customer, server, "Emerald", "Dr. Ana Prieto")
    page.get_by_test_id("booking-date").fill(next_working_day(8).isoformat())
    first_slot(page)
    page.get_by_test_id("booking-submit").click()
    toast = page.locator("[data-sonner-toast]").filter(has=customer.toast("appointment.created"))
    expect(toast).to_be_visible()

    customer.visit("/notifications")
    item = page.get_by_test_id("notification-row").filter(has_text="Eye exam booked").first
    expect(item).to_contain_text("You booked an eye exam at Emerald")
    expect(item).not_to_contain_text("appointment.created")
    customer.shot("customer-inbox-phone")
    item.get_by_test_id("notification-open").click()
    focused = page.locator(".appt--focused")
    expect(focused).to_be_visible()
    expect(focused).to_be_focused()

    cancel = focused.get_by_test_id("action-cancel-open")
    cancel.click()
    reason = focused.get_by_test_id("cancel-reason")
    expect(reason).to_be_focused()
    box = reason.bounding_box()
    assert box is not None
    assert box["width"] > 250, f"the reason box is {box['width']}px wide on a phone"
    customer.shot("customer-cancel-panel-phone")
    page.keyboard.press("Escape")
    expect(reason).to_have_count(0)
    expect(cancel).to_be_focused()
    cancel.click()
    focused.get_by_test_id("action-keep").click()
    expect(cancel).to_be_focused()
    cancel.click()
    focused.get_by_test_id("action-cancel").click()
    expect(focused).to_have_attribute("data-status", "cancelled")
    expect(focused).to_be_focused()  # not lost to the page body


def test_the_connections_view_is_live_and_names_people(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    admin = sign_in_as("admin@everbright.test", phone=True)
    admin.visit("/admin/connections")
    rows = admin.page.get_by_test_id("connection-row")
    expect(rows.first).to_be_visible()
    visitor = sign_in_as("dr.santos@everbright.test")
    theirs = rows.filter(has_text="Dr. Miguel Santos")
    # Appears without pressing Refresh, and without polling: the gateway tells the admin's socket
    # `connections.changed` and the dispatcher re-reads the view.
    expect(theirs).to_have_count(1)
    expect(theirs).to_contain_text("Garnet branch")
    expect(theirs).not_to_contain_text("branch.")
    admin.shot("admin-connections-live-phone")
    width = admin.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the connections page is {width}px wide on a phone"
    visitor.page.context.close()
    expect(theirs).to_have_count(0)  # and leaves when the tab closes


def test_the_phone_stock_table_shows_every_column_and_the_reschedule_panel_is_compact(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    staff = sign_in_as("staff.newstar@everbright.test", phone=True)
    staff.visit("/inventory")
    row = staff.page.get_by_test_id("stock-row").first
    for part in (
        row.locator('[data-label="Threshold"]'),
        row.get_by_test_id("stock-status"),
        row.get_by_test_id("stock-edit"),
    ):
        expect(part).to_be_in_viewport()
        box = part.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= 390, f"{box} is off a 390 px screen"
    staff.shot("staff-stock-phone")

    customer = sign_in_as("customer4@everbright.test")
    page = open_booking(customer, server, "Newstar", "Dr. Miguel Santos")
    page.get_by_test_id("booking-date").fill(next_working_day(9).isoformat())
    first_slot(page)
    page.get_by_test_id("booking-submit").click()
    customer.visit("/appointments")
    visit = customer.appointment_rows().filter(has_text="Newstar").first
    visit.get_by_test_id("action-reschedule-open").click()
    panel = visit.locator("form.appt__panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box is not None
    assert box["width"] <= 560, f"the reschedule panel is {box['width']}px wide"
    customer.shot("customer-reschedule-panel-desktop")
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(visit.get_by_test_id("action-reschedule-open")).to_be_focused()
