"""The pure rules of Cadenza for Artists: text shown to everyone, and when a pitch is on time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cadenza.domain.artists import PitchDraft, check_pitch, check_pitch_time, clean_text
from cadenza.domain.errors import Conflict, InvalidRequest

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_text_loses_markup_controls_and_direction_overrides_and_keeps_its_lines() -> None:
    raw = "\u202eevil\u202c <img src=x onerror=alert(1)>Hi\r\n\r\n\r\n\r\nthere\x07  "
    assert clean_text(raw, 100, "bio") == "evil Hi\n\nthere"
    assert clean_text("Cafe\u0301", 100, "bio") == "Café"  # one form of each letter (NFC)
    with pytest.raises(InvalidRequest) as long:
        clean_text("x" * 101, 100, "bio")
    assert long.value.code == "bio_too_long"


@pytest.mark.parametrize(
    ("release_in", "delivered_before", "pitched_after", "code"),
    [
        (timedelta(days=10), timedelta(days=0), timedelta(0), None),
        (timedelta(days=7), timedelta(days=0), timedelta(0), None),  # exactly a week: on time
        (timedelta(days=6, hours=23), timedelta(days=0), timedelta(0), "pitch_too_late"),
        (timedelta(days=10), timedelta(days=0), timedelta(days=4), "pitch_too_late"),
        (timedelta(days=0), timedelta(days=30), timedelta(0), "already_released"),
        (-timedelta(days=1), timedelta(days=30), timedelta(0), "already_released"),
    ],
)
def test_a_pitch_comes_a_week_before_the_release_date(
    release_in: timedelta, delivered_before: timedelta, pitched_after: timedelta, code: str | None
) -> None:
    release_at, delivered = NOW + release_in, NOW - delivered_before
    if code is None:
        check_pitch_time(release_at, delivered, NOW + pitched_after)
        return
    with pytest.raises(Conflict) as refused:
        check_pitch_time(release_at, delivered, NOW + pitched_after)
    assert refused.value.code == code


def test_a_pitch_has_one_to_three_genres_few_moods_and_a_real_story() -> None:
    story = "A song about the last train home, written on it."
    made = check_pitch(PitchDraft(1, ("Synthpop", "synthpop ", " "), ("<b>calm</b>",), story))
    assert (made.genres, made.moods) == (("Synthpop",), ("calm",))  # each once, any case
    for genres, moods, text, code in (
        ((), (), story, "no_genres"),
        (("a", "b", "c", "d"), (), story, "too_many_genres"),
        (("a",), tuple("abcdef"), story, "too_many_moods"),
        (("a",), (), "too short", "story_too_short"),
        (("g" * 41,), (), story, "genres_too_long"),
    ):
        with pytest.raises(InvalidRequest) as refused:
            check_pitch(PitchDraft(1, genres, moods, text))
        assert refused.value.code == code
