"""Acting on a spoken-style command: the grammar says what was asked, search finds what the
words name (only what the listener may see), the player does it (the plan's rules apply), and
the answer says what was done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cadenza.domain.catalog import Viewer
from cadenza.domain.entitlements import Context, Listener
from cadenza.domain.errors import InvalidRequest, NotFound
from cadenza.domain.player import Repeat
from cadenza.domain.search import Kind
from cadenza.domain.spoken import Action, Intent, Wanted, parse
from cadenza.ports.clock import Clock
from cadenza.services.player import Player, PlayerView
from cadenza.services.playlists import Playlists
from cadenza.services.search import Hit, SearchService

GENRE_TRACKS = 50


@dataclass(frozen=True)
class SpokenAnswer:
    intent: Intent
    said: str  # what was done, in words
    view: PlayerView


class SpokenCommands:
    def __init__(
        self,
        search: SearchService,
        player: Player,
        listener: Callable[[int], Listener],
        clock: Clock,
        playlists: Playlists,
    ) -> None:
        self.search, self.player, self.listener, self.clock = search, player, listener, clock
        self.playlists = playlists

    def act(self, account_id: int, text: str) -> SpokenAnswer:
        intent = parse(text)
        if intent is None:
            raise InvalidRequest(
                f'did not understand {text[:80]!r}; try "play some jazz", "play the album '
                '...", "next", "pause" or "louder"',
                code="not_understood",
            )
        if intent.action is Action.PLAY:
            return self._play(account_id, intent)
        said, view = self._control(account_id, intent)
        return SpokenAnswer(intent, said, view)

    # -- player controls -------------------------------------------------------------------
    def _control(self, account_id: int, intent: Intent) -> tuple[str, PlayerView]:
        p = self.player
        if intent.action is Action.NEXT:
            return "Skipped to the next track", p.next(account_id)
        if intent.action is Action.PREVIOUS:
            return "Went back", p.previous(account_id)
        if intent.action is Action.PAUSE:
            return "Paused", p.pause(account_id)
        if intent.action is Action.RESUME:
            return "Playing", p.resume(account_id)
        if intent.action is Action.SHUFFLE:
            return f"Shuffle {'on' if intent.on else 'off'}", p.shuffle(account_id, bool(intent.on))
        if intent.action is Action.REPEAT:
            mode = Repeat(intent.repeat or "context")
            said = {
                Repeat.OFF: "Repeat off",
                Repeat.CONTEXT: "Repeating",
                Repeat.TRACK: "Repeating this track",
            }
            return said[mode], p.repeat(account_id, mode)
        level = intent.volume
        if level is None:
            level = p.state(account_id).volume + (intent.volume_step or 0)
        level = max(0, min(100, level))
        return f"Volume {level}%", p.volume(account_id, level)

    # -- play something --------------------------------------------------------------------
    def _play(self, account_id: int, intent: Intent) -> SpokenAnswer:
        who = self.listener(account_id)
        viewer = Viewer(
            country=who.country, now=self.clock.now(), allow_explicit=who.allow_explicit
        )
        if intent.wanted is Wanted.GENRE:
            found = self._genre(account_id, intent, viewer)
            if found is not None:
                return found
        if intent.wanted is Wanted.PLAYLIST:
            return self._playlist(account_id, intent)
        kinds = {
            Wanted.RELEASE: [Kind.RELEASE],
            Wanted.TRACK: [Kind.TRACK],
            Wanted.ARTIST: [Kind.ARTIST],
        }.get(intent.wanted or Wanted.ANYTHING, [Kind.ARTIST, Kind.RELEASE, Kind.TRACK])
        query = intent.words if intent.wanted is not Wanted.ARTIST else f'artist:"{intent.words}"'
        if intent.artist:
            query = f'{query} artist:"{intent.artist}"'
        hit = self.search.search(query, viewer, kinds, limit=1).top
        if hit is None and intent.wanted is Wanted.ANYTHING:
            found = self._genre(account_id, intent, viewer)
            if found is not None:
                return found
        if hit is None:
            raise NotFound(f"found nothing called {intent.words!r}", code="nothing_found")
        return self._play_hit(account_id, intent, hit)

    def _playlist(self, account_id: int, intent: Intent) -> SpokenAnswer:
        """The listener's own, followed or a public playlist of that name."""
        playlist = self.playlists.named(account_id, intent.words)
        if playlist is None:
            raise NotFound(f"found no playlist called {intent.words!r}", code="nothing_found")
        view = self.player.play(
            account_id,
            context=Context.PLAYLIST,
            context_id=playlist.id,
            track_ids=None,
            offset=None,
            device=None,
        )
        return SpokenAnswer(intent, f"Playing the playlist {playlist.name}", view)

    def _genre(self, account_id: int, intent: Intent, viewer: Viewer) -> SpokenAnswer | None:
        query = f'genre:"{intent.words}"'
        hits = self.search.search(query, viewer, [Kind.TRACK], limit=GENRE_TRACKS).groups
        tracks = [h.id for h in hits[Kind.TRACK].hits]
        if not tracks:
            return None
        view = self.player.play(
            account_id,
            context=Context.SEARCH,
            context_id=None,
            track_ids=tracks,
            offset=None,
            device=None,
        )
        return SpokenAnswer(intent, f"Playing {intent.words}: {len(tracks)} tracks", view)

    def _play_hit(self, account_id: int, intent: Intent, hit: Hit) -> SpokenAnswer:
        play = self.player.play
        if hit.kind is Kind.ARTIST and hit.artist is not None:
            view = play(
                account_id,
                context=Context.ARTIST,
                context_id=hit.id,
                track_ids=None,
                offset=None,
                device=None,
            )
            return SpokenAnswer(intent, f"Playing {hit.artist.name}", view)
        if hit.kind is Kind.RELEASE and hit.release is not None:
            view = play(
                account_id,
                context=Context.RELEASE,
                context_id=hit.id,
                track_ids=None,
                offset=None,
                device=None,
            )
            return SpokenAnswer(intent, f"Playing {_title(hit.release.title, hit)}", view)
        assert hit.track is not None
        view = play(
            account_id,
            context=Context.TRACK,
            context_id=None,
            track_ids=[hit.id],
            offset=None,
            device=None,
        )
        return SpokenAnswer(intent, f"Playing {_title(hit.track.title, hit)}", view)


def _title(title: str, hit: Hit) -> str:
    artists = hit.track.artists if hit.track else hit.release.artists if hit.release else ()
    names = ", ".join(a.name for a in artists)
    return f"{title} by {names}" if names else title
