"""The Python publishing API (`oms.notify`): same recording as the broadcast route."""

from __future__ import annotations

import pytest

from oms.db.database import Database
from oms.domain.errors import InvalidField
from oms.events.catalogue import NotificationEvent, validate_payload
from oms.notify import notify_branch, notify_role, notify_users
from tests.conftest import PublishedLog
from tests.factories import Factory
from tests.notifications.support import counts, inbox_of_event


async def test_notify_users_role_and_branch(
    factory: Factory, database: Database, published: PublishedLog
) -> None:
    branch = await factory.branch()
    staff = await factory.staff(branch)
    optometrist = await factory.optometrist(branch)
    ann = await factory.customer(branch)
    admin = await factory.admin()

    sent = [
        await notify_users(database, "Hi", "Your glasses are ready", "general", [ann.id], {"x": 1}),
        await notify_role(database, "Heads up", "System update tonight", "alert", "admin"),
        await notify_branch(database, "Fire drill", "Leave now", "urgent", branch.id),
    ]
    assert [event.event_id for event in published.events] == sent
    assert published.names() == [
        "notification.general",
        "notification.alert",
        "notification.urgent",
    ]
    expected = [{ann.id}, {admin.id}, {staff.id, optometrist.id}]
    for index, (event_id, recipients) in enumerate(zip(sent, expected, strict=True)):
        assert published.recipients(index) == recipients
        event = published.events[index]
        assert await inbox_of_event(database, event_id) == dict(event.recipients)
        assert isinstance(validate_payload(event.payload, inbox_id=1), NotificationEvent)
    assert published.events[0].payload["data"] == {"x": 1}
    assert published.events[1].payload["data"] == {}
    assert [event.payload["level"] for event in published.events] == ["info", "warning", "error"]


async def test_refusals_raise_and_record_nothing(
    factory: Factory, database: Database, published: PublishedLog
) -> None:
    before = await counts(database)
    with pytest.raises(InvalidField) as caught:
        await notify_users(database, "Hi", "there", "general", [999_999])
    assert caught.value.field == "user_ids"
    with pytest.raises(InvalidField) as caught:
        await notify_branch(database, "Hi", "there", "general", 999_999)
    assert caught.value.field == "branch_id"
    with pytest.raises(InvalidField) as caught:
        await notify_role(database, "Hi", "there", "shout", "staff")
    assert caught.value.field == "type"
    assert published.events == []
    assert await counts(database) == before
