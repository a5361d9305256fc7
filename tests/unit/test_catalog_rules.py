"""Catalog rules a listener or distributor notices: territories, release dates, codes, loudness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cadenza.domain.audio import Loudness, Quality, ladder_for, release_loudness
from cadenza.domain.catalog import (
    Viewer,
    name_key,
    normalise_isrc,
    normalise_upc,
    release_visible,
)
from cadenza.domain.errors import InvalidDelivery
from cadenza.domain.territories import WORLDWIDE, parse_territories

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def visible(release_at: datetime, territories: tuple[str, ...], viewer: Viewer) -> bool:
    return release_visible(
        release_at=release_at, territories=territories, distributor_id=7, viewer=viewer
    )


def test_a_release_appears_at_its_release_time_not_before() -> None:
    listener = Viewer(country="DE", now=NOW)
    assert not visible(NOW + timedelta(seconds=1), (WORLDWIDE,), listener)
    assert visible(NOW, (WORLDWIDE,), listener)


def test_a_release_is_only_seen_in_its_territories() -> None:
    past = NOW - timedelta(days=1)
    assert visible(past, ("DE", "FR"), Viewer(country="de", now=NOW))
    assert not visible(past, ("DE", "FR"), Viewer(country="US", now=NOW))
    assert not visible(past, ("DE",), Viewer(country=None, now=NOW))


def test_its_distributor_sees_it_early_and_everywhere() -> None:
    distributor = Viewer(country="US", now=NOW, distributor_id=7)
    assert visible(NOW + timedelta(days=30), ("DE",), distributor)
    other = Viewer(country="US", now=NOW, distributor_id=8)
    assert not visible(NOW + timedelta(days=30), ("DE",), other)


def test_territory_codes_are_checked() -> None:
    assert parse_territories(["gb", "US", "US"]) == ("GB", "US")
    assert parse_territories("Worldwide") == (WORLDWIDE,)
    with pytest.raises(InvalidDelivery) as refused:
        parse_territories(["GB", "XX", "ZZ"])
    assert refused.value.code == "unknown_territory"
    assert "XX, ZZ" in refused.value.message


def test_isrc_and_upc_are_normalised_or_refused() -> None:
    assert normalise_isrc("us-rc1-76-07839") == "USRC17607839"
    with pytest.raises(InvalidDelivery, match="ISRC"):
        normalise_isrc("USRC1760783")
    assert normalise_upc(" 0602445790999 ") == "0602445790999"
    with pytest.raises(InvalidDelivery):
        normalise_upc("12345")


def test_names_match_across_case_and_accents() -> None:
    assert name_key("Beyoncé") == name_key("  BEYONCE ")
    assert name_key("Sigur Rós") != name_key("Sigur Ros Band")


def test_lossless_only_when_the_source_was_lossless() -> None:
    assert Quality.LOSSLESS in ladder_for(True)
    assert ladder_for(False) == (Quality.LOW, Quality.NORMAL, Quality.HIGH, Quality.VERY_HIGH)
    assert [q.bitrate_kbps for q in ladder_for(False)] == [24, 96, 160, 320]


def test_normalisation_gain_brings_tracks_to_minus_14_without_clipping() -> None:
    assert Loudness(-8.0, -0.2).gain_db() == -6.0  # loud master turned down
    assert Loudness(-20.0, -9.0).gain_db() == 6.0  # quiet one turned up
    assert Loudness(-20.0, -3.0).gain_db() == 2.0  # but never past -1 dBTP


def test_release_loudness_weights_tracks_by_duration() -> None:
    album = release_loudness([(Loudness(-10.0, -1.0), 100.0), (Loudness(-20.0, -5.0), 100.0)])
    assert album is not None
    assert -13.0 < album.integrated_lufs < -12.0  # energy mean, not the plain mean of -15
    assert album.true_peak_dbtp == -1.0
