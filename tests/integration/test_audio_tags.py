"""Tags read back from every format, as taggers write them; absurd tags refused."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from mutagen import id3
from mutagen.flac import FLAC, Picture
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4FreeForm
from mutagen.oggopus import OggOpus

from cadenza.adapters.audio.tags import MutagenTagReader
from cadenza.domain.errors import InvalidDelivery
from cadenza.ports import Tags
from tests.fixtures.audio import AUDIO_FORMATS, EXTENSIONS, make_audio, make_cover

FULL: dict[str, Any] = {
    "title": "Mrs. Robinson",
    "artists": ["Simon & Garfunkel", "Dave Grusin"],
    "album": "The Graduate",
    "album_artists": ["Simon & Garfunkel"],
    "track_number": 3,
    "track_total": 12,
    "disc_number": 1,
    "disc_total": 2,
    "isrc": "USSM16800379",
    "genres": ["Folk Rock", "Soundtrack"],
    "date": "1968-01-21",
    "label": "Columbia",
    "copyright": "(P) 1968 Columbia Records",
    "upc": "074640303529",
    "explicit": False,
}


def file_for(tmp_path: Path, fmt: str) -> Path:
    return tmp_path / f"song.{EXTENSIONS.get(fmt, fmt)}"


@pytest.mark.parametrize("fmt", AUDIO_FORMATS)
def test_every_field_and_the_cover_round_trip(tmp_path: Path, fmt: str) -> None:
    cover = make_cover((700, 700))
    path = make_audio(file_for(tmp_path, fmt), fmt, seconds=0.5, tags=FULL, cover=cover)
    assert MutagenTagReader().read(path) == Tags(
        title="Mrs. Robinson",
        artists=["Simon & Garfunkel", "Dave Grusin"],
        album="The Graduate",
        album_artists=["Simon & Garfunkel"],
        track_number=3,
        disc_number=1,
        isrc="USSM16800379",
        genres=["Folk Rock", "Soundtrack"],
        date="1968-01-21",
        label="Columbia",
        copyright="(P) 1968 Columbia Records",
        upc="074640303529",
        explicit=False,
        cover=cover,
    )


@pytest.mark.parametrize("fmt", AUDIO_FORMATS)
def test_an_untagged_file_gives_empty_tags(tmp_path: Path, fmt: str) -> None:
    path = make_audio(file_for(tmp_path, fmt), fmt, seconds=0.5)
    assert MutagenTagReader().read(path) == Tags()


def test_names_with_ampersands_commas_and_slashes_are_never_split(tmp_path: Path) -> None:
    path = make_audio(tmp_path / "a.flac", "flac", seconds=0.5)
    flac = FLAC(path)
    flac["ARTIST"] = ["AC/DC", "Earth, Wind & Fire"]
    flac.save()
    assert MutagenTagReader().read(path).artists == ["AC/DC", "Earth, Wind & Fire"]


def test_id3_variants_taggers_write(tmp_path: Path) -> None:
    path = make_audio(tmp_path / "a.mp3", "mp3", seconds=0.5)
    mp3 = MP3(path)  # FFmpeg already wrote an ID3 tag naming itself
    mp3.tags.add(id3.TRCK(encoding=3, text=["07/15"]))
    mp3.tags.add(id3.TCON(encoding=3, text=["(17)"]))  # ID3v1 genre number 17 is Rock
    mp3.tags.add(id3.TXXX(encoding=3, desc="UPC", text=["5099902894225"]))
    mp3.tags.add(id3.TXXX(encoding=3, desc="ITUNESADVISORY", text=["1"]))
    mp3.tags.add(id3.USLT(encoding=3, lang="eng", desc="", text="la " * 2000))  # long is fine
    mp3.save()
    tags = MutagenTagReader().read(path)
    assert (tags.track_number, tags.genres, tags.upc) == (7, ["Rock"], "5099902894225")
    assert tags.explicit is True


def test_vorbis_variants_taggers_write(tmp_path: Path) -> None:
    path = make_audio(tmp_path / "a.opus", "opus", seconds=0.5)
    opus = OggOpus(path)
    opus["ARTIST"] = ["Beyoncé feat. Jay-Z"]
    opus["ARTISTS"] = ["Beyoncé", "Jay-Z"]  # MusicBrainz Picard's list beats the display string
    opus["ORGANIZATION"] = ["Columbia"]
    opus["TRACKNUMBER"] = ["2/9"]
    back = Picture()
    back.type, back.mime, back.data = 4, "image/jpeg", make_cover((10, 10))
    opus["METADATA_BLOCK_PICTURE"] = [base64.b64encode(back.write()).decode()]
    opus.save()
    tags = MutagenTagReader().read(path)
    assert tags.artists == ["Beyoncé", "Jay-Z"]
    assert (tags.label, tags.track_number) == ("Columbia", 2)
    assert tags.cover == back.data  # no front cover: any picture beats none


def test_mp4_content_rating_and_freeform_atoms(tmp_path: Path) -> None:
    path = make_audio(tmp_path / "a.m4a", "alac", seconds=0.5)
    mp4 = MP4(path)
    mp4["rtng"] = [4]
    mp4["----:com.apple.iTunes:UPC"] = [MP4FreeForm(b"123456789012")]
    mp4.save()
    tags = MutagenTagReader().read(path)
    assert (tags.explicit, tags.upc) == (True, "123456789012")


@pytest.mark.parametrize(("fmt", "tag"), [("mp3", "TIT2"), ("flac", "TITLE"), ("m4a", "©nam")])
def test_a_tag_over_the_length_limit_is_refused_naming_it(
    tmp_path: Path, fmt: str, tag: str
) -> None:
    path = make_audio(file_for(tmp_path, fmt), fmt, seconds=0.5, tags={"title": "x" * 1001})
    with pytest.raises(InvalidDelivery) as refused:
        MutagenTagReader().read(path)
    assert refused.value.code == "tag_too_long"
    assert refused.value.file == path.name
    assert tag in refused.value.message
    assert MutagenTagReader(max_tag_chars=2000).read(path).title == "x" * 1001


def test_an_embedded_cover_over_20_mb_is_refused(tmp_path: Path) -> None:
    huge = make_cover((16, 16)) + bytes(21 * 1024 * 1024)
    path = make_audio(tmp_path / "a.mp3", "mp3", seconds=0.5, cover=huge)
    with pytest.raises(InvalidDelivery) as refused:
        MutagenTagReader().read(path)
    assert refused.value.code == "cover_too_large"
    assert refused.value.file == "a.mp3"
