"""GET|PUT /api/me/preferences (DESIGN §10): every family, role defaults, merged subsets, 422s."""

from __future__ import annotations

import httpx
import pytest

from oms.delivery.families import FAMILIES
from tests.factories import Factory

PATH = "/api/me/preferences"


async def test_customer_defaults_cover_every_family(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer()
    response = await client.get(PATH, headers=customer.headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body["channels"]) == set(FAMILIES)
    on = {"email": True, "push": True}
    off = {"email": False, "push": False}
    assert body["channels"]["appointment"] == on
    assert body["channels"]["prescription"] == on
    assert body["channels"]["order"] == on
    assert body["channels"]["reminder"] == on
    assert body["channels"]["notification"] == on
    assert body["channels"]["inventory"] == off
    assert body["quiet_hours"] is None


@pytest.mark.parametrize("role", ["staff", "optometrist", "admin"])
async def test_staff_roles_default_to_push_only(
    client: httpx.AsyncClient, factory: Factory, role: str
) -> None:
    branch = await factory.branch()
    user = await factory.user(role, branch_id=branch.id if role == "staff" else None)  # type: ignore[arg-type]
    body = (await client.get(PATH, headers=user.headers)).json()
    assert all(chosen == {"email": False, "push": True} for chosen in body["channels"].values())


async def test_put_merges_a_subset_and_keeps_the_rest(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer()
    first = await client.put(
        PATH,
        json={
            "channels": {"appointment": {"email": False}},
            "quiet_hours": {"start": "22:00", "end": "07:00", "timezone": "Asia/Manila"},
        },
        headers=customer.headers,
    )
    assert first.status_code == 200, first.text
    second = await client.put(
        PATH, json={"channels": {"order": {"push": False}}}, headers=customer.headers
    )
    body = second.json()
    assert body["channels"]["appointment"] == {"email": False, "push": True}
    assert body["channels"]["order"] == {"email": True, "push": False}
    assert body["channels"]["reminder"] == {"email": True, "push": True}
    assert body["quiet_hours"] == {"start": "22:00", "end": "07:00", "timezone": "Asia/Manila"}
    assert (await client.get(PATH, headers=customer.headers)).json() == body

    cleared = await client.put(PATH, json={"quiet_hours": None}, headers=customer.headers)
    assert cleared.json()["quiet_hours"] is None
    assert cleared.json()["channels"]["appointment"] == {"email": False, "push": True}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channels": {"sms": {"email": True}}}, "channels.sms"),
        ({"channels": {"appointment": {"fax": True}}}, "channels.appointment.fax"),
        ({"channels": {"appointment": {"email": "yes"}}}, "channels.appointment.email"),
        (
            {"quiet_hours": {"start": "25:00", "end": "07:00", "timezone": "Asia/Manila"}},
            "quiet_hours.start",
        ),
        (
            {"quiet_hours": {"start": "22:00", "end": "7pm", "timezone": "Asia/Manila"}},
            "quiet_hours.end",
        ),
        (
            {"quiet_hours": {"start": "22:00", "end": "07:00", "timezone": "Mars/Olympus"}},
            "quiet_hours.timezone",
        ),
        (
            {"quiet_hours": {"start": "22:00", "end": "22:00", "timezone": "UTC"}},
            "quiet_hours.end",
        ),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    client: httpx.AsyncClient, factory: Factory, body: dict[str, object], field: str
) -> None:
    customer = await factory.customer()
    response = await client.put(PATH, json=body, headers=customer.headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    named = error["details"].get("field") or error["details"]["fields"][0]["field"]
    assert named == field
    # Nothing was stored.
    assert (await client.get(PATH, headers=customer.headers)).json()["quiet_hours"] is None
