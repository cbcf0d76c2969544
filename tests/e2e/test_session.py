"""Signing out closes the socket: the tab is never left connected as the previous person, and
the next person to sign in on it sees only their own data."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.browser import PASSWORD
from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer


def test_signing_out_closes_the_socket_and_the_next_person_starts_clean(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    admin = sign_in_as("admin@everbright.test")
    shared = sign_in_as("customer4@everbright.test")
    admin.visit("/admin/connections")
    rows = admin.page.get_by_test_id("connection-row")
    refresh = admin.page.get_by_test_id("connections-refresh")
    refresh.click()
    expect(rows.filter(has_text="Ramon Garcia")).to_have_count(1)
    admin.shot("admin-connections")

    shared.page.get_by_test_id("logout").click()
    expect(shared.page.get_by_test_id("login-submit")).to_be_visible()
    expect(shared.dot()).to_have_count(0)
    refresh.click()
    expect(rows.filter(has_text="Ramon Garcia")).to_have_count(0)

    # The next person on the same tab gets a socket of their own and only their own data.
    page = shared.page
    page.get_by_test_id("login-email").fill("customer5@everbright.test")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_have_attribute(
        "data-email", "customer5@everbright.test"
    )
    expect(shared.dot()).to_have_attribute("data-state", "connected")
    refresh.click()
    expect(rows.filter(has_text="Carmen Lim")).to_have_count(1)
    expect(rows.filter(has_text="Ramon Garcia")).to_have_count(0)
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('oms.session')).user.email")
    assert stored == "customer5@everbright.test"
