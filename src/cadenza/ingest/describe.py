"""Stage `tags`: what a release and its tracks are, from release.json first, then from tags."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cadenza.domain.catalog import (
    ReleaseSpec,
    ReleaseType,
    TrackSpec,
    normalise_isrc,
    normalise_upc,
)
from cadenza.domain.errors import InvalidDelivery
from cadenza.domain.lyrics import parse_lyrics
from cadenza.domain.territories import WORLDWIDE
from cadenza.ingest.manifest import MAX_POSITION, Manifest, parse_release_date
from cadenza.ports.audio import Tags

UNKNOWN_ARTIST = "Unknown Artist"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class DescribedTrack:
    path: Path
    spec: TrackSpec


def describe_release(
    files: list[Path],
    tags: dict[Path, Tags],
    manifest: Manifest | None,
    folder_name: str,
    delivered_at: datetime | None = None,
) -> tuple[ReleaseSpec, list[DescribedTrack]]:
    """`delivered_at`: the date of a delivery that gives none (a library's albums get EPOCH)."""
    given = manifest.release if manifest else {}
    ordered = _ordered_files(files, manifest)
    first = [tags[p] for p, _ in ordered]
    artists = given.get("artists") or _common_list(t.album_artists or t.artists for t in first)
    release = ReleaseSpec(
        title=given.get("title") or _most_common(t.album for t in first) or folder_name,
        artists=artists or [UNKNOWN_ARTIST],
        upc=given.get("upc") or _valid(normalise_upc, _most_common(t.upc for t in first)),
        label=given.get("label") or _most_common(t.label for t in first),
        release_at=given.get("release_date") or _tag_date(first) or delivered_at or EPOCH,
        territories=given.get("territories") or (WORLDWIDE,),
        copyright_lines=given.get("copyright") or _copyright(first),
        genres=given.get("genres") or _union(t.genres for t in first),
    )
    tracks = [
        DescribedTrack(path, _track(path, tags[path], entry, release, number))
        for number, (path, entry) in enumerate(ordered, start=1)
    ]
    release.explicit = bool(given.get("explicit")) or any(t.spec.explicit for t in tracks)
    release.premium_only = bool(given.get("premium_only"))
    release.release_type = given.get("type") or _release_type(len(tracks))
    return release, tracks


def _ordered_files(
    files: list[Path], manifest: Manifest | None
) -> list[tuple[Path, dict[str, Any]]]:
    if manifest is None or not manifest.tracks:
        return [(p, {}) for p in files]
    by_name = {p.name: p for p in files}
    listed = [e.file for e in manifest.tracks]
    missing = [name for name in listed if name not in by_name]
    if missing:
        raise InvalidDelivery(
            "release.json lists a file the delivery lacks", code="missing_file", file=missing[0]
        )
    unlisted = sorted(set(by_name) - set(listed))
    if unlisted:
        raise InvalidDelivery(
            "audio file not listed in release.json", code="unlisted_file", file=unlisted[0]
        )
    return [(by_name[e.file], e.fields) for e in manifest.tracks]


def _track(
    path: Path, tags: Tags, entry: dict[str, Any], release: ReleaseSpec, position: int
) -> TrackSpec:
    return TrackSpec(
        title=entry.get("title") or tags.title or path.stem,
        artists=entry.get("artists") or tags.artists or list(release.artists),
        featured_artists=entry.get("featured_artists") or [],
        isrc=entry.get("isrc") or _valid(normalise_isrc, tags.isrc),
        disc_number=entry.get("disc") or _position(tags.disc_number) or 1,
        track_number=entry.get("number") or _position(tags.track_number) or position,
        genres=entry.get("genres") or tags.genres or list(release.genres),
        explicit=bool(entry.get("explicit", tags.explicit or False)),
        lyrics=entry.get("lyrics") or parse_lyrics(tags.lyrics),
    )


def _position(number: int | None) -> int | None:
    """A track or disc number from a tag, if it is a plausible one."""
    return number if number is not None and 1 <= number <= MAX_POSITION else None


def sort_by_tags(files: list[Path], tags: dict[Path, Tags]) -> list[Path]:
    """Disc, then track number, then file name: the order a listener expects."""
    return sorted(
        files, key=lambda p: (tags[p].disc_number or 1, tags[p].track_number or 10**6, p.name)
    )


def _release_type(track_count: int) -> ReleaseType:
    if track_count <= 3:
        return ReleaseType.SINGLE
    return ReleaseType.EP if track_count <= 6 else ReleaseType.ALBUM


def _valid(normalise: Any, raw: str | None) -> str | None:
    """Tags are often wrong: a malformed code in a tag is dropped, not fatal."""
    if not raw:
        return None
    try:
        return str(normalise(raw))
    except InvalidDelivery:
        return None


def _tag_date(tags: list[Tags]) -> datetime | None:
    raw = _most_common(t.date for t in tags)
    if not raw:
        return None
    for candidate in (raw, raw[:10], raw[:4]):
        try:
            return parse_release_date(candidate)
        except ValueError:
            continue
    return None


def _most_common(values: Any) -> str | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def _common_list(lists: Any) -> list[str]:
    counts = Counter(tuple(v) for v in lists if v)
    return list(counts.most_common(1)[0][0]) if counts else []


def _union(lists: Any) -> list[str]:
    seen: dict[str, None] = {}
    for values in lists:
        for v in values:
            seen.setdefault(v, None)
    return list(seen)


def _copyright(tags: list[Tags]) -> list[str]:
    line = _most_common(t.copyright for t in tags)
    return [line] if line else []
