"""Podcast shows and episodes in SQL."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_podcasts import PodcastBlobRow, PodcastEpisodeRow, PodcastShowRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.podcasts import (
    AudioState,
    Chapter,
    Cue,
    Episode,
    EpisodeSummary,
    FeedEpisode,
    FeedShow,
    FetchState,
    Person,
    Show,
    ShowSummary,
)
from cadenza.ports.podcasts import NewShow

S = PodcastShowRow
E = PodcastEpisodeRow
_EPISODE_SUMMARY = select(E.id, E.show_id, E.title, E.published_at, E.duration_ms).where(
    E.id.in_(bindparam("ids", expanding=True))
)
_SHOW_SUMMARY = select(S.id, S.title, S.publisher, S.artwork_blob).where(
    S.id.in_(bindparam("ids", expanding=True))
)
CHANGING = (
    "title",
    "description_html",
    "published_at",
    "duration_ms",
    "explicit",
    "season",
    "number",
    "enclosure_url",
    "enclosure_type",
    "enclosure_length",
    "chapters_url",
    "transcript_url",
    "transcript_type",
)


class SqlPodcasts:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add_show(self, new: NewShow, now: datetime) -> int:
        row = S(
            feed_url=new.feed_url,
            owner_id=new.owner_id,
            artwork_blob=new.artwork_blob,
            artwork_generated=new.artwork_generated,
            etag=None,
            last_modified=None,
            failures=0,
            next_fetch_at=None,
            last_fetched_at=now if new.feed_url else None,
            last_error=None,
            created_at=now,
            **_show_fields(new.show),
        )
        self.s.add(row)
        self.s.flush()
        if new.artwork_blob:
            self.keep_blobs(row.id, [new.artwork_blob])
        return row.id

    def update_show(self, show_id: int, show: FeedShow, artwork_blob: str | None) -> None:
        values = _show_fields(show)
        if artwork_blob is not None:
            values |= {"artwork_blob": artwork_blob, "artwork_generated": False}
            self.keep_blobs(show_id, [artwork_blob])
        self.s.execute(update(S).where(S.id == show_id).values(**values))

    def show(self, show_id: int) -> Show | None:
        row = self.s.get(S, show_id)
        if row is None:
            return None
        count = self.s.scalar(select(func.count()).where(E.show_id == show_id)) or 0
        return _show(row, count)

    def search_page(
        self, show_ids: list[int], episode_ids: list[int]
    ) -> tuple[dict[int, ShowSummary], dict[int, EpisodeSummary]]:
        """The few columns a hit shows, not whole rows: a show's episode count (a count over
        its episodes) and an episode's description, chapters and transcript were read and
        built for every hit and never shown (a third of a slow query's CPU on the bench)."""
        episodes: dict[int, EpisodeSummary] = {}
        if episode_ids:
            for r in self.s.execute(_EPISODE_SUMMARY, {"ids": episode_ids}):
                published = as_utc(r.published_at) if r.published_at else None
                episodes[r.id] = EpisodeSummary(r.id, r.show_id, r.title, published, r.duration_ms)
        wanted = list({*show_ids, *(e.show_id for e in episodes.values())})
        shows: dict[int, ShowSummary] = {}
        if wanted:
            for s in self.s.execute(_SHOW_SUMMARY, {"ids": wanted}):
                shows[s.id] = ShowSummary(s.id, s.title, s.publisher, s.artwork_blob)
        return shows, episodes

    def show_by_feed(self, feed_url: str) -> int | None:
        return self.s.scalar(select(S.id).where(S.feed_url == feed_url))

    def owned(self, owner_id: int) -> list[Show]:
        rows = self.s.scalars(select(S).where(S.owner_id == owner_id).order_by(S.id)).all()
        counts = dict(
            self.s.execute(
                select(E.show_id, func.count())
                .where(E.show_id.in_([r.id for r in rows]))
                .group_by(E.show_id)
            ).all()
        )
        return [_show(r, counts.get(r.id, 0)) for r in rows]

    def due(self, now: datetime, limit: int) -> list[tuple[int, str]]:
        found = self.s.execute(
            select(S.id, S.feed_url)
            .where(S.feed_url.is_not(None), or_(S.next_fetch_at.is_(None), S.next_fetch_at <= now))
            .order_by(S.next_fetch_at.is_not(None), S.next_fetch_at, S.id)
            .limit(limit)
        ).all()
        return [(i, url) for i, url in found if url is not None]

    def fetch_state(self, show_id: int) -> FetchState:
        row = self.s.get(S, show_id)
        assert row is not None
        due = as_utc(row.next_fetch_at) if row.next_fetch_at else None
        return FetchState(row.etag, row.last_modified, row.failures, due)

    def fetched(
        self, show_id: int, state: FetchState, error: str | None, now: datetime | None
    ) -> None:
        values: dict[str, Any] = {
            "etag": state.etag,
            "last_modified": state.last_modified,
            "failures": state.failures,
            "next_fetch_at": state.next_fetch_at,
            "last_error": error,
        }
        if now is not None:
            values["last_fetched_at"] = now
        self.s.execute(update(S).where(S.id == show_id).values(**values))

    def merge_episodes(self, show_id: int, episodes: tuple[FeedEpisode, ...], now: datetime) -> int:
        known = {
            row.guid: row
            for row in self.s.execute(
                select(E.id, E.guid, *(getattr(E, c) for c in CHANGING)).where(E.show_id == show_id)
            ).all()
        }
        new, changed = [], []
        for episode in episodes:
            fields = _episode_fields(episode)
            row = known.get(episode.guid)
            if row is None:
                new.append(_new_episode(show_id, episode, now))
            elif any(_same(getattr(row, c)) != _same(fields[c]) for c in CHANGING):
                changed.append(
                    {"id": row.id, **{c: fields[c] for c in CHANGING}, "persons": fields["persons"]}
                )
        if new:
            self.s.execute(insert(E), new)
        if changed:
            self.s.execute(update(E), changed)
        return len(new)

    def episodes(
        self, show_id: int, now: datetime, limit: int, offset: int, *, unpublished: bool = False
    ) -> tuple[list[Episode], int]:
        where = [E.show_id == show_id]
        if not unpublished:
            where.append(or_(E.published_at.is_(None), E.published_at <= now))
        total = self.s.scalar(select(func.count()).where(*where)) or 0
        rows = self.s.scalars(
            select(E)
            .where(*where)
            .order_by(E.published_at.desc(), E.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return [episode_of(r) for r in rows], total

    def episode(self, episode_id: int) -> Episode | None:
        row = self.s.get(E, episode_id)
        return episode_of(row) if row is not None else None

    def awaiting_audio(self, limit: int, show_id: int | None = None) -> list[Episode]:
        query = select(E).where(E.audio == AudioState.PENDING.value, E.enclosure_url.is_not(None))
        if show_id is not None:
            query = query.where(E.show_id == show_id)
        rows = self.s.scalars(query.order_by(E.published_at.desc(), E.id.desc()).limit(limit)).all()
        return [episode_of(r) for r in rows]

    def set_audio(
        self,
        episode_id: int,
        state: AudioState,
        error: str | None,
        ladder: dict[str, tuple[str, int]] | None = None,
        gain_db: float = 0.0,
        duration_ms: int | None = None,
    ) -> None:
        values: dict[str, Any] = {"audio": state.value, "audio_error": error}
        if ladder:
            show_id = self.s.scalar(select(E.show_id).where(E.id == episode_id))
            if show_id is not None:
                self.keep_blobs(show_id, [blob for blob, _ in ladder.values()])
        if ladder is not None:
            values |= {"ladder": {q: list(v) for q, v in ladder.items()}, "gain_db": gain_db}
        if duration_ms is not None:
            values["duration_ms"] = duration_ms
        self.s.execute(update(E).where(E.id == episode_id).values(**values))

    def set_extras(
        self,
        episode_id: int,
        chapters: tuple[Chapter, ...] | None,
        transcript: tuple[Cue, ...] | None,
    ) -> None:
        values: dict[str, Any] = {}
        if chapters is not None:
            values["chapters"] = [asdict(c) for c in chapters]
        if transcript is not None:
            values["transcript"] = [asdict(c) for c in transcript]
        if values:
            self.s.execute(update(E).where(E.id == episode_id).values(**values))

    def extras_of(self, episode_id: int) -> tuple[str | None, str | None, str | None]:
        found = self.s.execute(
            select(E.chapters_url, E.transcript_url, E.transcript_type).where(E.id == episode_id)
        ).one_or_none()
        return (found[0], found[1], found[2]) if found else (None, None, None)

    def add_episode(self, show_id: int, episode: FeedEpisode, now: datetime) -> int:
        row = E(**_new_episode(show_id, episode, now))
        self.s.add(row)
        self.s.flush()
        return row.id

    def blobs_in_use(self, digests: list[str]) -> set[str]:
        return set(
            self.s.scalars(select(PodcastBlobRow.digest).where(PodcastBlobRow.digest.in_(digests)))
        )

    def keep_blobs(self, show_id: int, digests: list[str]) -> None:
        """Blobs the show uses from now on (the blob sweep leaves them)."""
        kept = self.blobs_in_use_by(show_id, digests)
        for digest in dict.fromkeys(digests):
            if digest not in kept:
                self.s.add(PodcastBlobRow(digest=digest, show_id=show_id))
        self.s.flush()

    def blobs_in_use_by(self, show_id: int, digests: list[str]) -> set[str]:
        return set(
            self.s.scalars(
                select(PodcastBlobRow.digest).where(
                    PodcastBlobRow.show_id == show_id, PodcastBlobRow.digest.in_(digests)
                )
            )
        )


def _same(value: object) -> object:
    return as_utc(value) if isinstance(value, datetime) else value


def _show_fields(show: FeedShow) -> dict[str, Any]:
    return {
        "title": show.title,
        "publisher": show.publisher,
        "description_html": show.description_html,
        "link": show.link,
        "language": show.language,
        "explicit": show.explicit,
        "podcast_guid": show.podcast_guid,
        "categories": list(show.categories),
        "persons": [asdict(p) for p in show.persons],
    }


def _episode_fields(e: FeedEpisode) -> dict[str, Any]:
    return {
        "title": e.title,
        "description_html": e.description_html,
        "published_at": e.published_at,
        "duration_ms": e.duration_ms,
        "explicit": e.explicit,
        "season": e.season,
        "number": e.number,
        "enclosure_url": e.enclosure_url,
        "enclosure_type": e.enclosure_type,
        "enclosure_length": e.enclosure_length,
        "chapters_url": e.chapters_url,
        "transcript_url": e.transcript_url,
        "transcript_type": e.transcript_type,
        "persons": [asdict(p) for p in e.persons],
    }


def _new_episode(show_id: int, e: FeedEpisode, now: datetime) -> dict[str, Any]:
    return {
        "show_id": show_id,
        "guid": e.guid,
        **_episode_fields(e),
        "chapters": [],
        "transcript": [],
        "audio": AudioState.PENDING.value,
        "audio_error": None,
        "ladder": {},
        "gain_db": 0.0,
        "created_at": now,
    }


def _show(row: S, count: int) -> Show:
    return Show(
        id=row.id,
        title=row.title,
        publisher=row.publisher,
        description_html=row.description_html,
        feed_url=row.feed_url,
        link=row.link,
        language=row.language,
        explicit=row.explicit,
        artwork_blob=row.artwork_blob,
        artwork_generated=row.artwork_generated,
        podcast_guid=row.podcast_guid,
        categories=tuple(row.categories),
        persons=tuple(Person(**p) for p in row.persons),
        owner_id=row.owner_id,
        episode_count=count,
        last_fetched_at=as_utc(row.last_fetched_at) if row.last_fetched_at else None,
        last_error=row.last_error,
    )


def episode_of(row: E) -> Episode:
    return Episode(
        id=row.id,
        show_id=row.show_id,
        guid=row.guid,
        title=row.title,
        description_html=row.description_html,
        published_at=as_utc(row.published_at) if row.published_at else None,
        duration_ms=row.duration_ms,
        explicit=row.explicit,
        season=row.season,
        number=row.number,
        audio=AudioState(row.audio),
        audio_error=row.audio_error,
        chapters=tuple(Chapter(**c) for c in row.chapters),
        transcript=tuple(Cue(**c) for c in row.transcript),
        persons=tuple(Person(**p) for p in row.persons),
        ladder={q: (str(v[0]), int(v[1])) for q, v in row.ladder.items()},
        gain_db=row.gain_db,
        enclosure_url=row.enclosure_url,
    )
