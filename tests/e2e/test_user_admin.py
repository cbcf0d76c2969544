"""An admin edits a user on the Users page; the user, signed in elsewhere, is signed out at once
(their socket is closed as revoked and their token refused). Signing out revokes the token on the
server. Every page renders under the strict CSP: Chromium reports no violation."""

from __future__ import annotations

import httpx
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer


def _token(page: Page) -> str:
    token: str = page.evaluate("() => JSON.parse(localStorage.getItem('oms.session')).token")
    return token


def test_disabling_a_user_signs_them_out_everywhere(server: OmsServer, sign_in_as: SignIn) -> None:
    admin = sign_in_as("admin@everbright.test")
    staff = sign_in_as("staff.garnet@everbright.test")
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    for person in (admin, staff):
        person.page.on("console", watch)
    staff_token = _token(staff.page)

    admin.visit("/admin/users")
    # An optometrist works where their weekly schedule puts them (the demo's Dr. Santos: Newstar
    # and Garnet, in the order the branches were opened).
    santos = admin.page.get_by_test_id("user-row").filter(has_text="dr.santos@everbright.test")
    branches = santos.get_by_role("cell").nth(1)
    expect(branches).to_contain_text("Newstar, Garnet")
    expect(branches).to_contain_text("by schedule")
    row = admin.page.get_by_test_id("user-row").filter(has_text="staff.garnet@everbright.test")
    row.get_by_test_id("user-edit").click()
    editor = admin.page.get_by_test_id("user-editor")
    editor.get_by_test_id("user-active").uncheck()
    admin.shot("admin-users-edit")
    editor.get_by_test_id("user-save").click()
    expect(row).to_contain_text("Disabled")

    # The staff member's tab is signed out by the gateway (reason "revoked"), not by a timer.
    expect(staff.page.get_by_test_id("login-submit")).to_be_visible()
    staff.shot("staff-signed-out-after-revocation")
    me = httpx.get(server.url + "/api/auth/me", headers={"Authorization": f"Bearer {staff_token}"})
    assert me.status_code == 401

    # Re-enable them for the other tests of this module's demo chain.
    admin.page.get_by_test_id("user-row").filter(has_text="staff.garnet").get_by_test_id(
        "user-edit"
    ).click()
    admin.page.get_by_test_id("user-active").check()
    admin.page.get_by_test_id("user-save").click()
    expect(row).to_contain_text("Active")

    # Signing out revokes the admin's token on the server, not only in this tab.
    admin_token = _token(admin.page)
    admin.page.get_by_test_id("logout").click()
    expect(admin.page.get_by_test_id("login-submit")).to_be_visible()
    headers = {"Authorization": f"Bearer {admin_token}"}
    assert httpx.get(server.url + "/api/auth/me", headers=headers).status_code == 401
    assert violations == [], "\n".join(violations)
