"""Playlist rules: who reads and edits, limits, and how tracks are added, removed and moved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadenza.domain.catalog import Viewer
from cadenza.domain.collection import (
    Availability,
    ItemKind,
    LibraryItem,
    LibrarySort,
    TrackFacts,
    arrange,
    availability,
)
from cadenza.domain.errors import CadenzaError
from cadenza.domain.playlists import (
    MAX_TRACKS,
    Playlist,
    PlaylistAccess,
    can_edit,
    can_read,
    check_description,
    check_flags,
    check_name,
    check_snapshot,
    insert,
    move,
    move_shift,
    remove,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def playlist(**changes: object) -> Playlist:
    fields: dict[str, object] = {
        "id": 7,
        "owner_id": 1,
        "owner_name": "Ada",
        "name": "Road trip",
        "description": "",
        "public": False,
        "collaborative": False,
        "version": 3,
        "total": 0,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Playlist(**(fields | changes))  # type: ignore[arg-type]


def code_of(call: Callable[[], object]) -> str:
    with pytest.raises(CadenzaError) as raised:
        call()
    return raised.value.code


def test_a_private_playlist_is_for_its_owner_and_those_it_was_shared_with() -> None:
    private = playlist()
    assert can_read(private, 1, PlaylistAccess())
    assert not can_read(private, 2, PlaylistAccess())
    assert not can_read(private, None, PlaylistAccess())
    assert can_read(private, 2, PlaylistAccess(following=True, invited=True))
    # Following it while it was public is not an invite: private shuts that follower out.
    assert not can_read(private, 2, PlaylistAccess(following=True))
    assert can_read(playlist(public=True), None, PlaylistAccess())


def test_collaborators_edit_only_while_the_playlist_is_collaborative() -> None:
    invited = PlaylistAccess(following=True, collaborator=True)
    assert can_edit(playlist(collaborative=True), 2, invited)
    assert not can_edit(playlist(collaborative=False), 2, invited)
    assert not can_edit(playlist(public=True), 2, PlaylistAccess(following=True))
    assert can_edit(playlist(), 1, PlaylistAccess())
    assert not can_edit(playlist(public=True), None, PlaylistAccess())


def test_names_descriptions_and_flags_have_limits_with_stable_codes() -> None:
    assert check_name("  Road   trip ") == "Road trip"
    assert code_of(lambda: check_name("   ")) == "playlist_name_required"
    assert code_of(lambda: check_name("x" * 101)) == "playlist_name_too_long"
    assert code_of(lambda: check_description("x" * 301)) == "playlist_description_too_long"
    assert code_of(lambda: check_flags(True, True)) == "collaborative_playlist_public"
    check_flags(False, True)


def test_a_stale_snapshot_is_a_conflict() -> None:
    current = playlist(version=3)
    check_snapshot(current, current.snapshot_id)
    check_snapshot(current, None)
    assert code_of(lambda: check_snapshot(current, "7-2")) == "snapshot_stale"


def test_tracks_go_in_at_a_position_up_to_the_limit() -> None:
    assert insert(["a", "b"], ["x", "y"], 1) == ["a", "x", "y", "b"]
    assert insert(["a", "b"], ["x"], None) == ["a", "b", "x"]
    assert insert([], ["x"], 0) == ["x"]
    assert code_of(lambda: insert(["a"], ["x"], 2)) == "position_out_of_range"
    assert code_of(lambda: insert(["a"] * MAX_TRACKS, ["x"], None)) == "playlist_full"
    assert code_of(lambda: insert(["a"], [], None)) == "no_tracks"


def test_removing_by_position_takes_one_of_a_duplicated_track() -> None:
    entries = ["e0", "e1", "e2", "e3"]
    tracks = {0: 10, 1: 20, 2: 10, 3: 30}
    assert remove(entries, tracks, [(10, 2)]) == ["e0", "e1", "e3"]
    assert remove(entries, tracks, [(10, None)]) == ["e1", "e3"]
    assert remove(entries, tracks, [(20, 1), (30, 3)]) == ["e0", "e2"]
    assert code_of(lambda: remove(entries, tracks, [(20, 2)])) == "track_not_at_position"


@pytest.mark.parametrize(
    ("start", "length", "before", "expected"),
    [
        (0, 1, 3, "BCAD"),  # the first to before the last
        (0, 1, 4, "BCDA"),  # to the end
        (3, 1, 0, "DABC"),  # the last to the top
        (1, 2, 0, "BCAD"),  # a range up
        (0, 2, 4, "CDAB"),  # a range down to the end
        (1, 2, 1, "ABCD"),  # into itself: nothing moves
        (1, 2, 3, "ABCD"),
    ],
)
def test_reordering_moves_a_range_before_a_position(
    start: int, length: int, before: int, expected: str
) -> None:
    assert "".join(move(list("ABCD"), start, length, before)) == expected


def test_reordering_outside_the_playlist_is_refused() -> None:
    assert code_of(lambda: move(list("ABC"), 2, 2, 0)) == "range_out_of_range"
    assert code_of(lambda: move(list("ABC"), 0, 1, 4)) == "position_out_of_range"
    assert code_of(lambda: move(list("ABC"), 0, 0, 2)) == "range_out_of_range"


def test_a_track_shows_as_the_viewer_may_see_it() -> None:
    out = TrackFacts(NOW - timedelta(days=1), ("GB",), explicit=False, distributor_id=5)
    later = TrackFacts(NOW + timedelta(days=1), ("WORLDWIDE",), explicit=False, distributor_id=5)
    rude = TrackFacts(NOW - timedelta(days=1), ("WORLDWIDE",), explicit=True, distributor_id=5)
    british, french = Viewer("GB", NOW), Viewer("FR", NOW)
    assert availability(out, british) is Availability.PLAYABLE
    assert availability(out, french) is Availability.NOT_IN_COUNTRY
    assert availability(later, british) is Availability.UNAVAILABLE
    assert not Availability.UNAVAILABLE.shows_metadata
    assert availability(None, british) is Availability.UNAVAILABLE
    filtered = Viewer("GB", NOW, allow_explicit=False)
    assert availability(rude, filtered) is Availability.EXPLICIT_FILTERED
    assert availability(later, Viewer(None, NOW, distributor_id=5)) is Availability.PLAYABLE
    gone = TrackFacts(NOW - timedelta(days=1), ("GB",), False, distributor_id=5, taken_down=True)
    assert availability(gone, british) is Availability.UNAVAILABLE
    assert availability(gone, Viewer("GB", NOW, distributor_id=5)) is Availability.PLAYABLE


def test_your_library_sorts_and_filters() -> None:
    items = [
        LibraryItem(ItemKind.PLAYLIST, 1, "zebra songs", "Ada", NOW - timedelta(days=2)),
        LibraryItem(ItemKind.RELEASE, 2, "Abbey Road", "The Beatles", NOW - timedelta(days=1)),
        LibraryItem(ItemKind.ARTIST, 3, "Miles Davis", None, NOW),
    ]
    names = lambda found: [i.name for i in found]  # noqa: E731
    assert names(arrange(items, LibrarySort.RECENT)) == ["Miles Davis", "Abbey Road", "zebra songs"]
    assert names(arrange(items, LibrarySort.ALPHABETICAL)) == [
        "Abbey Road",
        "Miles Davis",
        "zebra songs",
    ]
    assert names(arrange(items, LibrarySort.CREATOR)) == [
        "zebra songs",
        "Miles Davis",
        "Abbey Road",
    ]
    assert names(arrange(items, LibrarySort.RECENT, ItemKind.RELEASE)) == ["Abbey Road"]
    assert names(arrange(items, LibrarySort.RECENT, text="beatles")) == ["Abbey Road"]
    assert names(arrange(items, LibrarySort.RECENT, text="  MILES ")) == ["Miles Davis"]


@given(
    size=st.integers(1, 30),
    data=st.data(),
)
def test_a_reorder_as_one_shift_matches_cutting_and_pasting(size: int, data: st.DataObject) -> None:
    entries = list(range(size))
    start = data.draw(st.integers(0, size - 1))
    length = data.draw(st.integers(1, size - start))
    before = data.draw(st.integers(0, size))
    moving = entries[start : start + length]
    rest = entries[:start] + entries[start + length :]
    at = before if before < start else max(before - length, start)
    expected = [*rest[:at], *moving, *rest[at:]]
    assert move(entries, start, length, before) == expected
    shift = move_shift(size, start, length, before)
    if shift is not None:  # the statement's new positions are 0..size-1 again
        assert sorted(shift.new_position(i) for i in entries) == entries
