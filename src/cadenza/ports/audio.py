"""Audio files: what a decoder finds, tags, transcoding and cover art."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from cadenza.domain.audio import Loudness, Quality


@dataclass(frozen=True)
class AudioInfo:
    """What a decoder found in a file, before any transcoding."""

    container: str
    codec: str
    sample_rate: int
    channels: int
    bits_per_sample: int | None
    duration_s: float
    lossless: bool


@dataclass
class Tags:
    """Tags read from an audio file. Empty fields mean 'not tagged'."""

    title: str | None = None
    artists: list[str] = field(default_factory=list)
    album: str | None = None
    album_artists: list[str] = field(default_factory=list)
    track_number: int | None = None
    disc_number: int | None = None
    isrc: str | None = None
    genres: list[str] = field(default_factory=list)
    date: str | None = None
    label: str | None = None
    copyright: str | None = None
    upc: str | None = None
    explicit: bool | None = None
    cover: bytes | None = None
    lyrics: str | None = None  # LRC when the file holds timed lyrics, else plain text


@dataclass(frozen=True)
class EncodedFile:
    quality: Quality
    path: Path
    bitrate_kbps: int | None


@dataclass(frozen=True)
class TranscodeResult:
    files: tuple[EncodedFile, ...]
    loudness: Loudness
    duration_s: float
    tempo_bpm: float | None = None  # None: too short, or no clear pulse


@dataclass(frozen=True)
class CoverImages:
    """A cover as stored: the original's size, and a JPEG per square size in pixels."""

    width: int
    height: int
    sizes: dict[int, bytes]


class AudioProbe(Protocol):
    def probe(self, path: Path) -> AudioInfo:
        """Decode the whole file once; raise InvalidDelivery naming the reason if it is not audio."""
        ...


class TagReader(Protocol):
    def read(self, path: Path) -> Tags: ...


class Transcoder(Protocol):
    def transcode(
        self, source: Path, qualities: Sequence[Quality], out_dir: Path
    ) -> TranscodeResult:
        """Decode once, measure loudness, encode every quality; bounded memory."""
        ...


class CoverArt(Protocol):
    def prepare(self, image: bytes, *, min_px: int) -> CoverImages: ...

    def placeholder(self, title: str, artist: str) -> bytes: ...
