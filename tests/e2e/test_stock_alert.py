"""Staff take stock below its threshold; the admin sees the low-stock toast and the table change;
staff of another branch see nothing."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import SignIn
from tests.e2e.server import OmsServer

SKU = "FRM-TIT-002"  # the demo chain stocks 6 with a threshold of 5 at every branch


def test_adjusting_below_threshold_alerts_the_admin(server: OmsServer, sign_in_as: SignIn) -> None:
    admin = sign_in_as("admin@everbright.test")
    staff = sign_in_as("staff.emerald@everbright.test")
    elsewhere = sign_in_as("staff.garnet@everbright.test")
    admin.visit("/inventory")
    admin.page.get_by_test_id("inventory-branch").select_option(label="Emerald")
    staff.visit("/inventory")
    admin_row = admin.page.locator(f'[data-testid="stock-row"][data-sku="{SKU}"]')
    staff_row = staff.page.locator(f'[data-testid="stock-row"][data-sku="{SKU}"]')
    expect(admin_row).to_have_attribute("data-status", "normal")
    expect(staff_row).to_have_attribute("data-status", "normal")
    quiet_bell = elsewhere.bell_count()

    staff_row.get_by_test_id("stock-edit").click()
    staff.page.get_by_test_id("adjust-delta").fill("-2")
    staff.page.get_by_test_id("adjust-reason").fill("Sold two")
    staff.shot("staff-inventory-adjust")
    staff.page.get_by_test_id("adjust-submit").click()

    toast = admin.toast("inventory.low_stock")
    expect(toast).to_be_visible()
    expect(toast).to_have_attribute("data-level", "warning")
    expect(admin_row).to_have_attribute("data-status", "low")
    expect(admin_row.get_by_test_id("stock-on-hand")).to_have_text("4")
    expect(staff_row).to_have_attribute("data-status", "low")
    expect(staff.toast("inventory.low_stock")).to_be_visible()
    admin.shot("admin-low-stock-toast")
    staff.shot("staff-inventory-low")

    server.notify("After the stock alert", elsewhere.email)
    elsewhere.sees_only_the_fence("After the stock alert", quiet_bell)
    expect(elsewhere.toast("inventory.low_stock")).to_have_count(0)

    # The toast's "Open" goes to that product at that branch, marked (issue 13).
    admin.page.locator("[data-sonner-toast]").filter(has=toast).get_by_role(
        "button", name="Open"
    ).click()
    expect(admin.page).to_have_url(re.compile(r"/inventory\?branch=\d+&focus=\d+$"))
    expect(admin_row).to_have_class(re.compile(r"stock--focused"))
