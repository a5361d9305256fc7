"""A distributor delivers a release from the browser: upload progress, processing, published;
a refused file is named on its own row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, shoot
from tests.browser.live import LiveServer
from tests.fixtures.releases import make_release

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_distributor_uploads_a_release_and_sees_a_refused_file_named(
    new_page, live: LiveServer, tmp_path: Path
) -> None:
    good = make_release(
        tmp_path / "good",
        formats=("flac", "flac"),
        title="Upload Day",
        upc="123456789999",
        isrc_prefix="QZWEB26",
    )
    bad = make_release(
        tmp_path / "bad",
        formats=("flac",),
        title="Tiny Cover",
        upc="123456789888",
        isrc_prefix="QZWEC26",
        cover_size=300,
    )
    page = new_page()
    log_in(page, live, "distributor@test.cadenza.localhost")
    page.goto("/distributor")
    expect(page.locator("main h1")).to_have_text("Distributor")

    page.get_by_label(re.compile("^A .zip")).set_input_files(sorted(good.iterdir()))
    expect(page.get_by_role("list", name="Files to deliver").get_by_role("listitem")).to_have_count(
        4
    )
    page.get_by_role("button", name="Deliver").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("Published", timeout=60_000)
    assert page.get_by_role("progressbar", name="Upload progress").evaluate("p => p.value") == 1
    page.get_by_role("link", name="Open the release").click()
    expect(page.locator("main h1")).to_have_text("Upload Day")

    page.goto("/distributor")
    expect(page.get_by_role("region", name="Your releases")).to_contain_text("Upload Day")
    page.get_by_label(re.compile("^A .zip")).set_input_files(sorted(bad.iterdir()))
    page.get_by_role("button", name="Deliver").click()
    expect(page.locator("main .form-error")).to_contain_text("cover.jpg", timeout=60_000)
    row = (
        page.get_by_role("list", name="Files to deliver")
        .get_by_role("listitem")
        .filter(has_text="cover.jpg")
    )
    expect(row).to_have_class(re.compile(r"\bbad\b"))
    shoot(page, "distributor")
    assert page.errors == []  # type: ignore[attr-defined]
