"""Reading a history file someone brought: a Spotify "extended streaming history" (the zip or
its `Streaming_History_Audio_*.json` files), a ListenBrainz export (JSON lines, or its zip) or a
Last.fm scrobble CSV (with or without a header row). Each becomes a list of `PastPlay`.

A zip is opened only for the expected names (everything else in it is ignored), and its entries
are read against a limit on what they expand to, counted as they are read rather than trusted
from the zip's directory, so a zip bomb is refused after at most `max_expanded` bytes."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cadenza.domain.errors import InvalidRequest
from cadenza.domain.history_matching import (
    MIN_HEARD_MS,
    HistorySource,
    HistoryTooLarge,
    PastPlay,
    isrc,
    spotify_uri,
)

SPOTIFY_NAME = re.compile(r"(^|/)Streaming_History_Audio_[^/]*\.json$")
LISTENBRAINZ_NAME = re.compile(r"(^|/)[^/]*\.jsonl$")
LASTFM_NAME = re.compile(r"(^|/)[^/]*\.csv$")
MAX_ZIP_ENTRIES = 10_000
CHUNK = 1024 * 1024
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # before this a timestamp is a mistake


@dataclass
class HistoryFile:
    source: HistorySource
    plays: list[PastPlay] = field(default_factory=list)
    skipped: int = 0  # podcasts, plays under 30 s, rows without artist, title or time


def read_history(path: Path, name: str, max_expanded: int, max_plays: int) -> HistoryFile:
    """The plays in an uploaded file (its `name` as uploaded helps tell a CSV); 422 with a stable
    code for a file that is none of the three, 413 for one that expands too far."""
    with path.open("rb") as raw:
        magic = raw.read(4)
    if magic == b"PK\x03\x04":
        return _from_zip(path, max_expanded, max_plays)
    if path.stat().st_size > max_expanded:
        raise HistoryTooLarge(f"the file is over {max_expanded} bytes", code="history_too_large")
    return _from_bytes(path.read_bytes(), name, max_plays)


def _from_zip(path: Path, max_expanded: int, max_plays: int) -> HistoryFile:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidRequest("the zip cannot be read", code="unreadable_history_file") from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise InvalidRequest("the zip holds too many files", code="unreadable_history_file")
        names = [e.filename for e in entries if not e.is_dir()]
        for pattern in (SPOTIFY_NAME, LISTENBRAINZ_NAME, LASTFM_NAME):
            wanted = sorted(n for n in names if pattern.search(n))
            if wanted:
                break
        else:
            raise InvalidRequest(
                "the zip holds no Streaming_History_Audio_*.json, *.jsonl or *.csv file",
                code="no_history_in_zip",
            )
        declared = sum(archive.getinfo(n).file_size for n in wanted)
        if declared > max_expanded:
            raise HistoryTooLarge(
                f"the zip's history files expand beyond {max_expanded} bytes",
                code="history_too_large",
            )
        found: HistoryFile | None = None
        budget = max_expanded
        for name in wanted:
            data = _read_capped(archive, name, budget)
            budget -= len(data)
            part = _from_bytes(data, name, max_plays)
            if found is None:
                found = part
            else:
                found.plays += part.plays
                found.skipped += part.skipped
            if len(found.plays) > max_plays:
                raise _too_many(max_plays)
        assert found is not None
        return found


def _read_capped(archive: zipfile.ZipFile, name: str, budget: int) -> bytes:
    """An entry's bytes, refused as soon as they pass the budget (whatever the zip declares)."""
    out = io.BytesIO()
    try:
        with archive.open(name) as entry:
            while chunk := entry.read(CHUNK):
                if out.tell() + len(chunk) > budget:
                    raise HistoryTooLarge(
                        "the zip's history files expand beyond the limit",
                        code="history_too_large",
                    )
                out.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise InvalidRequest(f"{name} cannot be read", code="unreadable_history_file") from exc
    return out.getvalue()


def _from_bytes(data: bytes, name: str, max_plays: int) -> HistoryFile:
    text = data.decode("utf-8-sig", errors="replace")
    start = text.lstrip()[:1]
    if start == "[":
        try:
            rows = json.loads(text)
        except ValueError as exc:
            raise _unreadable(name) from exc
        first = next((r for r in rows if isinstance(r, dict)), {}) if isinstance(rows, list) else {}
        if "ms_played" in first or "ts" in first:
            return _capped(_spotify(rows), HistorySource.SPOTIFY, max_plays)
        if "listened_at" in first:
            return _capped(_listenbrainz(rows), HistorySource.LISTENBRAINZ, max_plays)
        if not rows:
            raise InvalidRequest(f"{name} holds no plays", code="unknown_history_format")
        raise InvalidRequest(f"{name} is not a history file", code="unknown_history_format")
    if start == "{":
        return _capped(
            _listenbrainz(_json_lines(text, name)), HistorySource.LISTENBRAINZ, max_plays
        )
    if name.lower().endswith(".csv") or "," in text[:1000]:
        return _capped(_lastfm(text), HistorySource.LASTFM, max_plays)
    raise InvalidRequest(
        "not a Spotify, ListenBrainz or Last.fm history file", code="unknown_history_format"
    )


