"""Imports, imported plays, learned Spotify URIs and scrobbling tokens in SQL (HistoryRepository).
The same statements on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from functools import cached_property

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.forwarding_repo import SqlForwarding
from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models import ArtistRow, ReleaseRow, TrackArtistRow, TrackRow
from cadenza.adapters.db.models_history import (
    HistoryImportRow,
    HistoryPlayRow,
    ScrobbleTokenRow,
    TrackSpotifyUriRow,
)
from cadenza.domain.catalog import as_utc
from cadenza.ports.history import CatalogTrack, HistoryImport, ImportedPlay

BATCH = 10_000


class SqlHistory:
    def __init__(self, session: Session) -> None:
        self.s = session

    @cached_property
    def forwarding(self) -> SqlForwarding:
        return SqlForwarding(self.s)

    # -- the catalog as matching reads it -----------------------------------------------
    def catalog(self) -> Iterator[CatalogTrack]:
        names: dict[int, list[str]] = defaultdict(list)
        credits = (
            select(TrackArtistRow.track_id, ArtistRow.name)
            .join(ArtistRow, ArtistRow.id == TrackArtistRow.artist_id)
            .where(TrackArtistRow.role == "main")
            .order_by(TrackArtistRow.track_id, TrackArtistRow.position)
        )
        for track, name in self.s.execute(credits.execution_options(yield_per=BATCH)):
            names[int(track)].append(name)
        tracks = (
            select(
                TrackRow.id, TrackRow.title, TrackRow.duration_ms, TrackRow.isrc, ReleaseRow.title
            )
            .join(ReleaseRow, ReleaseRow.id == TrackRow.release_id)
            .order_by(TrackRow.id)
        )
        for track, title, duration, isrc, release in self.s.execute(
            tracks.execution_options(yield_per=BATCH)
        ):
            yield CatalogTrack(
                int(track), title, tuple(names.get(int(track), ())), int(duration), isrc, release
            )

    def spotify_uris(self) -> dict[str, int]:
        rows = self.s.execute(select(TrackSpotifyUriRow.uri, TrackSpotifyUriRow.track_id))
        return {uri: int(track) for uri, track in rows}

    def remember_spotify_uris(self, uris: dict[str, int]) -> None:
        if uris:
            self.s.execute(
                insert_on_conflict(self.s, TrackSpotifyUriRow)
                .values([{"uri": u, "track_id": t} for u, t in sorted(uris.items())])
                .on_conflict_do_nothing(index_elements=[TrackSpotifyUriRow.uri])
            )

    # -- imports -------------------------------------------------------------------------
    def start_import(
        self, user_id: int, source: str, file_name: str, total: int, skipped: int, at: datetime
    ) -> int:
        row = HistoryImportRow(
            user_id=user_id,
            source=source,
            file_name=file_name[:255],
            status="running",
            total=total,
            processed=0,
            matched=0,
            unmatched=0,
            skipped=skipped,
            added=0,
            top_unmatched=[],
            created_at=at,
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def progress(
        self, import_id: int, processed: int, matched: int, unmatched: int, added: int
    ) -> None:
        self.s.execute(
            update(HistoryImportRow)
            .where(HistoryImportRow.id == import_id)
            .values(processed=processed, matched=matched, unmatched=unmatched, added=added)
        )

    def finish(
        self,
        import_id: int,
        status: str,
        top_unmatched: list[tuple[str, str, int]],
        error: str | None,
        at: datetime,
    ) -> None:
        self.s.execute(
            update(HistoryImportRow)
            .where(HistoryImportRow.id == import_id)
            .values(
                status=status,
                top_unmatched=[list(t) for t in top_unmatched],
                error=error[:200] if error else None,
                finished_at=at,
            )
        )

    def get_import(self, import_id: int) -> HistoryImport | None:
        row = self.s.get(HistoryImportRow, import_id)
        return _import(row) if row is not None else None

    def imports(self, user_id: int, limit: int) -> list[HistoryImport]:
        rows = self.s.scalars(
            select(HistoryImportRow)
            .where(HistoryImportRow.user_id == user_id)
            .order_by(HistoryImportRow.created_at.desc(), HistoryImportRow.id.desc())
            .limit(limit)
        )
        return [_import(r) for r in rows]

    def delete_import(self, import_id: int) -> int:
        gone = self.s.execute(delete(HistoryPlayRow).where(HistoryPlayRow.import_id == import_id))
        self.s.execute(delete(HistoryImportRow).where(HistoryImportRow.id == import_id))
        return int(getattr(gone, "rowcount", 0) or 0)

    def fail_unfinished(self, error: str, at: datetime, started_before: datetime) -> int:
        done = self.s.execute(
            update(HistoryImportRow)
            .where(
                HistoryImportRow.status == "running",
                HistoryImportRow.created_at < started_before,
            )
            .values(status="failed", error=error, finished_at=at)
        )
        return int(getattr(done, "rowcount", 0) or 0)

    # -- plays ---------------------------------------------------------------------------
    def add_plays(
        self,
        user_id: int,
        import_id: int | None,
        source: str,
        plays: list[tuple[int, datetime, int]],
    ) -> int:
        if not plays:
            return 0
        fresh: dict[tuple[int, datetime], int] = {}
        for track, at, ms in plays:
            fresh.setdefault((track, as_utc(at)), ms)
        earliest = min(at for _, at in fresh)
        latest = max(at for _, at in fresh)
        known = self.s.execute(
            select(HistoryPlayRow.track_id, HistoryPlayRow.played_at).where(
                HistoryPlayRow.user_id == user_id,
                HistoryPlayRow.source == source,
                HistoryPlayRow.played_at >= earliest,
                HistoryPlayRow.played_at <= latest,
            )
        )
        for track, at in known:
            fresh.pop((int(track), as_utc(at)), None)
        if not fresh:
            return 0
        rows = [
            {
                "user_id": user_id,
                "import_id": import_id,
                "source": source,
                "track_id": track,
                "played_at": at,
                "listened_ms": ms,
            }
            for (track, at), ms in fresh.items()
        ]
        self.s.execute(
            insert_on_conflict(self.s, HistoryPlayRow)
            .values(rows)
            .on_conflict_do_nothing(
                index_elements=[
                    HistoryPlayRow.user_id,
                    HistoryPlayRow.source,
                    HistoryPlayRow.played_at,
                    HistoryPlayRow.track_id,
                ]
            )
        )
        return len(rows)

    def plays(self, user_id: int, limit: int, offset: int) -> list[ImportedPlay]:
        rows = self.s.execute(
            select(
                HistoryPlayRow.track_id,
                HistoryPlayRow.played_at,
                HistoryPlayRow.listened_ms,
                HistoryPlayRow.source,
                HistoryPlayRow.import_id,
            )
            .where(HistoryPlayRow.user_id == user_id)
            .order_by(HistoryPlayRow.played_at.desc(), HistoryPlayRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [ImportedPlay(int(t), as_utc(at), int(ms), s, i) for t, at, ms, s, i in rows]

    # -- scrobbling tokens ---------------------------------------------------------------
    def set_token(self, user_id: int, token_hash: str, at: datetime) -> None:
        self.s.execute(delete(ScrobbleTokenRow).where(ScrobbleTokenRow.user_id == user_id))
        self.s.add(ScrobbleTokenRow(user_id=user_id, token_hash=token_hash, created_at=at))
        self.s.flush()

    def token_owner(self, token_hash: str) -> int | None:
        found = self.s.scalar(
            select(ScrobbleTokenRow.user_id).where(ScrobbleTokenRow.token_hash == token_hash)
        )
        return int(found) if found is not None else None

    def token_made(self, user_id: int) -> datetime | None:
        row = self.s.get(ScrobbleTokenRow, user_id)
        return as_utc(row.created_at) if row is not None else None

    def delete_token(self, user_id: int) -> bool:
        gone = self.s.execute(delete(ScrobbleTokenRow).where(ScrobbleTokenRow.user_id == user_id))
        return bool(getattr(gone, "rowcount", 0))


def _import(row: HistoryImportRow) -> HistoryImport:
    return HistoryImport(
        id=row.id,
        user_id=row.user_id,
        source=row.source,
        file_name=row.file_name,
        status=row.status,
        total=row.total,
        processed=row.processed,
        matched=row.matched,
        unmatched=row.unmatched,
        skipped=row.skipped,
        added=row.added,
        top_unmatched=[(str(a), str(t), int(str(n))) for a, t, n in row.top_unmatched],
        error=row.error,
        created_at=as_utc(row.created_at),
        finished_at=as_utc(row.finished_at) if row.finished_at else None,
    )
