"""The forms' own checks in a real browser (react-hook-form + zod): the error is under its field,
announced (role=alert), the field is aria-invalid and the first wrong field has the focus; changing
the field takes its error away. Nothing here is sent: each form is refused before any request."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer

SKU = "FRM-ACE-001"  # the demo chain reserves some of these at Emerald


def field_error(page: Page, test_id: str) -> Locator:
    """The error the field's aria-describedby points at (after its hint, when it has one), once
    the field is marked invalid (the check runs after the click returns)."""
    control = page.get_by_test_id(test_id)
    expect(control).to_have_attribute("aria-invalid", "true")
    described_by = control.get_attribute("aria-describedby") or ""
    errors = [name for name in described_by.split() if name.endswith("-error")]
    assert errors, f"{test_id} is described by no error ({described_by!r})"
    return page.locator(f'[id="{errors[0]}"]')


def test_the_stock_editor_says_what_is_wrong_before_sending(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    staff = sign_in_as("staff.emerald@everbright.test")
    staff.visit("/inventory")
    page = staff.page
    row = page.locator(f'[data-testid="stock-row"][data-sku="{SKU}"]')
    row.get_by_test_id("stock-edit").click()

    page.get_by_test_id("adjust-submit").click()
    delta = page.get_by_test_id("adjust-delta")
    expect(delta).to_be_focused()
    expect(delta).to_have_attribute("aria-invalid", "true")
    expect(field_error(page, "adjust-delta")).to_have_text(
        "A whole number, not zero: negative takes stock out."
    )
    expect(field_error(page, "adjust-delta")).to_have_attribute("role", "alert")
    expect(page.get_by_test_id("adjust-reason")).to_have_attribute("aria-invalid", "true")

    on_hand = int(row.get_by_test_id("stock-on-hand").inner_text())
    delta.fill(str(-(on_hand + 1)))
    expect(delta).not_to_have_attribute("aria-invalid", "true")  # changed: its error is gone
    page.get_by_test_id("adjust-submit").click()
    expect(field_error(page, "adjust-delta")).to_have_text(
        f"Only {on_hand} on hand: stock cannot go below zero."
    )
    staff.shot("stock-editor-errors")

    page.get_by_role("button", name="Set levels").click()
    page.get_by_test_id("set-on-hand").fill("0")
    page.get_by_test_id("set-submit").click()
    expect(field_error(page, "set-on-hand")).to_contain_text("reserved: on hand cannot be less.")
    expect(row.get_by_test_id("stock-on-hand")).to_have_text(str(on_hand))  # nothing was sent


def test_the_send_form_wants_a_title_a_message_and_someone(
    server: OmsServer, sign_in_as: SignIn
) -> None:
    admin = sign_in_as("admin@everbright.test")
    admin.visit("/admin/send")
    page = admin.page
    page.get_by_role("radio", name="Chosen people").check()
    page.get_by_test_id("broadcast-submit").click()
    title = page.get_by_test_id("broadcast-title")
    expect(title).to_be_focused()
    expect(field_error(page, "broadcast-title")).to_have_text("Give the notification a title.")
    expect(field_error(page, "broadcast-message")).to_have_text("Write the message.")
    expect(page.get_by_text("Choose at least one person.")).to_be_visible()
    admin.shot("send-form-errors")

    title.fill("Fire drill")
    expect(title).not_to_have_attribute("aria-invalid", "true")
    page.get_by_test_id("broadcast-message").fill("At noon.")
    page.get_by_role("radio", name="A branch's people").check()
    page.get_by_test_id("broadcast-submit").click()
    expect(field_error(page, "broadcast-branch")).to_have_text("Choose a branch.")
    expect(page.get_by_test_id("broadcast-result")).to_have_count(0)
