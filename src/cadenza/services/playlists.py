"""Playlists: create, read as the viewer may, change details, add, remove and reorder tracks
against a snapshot, follow, and share through invite links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cadenza.domain import playlists as rules
from cadenza.domain.catalog import Viewer
from cadenza.domain.collection import Availability, availability
from cadenza.domain.errors import Conflict, Forbidden, InvalidRequest, NotFound
from cadenza.domain.playlists import Entry, Follower, Playlist, PlaylistAccess
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.access_tokens import new_secret_token, token_hash
from cadenza.services.catalog import CatalogService
from cadenza.services.track_cards import (
    TrackCard,
    require_playable,
    track_cards,
)

NAMED_CANDIDATES = 50  # public playlists read to find the one a listener names


@dataclass(frozen=True)
class PlaylistItem:
    position: int
    entry: Entry
    card: TrackCard


@dataclass(frozen=True)
class Details:
    """A change of details: None leaves that one as it is."""

    name: str | None = None
    description: str | None = None
    public: bool | None = None
    collaborative: bool | None = None


class Playlists:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        catalog: CatalogService,
        viewer: Callable[[int], Viewer],
    ) -> None:
        self.uow, self.clock, self.catalog, self.viewer = uow, clock, catalog, viewer

    # -- reading -------------------------------------------------------------------------
    def get(self, playlist_id: int, viewer_id: int | None) -> tuple[Playlist, PlaylistAccess]:
        """The playlist when the viewer may read it; else 404, as if it did not exist."""
        with self.uow() as uow:
            playlist = uow.playlists.get(playlist_id)
            member = (
                uow.playlist_followers.membership(playlist_id, viewer_id)
                if playlist is not None and viewer_id is not None
                else PlaylistAccess()
            )
        if playlist is None or not rules.can_read(playlist, viewer_id, member):
            raise NotFound(f"no playlist {playlist_id}")
        return playlist, member

    def editorial(self, limit: int, offset: int) -> list[Playlist]:
        """The editors' public playlists (made by admin accounts), for everyone's Home."""
        with self.uow() as uow:
            return uow.playlists.editorial(limit, offset)

    def items(
        self, playlist_id: int, viewer_id: int | None, viewer: Viewer, limit: int, offset: int
    ) -> list[PlaylistItem]:
        self.get(playlist_id, viewer_id)
        with self.uow() as uow:
            entries = uow.playlist_entries.entries(playlist_id, limit, offset)
            cards = track_cards(uow, [e.track_id for e in entries], viewer)
        return [
            PlaylistItem(offset + i, e, c)
            for i, (e, c) in enumerate(zip(entries, cards, strict=True))
        ]

    def context(self, account_id: int, viewer: Viewer, playlist_id: int) -> list[int | None]:
        """The playlist's tracks to play, None for each that cannot play for this viewer."""
        self.get(playlist_id, account_id)
        with self.uow() as uow:
            entries = uow.collection.playlist_track_facts(playlist_id)
        return [
            t if availability(facts, viewer) is Availability.PLAYABLE else None
            for t, facts in entries
        ]

    def of_listener(self, account_id: int) -> list[tuple[Playlist, datetime]]:
        with self.uow() as uow:
            return uow.playlist_followers.of_listener(account_id)

    def named(self, account_id: int, words: str) -> Playlist | None:
        """The playlist a listener means by `words`: their own first, then those they follow,
        then public ones; an exact name before one that starts with the words, before one that
        holds them."""
        with self.uow() as uow:
            mine = [p for p, _ in uow.playlist_followers.of_listener(account_id)]
            public = uow.playlists.public_named(words, NAMED_CANDIDATES)
        own = [p for p in mine if p.owner_id == account_id]
        followed = [p for p in mine if p.owner_id != account_id]
        return rules.best_named(words, [own, followed, public])

    def page_of_listener(
        self, account_id: int, limit: int, offset: int
    ) -> tuple[list[tuple[Playlist, PlaylistAccess]], int]:
        with self.uow() as uow:
            return uow.playlist_followers.page_of_listener(account_id, limit, offset)

    # -- the playlist itself -------------------------------------------------------------
    def create(
        self,
        account_id: int,
        name: str,
        description: str = "",
        public: bool = True,
        collaborative: bool = False,
    ) -> Playlist:
        name, description = rules.check_name(name), rules.check_description(description)
        rules.check_flags(public, collaborative)
        with self.uow() as uow:
            uow.playlists.lock_owner(account_id)  # counted under the lock: no race past it
            if uow.playlists.owned_count(account_id) >= rules.MAX_OWNED:
                raise InvalidRequest(
                    f"at most {rules.MAX_OWNED} playlists each", code="too_many_playlists"
                )
            playlist_id = uow.playlists.add(
                account_id, name, description, public, collaborative, self.clock.now()
            )
            uow.search.index_playlist(playlist_id)  # found by search from now on
            uow.commit()
            found = uow.playlists.get(playlist_id)
        assert found is not None
        return found

    def change(
        self, account_id: int, playlist_id: int, details: Details, snapshot_id: str | None = None
    ) -> Playlist:
        """Rename, describe, make public or collaborative: the owner's to do. Made private,
        it loses the followers who came without an invite; made not collaborative, its
        collaborators lose their rights (both in the same transaction, under the row lock)."""
        name = rules.check_name(details.name) if details.name is not None else None
        description = (
            rules.check_description(details.description)
            if details.description is not None
            else None
        )
        with self.uow() as uow:
            playlist = self._lock_owned(uow, account_id, playlist_id)
            rules.check_snapshot(playlist, snapshot_id)
            public = playlist.public if details.public is None else details.public
            collaborative = (
                playlist.collaborative if details.collaborative is None else details.collaborative
            )
            rules.check_flags(public, collaborative)
            uow.playlists.bump(playlist_id, playlist.version, self.clock.now())
            uow.playlists.set_details(
                playlist_id,
                playlist.name if name is None else name,
                playlist.description if description is None else description,
                public,
                collaborative,
            )
            if not public:
                uow.playlist_followers.drop_uninvited(playlist_id)
            if not collaborative:
                uow.playlist_followers.end_collaboration(playlist_id)
            uow.search.index_playlist(playlist_id)
            uow.commit()
            changed = uow.playlists.get(playlist_id)
        assert changed is not None
        return changed

    def delete(self, account_id: int, playlist_id: int) -> None:
        self._owned(account_id, playlist_id)
        with self.uow() as uow:
            uow.playlists.delete(playlist_id)
            uow.search.index_playlist(playlist_id)  # its entry goes
            uow.commit()

    # -- its tracks ----------------------------------------------------------------------
    def add(
        self,
        account_id: int,
        playlist_id: int,
        track_ids: list[int],
        position: int | None = None,
        snapshot_id: str | None = None,
    ) -> str:
        """Add tracks (each one the adder can see) before `position`, or at the end."""
        if len(track_ids) > rules.MAX_TRACKS_PER_EDIT:
            raise InvalidRequest(
                f"at most {rules.MAX_TRACKS_PER_EDIT} tracks at a time", code="too_many_tracks"
            )
        self._editable(account_id, playlist_id)
        viewer = self.viewer(account_id)
        with self.uow() as uow:
            require_playable(uow, list(dict.fromkeys(track_ids)), viewer)
        now = self.clock.now()
        added = [Entry(None, t, account_id, now) for t in track_ids]
        with self.uow() as uow:
            playlist = self._lock_editable(uow, account_id, playlist_id, snapshot_id)
            at = rules.insertion_point(playlist.total, len(added), position)
            uow.playlist_entries.insert_entries(playlist_id, at, added)
            uow.commit()
        return replace(playlist, version=playlist.version + 1).snapshot_id

    def remove(
        self,
        account_id: int,
        playlist_id: int,
        picks: list[tuple[int, int | None]],
        snapshot_id: str | None = None,
    ) -> str:
        """Remove (track id, position) picks; a pick without a position removes every
        occurrence of that track. Only the picked places are read, and the gaps close in one
        statement, however long the playlist."""
        with self.uow() as uow:
            playlist = self._lock_editable(uow, account_id, playlist_id, snapshot_id)
            track_of = uow.playlist_entries.tracks_at(
                playlist_id,
                [p for _, p in picks if p is not None],
                [t for t, p in picks if p is None],
            )
            uow.playlist_entries.remove_positions(
                playlist_id, rules.removed_positions(track_of, picks)
            )
            uow.commit()
        return replace(playlist, version=playlist.version + 1).snapshot_id

    def reorder(
        self,
        account_id: int,
        playlist_id: int,
        range_start: int,
        range_length: int,
        insert_before: int,
        snapshot_id: str | None = None,
    ) -> str:
        """Spotify's reorder, as one statement that moves only the places in between."""
        with self.uow() as uow:
            playlist = self._lock_editable(uow, account_id, playlist_id, snapshot_id)
            shift = rules.move_shift(playlist.total, range_start, range_length, insert_before)
            if shift is not None:
                uow.playlist_entries.shift_positions(playlist_id, shift)
            uow.commit()
        return replace(playlist, version=playlist.version + 1).snapshot_id

    # -- following and sharing -----------------------------------------------------------
    def follow(self, account_id: int, playlist_id: int) -> None:
        """Follow a playlist the listener may read; checked under the row lock, so a follow
        racing a switch to private cannot slip in after it."""
        with self.uow() as uow:
            playlist = self._lock_readable(uow, account_id, playlist_id)
            if playlist.owner_id == account_id:
                return  # one's own playlist is in the library already
            uow.playlist_followers.follow(playlist_id, account_id, False, False, self.clock.now())
            uow.commit()

    def unfollow(self, account_id: int, playlist_id: int) -> None:
        self.get(playlist_id, account_id)
        with self.uow() as uow:
            uow.playlist_followers.unfollow(playlist_id, account_id)
            uow.commit()

    def followers(
        self, account_id: int, playlist_id: int, limit: int, offset: int
    ) -> tuple[list[Follower], int]:
        self._owned(account_id, playlist_id)
        with self.uow() as uow:
            return uow.playlist_followers.followers(playlist_id, limit, offset)

    def remove_follower(self, account_id: int, playlist_id: int, user_id: int) -> None:
        """The owner takes a follower or collaborator off (they may rejoin a public playlist,
        or a private one only through a new, valid invite)."""
        with self.uow() as uow:
            self._lock_owned(uow, account_id, playlist_id)
            uow.playlist_followers.unfollow(playlist_id, user_id)
            uow.commit()

    def invite(self, account_id: int, playlist_id: int, collaborate: bool) -> str:
        """A share link's token, good for INVITE_DAYS: whoever opens it follows the playlist
        (and edits it with the owner when `collaborate`; only for a collaborative one)."""
        token = new_secret_token()
        with self.uow() as uow:
            playlist = self._lock_owned(uow, account_id, playlist_id)
            if collaborate and not playlist.collaborative:
                raise Conflict(
                    "make the playlist collaborative before inviting collaborators",
                    code="playlist_not_collaborative",
                )
            uow.playlist_followers.add_invite(
                token_hash(token), playlist_id, collaborate, self.clock.now()
            )
            uow.commit()
        return token

    def revoke_invites(self, account_id: int, playlist_id: int) -> int:
        """Every share link of the playlist stops working; who joined already stays."""
        with self.uow() as uow:
            self._lock_owned(uow, account_id, playlist_id)
            revoked = uow.playlist_followers.revoke_invites(playlist_id)
            uow.commit()
        return revoked

    def accept(self, account_id: int, token: str) -> Playlist:
        now, hashed = self.clock.now(), token_hash(token)
        with self.uow() as uow:
            found = uow.playlist_followers.invite(hashed)
        if found is None:
            raise NotFound("this invite link is not valid", code="invite_not_found")
        with self.uow() as uow:
            # The row lock first (SQLite cannot turn a read into a write once another wrote),
            # then the invite again: one revoked meanwhile no longer counts.
            playlist = uow.playlists.lock(found[0])
            found = uow.playlist_followers.invite(hashed)
            if playlist is None or found is None:
                raise NotFound("this invite link is not valid", code="invite_not_found")
            _, collaborate, made_at = found
            if now - made_at > timedelta(days=rules.INVITE_DAYS):
                raise NotFound("this invite link has expired", code="invite_expired")
            if playlist.owner_id != account_id:
                collaborator = collaborate and playlist.collaborative
                uow.playlist_followers.follow(playlist.id, account_id, collaborator, True, now)
                uow.commit()
        return playlist

    def export(self, account_id: int) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        with self.uow() as uow:  # one session for the whole export
            for playlist, added_at in uow.playlist_followers.of_listener(account_id):
                own = playlist.owner_id == account_id
                item: dict[str, object] = {
                    "id": playlist.id,
                    "name": playlist.name,
                    "owner": own,
                    "added_at": added_at.isoformat(),
                }
                if own:
                    entries = uow.playlist_entries.entries(playlist.id)
                    item |= {
                        "description": playlist.description,
                        "public": playlist.public,
                        "collaborative": playlist.collaborative,
                        "tracks": [
                            {"track_id": e.track_id, "added_at": e.added_at.isoformat()}
                            for e in entries
                        ],
                    }
                out.append(item)
        return out

    # -- helpers -------------------------------------------------------------------------
    def _owned(self, account_id: int, playlist_id: int) -> tuple[Playlist, PlaylistAccess]:
        playlist, member = self.get(playlist_id, account_id)
        if playlist.owner_id != account_id:
            raise Forbidden("only the playlist's owner may do this", code="not_playlist_owner")
        return playlist, member

    def _lock_readable(self, uow: UnitOfWork, account_id: int, playlist_id: int) -> Playlist:
        playlist = uow.playlists.lock(playlist_id)
        member = uow.playlist_followers.membership(playlist_id, account_id)
        if playlist is None or not rules.can_read(playlist, account_id, member):
            raise NotFound(f"no playlist {playlist_id}")
        return playlist

    def _lock_owned(self, uow: UnitOfWork, account_id: int, playlist_id: int) -> Playlist:
        playlist = self._lock_readable(uow, account_id, playlist_id)
        if playlist.owner_id != account_id:
            raise Forbidden("only the playlist's owner may do this", code="not_playlist_owner")
        return playlist

    def _lock_editable(
        self, uow: UnitOfWork, account_id: int, playlist_id: int, snapshot_id: str | None
    ) -> Playlist:
        """Take the row lock first, then read the playlist and check the editor and the
        snapshot: edits queue one behind another instead of racing."""
        playlist = uow.playlists.lock(playlist_id)
        member = uow.playlist_followers.membership(playlist_id, account_id)
        if playlist is None or not rules.can_read(playlist, account_id, member):
            raise NotFound(f"no playlist {playlist_id}")
        if not rules.can_edit(playlist, account_id, member):
            raise Forbidden(
                "only the owner and collaborators may change this playlist",
                code="not_playlist_editor",
            )
        rules.check_snapshot(playlist, snapshot_id)
        uow.playlists.bump(playlist_id, playlist.version, self.clock.now())
        return playlist

    def _editable(self, account_id: int, playlist_id: int) -> Playlist:
        playlist, member = self.get(playlist_id, account_id)
        if not rules.can_edit(playlist, account_id, member):
            raise Forbidden(
                "only the owner and collaborators may change this playlist",
                code="not_playlist_editor",
            )
        return playlist
