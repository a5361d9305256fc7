"""Release Radar: every Friday (at midnight where the listener lives), up to 30 new songs of
the last 14 days by the artists they follow or play most, the same all week.

The radar is made on the first read of the listener's week and kept; what they may no longer
hear (taken down, out of their territory) drops out as it is read. A listener with no
history yet gets the new songs of the artists they picked at sign-up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cadenza.domain import release_radar as rules
from cadenza.domain.catalog import ReleaseView, TrackView, Viewer
from cadenza.domain.entitlements import Listener
from cadenza.domain.errors import NotFound
from cadenza.domain.time_zones import FRIDAY, week_start
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.visible_tracks import visible_tracks

HISTORY = 2000  # counted plays looked back over for the artists played most
FOLLOWED = 200


@dataclass(frozen=True)
class Radar:
    name: str
    week_of: datetime  # the Friday it came out (local midnight, in UTC)
    tracks: list[tuple[TrackView, ReleaseView]]


class ReleaseRadar:
    def __init__(
        self, uow: Callable[[], UnitOfWork], clock: Clock, listener: Callable[[int], Listener]
    ) -> None:
        self.uow, self.clock, self.listener = uow, clock, listener

    def radar(self, account_id: int) -> Radar:
        who = self.listener(account_id)
        now = self.clock.now()
        viewer = Viewer(country=who.country, now=now, allow_explicit=who.allow_explicit)
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
            if account is None:
                raise NotFound("no such account", code="account_not_found")
            week = week_start(now, account.time_zone, FRIDAY)
            kept = uow.release_radar.kept(account_id)
            if kept is not None and kept[0] == week:
                track_ids = kept[1]
            else:
                track_ids = self._make(uow, account_id, week, viewer)
                if track_ids:  # an empty radar is made again on the next read
                    uow.release_radar.keep(account_id, week, track_ids, now)
                    uow.commit()
            shown = visible_tracks(uow, track_ids, viewer)
        return Radar("Release Radar", week, list(shown.values()))

    def context(self, account_id: int) -> list[int | None]:
        """The player's Release Radar context: its songs the listener may play."""
        return [track.id for track, _ in self.radar(account_id).tracks]

    def _make(self, uow: UnitOfWork, account_id: int, week: datetime, viewer: Viewer) -> list[int]:
        followed = [s.id for s in uow.collection.saved("artist", account_id, FOLLOWED, 0)]
        plays = uow.listening.recently_played(account_id, HISTORY, 0, week)
        by_track = Counter(track_id for track_id, _, _ in plays)
        by_artist: Counter[int] = Counter()
        for track in uow.catalog.tracks(list(by_track)):
            for artist in track.artists:
                by_artist[artist.id] += by_track[track.id]
        picks = uow.taste_picks.picks(account_id) if not by_artist else []
        artists = rules.artists_to_follow(followed, by_artist, picks)
        songs = uow.release_radar.new_songs(artists, week - rules.NEW_FOR, viewer.now)
        # Made of what the listener may hear now; the rest of the week reads it as kept.
        playable = visible_tracks(uow, [s.track_id for s in songs], viewer)
        return rules.radar([s for s in songs if s.track_id in playable], artists)
