"""Offline downloads' rules: the 30-day licence, downloads ending with their plan, and the
quality a download gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cadenza.domain.audio import Quality
from cadenza.domain.catalog import EncodedAudio
from cadenza.domain.entitlements import Entitlements, Grant, Listener, Refusal
from cadenza.domain.offline import (
    DownloadDevice,
    best_file,
    licence_expiry,
    next_registration_at,
    plan_ended,
)
from cadenza.domain.plans import Plan

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def device(subscription_id: int | None = 7, revoked: bool = False) -> DownloadDevice:
    return DownloadDevice(
        id=1,
        name="phone",
        registered_at=NOW,
        licence_expires_at=licence_expiry(NOW),
        checked_in_at=NOW,
        subscription_id=subscription_id,
        revoked_at=NOW if revoked else None,
    )


def test_a_licence_lasts_thirty_days_from_the_check_in() -> None:
    d = device()
    assert d.licence_valid(NOW + timedelta(days=29, hours=23))
    assert not d.licence_valid(NOW + timedelta(days=30))


def test_downloads_end_with_the_plan_they_came_with() -> None:
    assert not plan_ended(device(), Plan.PREMIUM_INDIVIDUAL, 7)
    assert plan_ended(device(), Plan.FREE, None)
    assert plan_ended(device(), Plan.PLUS, 7)  # downgraded: Plus has no downloads
    assert plan_ended(device(), Plan.PREMIUM_INDIVIDUAL, 8)  # ended, then a new one began
    assert plan_ended(device(revoked=True), Plan.PREMIUM_INDIVIDUAL, 7)


def test_five_devices_and_ten_thousand_tracks_on_each() -> None:
    rules, premium = Entitlements(), Listener(Plan.PREMIUM_DUO)
    sixth = rules.download(
        premium, device_has_downloads=False, devices_with_downloads=5, tracks_on_device=0
    )
    assert isinstance(sixth, Refusal) and sixth.details == {"limit": "devices"}
    last = rules.download(
        premium, device_has_downloads=True, devices_with_downloads=5, tracks_on_device=9_999
    )
    assert isinstance(last, Grant)
    beyond = rules.download(
        premium, device_has_downloads=True, devices_with_downloads=5, tracks_on_device=10_000
    )
    assert isinstance(beyond, Refusal) and beyond.code == "offline_limit_reached"
    free = rules.download(
        Listener(Plan.FREE),
        device_has_downloads=False,
        devices_with_downloads=0,
        tracks_on_device=0,
    )
    assert isinstance(free, Refusal) and free.code == "premium_required"


def test_a_download_gets_the_best_file_up_to_the_quality_asked() -> None:
    lossy = tuple(EncodedAudio(q, q.value, 1, q.bitrate_kbps) for q in Quality if q.bitrate_kbps)
    lossless = (*lossy, EncodedAudio(Quality.LOSSLESS, "flac", 1, None))
    assert best_file(lossless, Quality.LOSSLESS).quality is Quality.LOSSLESS  # type: ignore[union-attr]
    assert best_file(lossy, Quality.LOSSLESS).quality is Quality.VERY_HIGH  # type: ignore[union-attr]
    assert best_file(lossless, Quality.NORMAL).quality is Quality.NORMAL  # type: ignore[union-attr]
    assert best_file((), Quality.HIGH) is None


def test_new_devices_beyond_the_plans_number_are_limited_per_rolling_30_days() -> None:
    days_ago = [NOW - timedelta(days=d) for d in (40, 29, 20, 10, 5, 4, 3, 2)]
    # 40 days ago no longer counts: 7 of the 8 allowed for 5 devices.
    assert next_registration_at(days_ago, 5, NOW) is None
    full = [*days_ago, NOW - timedelta(days=1)]
    # Eight in the window: the next one is free when the one of 29 days ago is 30 days old.
    assert next_registration_at(full, 5, NOW) == NOW + timedelta(days=1)
    # A plan of one device would allow 4 new devices per 30 days.
    assert next_registration_at(full, 1, NOW) == NOW - timedelta(days=4) + timedelta(days=30)
