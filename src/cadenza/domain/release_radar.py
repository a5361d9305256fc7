"""Release Radar: every Friday, the new songs of the artists a listener follows or plays most.

A release is new for 14 days after its date. The artists are the ones the listener follows,
then the ones they played most before the week began; a listener with no history yet counts
the artists they picked at sign-up instead. Up to 30 songs: each new release's first song,
then each one's second, and so on, so every new release is heard, the artists the listener
cares about most and the newest releases first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

LENGTH = 30
NEW_FOR = timedelta(days=14)
PLAYED_ARTISTS = 20  # the artists played most that count, beside those followed


@dataclass(frozen=True)
class NewSong:
    """A song of a release that came out in the window, and who it is by."""

    track_id: int
    release_id: int
    release_at: datetime
    artist_ids: tuple[int, ...]  # the song's artists, main and featured


def artists_to_follow(
    followed: Sequence[int], plays_by_artist: Counter[int], picks: Sequence[int]
) -> list[int]:
    """The artists whose releases the radar looks for, the closest to the listener first:
    those followed, then the most played; the sign-up picks when nothing was played yet."""
    played = [a for a, _ in plays_by_artist.most_common(PLAYED_ARTISTS)]
    return list(dict.fromkeys([*followed, *(played or picks)]))


def radar(songs: Iterable[NewSong], artists: Sequence[int], length: int = LENGTH) -> list[int]:
    """The radar's songs in order: releases by the closest artist first (then the newest),
    taking each release's first song, then each one's second..."""
    closeness = {a: n for n, a in enumerate(artists)}
    releases: dict[int, list[NewSong]] = {}
    for song in songs:
        if closeness.keys() & set(song.artist_ids):
            releases.setdefault(song.release_id, []).append(song)

    def order(release_songs: list[NewSong]) -> tuple[int, float, int]:
        first = release_songs[0]
        closest = min(closeness[a] for s in release_songs for a in s.artist_ids if a in closeness)
        return (closest, -first.release_at.timestamp(), first.release_id)

    queues = sorted(releases.values(), key=order)
    picked: list[int] = []
    depth = 0
    while len(picked) < length and any(depth < len(q) for q in queues):
        for queue in queues:
            if depth < len(queue) and len(picked) < length:
                picked.append(queue[depth].track_id)
        depth += 1
    return list(dict.fromkeys(picked))
