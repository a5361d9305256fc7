"""Cadenza for Artists: claiming an artist profile, the page an artist edits, and pitches of
unreleased tracks to the editors. Pure rules: what is accepted, what each party may see."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cadenza.domain.errors import Conflict, InvalidRequest

MAX_BIO = 1500
MAX_PICK_NOTE = 200
MAX_CLAIM_MESSAGE = 1000
MAX_DECISION_NOTE = 500
MAX_PENDING_CLAIMS = 5  # per account: claims wait for a person, so they are not free
PITCH_LEAD = timedelta(days=7)  # a pitch reaches the editors at least this long before release
MAX_GENRES = 3
MAX_MOODS = 5
MAX_TAG = 40
MIN_STORY = 20
MAX_STORY = 500
MAX_IMAGE_BYTES = 10 * 1024 * 1024
AVATAR_PX = 320
HEADER_SIZE = (1500, 500)

# Control characters (but the newline), and the bidirectional overrides that make text read
# other than it is stored.
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_TAG = re.compile(r"<[^>]{0,200}>")
_BLANK_LINES = re.compile(r"\n{3,}")


class ClaimStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class PitchStatus(StrEnum):
    PENDING = "pending"  # waiting for an editor
    REVIEWED = "reviewed"  # an editor listened: playlisted or not, they are done


@dataclass(frozen=True)
class Claim:
    id: int
    artist_id: int
    artist_name: str
    account_id: int
    account_name: str
    status: ClaimStatus
    message: str
    created_at: datetime
    decided_at: datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class ArtistPage:
    """What the artist wrote and uploaded; an artist nobody edited has the empty page."""

    artist_id: int
    bio: str = ""
    avatar: str | None = None  # blob digests of the resized JPEGs
    header: str | None = None
    pick_release_id: int | None = None
    pick_track_id: int | None = None
    pick_note: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class PitchDraft:
    track_id: int
    genres: tuple[str, ...]
    moods: tuple[str, ...]
    story: str


@dataclass(frozen=True)
class Pitch:
    id: int
    release_id: int
    release_title: str
    release_at: datetime
    distributor_id: int
    track_id: int
    track_title: str
    artists: tuple[str, ...]
    pitched_by: str
    genres: tuple[str, ...]
    moods: tuple[str, ...]
    story: str
    status: PitchStatus
    created_at: datetime
    playlisted_in: tuple[tuple[int, str], ...] = ()  # editorial playlists: (id, name)


@dataclass(frozen=True)
class ComingRelease:
    """A distributor's release not out yet, as its pitch list shows it."""

    release_id: int
    title: str
    release_at: datetime
    delivered_at: datetime
    pitch: Pitch | None = None


def clean_text(text: str, limit: int, what: str) -> str:
    """Text shown to everyone: NFC, no control or direction-override characters, no markup
    tags, at most two blank lines in a row, trimmed; refused when longer than `limit`."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _TAG.sub("", _UNSAFE.sub("", text))
    text = _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in text.split("\n")))
    text = text.strip()
    if len(text) > limit:
        raise InvalidRequest(
            f"the {what} is {len(text)} characters; at most {limit}",
            code=f"{what.replace(' ', '_')}_too_long",
        )
    return text


def check_tags(tags: list[str], most: int, what: str, *, at_least: int = 0) -> tuple[str, ...]:
    """Each tag once (whatever its case: the first spelling stays), blanks dropped."""
    kept: dict[str, str] = {}
    for tag in tags:
        text = clean_text(tag, MAX_TAG, what)
        if text:
            kept.setdefault(text.casefold(), text)
    cleaned = tuple(kept.values())
    if len(cleaned) < at_least:
        raise InvalidRequest(f"give at least {at_least} {what}", code=f"no_{what}")
    if len(cleaned) > most:
        raise InvalidRequest(f"at most {most} {what}", code=f"too_many_{what}")
    return cleaned


def check_pitch(draft: PitchDraft) -> PitchDraft:
    story = clean_text(draft.story, MAX_STORY, "story")
    if len(story) < MIN_STORY:
        raise InvalidRequest(
            f"tell the editors about the song in at least {MIN_STORY} characters",
            code="story_too_short",
        )
    return PitchDraft(
        draft.track_id,
        check_tags(list(draft.genres), MAX_GENRES, "genres", at_least=1),
        check_tags(list(draft.moods), MAX_MOODS, "moods"),
        story,
    )


def may_pitch(release_at: datetime, delivered_at: datetime, now: datetime) -> bool:
    """Whether check_pitch_time lets a pitch through now."""
    try:
        check_pitch_time(release_at, delivered_at, now)
    except Conflict:
        return False
    return True


def check_pitch_time(release_at: datetime, delivered_at: datetime, now: datetime) -> None:
    """A release is pitched before it is out, delivered and pitched at least PITCH_LEAD ahead
    of its release date (the editors need the week)."""
    if release_at <= now:
        raise Conflict(
            "this release is out already: only unreleased music is pitched", code="already_released"
        )
    if release_at - delivered_at < PITCH_LEAD or release_at - now < PITCH_LEAD:
        raise Conflict(
            f"pitch at least {PITCH_LEAD.days} days before the release date, on a release "
            f"delivered that early",
            code="pitch_too_late",
        )
