"""The page an artist edits: a bio, an avatar and a header image, and the artist pick (one of
the artist's releases or tracks, with a note). Only an account linked to the artist edits it;
everyone reads it on the artist's public page, the pick only when the viewer may see it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from cadenza.domain import artists as rules
from cadenza.domain.accounts import Role
from cadenza.domain.artists import ArtistPage
from cadenza.domain.catalog import ReleaseView, TrackView, Viewer
from cadenza.domain.errors import CadenzaError, Forbidden, InvalidRequest, NotFound
from cadenza.ports.artists import ProfileImages
from cadenza.ports.blobs import BlobStore
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.catalog import CatalogService


class ImageKind(StrEnum):
    AVATAR = "avatar"
    HEADER = "header"


@dataclass(frozen=True)
class PublicPage:
    page: ArtistPage
    pick_release: ReleaseView | None = None
    pick_track: tuple[TrackView, ReleaseView] | None = None


def require_linked(uow: UnitOfWork, account_id: int, artist_id: int) -> None:
    """The account is an artist account linked to this artist; anything else is refused."""
    account = uow.accounts.get(account_id)
    if account is None or account.disabled or Role.ARTIST not in account.roles:
        raise Forbidden("this needs an artist account", code="artist_only")
    if artist_id not in {a.id for a in uow.artist_links.linked_artists(account_id)}:
        raise Forbidden("this artist profile is not yours", code="not_your_artist")


class ArtistPages:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        catalog: CatalogService,
        blobs: BlobStore,
        images: Callable[[], ProfileImages],
    ) -> None:
        self.uow, self.clock, self.catalog, self.blobs = uow, clock, catalog, blobs
        self.images = images

    def page(self, artist_id: int) -> ArtistPage:
        with self.uow() as uow:
            return uow.artist_pages.get(artist_id)

    def public(self, artist_id: int, viewer: Viewer) -> PublicPage:
        """The page with its pick resolved as this viewer may see it (none when not)."""
        page = self.page(artist_id)
        release = track = None
        try:
            if page.pick_track_id is not None:
                track = self.catalog.track(page.pick_track_id, viewer)
            elif page.pick_release_id is not None:
                release = self.catalog.release(page.pick_release_id, viewer)
        except CadenzaError:  # not out yet, not here, or taken down: no pick shown
            pass
        return PublicPage(page, release, track)

    def own(self, account_id: int, artist_id: int) -> ArtistPage:
        with self.uow() as uow:
            require_linked(uow, account_id, artist_id)
            return uow.artist_pages.get(artist_id)

    def set_bio(self, account_id: int, artist_id: int, bio: str) -> ArtistPage:
        bio = rules.clean_text(bio, rules.MAX_BIO, "bio")
        return self._change(account_id, artist_id, lambda page: replace(page, bio=bio))

    def set_pick(
        self,
        account_id: int,
        artist_id: int,
        release_id: int | None,
        track_id: int | None,
        note: str | None,
    ) -> ArtistPage:
        """A release or a track (not both) of this artist; neither clears the pick."""
        if release_id is not None and track_id is not None:
            raise InvalidRequest("pick a release or a track, not both", code="pick_both")
        note = rules.clean_text(note or "", rules.MAX_PICK_NOTE, "note") or None
        with self.uow() as uow:
            require_linked(uow, account_id, artist_id)
            if release_id is not None:
                found = uow.catalog.release(release_id)
                if found is None or artist_id not in {a.id for a in found.artists}:
                    raise NotFound(
                        f"{artist_id} has no release {release_id}", code="pick_not_found"
                    )
            if track_id is not None:
                track = uow.catalog.track(track_id)
                of_release = uow.catalog.release(track.release_id) if track else None
                ids = {a.id for a in (track.artists + track.featured_artists)} if track else set()
                ids |= {a.id for a in of_release.artists} if of_release else set()
                if track is None or artist_id not in ids:
                    raise NotFound(f"{artist_id} has no track {track_id}", code="pick_not_found")
        return self._change(
            account_id,
            artist_id,
            lambda page: replace(
                page,
                pick_release_id=release_id,
                pick_track_id=track_id,
                pick_note=note if (release_id or track_id) else None,
            ),
        )

    def set_image(
        self, account_id: int, artist_id: int, kind: ImageKind, image: bytes | None
    ) -> ArtistPage:
        """Upload (resized to the size the page shows) or, with None, remove."""
        with self.uow() as uow:
            require_linked(uow, account_id, artist_id)
        digest = None
        if image is not None:
            processor = self.images()
            fitted = (
                processor.avatar(image) if kind is ImageKind.AVATAR else processor.header(image)
            )
            digest = self.blobs.put_bytes(fitted).digest
        if kind is ImageKind.AVATAR:
            return self._change(account_id, artist_id, lambda page: replace(page, avatar=digest))
        return self._change(account_id, artist_id, lambda page: replace(page, header=digest))

    def _change(
        self, account_id: int, artist_id: int, change: Callable[[ArtistPage], ArtistPage]
    ) -> ArtistPage:
        with self.uow() as uow:
            require_linked(uow, account_id, artist_id)
            changed = change(uow.artist_pages.get(artist_id))
            uow.artist_pages.save(changed, self.clock.now())
            uow.commit()
            return uow.artist_pages.get(artist_id)
