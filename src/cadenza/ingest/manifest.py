"""`release.json`: what a distributor states about a release, checked field by field."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cadenza.domain.catalog import ReleaseType, normalise_isrc, normalise_upc
from cadenza.domain.errors import InvalidDelivery
from cadenza.domain.lyrics import MAX_LYRICS_CHARS, Lyrics, parse_lyrics
from cadenza.domain.territories import parse_territories

MAX_MANIFEST_BYTES = 1 << 20
RELEASE_FIELDS = frozenset(
    "title artists type upc label release_date territories explicit premium_only copyright genres tracks".split()  # noqa: SIM905
)
TRACK_FIELDS = frozenset(
    "file title artists featured_artists isrc disc number genres explicit lyrics".split()  # noqa: SIM905
)
MAX_POSITION = 999


@dataclass
class TrackEntry:
    file: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Manifest:
    """Release fields present in release.json (absent ones are filled from tags)."""

    release: dict[str, Any] = field(default_factory=dict)
    tracks: list[TrackEntry] = field(default_factory=list)


def read_manifest(path: Path, max_chars: int) -> Manifest:
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise _bad(path, "release.json is over 1 MB", "manifest_too_large")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(path, f"release.json is not valid JSON: {exc}", "manifest_invalid") from exc
    if not isinstance(data, dict):
        raise _bad(path, "release.json must hold an object", "manifest_invalid")
    _known_only(path, data, RELEASE_FIELDS, "release")
    release = {k: _field(path, k, v, max_chars) for k, v in data.items() if k != "tracks"}
    tracks = data.get("tracks") or []
    if not isinstance(tracks, list) or not all(isinstance(t, dict) and "file" in t for t in tracks):
        raise _bad(path, "tracks must be a list of objects with a 'file'", "manifest_invalid")
    for track in tracks:
        _known_only(path, track, TRACK_FIELDS, f"track {track.get('file')!r}")
    entries = [
        TrackEntry(str(t["file"]), {k: _field(path, k, v, max_chars) for k, v in t.items()})
        for t in tracks
    ]
    return Manifest(release=release, tracks=entries)


def _field(path: Path, key: str, value: Any, max_chars: int) -> Any:
    try:
        return _parse(key, value, max_chars)
    except InvalidDelivery as exc:
        exc.file = path.name
        raise
    except (TypeError, ValueError, OverflowError) as exc:
        raise _bad(path, f"{key}: {exc}", "manifest_invalid") from exc


def _parse(key: str, value: Any, max_chars: int) -> Any:
    if key in {"artists", "featured_artists", "genres", "copyright"}:
        items = [value] if isinstance(value, str) else list(value)
        return [_text(key, v, max_chars) for v in items]
    if key == "isrc":
        return normalise_isrc(str(value))
    if key == "upc":
        return normalise_upc(str(value))
    if key == "territories":
        return parse_territories(value)
    if key == "type":
        return ReleaseType(str(value).lower())
    if key == "release_date":
        return parse_release_date(str(value))
    if key in {"explicit", "premium_only"}:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if key == "lyrics":
        return _lyrics(value)
    if key in {"disc", "number"}:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_POSITION:
            raise ValueError(f"must be a whole number from 1 to {MAX_POSITION}")
        return value
    return _text(key, value, max_chars)


def _lyrics(value: Any) -> Lyrics | None:
    """A track's lyrics: plain text, or LRC with [mm:ss.xx] stamps for lines timed to the audio."""
    if not isinstance(value, str):
        raise ValueError("must be text: plain lines, or LRC")
    if len(value) > MAX_LYRICS_CHARS:
        raise InvalidDelivery(
            f"lyrics are {len(value)} characters long; at most {MAX_LYRICS_CHARS} are accepted",
            code="lyrics_too_long",
        )
    return parse_lyrics(value)


def _known_only(path: Path, data: dict[str, Any], known: frozenset[str], where: str) -> None:
    """A misspelt key (say "release-date") must not silently publish a release early."""
    unknown = sorted(set(data) - known)
    if unknown:
        raise _bad(
            path,
            f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}",
            "manifest_invalid",
        )


def _text(key: str, value: Any, max_chars: int) -> str:
    text = str(value).strip()
    if len(text) > max_chars:
        raise InvalidDelivery(
            f"{key} is {len(text)} characters long; at most {max_chars} are accepted",
            code="tag_too_long",
        )
    return text


def parse_release_date(text: str) -> datetime:
    """ISO date or date-time; a bare date means midnight UTC; a year means 1 January."""
    raw = text.strip()
    if len(raw) == 4 and raw.isdigit():
        raw = f"{raw}-01-01"
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _bad(path: Path, message: str, code: str) -> InvalidDelivery:
    return InvalidDelivery(message, code=code, file=path.name)
