"""Sign-up taste picks in SQL, and the popular artists a new listener picks from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from cadenza.adapters.db.models import ArtistRow, ReleaseArtistRow, ReleaseRow
from cadenza.adapters.db.models_discovery import TastePickRow
from cadenza.adapters.db.models_search import SearchPopularityRow
from cadenza.domain.catalog import ArtistRef, Viewer, as_utc
from cadenza.domain.territories import WORLDWIDE


class SqlTastePicks:
    def __init__(self, session: Session) -> None:
        self.s = session

    def picks(self, user_id: int) -> list[int]:
        return list(
            self.s.scalars(
                select(TastePickRow.artist_id)
                .where(TastePickRow.user_id == user_id)
                .order_by(TastePickRow.position)
            )
        )

    def replace(self, user_id: int, artist_ids: list[int], now: datetime) -> None:
        self.s.execute(delete(TastePickRow).where(TastePickRow.user_id == user_id))
        if artist_ids:
            self.s.execute(
                insert(TastePickRow),
                [
                    {"user_id": user_id, "artist_id": a, "position": n, "picked_at": now}
                    for n, a in enumerate(artist_ids)
                ],
            )

    def popular_artists(
        self, viewer: Viewer, name_words: str, limit: int, offset: int
    ) -> list[ArtistRef]:
        here = aliased(SearchPopularityRow)
        everywhere = aliased(SearchPopularityRow)
        padded = " " + ReleaseRow.territories + " "
        allowed = [padded.like(f"% {WORLDWIDE} %")]
        if viewer.country:
            allowed.append(padded.like(f"% {viewer.country.upper()[:2]} %"))
        heard = exists(
            select(ReleaseArtistRow.release_id)
            .join(ReleaseRow, ReleaseRow.id == ReleaseArtistRow.release_id)
            .where(
                ReleaseArtistRow.artist_id == ArtistRow.id,
                ReleaseRow.release_at <= as_utc(viewer.now),
                ReleaseRow.taken_down_at.is_(None),
                or_(*allowed),
            )
        )
        query = (
            select(ArtistRow.id, ArtistRow.name)
            .outerjoin(
                here,
                and_(
                    here.kind == "artist",
                    here.entity_id == ArtistRow.id,
                    here.country == (viewer.country or "-").upper()[:2],
                ),
            )
            .outerjoin(
                everywhere,
                and_(
                    everywhere.kind == "artist",
                    everywhere.entity_id == ArtistRow.id,
                    everywhere.country == "",
                ),
            )
            .where(heard)
        )
        if name_words:
            query = query.where(ArtistRow.name_key.contains(name_words, autoescape=True))
        rows = self.s.execute(
            query.order_by(
                func.coalesce(here.streams, 0).desc(),
                func.coalesce(everywhere.streams, 0).desc(),
                ArtistRow.name_key,
                ArtistRow.id,
            )
            .limit(limit)
            .offset(offset)
        )
        return [ArtistRef(id=int(i), name=n) for i, n in rows]
