"""Pitch to editors: the artist (a linked account) or the release's distributor picks one
unreleased track of a release delivered at least a week ahead and tells the editors about it;
the editors (admins) work through the queue, listen, and put tracks on editorial playlists; the
artist and distributor see whether the track was playlisted, and where.

Editorial playlists belong to the service (its editors' account), are public and searchable, and
carry `editorial: true`. Admins make and change them here; an editor may add a track that is
not out yet (it plays for listeners from its release date, as any unreleased track)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from cadenza.domain import artists as rules
from cadenza.domain import playlists as playlist_rules
from cadenza.domain.accounts import Role
from cadenza.domain.artists import ComingRelease, Pitch, PitchDraft, PitchStatus
from cadenza.domain.catalog import EncodedAudio, ReleaseView, TrackView
from cadenza.domain.errors import Conflict, InvalidRequest, NotFound
from cadenza.domain.playlists import Entry, Playlist
from cadenza.ports.clock import Clock
from cadenza.ports.passwords import PasswordHasher
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services import creator_notices as notices
from cadenza.services.artist_claims import require_admin
from cadenza.services.artist_pages import require_linked

EDITORS_ACCOUNT = "editors@cadenza.localhost"
EDITORS_NAME = "Cadenza Editors"
REVIEW_QUALITIES = ("normal", "low", "high", "very_high")  # the first one the track has
COMING = 50  # releases still to come on a distributor's pitch list


@dataclass(frozen=True)
class Pitcher:
    """Who pitches: an artist account (for its linked artists) or a distributor."""

    account_id: int | None = None
    distributor_id: int | None = None

    @property
    def label(self) -> str:
        if self.account_id is not None:
            return f"artist:{self.account_id}"
        return f"distributor:{self.distributor_id}"


class Pitches:
    def __init__(
        self, uow: Callable[[], UnitOfWork], clock: Clock, hasher: PasswordHasher, site: str = ""
    ) -> None:
        self.uow, self.clock, self.hasher = uow, clock, hasher
        self.site = site  # the links in e-mails

    # -- artists and distributors --------------------------------------------------------
    def form(self, who: Pitcher, release_id: int) -> tuple[ReleaseView, Pitch | None]:
        """The release with its tracks and its pitch if made, when this pitcher may pitch from
        it (404 otherwise, as for a release that does not exist)."""
        with self.uow() as uow:
            return self._release_of(uow, who, release_id), uow.pitches.of_release(release_id)

    def pitch(self, who: Pitcher, release_id: int, draft: PitchDraft) -> Pitch:
        draft = rules.check_pitch(draft)
        now = self.clock.now()
        with self.uow() as uow:
            release = self._release_of(uow, who, release_id)
            if release.taken_down_at is not None:
                raise Conflict("this release was taken down", code="release_taken_down")
            if draft.track_id not in {t.id for t in release.tracks}:
                raise InvalidRequest(
                    f"track {draft.track_id} is not on this release", code="track_not_on_release"
                )
            delivered = uow.pitches.delivered_at(release_id) or now
            rules.check_pitch_time(release.release_at, delivered, now)
            pitch_id = uow.pitches.add(release_id, draft, who.label, now)
            if pitch_id is None:
                raise Conflict("this release was pitched already", code="already_pitched")
            uow.commit()
            made = uow.pitches.get(pitch_id)
        assert made is not None
        return made

    def of_artist(self, account_id: int, artist_id: int) -> list[Pitch]:
        with self.uow() as uow:
            require_linked(uow, account_id, artist_id)
            return uow.pitches.of_artists([artist_id])

    def of_distributor(self, distributor_id: int) -> list[Pitch]:
        with self.uow() as uow:
            return uow.pitches.of_distributor(distributor_id)

    def coming(self, distributor_id: int) -> list[tuple[ComingRelease, bool]]:
        """The distributor's releases still to come (soonest first, at most COMING), each with
        its pitch if made and whether it may be pitched now (delivered and pitched a week
        ahead, not pitched yet)."""
        now = self.clock.now()
        with self.uow() as uow:
            found = [
                replace(c, pitch=uow.pitches.of_release(c.release_id))
                for c in uow.pitches.coming(distributor_id, now, COMING)
            ]
        return [
            (c, c.pitch is None and rules.may_pitch(c.release_at, c.delivered_at, now))
            for c in found
        ]

    def _release_of(self, uow: UnitOfWork, who: Pitcher, release_id: int) -> ReleaseView:
        release = uow.catalog.release(release_id)
        allowed = False
        if release is not None and who.distributor_id is not None:
            allowed = release.distributor_id == who.distributor_id
        elif release is not None and who.account_id is not None:
            linked = {a.id for a in uow.artist_links.linked_artists(who.account_id)}
            account = uow.accounts.get(who.account_id)
            allowed = (
                account is not None
                and Role.ARTIST in account.roles
                and bool(linked & {a.id for a in release.artists})
            )
        if release is None or not allowed:
            raise NotFound(f"no release {release_id}")
        return release

    # -- the editors ---------------------------------------------------------------------
    def queue(
        self, admin_id: int, status: PitchStatus | None, limit: int = 50, offset: int = 0
    ) -> list[Pitch]:
        with self.uow() as uow:
            require_admin(uow, admin_id)
            return uow.pitches.queue(status, limit, offset)

    def review_audio(self, admin_id: int, pitch_id: int) -> EncodedAudio:
        """The pitched track's audio for an editor to hear before its release. Only here: the
        listeners' stream rules are untouched, and the track stays closed to everyone else."""
        with self.uow() as uow:
            require_admin(uow, admin_id)
            pitch = uow.pitches.get(pitch_id)
            track = uow.catalog.track(pitch.track_id) if pitch is not None else None
        if track is None or not track.files:
            raise NotFound(f"no pitch {pitch_id}")
        by_quality = {f.quality.value: f for f in track.files}
        return next((by_quality[q] for q in REVIEW_QUALITIES if q in by_quality), track.files[0])

    def review(self, admin_id: int, pitch_id: int, playlist_id: int | None) -> Pitch:
        """Done with a pitch: its track added to an editorial playlist, or (None) passed on."""
        now = self.clock.now()
        with self.uow() as uow:
            require_admin(uow, admin_id)
            pitch = uow.pitches.get(pitch_id)
            if pitch is None:
                raise NotFound(f"no pitch {pitch_id}")
            if playlist_id is not None:
                _add_tracks(uow, admin_id, playlist_id, [pitch.track_id], now)
            uow.pitches.set_status(pitch_id, PitchStatus.REVIEWED, now)
            done = uow.pitches.get(pitch_id)
            assert done is not None
            if pitch.status is not PitchStatus.REVIEWED:  # told once, when first decided
                notices.pitch_decided(uow, done, self.site, now)
            uow.commit()
        return done

    # -- editorial playlists -------------------------------------------------------------
    def editorial_playlists(self, admin_id: int) -> list[Playlist]:
        with self.uow() as uow:
            require_admin(uow, admin_id)
            return uow.playlists.flagged_editorial(500)

    def create_playlist(self, admin_id: int, name: str, description: str = "") -> Playlist:
        name = playlist_rules.check_name(name)
        description = playlist_rules.check_description(description)
        with self.uow() as uow:
            require_admin(uow, admin_id)
            owner = self._editors_account(uow)
            playlist_id = uow.playlists.add(
                owner, name, description, True, False, self.clock.now(), editorial=True
            )
            uow.search.index_playlist(playlist_id)
            uow.commit()
            made = uow.playlists.get(playlist_id)
        assert made is not None
        return made

    def change_playlist(
        self, admin_id: int, playlist_id: int, name: str | None, description: str | None
    ) -> Playlist:
        with self.uow() as uow:
            require_admin(uow, admin_id)
            playlist = _lock_editorial(uow, playlist_id)
            uow.playlists.bump(playlist_id, playlist.version, self.clock.now())
            uow.playlists.set_details(
                playlist_id,
                playlist_rules.check_name(name) if name is not None else playlist.name,
                playlist_rules.check_description(description)
                if description is not None
                else playlist.description,
                True,
                False,
            )
            uow.search.index_playlist(playlist_id)
            uow.commit()
            changed = uow.playlists.get(playlist_id)
        assert changed is not None
        return changed

    def add_tracks(self, admin_id: int, playlist_id: int, track_ids: list[int]) -> Playlist:
        with self.uow() as uow:
            require_admin(uow, admin_id)
            _add_tracks(uow, admin_id, playlist_id, track_ids, self.clock.now())
            uow.commit()
            changed = uow.playlists.get(playlist_id)
        assert changed is not None
        return changed

    def remove_track(self, admin_id: int, playlist_id: int, track_id: int) -> Playlist:
        with self.uow() as uow:
            require_admin(uow, admin_id)
            playlist = _lock_editorial(uow, playlist_id)
            uow.playlists.bump(playlist_id, playlist.version, self.clock.now())
            places = uow.playlist_entries.tracks_at(playlist_id, [], [track_id])
            uow.playlist_entries.remove_positions(playlist_id, set(places))
            uow.commit()
            changed = uow.playlists.get(playlist_id)
        assert changed is not None
        return changed

    def playlist_tracks(self, admin_id: int, playlist_id: int) -> list[TrackView]:
        """An editorial playlist's tracks in order, those not out yet included."""
        with self.uow() as uow:
            require_admin(uow, admin_id)
            playlist = uow.playlists.get(playlist_id)
            if playlist is None or not playlist.editorial:
                raise NotFound(f"no editorial playlist {playlist_id}", code="playlist_not_found")
            return _in_order(uow, uow.playlist_entries.track_ids(playlist_id))

    def move_track(
        self, admin_id: int, playlist_id: int, track_id: int, position: int
    ) -> list[TrackView]:
        """Move a track of an editorial playlist to `position` (0 is the first place); the
        tracks in between move one place to make room."""
        with self.uow() as uow:
            require_admin(uow, admin_id)
            playlist = _lock_editorial(uow, playlist_id)
            order = uow.playlist_entries.track_ids(playlist_id)
            if track_id not in order:
                raise NotFound(
                    f"track {track_id} is not on this playlist", code="track_not_in_playlist"
                )
            if not 0 <= position < len(order):
                raise InvalidRequest(
                    f"position must be 0 to {len(order) - 1}", code="position_out_of_range"
                )
            start = order.index(track_id)
            before = position + 1 if position > start else position
            shift = playlist_rules.move_shift(len(order), start, 1, before)
            if shift is not None:
                uow.playlists.bump(playlist_id, playlist.version, self.clock.now())
                uow.playlist_entries.shift_positions(playlist_id, shift)
                uow.commit()
            order = uow.playlist_entries.track_ids(playlist_id)
            return _in_order(uow, order)

    def delete_playlist(self, admin_id: int, playlist_id: int) -> None:
        with self.uow() as uow:
            require_admin(uow, admin_id)
            _lock_editorial(uow, playlist_id)
            uow.playlists.delete(playlist_id)
            uow.search.index_playlist(playlist_id)
            uow.commit()

    def _editors_account(self, uow: UnitOfWork) -> int:
        """The service's own account that owns the editorial playlists: made on first use,
        with no role and a password nobody knows (it never signs in)."""
        found = uow.accounts.id_by_email(EDITORS_ACCOUNT)
        if found is not None:
            return found
        unusable = self.hasher.hash(secrets.token_urlsafe(32))
        made = uow.accounts.add(
            EDITORS_ACCOUNT, unusable, EDITORS_NAME, "US", date(2000, 1, 1)
        ) or uow.accounts.id_by_email(EDITORS_ACCOUNT)
        assert made is not None
        uow.accounts.set_roles(made, [])
        uow.accounts.mark_verified(made, self.clock.now())
        return made


