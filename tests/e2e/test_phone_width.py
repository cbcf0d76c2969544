"""Usable at phone width: no page of any role scrolls sideways (wide tables scroll in their box);
nor on a desktop, where the admin has the most links in the menu and the widest tables."""

from __future__ import annotations

import pytest

from tests.e2e.browser import DESKTOP, PHONE
from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer

PAGES = {
    "admin@everbright.test": [
        "/",
        "/appointments",
        "/inventory",
        "/prescriptions",
        "/admin/send",
        "/admin/connections",
        "/admin/deliveries",
        "/settings",
        "/schedule",
    ],
    "staff.garnet@everbright.test": [
        "/",
        "/appointments",
        "/inventory",
        "/notifications",
        "/orders",
        "/orders/new",
        "/schedule",
    ],
    "dr.santos@everbright.test": [
        "/",
        "/appointments",
        "/prescriptions",
        "/prescriptions/new",
        "/schedule",
    ],
    "customer5@everbright.test": [
        "/",
        "/appointments",
        "/prescriptions",
        "/notifications",
        "/orders",
        "/settings",
    ],
}


@pytest.mark.parametrize("email", sorted(PAGES))
def test_no_page_is_wider_than_a_phone(server: OmsServer, sign_in_as: SignIn, email: str) -> None:
    person = sign_in_as(email, phone=True)
    for path in PAGES[email]:
        person.visit(path)
        person.settled()
        if path == "/inventory":
            person.page.get_by_test_id("stock-edit").first.click()  # the widest row
        if path == "/appointments" and email.startswith("customer"):
            person.page.get_by_test_id("open-booking").click()
        width = person.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide for {email}"
    person.shot(f"phone-{email.split('@')[0]}")


def test_no_page_is_wider_than_a_desktop_for_the_admin(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    email = "admin@everbright.test"
    person = sign_in_as(email)
    for path in [*PAGES[email], "/notifications", "/admin/users"]:
        person.visit(path)
        person.settled()
        width = person.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= DESKTOP["width"], f"{path} is {width}px wide on a desktop"
    person.shot("desktop-admin")
