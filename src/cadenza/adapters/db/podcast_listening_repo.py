"""Each listener's podcasts in SQL: follows, where they stopped, plays; the podcaster's figures."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_podcasts import (
    PodcastEpisodeRow,
    PodcastFollowRow,
    PodcastPlayRow,
    PodcastProgressRow,
)
from cadenza.adapters.db.podcasts_repo import episode_of
from cadenza.domain.catalog import as_utc
from cadenza.domain.podcasts import Episode, Progress
from cadenza.ports.podcasts import EpisodeStats

E = PodcastEpisodeRow
F = PodcastFollowRow
P = PodcastProgressRow
PLAY = PodcastPlayRow


class SqlPodcastListening:
    def __init__(self, session: Session) -> None:
        self.s = session

    def follow(self, account_id: int, show_ids: list[int], now: datetime) -> None:
        already = set(
            self.s.scalars(
                select(F.show_id).where(F.account_id == account_id, F.show_id.in_(show_ids))
            )
        )
        for show_id in dict.fromkeys(show_ids):
            if show_id not in already:
                self.s.add(F(account_id=account_id, show_id=show_id, followed_at=now))
        self.s.flush()

    def unfollow(self, account_id: int, show_ids: list[int]) -> None:
        self.s.execute(delete(F).where(F.account_id == account_id, F.show_id.in_(show_ids)))

    def following(self, account_id: int, show_ids: list[int]) -> list[bool]:
        found = set(
            self.s.scalars(
                select(F.show_id).where(F.account_id == account_id, F.show_id.in_(show_ids))
            )
        )
        return [i in found for i in show_ids]

    def followed(self, account_id: int) -> list[int]:
        return list(
            self.s.scalars(
                select(F.show_id)
                .where(F.account_id == account_id)
                .order_by(F.followed_at.desc(), F.show_id)
            )
        )

    def _unfinished(self, account_id: int, now: datetime) -> list[ColumnElement[bool]]:
        played = select(P.episode_id).where(P.account_id == account_id, P.played.is_(True))
        return [
            E.show_id.in_(select(F.show_id).where(F.account_id == account_id)),
            or_(E.published_at.is_(None), E.published_at <= now),
            E.id.not_in(played),
        ]

    def new_episodes(
        self, account_id: int, now: datetime, limit: int, offset: int
    ) -> tuple[list[Episode], int]:
        where = self._unfinished(account_id, now)
        total = self.s.scalar(select(func.count()).select_from(E).where(*where)) or 0
        rows = self.s.scalars(
            select(E)
            .where(*where)
            .order_by(E.published_at.desc(), E.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return [episode_of(r) for r in rows], total

    def unplayed(self, account_id: int, now: datetime) -> dict[int, int]:
        where = self._unfinished(account_id, now)
        return {
            show: count
            for show, count in self.s.execute(
                select(E.show_id, func.count()).where(*where).group_by(E.show_id)
            ).all()
        }

    def progress(self, account_id: int, episode_ids: list[int]) -> dict[int, Progress]:
        rows = self.s.scalars(
            select(P).where(P.account_id == account_id, P.episode_id.in_(episode_ids))
        ).all()
        return {
            r.episode_id: Progress(r.episode_id, r.position_ms, r.played, as_utc(r.updated_at))
            for r in rows
        }

    def save_progress(self, account_id: int, progress: Progress) -> None:
        row = self.s.get(P, (account_id, progress.episode_id))
        if row is None:
            self.s.add(
                P(
                    account_id=account_id,
                    episode_id=progress.episode_id,
                    position_ms=progress.position_ms,
                    furthest_ms=progress.position_ms,
                    played=progress.played,
                    updated_at=progress.updated_at,
                )
            )
            self.s.flush()
            return
        self.s.execute(
            update(P)
            .where(P.account_id == account_id, P.episode_id == progress.episode_id)
            .values(
                position_ms=progress.position_ms,
                furthest_ms=func.max(P.furthest_ms, progress.position_ms)
                if self.s.get_bind().dialect.name == "sqlite"
                else func.greatest(P.furthest_ms, progress.position_ms),
                played=progress.played,
                updated_at=progress.updated_at,
            )
        )

    def record_play(self, account_id: int, episode_id: int, show_id: int, now: datetime) -> None:
        self.s.add(
            PLAY(account_id=account_id, episode_id=episode_id, show_id=show_id, started_at=now)
        )

    def stats(self, show_id: int) -> list[EpisodeStats]:
        episodes = self.s.execute(
            select(E.id, E.title, E.duration_ms)
            .where(E.show_id == show_id)
            .order_by(E.published_at.desc(), E.id.desc())
        ).all()
        plays = dict(
            self.s.execute(
                select(PLAY.episode_id, func.count())
                .where(PLAY.show_id == show_id)
                .group_by(PLAY.episode_id)
            ).all()
        )
        listeners = dict(
            self.s.execute(
                select(PLAY.episode_id, func.count(PLAY.account_id.distinct()))
                .where(PLAY.show_id == show_id)
                .group_by(PLAY.episode_id)
            ).all()
        )
        furthest: dict[int, list[int]] = defaultdict(list)
        for episode_id, reached, played in self.s.execute(
            select(P.episode_id, P.furthest_ms, P.played).join(
                E, and_(E.id == P.episode_id, E.show_id == show_id)
            )
        ).all():
            furthest[episode_id].append(reached)
            if played:
                duration = next((d for i, _, d in episodes if i == episode_id), None)
                furthest[episode_id][-1] = max(reached, duration or 0)
        return [
            EpisodeStats(
                i, title, duration, plays.get(i, 0), listeners.get(i, 0), furthest.get(i, [])
            )
            for i, title, duration in episodes
        ]

    def show_totals(self, show_id: int) -> tuple[int, int]:
        plays, listeners = self.s.execute(
            select(func.count(), func.count(PLAY.account_id.distinct())).where(
                PLAY.show_id == show_id
            )
        ).one()
        return int(plays), int(listeners)