def _in_order(uow: UnitOfWork, track_ids: list[int]) -> list[TrackView]:
    by_id = {t.id: t for t in uow.catalog.tracks(track_ids)}
    return [by_id[t] for t in track_ids if t in by_id]


def _lock_editorial(uow: UnitOfWork, playlist_id: int) -> Playlist:
    playlist = uow.playlists.lock(playlist_id)
    if playlist is None or not playlist.editorial:
        raise NotFound(f"no editorial playlist {playlist_id}", code="playlist_not_found")
    return playlist


def _add_tracks(
    uow: UnitOfWork, admin_id: int, playlist_id: int, track_ids: list[int], now: datetime
) -> None:
    """At the end, each track once (one already there stays where it is); tracks not out yet
    are welcome (pitches)."""
    wanted = list(dict.fromkeys(track_ids))
    found = {t.id for t in uow.catalog.tracks(wanted)}
    missing = [t for t in wanted if t not in found]
    if missing:
        raise NotFound(f"no track {missing[0]}", code="track_not_found")
    playlist = _lock_editorial(uow, playlist_id)
    present = set(uow.playlist_entries.tracks_at(playlist_id, [], wanted).values())
    added = [Entry(None, t, admin_id, now) for t in wanted if t not in present]
    if not added:
        return
    at = playlist_rules.insertion_point(playlist.total, len(added), None)
    uow.playlists.bump(playlist_id, playlist.version, now)
    uow.playlist_entries.insert_entries(playlist_id, at, added)
