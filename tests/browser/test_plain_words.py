"""Refusals in a listener's words with the way forward (the card form, the home address form),
delivery processing as words and a progress bar, and a new plan's qualities at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, shoot
from tests.browser.live import LiveServer
from tests.fixtures.releases import make_release

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_plan_without_a_card_leads_to_the_card_form_and_its_qualities_come_at_once(
    new_page, live: LiveServer
) -> None:
    page = new_page()
    log_in(page, live, live.add_account("upgrade@test.cadenza.localhost", "free"))
    page.goto("/account/plan")
    very_high = page.locator("#quality-setting option[value=very_high]")
    expect(very_high).to_be_disabled()

    page.get_by_role("button", name="Get Premium Individual").click()
    alert = page.locator("main").get_by_role("alert")
    expect(alert).to_contain_text("Add a payment card first")
    expect(alert).not_to_contain_text("POST")
    shoot(page, "card-first")
    alert.get_by_role("link", name="Add a card").click()
    expect(page.get_by_label("Card number")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/account/plan$"))

    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2030")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Save card").click()
    expect(page.locator("main")).to_contain_text("ending 4242")
    page.get_by_role("button", name="Get Premium Individual").click()
    expect(page.locator("main")).to_contain_text("You are on Premium Individual")
    expect(very_high).to_be_enabled()  # no reload
    expect(page.locator("#quality-setting option[value=lossless]")).to_be_enabled()
    assert page.errors == []  # type: ignore[attr-defined]


def test_inviting_before_the_home_address_leads_to_the_address_form(
    new_page, live: LiveServer
) -> None:
    page = new_page()
    log_in(page, live, live.add_account("family@test.cadenza.localhost", "premium_family"))
    page.goto("/account/members")
    page.get_by_role("button", name="Invite").click()
    alert = page.locator("main").get_by_role("alert")
    expect(alert).to_contain_text("save the family's home address first")
    alert.get_by_role("link", name="Set the home address").click()
    expect(page.get_by_label("Home address")).to_be_focused()
    shoot(page, "home-address-first")
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_delivery_in_processing_is_said_in_words_with_a_progress_bar(
    new_page, live: LiveServer, tmp_path: Path
) -> None:
    release = make_release(
        tmp_path / "words",
        formats=("flac", "flac"),
        title="Plain Words",
        upc="123456789777",
        isrc_prefix="QZWED26",
    )
    page = new_page()
    log_in(page, live, live.add_account("words@test.cadenza.localhost", "free", "distributor"))
    page.goto("/distributor")
    expect(page.get_by_role("button", name="Deliver")).to_be_visible()
    # Every status line the page shows, and whether the bar then had a value.
    page.evaluate(
        "() => { window.seen = []; const s = document.querySelector('main [role=status]');"
        " const bar = document.querySelector('main progress');"
        " new MutationObserver(() => window.seen.push([s.textContent, bar.hasAttribute('value')]))"
        ".observe(s, { childList: true, characterData: true, subtree: true }); }"
    )
    page.get_by_label(re.compile("^A .zip")).set_input_files(sorted(release.iterdir()))
    page.get_by_role("button", name="Deliver").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("Published", timeout=60_000)
    seen: list[list[object]] = page.evaluate("window.seen")
    texts = [str(text) for text, _ in seen]
    assert not any(re.search(r"transcod|\b0%", t) for t in texts), texts
    working = [
        has_value
        for text, has_value in seen
        if str(text).startswith(("Waiting", "Reading", "Preparing"))
    ]
    assert working and working[0] is False, seen  # the bar says work goes on before any is done
    assert page.get_by_role("progressbar", name="Upload progress").evaluate("p => p.value") == 1
    assert page.errors == []  # type: ignore[attr-defined]
