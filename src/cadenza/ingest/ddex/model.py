"""What a DDEX message says, independent of its ERN version."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class MessageError:
    """One thing wrong with a message: in which file, where (XPath), and what."""

    file: str
    xpath: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"file": self.file, "xpath": self.xpath, "message": self.message}


class MessageRefused(Exception):
    def __init__(self, errors: list[MessageError]) -> None:
        super().__init__("; ".join(f"{e.file} {e.xpath}: {e.message}" for e in errors[:5]))
        self.errors = errors


@dataclass(frozen=True)
class ResourceFile:
    """A file the message names, relative to the message's folder, with its stated hash."""

    path: str
    xpath: str
    hash_algorithm: str | None = None
    hash_value: str | None = None


@dataclass
class Recording:
    reference: str
    title: str
    isrc: str | None = None
    artists: list[str] = field(default_factory=list)
    featured: list[str] = field(default_factory=list)
    duration_ms: int | None = None
    p_line: str | None = None
    genres: list[str] = field(default_factory=list)
    explicit: bool = False
    file: ResourceFile | None = None


@dataclass
class Deal:
    territories: tuple[str, ...]  # ISO codes or WORLDWIDE
    excluded: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    models: frozenset[str] = frozenset()  # CommercialModelType
    uses: frozenset[str] = frozenset()  # UseType
    takedown: bool = False  # ERN 3's DealTerms/TakeDown: the deal withdraws the release


@dataclass
class TrackRef:
    reference: str
    disc: int
    number: int


@dataclass
class Release:
    reference: str
    title: str
    icpn: str | None = None
    grid: str | None = None
    proprietary: str | None = None
    release_type: str | None = None
    artists: list[str] = field(default_factory=list)
    label: str | None = None
    release_date: date | None = None
    genres: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # P-line, C-line
    explicit: bool = False
    tracks: list[TrackRef] = field(default_factory=list)
    image: str | None = None  # the front cover's resource reference


@dataclass
class Message:
    file: str
    version: str  # "4.3" | "3.8.2"
    kind: str  # "new" | "purge"
    message_id: str
    created: datetime | None
    release: Release | None = None  # the main release of a NewReleaseMessage
    recordings: dict[str, Recording] = field(default_factory=dict)
    images: dict[str, ResourceFile] = field(default_factory=dict)
    deals: list[Deal] = field(default_factory=list)  # on the main release or its tracks
    release_keys: list[str] = field(default_factory=list)  # ids naming the release (purge too)
