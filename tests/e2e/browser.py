"""Driving the served web app as the demo people: sign in, read the bell and the dot."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

PASSWORD = "everbright-demo"  # every demo account's (DESIGN §8)
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 860}
COUNT = re.compile(r"^\d+$")


@dataclass
class Person:
    email: str
    page: Page

    def toast(self, event: str) -> Locator:
        return self.page.locator(f'[data-testid="toast"][data-event="{event}"]')

    def toasts(self) -> Locator:
        return self.page.get_by_test_id("toast")

    def bell(self) -> Locator:
        return self.page.get_by_test_id("bell-count")

    def bell_count(self) -> int:
        expect(self.bell()).to_have_attribute("data-count", COUNT)
        return int(self.bell().get_attribute("data-count") or "0")

    def sees_only_the_fence(self, title: str, bell_before: int) -> None:
        """After `OmsServer.notify(title, self.email)`: its toast shows and the bell went up by
        exactly one, so nothing sent before it reached this person (see `OmsServer.notify`)."""
        expect(self.toast("notification.general").filter(has_text=title)).to_be_visible()
        expect(self.bell()).to_have_attribute("data-count", str(bell_before + 1))

    def dot(self) -> Locator:
        return self.page.get_by_test_id("connection-dot")

    def go(self, base_url: str, path: str) -> None:
        """Load `path` from the server (a new page: the bundle, a new socket, fresh reads)."""
        self.page.goto(base_url + path)
        expect(self.dot()).to_have_attribute("data-state", "connected")

    def visit(self, path: str) -> None:
        """Move to `path` inside the running app, as one of its links would: the router takes it
        from the browser's history (no page load, no new socket). When the path changes the
        shell mounts a new `<main>` (it is keyed by path): the old one is marked here, so the wait
        ends only once the new page is shown. `go` loads the page from the server instead."""
        self.page.evaluate(
            """target => {
                const url = new URL(target, location.href);
                if (url.pathname + url.search === location.pathname + location.search) return;
                if (url.pathname !== location.pathname) {
                    document.getElementById("main")?.setAttribute("data-left", "");
                }
                history.pushState(null, "", url);
                dispatchEvent(new PopStateEvent("popstate"));
            }""",
            path,
        )
        expect(self.page.locator("#main:not([data-left])")).to_be_attached()

    def settled(self) -> None:
        """The page has its heading and nothing on it is still loading."""
        expect(self.page.locator("#main h1")).to_be_visible()
        expect(self.page.locator(".state--loading")).to_have_count(0)

    def appointment_rows(self) -> Locator:
        """The rows of the appointment list on screen, once it has loaded (or is empty)."""
        loaded = self.page.locator('[data-testid="appointment-list"], .state--empty').first
        expect(loaded).to_be_visible()
        return self.page.get_by_test_id("appointment-row")

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(browser: Browser, base_url: str, email: str, *, phone: bool = False) -> Person:
    context = browser.new_context(viewport=PHONE if phone else DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(base_url + "/")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_have_attribute("data-email", email)
    expect(page.get_by_test_id("connection-dot")).to_have_attribute("data-state", "connected")
    return Person(email, page)


def next_working_day(after: int = 1) -> date:
    """A Monday to Saturday date at least `after` days ahead (the demo schedules skip Sundays);
    counted from UTC's today, which is what the server compares booking dates with."""
    day = datetime.now(UTC).date() + timedelta(days=after)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return day
