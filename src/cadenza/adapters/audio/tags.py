"""TagReader with mutagen: MP3/WAV/AIFF (ID3), FLAC/Ogg Vorbis/Opus (Vorbis comments and pictures)
and M4A (AAC or ALAC; iTunes atoms).

Multi-valued tags (ID3v2.4 lists, repeated Vorbis fields, MP4 value lists, ARTISTS) give several
artists; single values are never split on '&', ',' or '/': "Simon & Garfunkel" and "AC/DC" are one
artist each. Absurd tags are refused: a text value over `max_tag_chars` (tag_too_long) or a
picture over `max_cover_bytes` (cover_too_large). Lyrics and comments are exempt from the length
limit: they are long by nature. Lyrics come from ID3 SYLT (timed, in milliseconds) or USLT, Vorbis
SYNCEDLYRICS, LYRICS or UNSYNCEDLYRICS, and MP4 \xa9lyr; timed ones win.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC
from mutagen.mp4 import MP4
from mutagen.ogg import OggFileType

from cadenza.adapters.audio._tag_formats import (
    FRONT_COVER,
    RawTags,
    from_id3,
    from_mp4,
    from_vorbis,
)
from cadenza.domain.errors import InvalidDelivery
from cadenza.domain.lyrics import MAX_LYRICS_CHARS
from cadenza.ports.audio import Tags

_log = logging.getLogger(__name__)
_NUMBER = re.compile(r"^\s*0*(\d+)\s*(?:/\s*\d*\s*)?$")  # "3", "03", "3/12"
_TRUE = {"1", "4", "explicit", "true", "yes", "y"}
_FALSE = {"2", "clean", "false", "no", "n"}  # 0 is iTunes for "not rated"


class MutagenTagReader:
    def __init__(self, max_tag_chars: int = 1000, max_cover_bytes: int = 20 * 1024 * 1024) -> None:
        self._max_chars = max_tag_chars
        self._max_cover = max_cover_bytes

    def read(self, path: Path) -> Tags:
        try:
            audio = mutagen.File(path)
        except mutagen.MutagenError as error:  # the probe judges the audio; tags are a bonus
            _log.warning("unreadable tags in %s: %s", path.name, error)
            return Tags()
        raw = _raw(audio)
        self._check(raw, path.name)
        return _build(raw)

    def _check(self, raw: RawTags, file: str) -> None:
        for name, _field, values in raw.text:
            longest = max((len(v) for v in values), default=0)
            if longest > self._max_chars:
                raise InvalidDelivery(
                    f"the {name} tag is {longest} characters long; the limit is {self._max_chars}",
                    code="tag_too_long",
                    file=file,
                )
        for _kind, image in raw.pictures:
            if len(image) > self._max_cover:
                raise InvalidDelivery(
                    f"the embedded picture is {len(image) / 1e6:.0f} MB; the limit is "
                    f"{self._max_cover / 1e6:.0f} MB",
                    code="cover_too_large",
                    file=file,
                )


def _raw(audio: Any) -> RawTags:
    if audio is None:
        return RawTags()
    if isinstance(audio, FLAC):
        comments: Any = audio.tags  # None when the file has pictures but no comments
        return from_vorbis(list(comments or []), audio.pictures)
    if audio.tags is None:
        return RawTags()
    if isinstance(audio, OggFileType):
        return from_vorbis(list(audio.tags), [])
    if isinstance(audio, MP4):
        return from_mp4(audio.tags)
    if hasattr(audio.tags, "getall"):  # ID3, in MP3, WAV or AIFF
        return from_id3(audio.tags)
    return RawTags()


def _build(raw: RawTags) -> Tags:
    fields: dict[str, list[str]] = {}
    for _name, field, values in raw.text:
        cleaned = [v.strip() for v in values if v and v.strip()]
        if field is not None and cleaned and field not in fields:  # first spelling wins
            fields[field] = cleaned

    def first(field: str) -> str | None:
        return fields[field][0] if field in fields else None

    return Tags(
        title=first("title"),
        artists=_unique(fields.get("artists") or fields.get("artist") or []),
        album=first("album"),
        album_artists=_unique(fields.get("album_artist", [])),
        track_number=_number(first("track")),
        disc_number=_number(first("disc")),
        isrc=first("isrc"),
        genres=_unique(fields.get("genre", [])),
        date=first("date"),
        label=first("label"),
        copyright=first("copyright"),
        upc=first("upc"),
        explicit=_explicit(first("explicit")),
        cover=_cover(raw.pictures),
        lyrics=_lyrics(raw),
    )


def _lyrics(raw: RawTags) -> str | None:
    text = raw.synced_lyrics or raw.lyrics
    return text if text and len(text) <= MAX_LYRICS_CHARS else None


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _number(value: str | None) -> int | None:
    match = _NUMBER.match(value or "")
    return (int(match[1]) or None) if match else None


def _explicit(value: str | None) -> bool | None:
    lowered = (value or "").lower()
    return True if lowered in _TRUE else False if lowered in _FALSE else None


def _cover(pictures: list[tuple[int, bytes]]) -> bytes | None:
    images = [(kind, image) for kind, image in pictures if image]
    front = [image for kind, image in images if kind == FRONT_COVER]
    return front[0] if front else images[0][1] if images else None
