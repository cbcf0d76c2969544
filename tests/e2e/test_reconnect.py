"""The dot is amber while the gateway is away and the app keeps retrying, red only when the
device itself is offline, and green when it returns; an event raised meanwhile appears after the
reconnect (replayed from `last_event_id`), and the bell catches up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SignIn, running_server
from tests.e2e.server import OmsServer

# Handed out early (tests/conftest.py): most of its time is the client's reconnect back-off,
# which other workers' tests fill; at the end of a run it would be a wait nothing fills.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(web_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OmsServer]:
    """This module stops and restarts its server, so it gets one of its own."""
    yield from running_server(web_dist, tmp_path_factory.mktemp("oms-e2e-restart"))


def test_the_dot_follows_the_gateway_and_nothing_is_missed(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    customer = sign_in_as("customer3@everbright.test", phone=True)
    staff = sign_in_as("staff.newstar@everbright.test")
    bell = customer.bell_count()
    staff_bell = staff.bell_count()

    server.stop()
    for person in (customer, staff):
        # Still retrying: amber "Reconnecting…", for the whole outage, never red.
        expect(person.dot()).to_have_attribute("data-state", "reconnecting", timeout=15_000)
    expect(customer.page.get_by_test_id("announce-polite")).to_have_text(
        "Live updates lost; reconnecting."
    )
    customer.shot("customer-reconnecting-phone")

    # Raised while nobody can be reached: recorded in the database by the CLI, not delivered.
    server.cli(
        "notify",
        "--title",
        "While you were away",
        "--message",
        "Sent while the gateway was down",
        "--type",
        "alert",
        "--role",
        "customer",
    )
    server.start()
    for person in (customer, staff):
        expect(person.dot()).to_have_attribute("data-state", "connected", timeout=20_000)

    toast = customer.toast("notification.alert")
    expect(toast).to_have_text("While you were away")
    expect(customer.bell()).to_have_attribute("data-count", str(bell + 1))
    customer.shot("customer-back-online-phone")
    expect(staff.toast("notification.alert")).to_have_count(0)
    expect(staff.bell()).to_have_attribute("data-count", str(staff_bell))

    customer.go(server.url, "/notifications")
    row = customer.page.get_by_test_id("notification-row").first
    expect(row).to_contain_text("While you were away")
    expect(row).to_have_attribute("data-read", "false")


def test_the_dot_is_red_only_when_the_device_is_offline(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    staff = sign_in_as("staff.garnet@everbright.test", phone=True)
    staff.page.context.set_offline(True)
    expect(staff.dot()).to_have_attribute("data-state", "disconnected")
    expect(staff.dot()).to_have_text("Offline")
    staff.shot("staff-device-offline-phone")
    staff.page.context.set_offline(False)
    expect(staff.dot()).to_have_attribute("data-state", "connected", timeout=15_000)
