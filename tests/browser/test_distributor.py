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
    upload = page.get_by_role("region", name="Deliver a release")
    expect(upload.locator(".form-error")).to_contain_text("cover.jpg", timeout=60_000)
    row = (
        page.get_by_role("list", name="Files to deliver")
        .get_by_role("listitem")
        .filter(has_text="cover.jpg")
    )
    expect(row).to_have_class(re.compile(r"\bbad\b"))
    shoot(page, "distributor")
    assert page.errors == []  # type: ignore[attr-defined]


def test_distributor_downloads_a_royalty_statement_on_a_phone(new_page, live: LiveServer) -> None:
    """A closed month is listed on the distributor's page (390 px wide) with its amount and
    when it is payable; the CSV downloads with the distributor's own lines."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select, update

    from cadenza.adapters.db.models import DistributorRow, ReleaseRow, TrackRow
    from cadenza.adapters.db.models_accounts import UserRow
    from cadenza.bootstrap import bootstrap
    from cadenza.config import Settings
    from cadenza.domain.royalties import RoyaltyRules, add_months, month_bounds
    from tests.e2e.royalty_helpers import catalog, play, subscription, user

    page = new_page({"width": 390, "height": 844})
    log_in(page, live, "distributor@test.cadenza.localhost")
    page.goto("/distributor")
    expect(page.get_by_role("region", name="Royalty statements")).to_contain_text("No closed month")
    now = datetime.now(UTC)
    month = add_months(f"{now.year:04d}-{now.month:02d}", -1)
    start, _ = month_bounds(month)
    app = bootstrap(Settings(data_dir=live.data_dir, billing_interval_s=0))
    try:
        with app.uow() as uow:
            s = uow.session  # type: ignore[attr-defined]
            account = s.scalar(
                select(UserRow.id).where(UserRow.email == "distributor@test.cadenza.localhost")
            )
            own = s.scalar(select(DistributorRow.id).where(DistributorRow.account_id == account))
            assert own is not None
            fan = user(s, "FR")
            subscription(s, [fan], 2000, start, 1)
            tracks = catalog(s, 2, [own])
            for day in range(4):
                play(s, fan, tracks[day % 2], start + timedelta(days=day))
            s.commit()
        app.royalties.rules = RoyaltyRules(min_yearly_streams=1)
        app.royalties.close(month)
        # The songs made for the statement have no audio: taken down (as a release that is no
        # longer offered, its statement kept), they stay out of the listings the other browser
        # tests on this server read.
        with app.uow() as uow:
            s = uow.session  # type: ignore[attr-defined]
            made = select(TrackRow.release_id).where(TrackRow.id.in_(tracks))
            s.execute(update(ReleaseRow).where(ReleaseRow.id.in_(made)).values(taken_down_at=now))
            s.commit()
    finally:
        app.close()

    page.reload()
    statements = page.get_by_role("list", name="Royalty statements")
    row = statements.locator(f'li[data-month="{month}"]')
    expect(row).to_contain_text("EUR")
    expect(row).to_contain_text("payable")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    with page.expect_download() as got:
        row.get_by_role("button", name="CSV").click()
    text = Path(got.value.path()).read_text()
    assert text.startswith("month,distributor_id,market,track_id,isrc")
    assert text.count(f"{month},{own},FR,") == 2
    shoot(page, "distributor-royalties")
    assert page.errors == []  # type: ignore[attr-defined]
