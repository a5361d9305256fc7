"""The search index's entries in SQL: one per release, track and artist, kept beside the catalog
and (re)built from it in batches."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, delete, func, insert, literal, or_, select, text

from cadenza.adapters.db.models import (
    ArtistRow,
    ReleaseArtistRow,
    ReleaseRow,
    TrackArtistRow,
    TrackRow,
)
from cadenza.adapters.db.models_collection import PlaylistRow
from cadenza.adapters.db.models_podcasts import PodcastShowRow
from cadenza.adapters.db.models_search import SearchWordRow
from cadenza.adapters.db.search_podcasts import PodcastEntries
from cadenza.adapters.db.search_vocabulary import BATCH, E, SearchVocabulary, _kind_words
from cadenza.domain.catalog import as_utc
from cadenza.domain.search import Kind, fold, words
from cadenza.domain.territories import WORLDWIDE

# What an entry needs of a release and of a track (Core rows: ORM objects cost more to load).
_RELEASE_COLUMNS = (
    ReleaseRow.id,
    ReleaseRow.title,
    ReleaseRow.genres,
    ReleaseRow.upc,
    ReleaseRow.explicit,
    ReleaseRow.release_at,
    ReleaseRow.territories,
    ReleaseRow.distributor_id,
    ReleaseRow.taken_down_at,
)

_TRACK_COLUMNS = (
    TrackRow.id,
    TrackRow.release_id,
    TrackRow.title,
    TrackRow.genres,
    TrackRow.isrc,
    TrackRow.explicit,
)


class SearchEntries(SearchVocabulary, PodcastEntries):
    def index_release(self, release_id: int) -> None:
        """(Re)index a release, its tracks and its artists, in the caller's transaction."""
        artist_ids = self._index_releases([release_id])
        self._index_artists(sorted(artist_ids))

    def index_playlist(self, playlist_id: int) -> None:
        """(Re)index a playlist by its name and description, in the caller's transaction; a
        deleted one's entry goes."""
        old = select(E.id, E.kind, E.entity_id, E.popular_rank).where(
            E.kind == Kind.PLAYLIST.value, E.entity_id == playlist_id
        )
        self._replace(old)
        self._index_playlists([playlist_id])

    def _index_playlists(self, playlist_ids: list[int]) -> set[int]:
        """Entries for these playlists: the name as the name, the description where a track's
        album goes; `territories` says WORLDWIDE for a public one (who may see a private one is
        asked of the playlist itself at query time)."""
        rows = []
        for p in self.s.execute(
            select(
                PlaylistRow.id,
                PlaylistRow.name,
                PlaylistRow.description,
                PlaylistRow.public,
                PlaylistRow.created_at,
            ).where(PlaylistRow.id.in_(playlist_ids))
        ):
            row = _entry(Kind.PLAYLIST, p.id, p.name, [], "", [], None)
            described = fold(p.description)
            rows.append(
                row
                | {
                    "album_words": described,
                    "release_at": as_utc(p.created_at),
                    "territories": WORLDWIDE if p.public else "",
                }
            )
        self._add(rows)
        return set(playlist_ids)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Empty the index and index the whole catalog; progress gets entries done."""
        self._clear()
        done = 0
        self._rebuilding = Counter()  # the words' uses, written once at the end
        try:
            for table, index in (
                (ReleaseRow, self._index_releases),
                (ArtistRow, self._index_artists),
                (PlaylistRow, self._index_playlists),
                (PodcastShowRow, self._index_shows),  # and their episodes
            ):
                ids = list(self.s.scalars(select(table.id).order_by(table.id)))
                for start in range(0, len(ids), BATCH):
                    batch = ids[start : start + BATCH]
                    index(batch)
                    done += len(batch)
                    if progress:
                        progress(len(batch))
            self._add_words(self._rebuilding, fresh=True)
        finally:
            self._rebuilding = None
        self.mark_popular()  # as the last rollup counted
        if self.postgres:
            # Rows added to a GIN index wait in its pending list, read in full by every
            # search, until a vacuum: at 100,000 tracks a two-letter query took 25 ms in the
            # text index instead of 3 until they were merged. And fresh statistics.
            self.tidy()
        else:  # FTS5's segments, left by the batches, merged into one b-tree per table
            for fts in ("search_fts", "search_popular_fts"):
                self.s.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('optimize')"))  # noqa: S608
            self.s.execute(
                text("INSERT INTO search_words_tri(search_words_tri) VALUES ('optimize')")
            )
        return done

    def size(self) -> tuple[int, int]:
        """Releases plus artists in the catalog (what a rebuild walks), entries in the index."""
        releases = self.s.scalar(select(func.count()).select_from(ReleaseRow)) or 0
        artists = self.s.scalar(select(func.count()).select_from(ArtistRow)) or 0
        entries = self.s.scalar(select(func.count()).select_from(E)) or 0
        return releases + artists, entries

    def _clear(self) -> None:
        self._vocabulary_changed()
        self.s.execute(delete(E))
        self.s.execute(delete(SearchWordRow))
        if not self.postgres:
            self.s.execute(text("DELETE FROM search_fts"))
            self.s.execute(text("DELETE FROM search_popular_fts"))
            self.s.execute(text("DELETE FROM search_words_tri"))
            self.s.execute(text("DELETE FROM search_spellings"))

    def _index_releases(self, release_ids: list[int]) -> set[int]:
        """Entries for these releases and their tracks; returns the artists they name."""
        releases = list(
            self.s.execute(select(*_RELEASE_COLUMNS).where(ReleaseRow.id.in_(release_ids)))
        )
        release_artists = self._names(
            select(ReleaseArtistRow.release_id, ArtistRow.id, ArtistRow.name)
            .join(ArtistRow, ArtistRow.id == ReleaseArtistRow.artist_id)
            .where(ReleaseArtistRow.release_id.in_(release_ids))
            .order_by(ReleaseArtistRow.release_id, ReleaseArtistRow.position)
        )
        tracks = list(  # in their order: a release's entries keep it
            self.s.execute(
                select(*_TRACK_COLUMNS)
                .where(TrackRow.release_id.in_(release_ids))
                .order_by(TrackRow.id)
            )
        )
        track_artists = self._names(
            select(TrackArtistRow.track_id, ArtistRow.id, ArtistRow.name)
            .join(ArtistRow, ArtistRow.id == TrackArtistRow.artist_id)
            .join(TrackRow, TrackRow.id == TrackArtistRow.track_id)
            .where(TrackRow.release_id.in_(release_ids))
            .order_by(TrackArtistRow.track_id, TrackArtistRow.position)
        )
        old = select(E.id, E.kind, E.entity_id, E.popular_rank).where(
            or_(
                and_(E.kind == Kind.RELEASE.value, E.entity_id.in_(release_ids)),
                and_(E.kind == Kind.TRACK.value, E.release_id.in_(release_ids)),
            )
        )
        ranks: dict[tuple[str, int], int] = {}
        if self._rebuilding is None:  # a rebuild starts from an empty index
            ranks = self._replace(old)
        releases = [r for r in releases if r.taken_down_at is None]  # taken down: no entries
        by_id = {r.id: r for r in releases}
        rows: list[dict[str, Any]] = []
        for r in releases:
            names = [n for _, n in release_artists[r.id]]
            rows.append(
                _entry(Kind.RELEASE, r.id, r.title, names, "", r.genres, r)
                | {"upc": r.upc, "explicit": r.explicit}
            )
        for t in tracks:
            if t.release_id not in by_id:
                continue
            release = by_id[t.release_id]
            names = [n for _, n in track_artists[t.id]]
            genres = list(t.genres) + list(release.genres)
            rows.append(
                _entry(Kind.TRACK, t.id, t.title, names, release.title, genres, release)
                | {"isrc": t.isrc, "explicit": t.explicit}
            )
        self._add([r | {"popular_rank": ranks.get((r["kind"], r["entity_id"]))} for r in rows])
        artist_ids = {a for refs in release_artists.values() for a, _ in refs}
        return artist_ids | {a for refs in track_artists.values() for a, _ in refs}

    def _index_artists(self, artist_ids: list[int]) -> set[int]:
        """Entries for the artists that have a release or a track not taken down; each carries
        when and where its music is out (its first release, every territory), so a query checks
        an artist's visibility on its own entry."""
        if not artist_ids:
            return set()
        ranks: dict[tuple[str, int], int] = {}
        if self._rebuilding is None:
            old = select(E.id, E.kind, E.entity_id, E.popular_rank).where(
                E.kind == Kind.ARTIST.value, E.entity_id.in_(artist_ids)
            )
            ranks = self._replace(old)
        live = ReleaseRow.taken_down_at.is_(None)
        own = (
            select(ReleaseArtistRow.artist_id, ReleaseRow.release_at, ReleaseRow.territories)
            .add_columns(ReleaseRow.genres)
            .join(ReleaseRow, ReleaseRow.id == ReleaseArtistRow.release_id)
            .where(ReleaseArtistRow.artist_id.in_(artist_ids), live)
        )
        on_tracks = (
            select(TrackArtistRow.artist_id, ReleaseRow.release_at, ReleaseRow.territories)
            .add_columns(literal(None).label("genres"))
            .join(TrackRow, TrackRow.id == TrackArtistRow.track_id)
            .join(ReleaseRow, ReleaseRow.id == TrackRow.release_id)
            .where(TrackArtistRow.artist_id.in_(artist_ids), live)
            .distinct()
        )
        out: dict[int, list[Any]] = {}  # artist -> [first release, territories, genres]
        for statement in (own, on_tracks):
            for artist_id, released, territories, release_genres in self.s.execute(statement):
                seen = out.setdefault(artist_id, [as_utc(released), set(), set()])
                seen[0] = min(seen[0], as_utc(released))
                seen[1].update(territories.split())
                seen[2].update(release_genres or [])
        artists = self.s.execute(
            select(ArtistRow.id, ArtistRow.name).where(ArtistRow.id.in_(list(out)))
        )
        rows = []
        for artist_id, name in artists:
            first, places, genres = out[artist_id]
            where = WORLDWIDE if WORLDWIDE in places else " ".join(sorted(places))
            row = _entry(Kind.ARTIST, artist_id, name, [], "", sorted(genres), None)
            rank = ranks.get((Kind.ARTIST.value, artist_id))
            rows.append(row | {"release_at": first, "territories": where, "popular_rank": rank})
        self._add(rows)
        return set(artist_ids)

    def _replace(self, old: Any) -> dict[tuple[str, int], int]:
        """Remove these entries (id, kind, entity_id, popular_rank); returns the ranked ones'
        ranks by (kind, entity_id): indexed again, they keep them (until the next rollup)."""
        found = list(self.s.execute(old))
        self._remove([r.id for r in found])
        return {(r.kind, r.entity_id): r.popular_rank for r in found if r.popular_rank}

    def _names(self, query: Any) -> dict[int, list[tuple[int, str]]]:
        found: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for owner, artist_id, name in self.s.execute(query):
            found[owner].append((artist_id, name))
        return found

    def _remove(self, entry_ids: list[int]) -> None:
        for start in range(0, len(entry_ids), BATCH):
            batch = entry_ids[start : start + BATCH]
            self.s.execute(delete(E).where(E.id.in_(batch)))
            if not self.postgres:
                self._delete_fts(batch)

    def _add(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        entries = self.s.connection()  # Core executemany: the ORM's bulk insert cost more
        if self.postgres:
            entries.execute(insert(E), rows)
        else:
            # Ids chosen here, for the FTS rows: safe, as the publishing transaction already
            # holds SQLite's one write lock (and a rebuild takes it with its first delete).
            first = (self.s.scalar(select(func.max(E.id))) or 0) + 1
            rows = [r | {"id": first + n} for n, r in enumerate(rows)]
            entries.execute(insert(E), rows)
            entries.execute(
                text(
                    "INSERT INTO search_fts(rowid, name, artists, album, genres, kind) "
                    "VALUES (:id, :name_words, :artist_words, :album_words, :genre_words, "
                    ":kind_word)"
                ),
                [r | {"kind_word": _kind_words(r)} for r in rows],
            )
            self._add_popular_fts([r for r in rows if r.get("popular_rank") is not None])
        uses: Counter[str] = Counter()
        for r in rows:
            text_words = f"{r['name_words']} {r['artist_words']} {r['album_words']}".split()
            uses.update({w for w in text_words if len(w) <= 200})
        if self._rebuilding is not None:
            self._rebuilding.update(uses)
        else:
            self._add_words(uses)


def _entry(
    kind: Kind,
    entity_id: int,
    name: str,
    artists: Iterable[str],
    album: str,
    genres: Iterable[str],
    release: Any,
) -> dict[str, Any]:
    """An entry's row; release: the release's row (a Core row of _RELEASE_COLUMNS, or its ORM
    row), None for an artist."""
    folded, joined = _folded(name)
    released = as_utc(release.release_at) if release is not None else None
    return {
        "kind": kind.value,
        "entity_id": entity_id,
        "name": name,
        "name_words": folded + joined,
        "name_key": folded[:200],
        "artist_words": " ".join(_name_words(a) for a in artists),
        "album_words": _folded(album)[0],
        "genre_words": fold(" ".join(genres)),
        "isrc": None,
        "upc": None,
        "release_id": release.id if release is not None else None,
        "release_at": released,
        "year": released.year if released is not None else None,
        "territories": release.territories if release is not None else "",
        "explicit": False,
        "distributor_id": release.distributor_id if release is not None else None,
        "popular_rank": None,
    }


@lru_cache(maxsize=65536)
def _folded(name: str) -> tuple[str, str]:
    """The folded name, and its words run together (" acdc") when they are short: "AC/DC" and
    "Jay-Z" are found as "acdc" and "jayz" too. Cached: an artist or album name recurs on
    every track."""
    parts = words(name)
    joined = "".join(parts)
    if 1 < len(parts) <= 4 and len(joined) <= 24 and all(len(p) <= 4 for p in parts):
        return " ".join(parts), " " + joined
    return " ".join(parts), ""


def _name_words(name: str) -> str:
    folded, joined = _folded(name)
    return folded + joined
