"""Past plays brought from elsewhere (a Spotify export, ListenBrainz, Last.fm, a scrobbling app)
and the rules that tie one to a track of the catalog: the same ISRC or Spotify URI, or the
same artist and title once both are folded (case, accents, "feat." parts, remaster suffixes),
with a close duration where both are known. Only confident matches become history.

These plays are the listener's history (recommendations, Your year, Only You, recently played),
never counted streams: royalties, artists' statistics and charts never read them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cadenza.domain.errors import CadenzaError

MIN_HEARD_MS = 30_000  # a Spotify row played for less is not history (as a play here)
DURATION_SLACK_MS = 10_000  # a match's durations may differ this much (edits, silences)
CONFIDENT = 90.0  # the least fuzzy score (0-100) of artist and of title for a match
TOP_UNMATCHED = 20  # the report's most played unmatched artist/title pairs


class HistorySource(StrEnum):
    """Where an imported play came from."""

    SPOTIFY = "spotify"
    LISTENBRAINZ = "listenbrainz"
    LASTFM = "lastfm"
    SCROBBLE = "scrobble"  # sent by a scrobbling app to /1/submit-listens


@dataclass(frozen=True)
class PastPlay:
    """One play as the file told it, before matching."""

    played_at: datetime  # when it started (UTC)
    artist: str
    title: str
    album: str = ""
    ms_played: int | None = None  # how long it was heard, where the file says
    duration_ms: int | None = None  # the recording's length, where the file says
    isrc: str | None = None
    spotify_uri: str | None = None  # spotify:track:ID


@dataclass(frozen=True)
class ImportReport:
    total: int  # plays read from the file (after the rows that are not music, or too short)
    matched: int
    unmatched: int
    skipped: int  # rows left out before matching: podcasts, under 30 s, no artist or title
    added: int  # matched plays new to the history (a play imported before is not added twice)
    top_unmatched: list[tuple[str, str, int]]  # (artist, title, plays)


_FEAT = re.compile(
    r"\s*[\(\[]\s*(feat\.?|ft\.?|featuring|with)\s[^\)\]]*[\)\]]"  # (feat. X), [with Y]
    r"|\s+(feat\.?|ft\.?|featuring)\s.*$",  # trailing feat. X
    re.IGNORECASE,
)
_VERSION = re.compile(
    r"\s*(-\s*|[\(\[]\s*)"
    r"(\d{4}\s+)?(digital(ly)?\s+)?(remaster(ed)?|re-?master(ed)?)(\s+(version|\d{4}))?"
    r"(\s+\d{4})?(\s+version)?\s*[\)\]]?\s*$",
    re.IGNORECASE,
)
_NON_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Case and accents away, punctuation to spaces: "Beyoncé" and "BEYONCE" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("&", " and ").replace("ø", "o").replace("æ", "ae").replace("ß", "ss")
    return " ".join(_NON_WORD.sub(" ", plain).split())


def title_key(title: str) -> str:
    """A title without its "feat." part or remaster suffix, folded."""
    previous = None
    while previous != title:  # "Song (feat. X) - Remastered 2011": both go
        previous = title
        title = _VERSION.sub("", _FEAT.sub("", title))
    return fold(title)


def artist_key(artist: str) -> str:
    """The first credited artist, folded: "A feat. B", "A, B" and "A & B" start with A."""
    first = _FEAT.sub("", artist)
    for separator in (", ", " x ", " & ", " and ", "; ", " / "):
        if separator in first and len(first.split(separator)[0].strip()) > 1:
            first = first.split(separator)[0]
            break
    return fold(first)


def artist_keys(artist: str) -> tuple[str, ...]:
    """The names a credit may be found under: whole ("Simon & Garfunkel", "feat." parts gone),
    then its first artist ("Simon"), folded."""
    return tuple(k for k in dict.fromkeys((fold(_FEAT.sub("", artist)), artist_key(artist))) if k)


def durations_agree(a: int | None, b: int | None) -> bool:
    """Whether two lengths may be one recording's (unknown agrees with anything)."""
    return a is None or b is None or a <= 0 or b <= 0 or abs(a - b) <= DURATION_SLACK_MS


def spotify_uri(value: str | None) -> str | None:
    """`spotify:track:ID` from a URI, an open.spotify.com link or a bare 22-character id."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("spotify:track:"):
        ident = value.removeprefix("spotify:track:")
    elif "open.spotify.com/track/" in value:
        ident = value.split("open.spotify.com/track/", 1)[1].split("?", 1)[0].split("/", 1)[0]
    else:
        ident = value
    return f"spotify:track:{ident}" if re.fullmatch(r"[0-9A-Za-z]{22}", ident) else None


def isrc(value: str | None) -> str | None:
    """An ISRC as the catalog keeps it (12 characters, upper case, no dashes), or None."""
    if not value:
        return None
    code = value.replace("-", "").strip().upper()
    return code if re.fullmatch(r"[A-Z]{2}[A-Z0-9]{3}\d{7}", code) else None


class HistoryTooLarge(CadenzaError):
    """An upload, or a zip's contents once expanded, over the operator's limit."""

    code = "history_too_large"
    status = 413
