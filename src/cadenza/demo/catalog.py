"""Plan the demo catalogue: artists with their sound, releases, tracks, dates, territories."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from cadenza.demo import names
from cadenza.demo.styles import style_names

VARIOUS = "Various Artists"
MP3_SHARE = 0.06  # a few lossy sources; LAME is the slowest part of the build
LIMITED_TERRITORIES = (("US", "CA"), ("GB", "IE", "DE", "FR", "NL"), ("JP",), ("BR", "AR", "MX"))
EXPLICIT_ODDS = {"hip hop": 0.2, "metal": 0.15}
_FIRST_DAY = date(1995, 1, 1)


@dataclass(frozen=True)
class DemoSize:
    artists: int = 30
    releases: int = 60
    tracks: int = 500
    min_seconds: float = 30.0
    max_seconds: float = 240.0
    mean_seconds: float = 34.0  # most tracks short so the whole demo ingests in a few minutes


@dataclass(frozen=True)
class Artist:
    name: str
    styles: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class TrackPlan:
    file: str
    title: str
    artists: tuple[str, ...]
    featured: tuple[str, ...]
    isrc: str
    disc: int
    number: int
    style: str
    seconds: float
    explicit: bool
    seed: int


@dataclass(frozen=True)
class ReleasePlan:
    index: int
    folder: str
    title: str
    artists: tuple[str, ...]
    kind: str
    upc: str
    label: str
    release_date: date
    territories: tuple[str, ...]  # empty means worldwide
    audio: str  # "flac16" | "flac24" | "mp3"
    tracks: tuple[TrackPlan, ...]
    seed: int

    @property
    def genres(self) -> list[str]:
        return list(dict.fromkeys(t.style for t in self.tracks))

    @property
    def explicit(self) -> bool:
        return any(t.explicit for t in self.tracks)

    @property
    def discs(self) -> int:
        return max(t.disc for t in self.tracks)


def safe_name(text: str) -> str:
    """A file or folder name that every common filesystem accepts."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", text).strip(" .") or "_"


def child_seed(*parts: int) -> int:
    return int(np.random.SeedSequence(list(parts)).generate_state(1)[0])


def make_artists(rng: np.random.Generator, count: int) -> list[Artist]:
    labels = [names.label_name(rng) for _ in range(max(2, count // 4))]
    palette = style_names()
    order = rng.permutation(len(palette))
    out: list[Artist] = []
    while len(out) < count:
        name = names.artist_name(rng, len(out), count)
        if name in {a.name for a in out} or name == VARIOUS:
            continue
        primary = palette[int(order[len(out) % len(palette)])]
        extra = rng.choice([s for s in palette if s != primary], int(rng.integers(0, 3)), False)
        label = labels[int(rng.integers(len(labels)))]
        out.append(Artist(name, (primary, *(str(s) for s in extra)), label))
    return out


def track_style(rng: np.random.Generator, artist: Artist) -> str:
    return artist.styles[0] if rng.random() < 0.7 else str(rng.choice(list(artist.styles)))


def unique_titles(rng: np.random.Generator, count: int) -> list[str]:
    seen: dict[str, None] = {}
    while len(seen) < count:
        seen.setdefault(names.title(rng), None)
    return list(seen)


def draw_release_date(rng: np.random.Generator, today: date, future: bool) -> date:
    if future:
        return today + timedelta(days=int(rng.integers(45, 200)))
    span = (today - timedelta(days=30) - _FIRST_DAY).days
    return _FIRST_DAY + timedelta(days=int(rng.integers(0, max(1, span))))


@dataclass(frozen=True)
class Slot:
    """What plan_library decided about one release before its tracks are written out."""

    index: int
    kind: str
    owners: tuple[Artist, ...]
    seconds: list[float]
    day: date
    territories: tuple[str, ...]
    audio: str
    first_track: int
