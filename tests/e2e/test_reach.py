"""Reaching people who are not looking (DESIGN §10), in Chromium: the settings page saves
preferences; the service worker shows a push; an urgent message to a customer who is not signed
in lands in the Maildir and the admin's delivery log shows it sent."""

from __future__ import annotations

import json
import mailbox
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer


def _token(server: OmsServer, email: str) -> str:
    response = httpx.post(
        f"{server.url}/api/auth/login", json={"email": email, "password": "everbright-demo"}
    )
    token: str = response.json()["access_token"]
    return token


def test_settings_page_saves_preferences(server: OmsServer, sign_in_as: SignIn) -> None:
    customer = sign_in_as("customer2@everbright.test")
    customer.visit("/settings")
    page = customer.page
    email_toggle = page.get_by_test_id("pref-appointment-email")
    expect(email_toggle).to_be_checked()
    email_toggle.uncheck()
    page.get_by_test_id("quiet-on").check()
    page.get_by_test_id("quiet-start").fill("22:00")
    page.get_by_test_id("quiet-end").fill("06:30")
    page.get_by_test_id("quiet-timezone").fill("Asia/Manila")
    page.get_by_test_id("preferences-save").click()
    expect(page.get_by_test_id("preferences-saved")).to_be_visible()
    customer.shot("settings-saved")

    token = _token(server, "customer2@everbright.test")
    saved = httpx.get(
        f"{server.url}/api/me/preferences", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert saved["channels"]["appointment"] == {"email": False, "push": True}
    assert saved["quiet_hours"] == {"start": "22:00", "end": "06:30", "timezone": "Asia/Manila"}
    page.reload()
    expect(page.get_by_test_id("pref-appointment-email")).not_to_be_checked()


def test_service_worker_shows_a_push_and_opens_its_url_on_click(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    customer = sign_in_as("customer3@everbright.test")
    page = customer.page
    page.context.grant_permissions(["notifications"], origin=server.url)
    customer.go(server.url, "/settings")
    scope = page.evaluate(
        """async () => {
            const registration = await navigator.serviceWorker.register('/sw.js', {scope: '/'});
            await navigator.serviceWorker.ready;
            return registration.scope;
        }"""
    )
    assert scope == server.url + "/"
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")  # reports the existing registrations as events
    for _ in range(100):
        if any(r["scopeURL"] == server.url + "/" for r in registrations):
            break
        page.wait_for_timeout(50)  # lets Playwright dispatch the CDP events
    registration = next(r for r in registrations if r["scopeURL"] == server.url + "/")
    payload = {
        "title": "Your glasses are ready",
        "message": "Collect them at Emerald.",
        "level": "success",
        "url": "/notifications",
        "event": "notification.general",
        "event_id": 4242,
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": server.url,
            "registrationId": registration["registrationId"],
            "data": json.dumps(payload),
        },
    )
    page.wait_for_function(
        """async () => {
            const registration = await navigator.serviceWorker.ready;
            const shown = await registration.getNotifications();
            return shown.some((n) => n.title === 'Your glasses are ready');
        }"""
    )
    shown = page.evaluate(
        """async () => (await (await navigator.serviceWorker.ready).getNotifications())
            .map((n) => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url}))"""
    )
    assert shown == [
        {
            "title": "Your glasses are ready",
            "body": "Collect them at Emerald.",
            "tag": "oms-event-4242",
            "url": "/notifications",
        }
    ]

    # A click on it (dispatched inside the service worker: no CDP command clicks a system
    # notification) brings the tab to the item.
    [worker] = [w for w in page.context.service_workers if w.url.endswith("/sw.js")]
    worker.evaluate(
        """async () => {
            const [shown] = await self.registration.getNotifications();
            self.dispatchEvent(new NotificationEvent('notificationclick', {notification: shown}));
        }"""
    )
    expect(page).to_have_url(server.url + "/notifications")
    expect(page.get_by_test_id("current-user")).to_be_visible()


def test_an_urgent_message_reaches_a_customer_who_is_not_looking(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    admin = sign_in_as("admin@everbright.test")
    token = _token(server, "admin@everbright.test")
    headers = {"Authorization": f"Bearer {token}"}
    users = httpx.get(f"{server.url}/api/users", headers=headers).json()
    customer = next(u for u in users if u["email"] == "customer4@everbright.test")
    sent = httpx.post(
        f"{server.url}/api/notifications/broadcast",
        json={
            "title": "Clinic closed today",
            "message": "Emerald is closed because of the storm.",
            "type": "urgent",
            "user_ids": [customer["id"]],
        },
        headers=headers,
    )
    assert sent.status_code == 201, sent.text

    admin.visit("/admin/deliveries")
    page = admin.page
    page.get_by_test_id("filter-status").select_option("sent")
    row = page.get_by_test_id("delivery-row").filter(has_text=customer["name"])
    for _ in range(20):  # the worker sends within its poll; the page reads again on refresh
        if row.count():
            break
        page.get_by_test_id("deliveries-refresh").click()
        page.wait_for_timeout(250)
    expect(row.first).to_have_attribute("data-status", "sent")
    admin.shot("admin-delivery-log")

    box = mailbox.Maildir(server.data_dir / "mail", create=False)
    subjects = [(m["To"], m["Subject"]) for m in box]
    assert any(
        "customer4@everbright.test" in to and subject == "Clinic closed today"
        for to, subject in subjects
    )
