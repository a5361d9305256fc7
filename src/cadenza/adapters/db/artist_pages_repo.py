"""The pages artists edit (bio, images, pick), in SQL."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_artists import ArtistPageRow
from cadenza.domain.artists import ArtistPage
from cadenza.domain.catalog import as_utc


class SqlArtistPages:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, artist_id: int) -> ArtistPage:
        row = self.s.get(ArtistPageRow, artist_id)
        if row is None:
            return ArtistPage(artist_id)
        return ArtistPage(
            artist_id=row.artist_id,
            bio=row.bio,
            avatar=row.avatar_blob,
            header=row.header_blob,
            pick_release_id=row.pick_release_id,
            pick_track_id=row.pick_track_id,
            pick_note=row.pick_note,
            updated_at=as_utc(row.updated_at),
        )

    def save(self, page: ArtistPage, now: datetime) -> None:
        row = self.s.get(ArtistPageRow, page.artist_id, with_for_update=True)
        values = asdict(page) | {"updated_at": now}
        values["avatar_blob"] = values.pop("avatar")
        values["header_blob"] = values.pop("header")
        if row is None:
            self.s.add(ArtistPageRow(**values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
        self.s.flush()

    def blobs_in_use(self, digests: list[str]) -> set[str]:
        if not digests:
            return set()
        rows = self.s.execute(
            select(ArtistPageRow.avatar_blob, ArtistPageRow.header_blob).where(
                or_(ArtistPageRow.avatar_blob.in_(digests), ArtistPageRow.header_blob.in_(digests))
            )
        )
        found = {d for row in rows for d in row if d is not None}
        return found & set(digests)
