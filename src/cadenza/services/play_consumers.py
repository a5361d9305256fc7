"""The consumers of counted plays on the domain stream (CADENZA_NATS_URL): `search-popularity`
and `artist-stats` bring search's popularity and the artists' statistics up to date as plays
are counted, instead of at their jobs' next run.

Exactly once in effect, with no position of their own to keep: neither adds what an event
says. A `PlayCounted` says which track had a play counted; the figures are made from the
counted plays in the database, which `counting` fills exactly once:

- `search-popularity` counts the 28 days' streams of the batch's tracks, their releases and
  their artists again (`SearchService.recount_popularity`): the rows are replaced, so a recount
  made twice gives the same figures;
- `artist-stats` runs the roll-up (`ArtistStats.roll_up`), which adds each counted stream not
  rolled up yet and marks it rolled up in the same transaction: a second run finds nothing
  left to add.

So a batch that comes again (its handler failed, or its process died before acknowledging it)
changes nothing, and a `PlayCounted` that never reached the stream (see docs/event-stream.md)
loses no stream: the next recount of its track, or the next roll-up, counts it."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from cadenza.ports.clock import Clock
from cadenza.ports.event_log import LogEntry

log = logging.getLogger(__name__)


def counted_tracks(entries: list[LogEntry]) -> set[int]:
    """The tracks whose plays were counted, from a batch of `domain.PlayCounted` entries."""
    tracks: set[int] = set()
    for entry in entries:
        try:
            raw = json.loads(entry.data)
            if raw["type"] == "PlayCounted":
                tracks.add(int(raw["track_id"]))
        except (ValueError, KeyError, TypeError):
            log.warning("event stream: entry %d is not a counted play", entry.sequence)
    return tracks


RANK_EVERY = timedelta(minutes=1)  # the most played ranked again at most this often


class PopularityConsumer:
    """The `search-popularity` consumer: the batch's tracks' popularity counted again, and
    the most played of each kind ranked again at most every RANK_EVERY (a ranking rewrites up
    to 500 entries' rows and their index entries; the counts it reads are always current, and
    the daily job ranks too)."""

    def __init__(self, recount: Callable[[set[int], datetime, bool], int], clock: Clock) -> None:
        self.recount, self.clock = recount, clock
        self.ranked_at: datetime | None = None

    def handle(self, entries: list[LogEntry]) -> None:
        if tracks := counted_tracks(entries):
            now = self.clock.now()
            rank = self.ranked_at is None or now - self.ranked_at >= RANK_EVERY
            self.recount(tracks, now, rank)
            if rank:
                self.ranked_at = now


class StatsConsumer:
    """The `artist-stats` consumer: the streams counted and not rolled up yet, rolled up (the
    streams alone: the saves, adds and follows are the job's)."""

    def __init__(self, roll_up: Callable[[], object]) -> None:
        self.roll_up = roll_up

    def handle(self, entries: list[LogEntry]) -> None:
        if counted_tracks(entries):
            self.roll_up()
