"""Email and Web Push for a broadcast to a role (DESIGN §10, §12): the planner reads the inbox
rows the one-statement write made, per member, by each member's own preferences."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import update

from oms.db.database import Database
from oms.db.models import User
from oms.delivery.worker import DeliveryWorker
from oms.domain.notifications import broadcast
from tests.delivery.conftest import deliveries, subscribe
from tests.delivery.push_receiver import PushReceiver
from tests.delivery.smtp_server import SmtpServer
from tests.factories import Factory

# The planner's (event id, inbox id) cursor over rows written in one statement: both backends.
pytestmark = pytest.mark.both_databases


async def test_each_member_gets_what_their_preferences_ask_for(
    client: httpx.AsyncClient,
    factory: Factory,
    database: Database,
    worker: DeliveryWorker,
    smtp: SmtpServer,
    receiver: PushReceiver,
) -> None:
    wants_both, push_only, disabled_since = [await factory.customer() for _ in range(3)]
    await factory.staff(await factory.branch())  # not a customer: nothing for them
    for member in (wants_both, push_only, disabled_since):
        await subscribe(client, member, receiver.subscription(f"phone-{member.id}"))
    opted_out = await client.put(
        "/api/me/preferences",
        json={"channels": {"notification": {"email": False}}},
        headers=push_only.headers,
    )
    assert opted_out.status_code == 200, opted_out.text

    async with database.session() as session:
        event_id, count = await broadcast(
            session,
            sender=None,
            title="Storm",
            message="Closed today",
            type="urgent",
            role="customer",
        )
    assert count == 3
    async with database.session() as session:
        await session.execute(
            update(User).where(User.id == disabled_since.id).values(is_active=False)
        )
        await session.commit()

    await worker.run_until_idle()
    sent = {(row.user_id, row.channel, row.status) for row in await deliveries(database)}
    assert sent == {
        (wants_both.id, "email", "sent"),
        (wants_both.id, "push", "sent"),
        (push_only.id, "push", "sent"),
    }
    assert [envelope[1] for envelope in smtp.recorder.envelopes] == [[wants_both.email]]
    assert sorted(push.payload["event_id"] for push in receiver.received) == [event_id] * 2
