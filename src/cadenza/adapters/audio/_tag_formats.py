"""Per-format tag walking for tags.py: ID3 (MP3, WAV, AIFF), Vorbis comments (FLAC, Ogg Vorbis,
Opus) and MP4 atoms, each turned into the same neutral list of (name in the file, field, values)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mutagen.flac import Picture
from mutagen.mp4 import MP4FreeForm

from cadenza.domain.lyrics import from_timed

FRONT_COVER = 3  # picture type in ID3 APIC and FLAC PICTURE


@dataclass
class RawTags:
    """Every text tag as (name as stored, field it feeds or None, values), and every picture."""

    text: list[tuple[str, str | None, list[str]]] = field(default_factory=list)
    pictures: list[tuple[int, bytes]] = field(default_factory=list)  # (picture type, image)
    synced_lyrics: str | None = None  # as LRC
    lyrics: str | None = None


_ID3 = {
    "TIT2": "title", "TPE1": "artist", "TXXX:ARTISTS": "artists", "TALB": "album",
    "TPE2": "album_artist", "TRCK": "track", "TPOS": "disc", "TSRC": "isrc", "TCON": "genre",
    "TDRC": "date", "TPUB": "label", "TXXX:LABEL": "label", "TCOP": "copyright",
    "TXXX:BARCODE": "upc", "TXXX:UPC": "upc", "TXXX:EAN": "upc",
    "TXXX:ITUNESADVISORY": "explicit",
}  # fmt: skip
_VORBIS = {
    "TITLE": "title", "ARTIST": "artist", "ARTISTS": "artists", "ALBUM": "album",
    "ALBUMARTIST": "album_artist", "ALBUM ARTIST": "album_artist", "TRACKNUMBER": "track",
    "DISCNUMBER": "disc", "ISRC": "isrc", "GENRE": "genre", "DATE": "date", "YEAR": "date",
    "LABEL": "label", "ORGANIZATION": "label", "PUBLISHER": "label", "COPYRIGHT": "copyright",
    "BARCODE": "upc", "UPC": "upc", "EAN": "upc", "ITUNESADVISORY": "explicit",
    "EXPLICIT": "explicit",
}  # fmt: skip
_FREEFORM = "----:com.apple.iTunes:"
_MP4 = {
    "\xa9nam": "title", "\xa9ART": "artist", f"{_FREEFORM}ARTISTS": "artists",
    "\xa9alb": "album", "aART": "album_artist", "trkn": "track", "disk": "disc",
    f"{_FREEFORM}ISRC": "isrc", "\xa9gen": "genre", "\xa9day": "date",
    f"{_FREEFORM}LABEL": "label", "\xa9pub": "label", "cprt": "copyright",
    f"{_FREEFORM}BARCODE": "upc", f"{_FREEFORM}UPC": "upc", "rtng": "explicit",
}  # fmt: skip
# Long-form text that may rightly run to pages; never used, so never length-checked.
_LONG_FORM = {
    "USLT", "SYLT", "COMM", "LYRICS", "UNSYNCEDLYRICS", "SYNCEDLYRICS", "COMMENT", "DESCRIPTION",
    "\xa9lyr", "\xa9cmt", "desc", "ldes",
}  # fmt: skip
_VORBIS_LYRICS = ("SYNCEDLYRICS", "LYRICS", "UNSYNCEDLYRICS")  # in the order they are preferred
SYLT_MILLISECONDS = 2  # SYLT's time stamp format: 1 counts MPEG frames, 2 milliseconds


def from_id3(tags: Any) -> RawTags:
    raw = RawTags()
    for frame in tags.values():
        if frame.FrameID == "APIC":
            raw.pictures.append((int(frame.type), bytes(frame.data)))
        elif frame.FrameID == "USLT" and raw.lyrics is None and str(frame.text).strip():
            raw.lyrics = str(frame.text)
        elif frame.FrameID == "SYLT" and raw.synced_lyrics is None:
            raw.synced_lyrics = _sylt(frame)
        elif frame.FrameID not in _LONG_FORM and isinstance(getattr(frame, "text", None), list):
            name = frame.HashKey if frame.FrameID == "TXXX" else frame.FrameID
            values = frame.genres if frame.FrameID == "TCON" else [str(v) for v in frame.text]
            raw.text.append((name, _ID3.get(name.upper()), values))
    return raw


def from_vorbis(comments: list[tuple[str, str]], pictures: list[Picture]) -> RawTags:
    raw = RawTags(pictures=[(int(p.type), bytes(p.data)) for p in pictures])
    grouped: dict[str, list[str]] = {}
    for key, value in comments:
        grouped.setdefault(key.upper(), []).append(value)
    for name, values in grouped.items():
        if name == "METADATA_BLOCK_PICTURE":
            raw.pictures.extend(_block_pictures(values))
        elif name == "COVERART":  # the pre-2010 way: base64 of the bare image
            raw.pictures.extend((FRONT_COVER, _unbase64(v)) for v in values)
        elif name not in _LONG_FORM:
            raw.text.append((name, _VORBIS.get(name), values))
    lyrics = [grouped[name][0] for name in _VORBIS_LYRICS if name in grouped]
    raw.lyrics = next((text for text in lyrics if text.strip()), None)
    return raw


def _sylt(frame: Any) -> str | None:
    """Timed lines as LRC; frame-counted stamps cannot be turned into times and are skipped."""
    if int(frame.format) != SYLT_MILLISECONDS:
        return None
    lyrics = from_timed([(str(text), int(ms)) for text, ms in frame.text])
    return lyrics.stored() if lyrics else None


def _block_pictures(values: list[str]) -> Iterator[tuple[int, bytes]]:
    for value in values:
        try:
            picture = Picture(_unbase64(value))  # type: ignore[no-untyped-call]
        except Exception:  # noqa: S112 - a damaged picture block is skipped, not fatal
            continue
        yield int(picture.type), bytes(picture.data)


def _unbase64(value: str) -> bytes:
    try:
        return base64.b64decode(value)
    except (binascii.Error, ValueError):
        return b""


def from_mp4(tags: Any) -> RawTags:
    raw = RawTags()
    for name, values in tags.items():
        if name == "covr":
            raw.pictures.extend((FRONT_COVER, bytes(v)) for v in values)
        elif name == "\xa9lyr":
            raw.lyrics = next((str(v) for v in values if str(v).strip()), None)
        elif name in ("trkn", "disk"):
            raw.text.append((name, _MP4[name], [str(v[0]) for v in values if v and v[0]]))
        elif name not in _LONG_FORM:
            raw.text.append((name, _MP4.get(name), [_mp4_text(name, v) for v in values]))
    return raw


def _mp4_text(name: str, value: object) -> str:
    if isinstance(value, MP4FreeForm | bytes):
        return bytes(value).decode("utf-8", errors="replace")
    if name == "rtng":  # iTunes content rating: 1 or 4 explicit, 2 clean, 0 not rated
        return {1: "1", 4: "1", 2: "2"}.get(int(str(value)), "")
    return str(value)
