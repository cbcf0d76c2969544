"""Email through a real SMTP server (aiosmtpd) in the test process (DESIGN §10)."""

from __future__ import annotations

import mailbox
import re
from dataclasses import replace

import httpx

from oms.clock import ManualClock
from oms.config import Settings
from oms.db.database import Database
from oms.delivery.claims import RETRY_CAP_SECONDS
from oms.delivery.email import MaildirSender
from oms.delivery.worker import DeliveryWorker
from tests.delivery.conftest import Notify, deliveries
from tests.delivery.smtp_server import SmtpServer
from tests.factories import Factory


def _parts(message: object) -> tuple[str, str]:
    from email.message import EmailMessage

    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    return str(text.get_content()), str(html.get_content())


async def test_message_arrives_with_recipient_subject_both_parts_and_link(
    factory: Factory, notify: Notify, worker: DeliveryWorker, smtp: SmtpServer
) -> None:
    customer = await factory.customer()
    await notify(customer, kind="urgent", title="Closed <today> & tomorrow")
    await worker.run_until_idle()
    [message] = smtp.recorder.messages
    assert smtp.recorder.envelopes[0][1] == [customer.email]
    assert customer.email in message["To"]
    assert message["Subject"] == "Closed <today> & tomorrow"
    text, html = _parts(message)
    [delivery] = await deliveries(worker.database)
    link = f"https://oms.example/notifications?id={delivery.notification_id}"
    assert link in text
    assert f'href="{link}"' in html
    assert "Closed <today> & tomorrow" in text
    assert "Closed &lt;today&gt; &amp; tomorrow" in html  # autoescaped
    assert "<today>" not in html
    assert "/api/unsubscribe?token=" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # On the wire, as mail clients read it: one plain <URL>, not folded into encoded words.
    assert (
        b"\r\nList-Unsubscribe: <https://oms.example/api/unsubscribe?token="
        in (smtp.recorder.raw[0])
    )
    assert message["Message-ID"] == f"<delivery-{delivery.id}@oms.example>"


async def test_451_then_250_delivers_one_message(
    factory: Factory, notify: Notify, worker: DeliveryWorker, smtp: SmtpServer, clock: ManualClock
) -> None:
    customer = await factory.customer()
    smtp.recorder.answers.append("451 4.3.0 try again later")
    await notify(customer, kind="urgent")
    await worker.run_until_idle()
    [waiting] = await deliveries(worker.database)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert (waiting.last_error or "").startswith("451")
    # Backoff with jitter: between half and all of 30 s after the first failure.
    assert 15 <= (waiting.next_attempt_at - clock.now()).total_seconds() <= 30
    assert smtp.recorder.messages == []

    clock.advance(30)
    await worker.run_until_idle()
    [sent] = await deliveries(worker.database)
    assert (sent.status, sent.attempts) == ("sent", 2)
    assert len(smtp.recorder.messages) == 1


async def test_550_fails_at_once_with_the_reason(
    factory: Factory, notify: Notify, worker: DeliveryWorker, smtp: SmtpServer, clock: ManualClock
) -> None:
    customer = await factory.customer()
    smtp.recorder.answers.append("550 5.1.1 mailbox unavailable")
    await notify(customer, kind="urgent")
    await worker.run_until_idle()
    [failed] = await deliveries(worker.database)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error == "550 5.1.1 mailbox unavailable"
    clock.advance(RETRY_CAP_SECONDS * 2)
    await worker.run_until_idle()
    assert smtp.recorder.messages == []
    assert (await deliveries(worker.database))[0].attempts == 1


async def test_smtp_down_for_a_while_then_delivered_once(
    factory: Factory, notify: Notify, worker: DeliveryWorker, smtp: SmtpServer, clock: ManualClock
) -> None:
    customer = await factory.customer()
    port = smtp.port
    await smtp.stop()
    await notify(customer, kind="urgent")
    for _ in range(3):
        await worker.run_until_idle()
        clock.advance(RETRY_CAP_SECONDS)
    [waiting] = await deliveries(worker.database)
    assert (waiting.status, waiting.attempts) == ("pending", 3)
    assert "Connect" in (waiting.last_error or "") or "refused" in (waiting.last_error or "")

    await smtp.start(port)
    await worker.run_until_idle()
    clock.advance(RETRY_CAP_SECONDS)
    await worker.run_until_idle()
    [sent] = await deliveries(worker.database)
    assert (sent.status, sent.attempts) == ("sent", 4)
    assert len(smtp.recorder.messages) == 1


async def test_gives_up_after_max_attempts(
    factory: Factory, notify: Notify, worker: DeliveryWorker, smtp: SmtpServer, clock: ManualClock
) -> None:
    customer = await factory.customer()
    await smtp.stop()
    await notify(customer, kind="urgent")
    for _ in range(worker.settings.delivery_max_attempts + 2):
        await worker.run_until_idle()
        clock.advance(RETRY_CAP_SECONDS)
    [failed] = await deliveries(worker.database)
    assert (failed.status, failed.attempts) == ("failed", worker.settings.delivery_max_attempts)


async def test_unsubscribe_link_turns_that_family_email_off_without_signing_in(
    factory: Factory,
    notify: Notify,
    worker: DeliveryWorker,
    smtp: SmtpServer,
    client: httpx.AsyncClient,
) -> None:
    customer = await factory.customer()
    await notify(customer, kind="urgent")
    await worker.run_until_idle()
    text, _ = _parts(smtp.recorder.messages[0])
    match = re.search(r"https://oms\.example(/api/unsubscribe\?token=\S+)", text)
    assert match is not None
    page = await client.get(match[1])
    assert page.status_code == 200
    assert "Stop announcement emails" in page.text
    # Opening the link changes nothing (mail scanners open links); the button does.
    prefs = await client.get("/api/me/preferences", headers=customer.headers)
    assert prefs.json()["channels"]["notification"]["email"] is True
    done = await client.post(match[1])
    assert done.status_code == 200
    prefs = await client.get("/api/me/preferences", headers=customer.headers)
    assert prefs.json()["channels"]["notification"] == {"email": False, "push": True}
    assert prefs.json()["channels"]["appointment"]["email"] is True

    forged = match[1][:-3] + ("AAA" if not match[1].endswith("AAA") else "BBB")
    assert (await client.post(forged)).status_code == 400
    # An access token is not an unsubscribe link.
    assert (await client.post(f"/api/unsubscribe?token={customer.token}")).status_code == 400


async def test_without_smtp_mail_lands_in_the_maildir(
    factory: Factory, notify: Notify, worker: DeliveryWorker, settings: Settings, database: Database
) -> None:
    customer = await factory.customer()
    folder = settings.oms_data_dir / "mail"
    local = replace(worker, email=MaildirSender(folder))
    await notify(customer, kind="urgent", title="Into the Maildir")
    await local.run_until_idle()
    box = mailbox.Maildir(folder, create=False)
    assert [message["Subject"] for message in box] == ["Into the Maildir"]
    assert (await deliveries(database))[0].status == "sent"
