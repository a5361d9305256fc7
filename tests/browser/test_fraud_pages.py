"""Artificial streams in the web player, on a phone (390 px): an admin's page of flags and a
distributor's flagged streams per track, both readable without sideways scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in
from tests.browser.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_admin_and_distributor_see_artificial_streams_on_a_phone(
    new_page, live: LiveServer
) -> None:
    admin = new_page(PHONE)
    log_in(admin, live, "admin@demo.cadenza.localhost")
    admin.goto("/admin/fraud")
    expect(admin.locator("main h1")).to_have_text("Artificial streams")
    expect(admin.get_by_role("list", name="Flagged accounts")).to_contain_text("No flags here.")
    admin.get_by_label("Which flags").select_option("cleared")
    expect(admin.get_by_role("list", name="Flagged accounts")).to_contain_text("No flags here.")
    assert admin.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    distributor = new_page(PHONE)
    log_in(distributor, live, "distributor@test.cadenza.localhost")
    distributor.goto("/distributor")
    section = distributor.get_by_role("region", name="Artificial streams")
    expect(section).to_contain_text("No streams of your tracks are flagged.")
    assert distributor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    distributor.goto("/admin/fraud")
    expect(distributor.locator("main")).to_contain_text("This page is for admins.")
