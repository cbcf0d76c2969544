"""A reminder's email and push carry its confirm and cancel links (DESIGN §11): signed at send
time from the appointment and its branch, opening the web app's visit page; the page's POST with
the link's token confirms the appointment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from oms.clock import ManualClock
from oms.db.database import Database
from oms.delivery.worker import DeliveryWorker
from oms.reminder_offsets import parse_offsets
from oms.timeline.loop import TimelineLoop
from tests.appointments.conftest import World, book, last_event_id, recorded_since
from tests.delivery.conftest import DELAY, subscribe
from tests.delivery.push_receiver import PushReceiver
from tests.delivery.smtp_server import SmtpServer


def parts(message: object) -> tuple[str, str]:
    assert isinstance(message, EmailMessage)
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    return str(text.get_content()), str(html.get_content())


def page_link(appointment_id: int, action: str, body: str) -> str:
    """The one visit-page link for `action` in `body`."""
    prefix = f"https://oms.example/visit/{action}?appointment={appointment_id}&token="
    start = body.index(prefix)
    end = start + len(prefix)
    while end < len(body) and body[end] not in ' "\n\r<':
        end += 1
    assert body.count(prefix) == 1
    return body[start:end]


def token_of(link: str) -> str:
    [token] = parse_qs(urlparse(link).query)["token"]
    return token


async def remind(
    client: httpx.AsyncClient, world: World, database: Database, clock: ManualClock,
    worker: DeliveryWorker, smtp: SmtpServer, receiver: PushReceiver,
) -> dict[str, Any]:  # fmt: skip
    """Book a visit, send what booking sent, then make its 2 h reminder due and send that."""
    appointment = await book(client, world)  # 10:00 at Emerald (UTC)
    await subscribe(client, world.customer, receiver.subscription("phone"))
    await worker.run_until_idle()
    smtp.recorder.messages.clear()
    receiver.received.clear()
    starts = datetime.fromisoformat(f"{appointment['date']}T10:00:00").replace(tzinfo=UTC)
    clock.set(starts - timedelta(hours=2))
    assert (await TimelineLoop(database, clock, parse_offsets("2h")).tick()).reminders == 1
    await worker.run_until_idle()
    return appointment


async def test_the_reminder_email_carries_both_links_and_confirm_works(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    clock: ManualClock,
    worker: DeliveryWorker,
    smtp: SmtpServer,
    receiver: PushReceiver,
) -> None:
    appointment = await remind(client, world, database, clock, worker, smtp, receiver)
    [message] = smtp.recorder.messages
    assert message["Subject"] == "Appointment reminder"
    assert world.customer.email in message["To"]
    text, html = parts(message)
    for action in ("confirm", "cancel"):
        link = page_link(appointment["id"], action, text)
        # The HTML part escapes & in attributes; it is the same link once unescaped.
        assert link == page_link(appointment["id"], action, html.replace("&amp;", "&"))
    assert "Confirm your visit: " in text
    assert ">Confirm</a>" in html
    assert ">Cancel</a>" in html

    confirm = token_of(page_link(appointment["id"], "confirm", text))
    cancel = token_of(page_link(appointment["id"], "cancel", text))
    assert confirm != cancel
    api = f"/api/appointments/{appointment['id']}/confirm-link"
    # Reading the link (what the page and any mail scanner do) changes nothing ...
    preview = await client.get(api, params={"token": confirm})
    assert preview.status_code == 200, preview.text
    assert preview.json()["appointment"]["status"] == "scheduled"
    # ... the page's button (a POST) confirms.
    before = await last_event_id(database)
    done = await client.post(api, params={"token": confirm})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "confirmed"
    assert [r.name for r in await recorded_since(database, before)] == ["appointment.confirmed"]
    mine = await client.get(
        f"/api/appointments/{appointment['id']}", headers=world.customer.headers
    )
    assert mine.json()["status"] == "confirmed"
    # The cancel link is for cancelling only.
    refused = await client.post(api, params={"token": cancel})
    assert refused.status_code == 403


async def test_the_reminder_push_opens_the_confirm_page(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    clock: ManualClock,
    worker: DeliveryWorker,
    smtp: SmtpServer,
    receiver: PushReceiver,
) -> None:
    appointment = await remind(client, world, database, clock, worker, smtp, receiver)
    [received] = receiver.received
    payload = received.payload
    assert payload["event"] == "appointment.reminder"
    confirm = page_link(appointment["id"], "confirm", payload["url"])
    assert confirm == payload["url"] == payload["links"]["confirm"]
    assert payload["links"]["cancel"] == page_link(
        appointment["id"], "cancel", payload["links"]["cancel"]
    )
    # The event itself (sockets, inbox) carries no token.
    [stored] = [r for r in await recorded_since(database, 0) if r.name == "appointment.reminder"]
    assert "token" not in str(stored.payload)
    # The email of the same reminder carries the same links, signed once per appointment time.
    [message] = smtp.recorder.messages
    text, _ = parts(message)
    assert page_link(appointment["id"], "confirm", text) == confirm
    done = await client.post(
        f"/api/appointments/{appointment['id']}/cancel-link",
        params={"token": token_of(payload["links"]["cancel"])},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "cancelled"


async def test_other_events_keep_their_usual_link(
    client: httpx.AsyncClient,
    world: World,
    clock: ManualClock,
    worker: DeliveryWorker,
    smtp: SmtpServer,
) -> None:
    await book(client, world, as_=world.staff, patient=world.customer)
    clock.advance(timedelta(seconds=DELAY + 1))
    await worker.run_until_idle()
    assert smtp.recorder.messages, "the front desk's booking emails the patient"
    for message in smtp.recorder.messages:
        text, html = parts(message)
        assert "/visit/" not in text
        assert "/visit/" not in html
