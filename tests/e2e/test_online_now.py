""" "Online now" (DESIGN §12): a branch's staff member sees an optometrist of the branch appear
on their dashboard's panel when she signs in elsewhere, without reloading (presence.changed), and
the admin sees both on the connections page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer


def test_online_now_shows_who_signs_in_at_the_branch(server: OmsServer, sign_in_as: SignIn) -> None:
    staff = sign_in_as("staff.unitop@everbright.test")
    panel = staff.page.get_by_test_id("online-now")
    people = panel.get_by_test_id("online-now-person")
    expect(people.filter(has_text="Unitop")).to_have_count(1)  # themselves
    # An earlier test's session of hers on this server may have closed within the last 5 s:
    # she stays online until that debounce ends and her offline is announced.
    expect(people.filter(has_text="Dr. Ana Prieto")).to_have_count(0, timeout=15_000)

    sign_in_as("dr.prieto@everbright.test")  # works at Emerald and Unitop
    expect(people.filter(has_text="Dr. Ana Prieto")).to_have_count(1)
    staff.shot("online-now-staff-dashboard")

    admin = sign_in_as("admin@everbright.test")
    admin.visit("/admin/connections")
    on_connections = admin.page.get_by_test_id("online-now").get_by_test_id("online-now-person")
    expect(on_connections.filter(has_text="Dr. Ana Prieto")).to_have_count(1)
    expect(on_connections.filter(has_text="Unitop")).to_have_count(1)
    admin.shot("online-now-connections")