def _capped(rows: Iterable[PastPlay | None], source: HistorySource, max_plays: int) -> HistoryFile:
    found = HistoryFile(source)
    for play in rows:
        if play is None:
            found.skipped += 1
            continue
        found.plays.append(play)
        if len(found.plays) > max_plays:
            raise _too_many(max_plays)
    return found


def _json_lines(text: str, name: str) -> Iterator[Any]:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield json.loads(line)
            except ValueError as exc:
                raise InvalidRequest(
                    f"{name}, line {number}: not JSON", code="unreadable_history_file"
                ) from exc


def _spotify(rows: list[Any]) -> Iterator[PastPlay | None]:
    for row in rows:
        if not isinstance(row, dict):
            yield None
            continue
        title = _text(row.get("master_metadata_track_name"))
        artist = _text(row.get("master_metadata_album_artist_name"))
        ms = _int(row.get("ms_played"))
        ended = _when(row.get("ts"))
        # Podcast episodes and audiobooks have no track name; short plays are not history.
        if not title or not artist or ended is None or ms is None or ms < MIN_HEARD_MS:
            yield None
            continue
        yield PastPlay(
            played_at=ended - timedelta(milliseconds=ms),  # `ts` is when the play stopped
            artist=artist,
            title=title,
            album=_text(row.get("master_metadata_album_album_name")),
            ms_played=ms,
            spotify_uri=spotify_uri(_text(row.get("spotify_track_uri"))),
        )


def _listenbrainz(rows: Iterable[Any]) -> Iterator[PastPlay | None]:
    for row in rows:
        play = listen_play(row) if isinstance(row, dict) else None
        yield play


def listen_play(listen: dict[str, Any]) -> PastPlay | None:
    """One ListenBrainz listen (an export's line, or a listen of `/1/submit-listens`)."""
    meta = listen.get("track_metadata")
    at = _when(listen.get("listened_at"))
    if not isinstance(meta, dict) or at is None:
        return None
    info = meta.get("additional_info")
    info = info if isinstance(info, dict) else {}
    artist, title = _text(meta.get("artist_name")), _text(meta.get("track_name"))
    if not artist or not title:
        return None
    duration = _int(info.get("duration_ms"))
    if duration is None and (seconds := _int(info.get("duration"))) is not None:
        duration = seconds * 1000
    return PastPlay(
        played_at=at,
        artist=artist,
        title=title,
        album=_text(meta.get("release_name")),
        duration_ms=duration,
        isrc=isrc(_text(info.get("isrc"))),
        spotify_uri=spotify_uri(_text(info.get("spotify_id"))),
    )


def _lastfm(text: str) -> Iterator[PastPlay | None]:
    rows: Iterator[list[str]] = csv.reader(io.StringIO(text))
    first = next(rows, None)
    if first is None:
        return
    header = [c.strip().lower() for c in first]
    if "artist" in header and "track" in header:
        column = {name: header.index(name) for name in header}
    else:
        column = {"artist": 0, "album": 1, "track": 2, "date": 3}
        rows = _chain(first, rows)
    for row in rows:
        yield _lastfm_row(row, column)


def _chain(first: list[str], rest: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rest


def _lastfm_row(row: list[str], column: dict[str, int]) -> PastPlay | None:
    def cell(name: str) -> str:
        at = column.get(name)
        return row[at].strip() if at is not None and at < len(row) else ""

    artist, title = cell("artist"), cell("track")
    at = _when(cell("uts")) or _when(cell("date")) or _when(cell("utc_time"))
    if not artist or not title or at is None:
        return None  # a "now playing" row has no time
    return PastPlay(played_at=at, artist=artist, title=title, album=cell("album"))


_FORMATS = ("%d %b %Y %H:%M", "%d %b %Y, %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def _when(value: object) -> datetime | None:
    """A time from epoch seconds, ISO 8601 or Last.fm's "31 Jan 2021 14:05" (UTC)."""
    at: datetime | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        at = _epoch(float(value))
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        at = _epoch(float(text)) if text.isdigit() else _parsed(text)
    if at is None or at < EARLIEST or at > datetime.now(UTC) + timedelta(days=1):
        return None
    return at


def _epoch(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _parsed(text: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        at = None
        for layout in _FORMATS:
            try:
                at = datetime.strptime(text, layout)
                break
            except ValueError:
                continue
    if at is None:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _text(value: object) -> str:
    return value.strip()[:1000] if isinstance(value, str) else ""


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _unreadable(name: str) -> InvalidRequest:
    return InvalidRequest(f"{name} is not valid JSON", code="unreadable_history_file")


def _too_many(max_plays: int) -> InvalidRequest:
    return InvalidRequest(
        f"more than {max_plays} plays in one import: split the file", code="too_many_plays"
    )
