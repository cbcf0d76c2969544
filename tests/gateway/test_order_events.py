"""Order events and reminders reach exactly their recipients through real sockets, raised by the
real actions (REST calls, one timeline tick): order.* to the patient and the branch's staff,
order.late to the admins too, appointment.reminder to the patient alone. The other branch's
staff, both optometrists and the other customer receive none of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from oms.clock import ManualClock
from oms.events.catalogue import validate_payload
from oms.reminder_offsets import parse_offsets
from oms.timeline.loop import TimelineLoop
from tests.appointments.conftest import future
from tests.gateway.conftest import LiveGateway
from tests.gateway.probes import Probe
from tests.gateway.scenario import Chain, notify

OURS = ("order.", "appointment.reminder")


async def _post(client: httpx.AsyncClient, url: str, token: str, body: Any = None) -> Any:
    response = await client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_order_events_and_reminders_reach_exactly_their_people(
    live: LiveGateway, chain: Chain, client: httpx.AsyncClient, clock: ManualClock
) -> None:
    sockets: dict[str, Probe] = {
        name: await live.probe(user.token) for name, user in chain.everyone.items()
    }
    # The visit comes first: it makes the patient the branch's, so its staff may see (and order
    # from) the prescription. It is two weeks ahead, so that the tick the day before it finds the
    # bifocal order overdue whatever today is: 7 lab days with Sundays passed over end at most 9
    # days after the order's date, itself at most a day after UTC's today (ten days ahead, as it
    # was, fell on the due date itself for an order placed on a Saturday).
    day = future(14)
    appointment = await _post(
        client,
        "/api/appointments",
        chain.customer.token,
        {
            "optometrist_id": chain.optometrist_north.id,
            "branch_id": chain.north.id,
            "date": day.isoformat(),
            "start_time": "10:00",
            "end_time": "10:30",
            "type": "eye_exam",
        },
    )
    rx = await _post(
        client,
        "/api/prescriptions",
        chain.optometrist_north.token,
        {
            "patient_id": chain.customer.id,
            "right_eye": {"sphere": "-1.00", "cylinder": "0"},
            "left_eye": {"sphere": "-1.00", "cylinder": "0"},
        },
    )
    staff = chain.staff_north.token
    body = {"prescription_id": rx["id"], "branch_id": chain.north.id, "lens_type": "bifocal"}
    kept = await _post(client, "/api/orders", staff, body)
    for action in ("send-to-lab", "mark-ready", "collect"):
        await _post(client, f"/api/orders/{kept['id']}/{action}", staff)
    dropped = await _post(client, "/api/orders", staff, body)
    await _post(client, f"/api/orders/{dropped['id']}/cancel", staff, {"reason": "duplicate"})
    await _post(client, "/api/orders", staff, body)  # left with the lab: it will be late

    # One tick a day before the appointment: the bifocal order (7 lab days) is long overdue.
    clock.set(datetime(day.year, day.month, day.day, 10, tzinfo=UTC) - timedelta(hours=24))
    result = await TimelineLoop(live.runtime.database, clock, parse_offsets("24h,2h")).tick()
    assert (result.reminders, result.late_orders) == (1, 1)

    fence = await notify(live.runtime.database, {user.id for user in chain.everyone.values()})
    for probe in sockets.values():
        await probe.wait_for_ids(fence.event_id)

    lifecycle = ["order.created", "order.updated", "order.ready", "order.collected"]
    for_branch = [*lifecycle, "order.created", "order.cancelled", "order.created"]
    expected = {
        "customer": [*for_branch, "appointment.reminder", "order.late"],
        "staff_north": [*for_branch, "order.late"],
        "admin": ["order.late"],
        "staff_south": [],
        "optometrist_north": [],
        "optometrist_south": [],
        "other_customer": [],
    }
    for who, probe in sockets.items():
        received = [(n, data) for n, data in probe.events if n.startswith(OURS)]
        assert [n for n, _ in received] == expected[who], who
        for _, data in received:
            validate_payload(data)
    customer = dict(sockets["customer"].events)
    assert customer["order.ready"]["title"] == "Your glasses are ready"
    assert customer["order.ready"]["level"] == "success"
    assert customer["order.ready"]["order"]["number"] == kept["number"]
    reminder = customer["appointment.reminder"]
    assert (reminder["offset"], reminder["id"], reminder["level"]) == (
        "24h",
        appointment["id"],
        "info",
    )
    assert reminder["appointment"]["patient"]["id"] == chain.customer.id
