"""An admin's urgent broadcast reaches exactly the people it is addressed to."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.browser import Person
from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer

TITLE = "Emerald closes at 3 pm today"


def test_an_urgent_broadcast_to_a_branch_reaches_exactly_its_people(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    admin = sign_in_as("admin@everbright.test")
    # Emerald's people: its staff and the optometrist who works there.
    targets = [sign_in_as("staff.emerald@everbright.test"), sign_in_as("dr.prieto@everbright.test")]
    others = [
        sign_in_as("staff.unitop@everbright.test"),
        sign_in_as("dr.santos@everbright.test"),
        sign_in_as("customer1@everbright.test"),  # Emerald is her home branch, not her workplace
    ]
    bells: dict[str, int] = {p.email: p.bell_count() for p in [admin, *targets, *others]}

    form = admin.page
    admin.visit("/admin/send")
    form.get_by_test_id("broadcast-title").fill(TITLE)
    form.get_by_test_id("broadcast-message").fill("Power maintenance: please finish before 3 pm.")
    form.get_by_label("Urgent").check()
    form.get_by_label("A branch's people").check()
    form.get_by_test_id("broadcast-branch").select_option(label="Emerald")
    admin.shot("admin-send-notification")
    form.get_by_test_id("broadcast-submit").click()
    expect(form.get_by_test_id("broadcast-result")).to_have_text("Sent to 2 people.")

    for person in targets:
        toast = person.toast("notification.urgent")
        expect(toast).to_have_text(TITLE)
        expect(toast).to_have_attribute("data-level", "error")
        expect(person.bell()).to_have_attribute("data-count", str(bells[person.email] + 1))
    targets[0].shot("staff-urgent-toast")

    quiet: list[Person] = [admin, *others]
    server.notify("After the urgent broadcast", *(person.email for person in quiet))
    for person in quiet:
        person.sees_only_the_fence("After the urgent broadcast", bells[person.email])
        expect(person.toast("notification.urgent")).to_have_count(0)

    # It stays in the inbox, and reading it there clears the bell.
    staff = targets[0]
    staff.visit("/notifications")
    row = staff.page.get_by_test_id("notification-row").filter(has_text=TITLE)
    expect(row).to_have_attribute("data-read", "false")
    row.get_by_role("button", name="Mark").click()
    expect(row).to_have_attribute("data-read", "true")
    expect(staff.bell()).to_have_attribute("data-count", str(bells[staff.email]))
    staff.shot("staff-notification-centre")
