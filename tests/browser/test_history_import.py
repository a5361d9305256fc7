"""Import your history in the browser: a listener uploads a Last.fm scrobble CSV on the account
page, watches it run, and reads the report (matched, unmatched, the song without a match); then
makes a scrobbling token that a ListenBrainz-compatible app can use at once."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in
from tests.browser.live import LiveServer
from tests.fixtures.releases import make_release

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
LISTENER = "history@test.cadenza.localhost"


def test_a_listener_imports_a_lastfm_csv_and_makes_a_scrobbling_token(
    new_page, live: LiveServer, tmp_path: Path
) -> None:
    folder = make_release(
        tmp_path / "hist",
        title="Takk",
        artist="Sigur Rós",
        upc="123456789077",
        isrc_prefix="QZHIS26",
        formats=("mp3",),
    )
    live.ingest(folder)
    live.add_account(LISTENER, "premium_individual")
    scrobbles = tmp_path / "scrobbles.csv"
    scrobbles.write_text(
        "Sigur Ros,Takk,Song 1,01 Feb 2025 10:00\n"
        "Nobody Known,Nothing,Never Heard Of,01 Feb 2025 10:05\n"
    )
    page: Page = new_page()
    log_in(page, live, LISTENER)
    page.goto("/account")
    imports = page.get_by_role("region", name="Import your history")
    imports.get_by_label("Your export").set_input_files(str(scrobbles))
    imports.get_by_role("button", name="Import").click()
    expect(imports.get_by_role("status")).to_contain_text("Import finished.")
    expect(imports.get_by_role("status")).to_contain_text(
        "2 plays read · 1 matched · 1 unmatched · 0 skipped · 1 new"
    )
    imports.get_by_role("status").get_by_text("Most played songs without a match").click()
    expect(imports.get_by_role("status").get_by_role("cell", name="Never Heard Of")).to_be_visible()
    expect(imports.locator(".history-imports li")).to_contain_text("Last.fm: scrobbles.csv")

    apps = page.get_by_role("region", name="Scrobbling apps")
    apps.get_by_role("button", name="Create token").click()
    token = apps.locator("code.scrobble-token").inner_text()
    ask = urllib.request.Request(
        f"{live.url}/1/validate-token", headers={"Authorization": f"Token {token}"}
    )
    with urllib.request.urlopen(ask, timeout=10) as answer:
        assert json.load(answer)["valid"] is True
    assert page.errors == []  # type: ignore[attr-defined]
