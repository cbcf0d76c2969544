"""`notify_appointment_update` and `notify_inventory_update`: the seed's other two calls."""

from __future__ import annotations

import pytest

from oms.db.database import Database
from oms.domain.errors import InvalidField, NotFound
from oms.events.catalogue import AppointmentEvent, InventoryEvent, validate_payload
from oms.notify import notify_appointment_update, notify_inventory_update
from tests.conftest import PublishedLog
from tests.factories import Factory
from tests.notifications.support import appointment, counts, inbox_of_event


async def test_appointment_update_reaches_everyone_concerned(
    factory: Factory, database: Database, published: PublishedLog
) -> None:
    branch, elsewhere = await factory.branch(), await factory.branch()
    staff, other_staff = await factory.staff(branch), await factory.staff(elsewhere)
    optometrist = await factory.optometrist(branch)
    patient, other_patient = await factory.customer(), await factory.customer()
    admin = await factory.admin()
    appointment_id = await appointment(
        database, patient=patient, optometrist=optometrist, branch=branch, status="confirmed"
    )

    event_id = await notify_appointment_update(
        database, appointment_id, "updated", "Please arrive 10 minutes early"
    )

    event = published.only()
    assert event.event_id == event_id
    assert published.recipients() == {patient.id, optometrist.id, staff.id, admin.id}
    assert {other_staff.id, other_patient.id}.isdisjoint(published.recipients())
    model = validate_payload(event.payload)
    assert isinstance(model, AppointmentEvent)
    assert (model.event, model.id, model.message) == (
        "appointment.updated",
        appointment_id,
        "Please arrive 10 minutes early",
    )
    assert model.appointment.status == "confirmed"
    assert await inbox_of_event(database, event_id) == dict(event.recipients)


async def test_inventory_update_reaches_branch_staff_and_admins(
    factory: Factory, database: Database, published: PublishedLog
) -> None:
    branch, elsewhere = await factory.branch(), await factory.branch()
    staff, other_staff = await factory.staff(branch), await factory.staff(elsewhere)
    admin = await factory.admin()
    await factory.customer(branch)
    product = await factory.product()
    await factory.stock(product, branch, on_hand=3, threshold=5)

    event_id = await notify_inventory_update(database, product.id, branch.id, "low_stock")

    event = published.only()
    assert event.event_id == event_id
    assert published.recipients() == {staff.id, admin.id}
    assert other_staff.id not in published.recipients()
    model = validate_payload(event.payload)
    assert isinstance(model, InventoryEvent)
    assert (model.stock.current_level, model.stock.threshold, model.stock.status) == (3, 5, "low")
    assert model.product.id == product.id
    assert model.branch.id == branch.id


async def test_refusals_record_nothing(
    factory: Factory, database: Database, published: PublishedLog
) -> None:
    branch = await factory.branch()
    product = await factory.product()
    with pytest.raises(InvalidField) as caught:
        await notify_appointment_update(database, 1, "exploded")
    assert caught.value.field == "action"
    with pytest.raises(NotFound):
        await notify_appointment_update(database, 999_999, "updated")
    with pytest.raises(InvalidField) as caught:
        await notify_inventory_update(database, product.id, branch.id, "on_fire")
    assert caught.value.field == "alert"
    with pytest.raises(NotFound):
        await notify_inventory_update(database, product.id, branch.id, "low_stock")  # not stocked
    assert published.events == []
    assert await counts(database) == (0, 0)
