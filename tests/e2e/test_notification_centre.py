"""The notification centre: history that loads more on scroll (`before_id` pages), the bell from
the server, mark all read."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.e2e.browser import PASSWORD
from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer

SENT = 45  # more than two pages of 20


def log_in(client: httpx.Client, email: str) -> tuple[int, dict[str, str]]:
    answer = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    answer.raise_for_status()
    body = answer.json()
    return int(body["user"]["id"]), {"Authorization": f"Bearer {body['access_token']}"}


def test_history_loads_more_on_scroll_and_reads_all(server: OmsServer, sign_in_as: SignIn) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        _, admin = log_in(client, "admin@everbright.test")
        reader_id, reader = log_in(client, "customer5@everbright.test")
        for number in range(1, SENT + 1):
            sent = client.post(
                "/api/notifications/broadcast",
                headers=admin,
                json={"title": f"Note {number}", "message": "paging", "user_ids": [reader_id]},
            )
            assert sent.status_code == 201, sent.text
        total = len(client.get("/api/notifications?limit=100", headers=reader).json())
        unread = client.get("/api/notifications/unread-count", headers=reader).json()["count"]

    person = sign_in_as("customer5@everbright.test")
    expect(person.bell()).to_have_attribute("data-count", str(unread))
    person.visit("/notifications")
    rows = person.page.get_by_test_id("notification-row")
    expect(rows).to_have_count(20)
    expect(rows.first).to_contain_text(f"Note {SENT}")  # newest first
    rows.last.scroll_into_view_if_needed()
    expect(rows).to_have_count(40)
    rows.last.scroll_into_view_if_needed()
    expect(rows).to_have_count(total)
    expect(person.page.get_by_role("button", name="Load older")).to_have_count(0)
    person.shot("notification-centre-history")

    person.page.get_by_test_id("read-all").click()
    expect(person.bell()).to_have_attribute("data-count", "0")
    expect(rows.and_(person.page.locator('[data-read="false"]'))).to_have_count(0)
