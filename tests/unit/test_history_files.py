"""History files read as their exporters write them, matched as a listener would expect: case,
accents, "feat." parts and remaster suffixes fold away; a live version, a wrong length or an
unknown song stays unmatched; zip bombs and unexpected files are refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from cadenza.domain.errors import InvalidRequest
from cadenza.domain.history_matching import (
    HistorySource,
    HistoryTooLarge,
    PastPlay,
    artist_keys,
    spotify_uri,
    title_key,
)
from cadenza.ports.history import CatalogTrack
from cadenza.services.history_files import read_history
from cadenza.services.history_matching import CatalogIndex, Matcher

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "history"
SPOTIFY = FIXTURES / "Streaming_History_Audio_2025.json"
LIMIT = 10 * 1024 * 1024

CATALOG = [
    CatalogTrack(
        1, "Bohemian Rhapsody", ("Queen",), 354_000, "GBUM71029604", "A Night at the Opera"
    ),
    CatalogTrack(2, "Love of My Life", ("Queen",), 219_000, None, "A Night at the Opera"),
    CatalogTrack(3, "Déjà Vu", ("Beyoncé",), 240_000, None, "B'Day"),
    CatalogTrack(4, "Hoppípolla", ("Sigur Rós",), 200_000, None, "Takk..."),
    CatalogTrack(5, "The Boxer", ("Simon & Garfunkel",), 300_000, None, "Bridge"),
]


def test_titles_and_artists_fold_their_decorations_away() -> None:
    assert title_key("Bohemian Rhapsody - Remastered 2011") == "bohemian rhapsody"
    assert title_key("Here Comes The Sun - 2009 Remaster") == "here comes the sun"
    assert title_key("Déjà Vu (feat. Jay-Z)") == title_key("DEJA VU") == "deja vu"
    assert title_key("Song [with Someone] (Remastered)") == "song"
    assert title_key("Love of My Life - Live") == "love of my life live"  # another recording
    assert artist_keys("Beyoncé feat. Jay-Z") == ("beyonce",)
    assert artist_keys("Simon & Garfunkel") == ("simon and garfunkel", "simon")
    assert spotify_uri("https://open.spotify.com/track/0pNeVovbiZHkulpGeOx1Gj?si=x") == (
        "spotify:track:0pNeVovbiZHkulpGeOx1Gj"
    )
    assert spotify_uri("spotify:episode:512ojhOuo1ktJprKbVcKyQ") is None


def test_the_spotify_file_leaves_out_podcasts_and_plays_under_30_seconds() -> None:
    found = read_history(SPOTIFY, SPOTIFY.name, LIMIT, 1000)
    assert found.source is HistorySource.SPOTIFY
    assert (len(found.plays), found.skipped) == (9, 2)
    first = found.plays[0]
    assert first.ms_played == 354_000
    assert first.played_at.isoformat() == "2025-03-01T09:59:06+00:00"  # ts is when it stopped
    assert first.spotify_uri == "spotify:track:4u7EnebtmKWzUH433cf5Qv"


def test_listenbrainz_and_lastfm_files_are_read_with_or_without_a_header() -> None:
    listens = read_history(FIXTURES / "listenbrainz_listens.jsonl", "x.jsonl", LIMIT, 1000)
    assert (listens.source, len(listens.plays), listens.skipped) == (
        HistorySource.LISTENBRAINZ,
        4,
        1,
    )
    assert listens.plays[0].isrc == "GBUM71029604"
    assert listens.plays[3].duration_ms == 199_000  # additional_info.duration, in seconds
    plain = read_history(FIXTURES / "lastfm_scrobbles.csv", "scrobbles.csv", LIMIT, 1000)
    assert (plain.source, len(plain.plays), plain.skipped) == (HistorySource.LASTFM, 4, 1)
    headed = read_history(FIXTURES / "lastfm_with_header.csv", "scrobbles.csv", LIMIT, 1000)
    assert [p.title for p in headed.plays] == ["Bohemian Rhapsody", "Hoppípolla"]
    assert headed.plays[0].played_at == plain.plays[0].played_at


def test_only_confident_matches() -> None:
    matcher = Matcher(CatalogIndex.build(CATALOG, {}))

    def match(artist: str, title: str, **more: object) -> int | None:
        return matcher.match(PastPlay(SPOTIFY_AT, artist, title, **more))  # type: ignore[arg-type]

    assert match("Whoever", "Whatever", isrc="GBUM71029604") == 1
    assert match("QUEEN", "Bohemian Rhapsody - Remastered 2011") == 1
    assert match("Beyonce", "Deja Vu (feat. Jay-Z)") == 3
    assert match("Sigur Ros", "Hoppipola") == 4  # a letter short: still confident
    assert match("Simon & Garfunkel", "The Boxer") == 5
    assert match("Queen", "Love of My Life - Live") is None
    assert match("Sigur Rós", "Hoppípolla", duration_ms=500_000) is None  # another length
    assert match("Quiet Riot", "Bohemian Rhapsody") is None
    assert match("Nobody", "Nothing") is None
    assert match("Queen", "Bohemian Rhapsody", spotify_uri="spotify:track:4u7EnebtmKWzUH433cf5Qv")
    assert matcher.learned == {"spotify:track:4u7EnebtmKWzUH433cf5Qv": 1}
    assert match("?", "?", spotify_uri="spotify:track:4u7EnebtmKWzUH433cf5Qv") == 1


def test_a_zip_takes_only_the_expected_names_and_refuses_a_bomb(tmp_path: Path) -> None:
    good = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(SPOTIFY, f"Spotify Extended Streaming History/{SPOTIFY.name}")
        z.writestr("Spotify Extended Streaming History/ReadMeFirst.pdf", b"%PDF")
        z.writestr("Spotify Extended Streaming History/Streaming_History_Video_2025.json", "[]")
    assert len(read_history(good, good.name, LIMIT, 1000).plays) == 9

    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(InvalidRequest) as refused:
        read_history(other, other.name, LIMIT, 1000)
    assert refused.value.code == "no_history_in_zip"

    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Streaming_History_Audio_1.json", "[" + " " * (4 * 1024 * 1024) + "]")
    assert bomb.stat().st_size < 20_000
    with pytest.raises(HistoryTooLarge):
        read_history(bomb, bomb.name, 1024 * 1024, 1000)


def test_files_that_are_not_history_are_refused(tmp_path: Path) -> None:
    for name, content, code in [
        ("a.json", '{"not": "a listen"', "unreadable_history_file"),
        ("a.json", json.dumps([{"name": "x"}]), "unknown_history_format"),
        ("a.bin", "\x00\x01binary", "unknown_history_format"),
    ]:
        path = tmp_path / name
        path.write_text(content)
        with pytest.raises(InvalidRequest) as refused:
            read_history(path, name, LIMIT, 1000)
        assert refused.value.code == code
    with pytest.raises(InvalidRequest) as refused:
        read_history(SPOTIFY, SPOTIFY.name, LIMIT, 5)
    assert refused.value.code == "too_many_plays"


SPOTIFY_AT = read_history(SPOTIFY, SPOTIFY.name, LIMIT, 1000).plays[0].played_at
