"""axe-core over every page of every role, on a desktop and on a 390 px phone, and over the
states a person opens on them (booking form, cancel and reschedule panels, the phone menu):
no serious or critical violation anywhere (issue 13, Accessibility)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe import serious_violations
from tests.e2e.browser import DESKTOP, PASSWORD, PHONE, Person
from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer

PAGES = {
    "customer@": ["/", "/appointments", "/prescriptions", "/notifications"],
    "staff.emerald@": ["/", "/appointments", "/inventory", "/notifications", "/schedule"],
    "dr.prieto@": [
        "/",
        "/appointments",
        "/prescriptions",
        "/prescriptions/new",
        "/notifications",
        "/schedule",
    ],
    "admin@": [
        "/",
        "/appointments",
        "/inventory",
        "/prescriptions",
        "/notifications",
        "/schedule",
        "/admin/send",
        "/admin/connections",
    ],
}
EMAILS = {
    "customer@": "customer5@everbright.test",
    "staff.emerald@": "staff.emerald@everbright.test",
    "dr.prieto@": "dr.prieto@everbright.test",
    "admin@": "admin@everbright.test",
}


def check(page: Page, where: str, problems: list[str]) -> None:
    problems.extend(f"{where}: {line}" for line in serious_violations(page))


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("who", list(PAGES))
def test_every_page_of_every_role_has_no_serious_violation(
    server: OmsServer, sign_in_as: SignIn, who: str, phone: bool
) -> None:
    person: Person = sign_in_as(EMAILS[who], phone=phone)
    page = person.page
    problems: list[str] = []
    for path in PAGES[who]:
        person.visit(path)
        person.settled()
        check(page, path, problems)
        if path == "/appointments" and who != "dr.prieto@":
            page.get_by_test_id("open-booking").click()
            expect(page.get_by_test_id("booking-form")).to_be_visible()
            check(page, "/appointments (booking form)", problems)
            page.keyboard.press("Escape")
            expect(page.get_by_test_id("booking-form")).to_have_count(0)
            # Focus goes back to the button that opened it, not to the page body.
            expect(page.get_by_test_id("open-booking")).to_be_focused()
    if phone:
        page.get_by_role("button", name="Menu").click()
        expect(page.locator("#nav")).to_be_visible()
        check(page, "phone menu", problems)
        page.keyboard.press("Escape")
        expect(page.locator("#nav")).to_be_hidden()
        expect(page.get_by_role("button", name="Menu")).to_be_focused()
    person.shot(f"a11y-{who.rstrip('@')}-{'phone' if phone else 'desktop'}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_sign_in_page_has_no_serious_violation(
    server: OmsServer, browser: Browser, phone: bool
) -> None:
    context = browser.new_context(viewport=PHONE if phone else DESKTOP)
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        problems: list[str] = []
        check(page, "sign-in", problems)
        page.get_by_test_id("login-submit").click()  # the per-field errors shown
        expect(page.get_by_text("Enter your email address.")).to_be_visible()
        check(page, "sign-in with errors", problems)
        assert problems == [], "\n".join(problems)
    finally:
        context.close()


def test_the_check_finds_what_it_is_meant_to(browser: Browser) -> None:
    """The same check on a page with known faults reports them (so a clean result means clean)."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_content(
            '<html lang="en"><body><main><h1>x</h1><img src="a.png">'
            '<button style="color:#777;background:#888">Go</button>'
            '<div style="overflow:auto;height:20px"><p>a</p><p>b</p><p>c</p></div>'
            "</main></body></html>"
        )
        found = "\n".join(serious_violations(page))
        assert "image-alt (critical)" in found
        assert "color-contrast (serious)" in found
        assert "scrollable-region-focusable (serious)" in found
    finally:
        context.close()


def test_an_urgent_toast_is_readable_and_announced_at_once(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    """The urgent toast passes contrast (it was red on pink at 4.3:1) and is spoken assertively,
    not queued politely behind whatever the screen reader is saying."""
    person = sign_in_as("customer2@everbright.test", phone=True)
    person.visit("/")
    with httpx.Client(base_url=server.url, timeout=10) as client:
        answer = client.post(
            "/api/auth/login", json={"email": "admin@everbright.test", "password": PASSWORD}
        )
        me = client.post(
            "/api/auth/login", json={"email": person.email, "password": PASSWORD}
        ).json()["user"]["id"]
        sent = client.post(
            "/api/notifications/broadcast",
            headers={"Authorization": f"Bearer {answer.json()['access_token']}"},
            json={
                "title": "Emerald closes at 3 pm",
                "message": "A power cut: please reschedule afternoon visits.",
                "type": "urgent",
                "user_ids": [me],
            },
        )
        assert sent.status_code == 201, sent.text
    toast = person.toast("notification.urgent")
    expect(toast).to_be_visible()
    # Sonner marks the toast mounted as its fade-in starts; `check` waits for the fade to end.
    sonner_toast = person.page.locator("[data-sonner-toast]", has=toast)
    expect(sonner_toast).to_have_attribute("data-mounted", "true")
    expect(person.page.get_by_test_id("announce-assertive")).to_contain_text(
        "Urgent: Emerald closes at 3 pm."
    )
    person.shot("urgent-toast-phone")
    problems: list[str] = []
    check(person.page, "urgent toast", problems)
    assert problems == [], "\n".join(problems)


def test_moving_to_another_page_puts_focus_on_its_heading(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    person = sign_in_as("staff.unitop@everbright.test")
    person.visit("/")
    person.page.get_by_role("link", name="Inventory").click()
    heading = person.page.locator("#main h1")
    expect(heading).to_contain_text("Inventory")
    expect(heading).to_be_focused()
