"""Podcast shows and episodes in the search index, beside the music: a show by its title,
publisher and description; an episode by its title, its show's title and publisher, and its
description. Listed everywhere; an episode from its publication date (a hosted episode waiting
for its schedule is not found)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_podcasts import PodcastEpisodeRow, PodcastShowRow
from cadenza.adapters.db.search_vocabulary import E
from cadenza.domain.catalog import as_utc
from cadenza.domain.search import Kind, fold
from cadenza.domain.territories import WORLDWIDE

DESCRIPTION_CHARS = 2000  # of the description, as words, indexed
_TAG = re.compile(r"<[^>]+>")
ALWAYS = datetime(1970, 1, 1, tzinfo=UTC)


class PodcastEntries:
    """A mixin of the search index (adapters/db/search_repo.py): it lends _replace and _add."""

    s: Session
    if TYPE_CHECKING:

        def _replace(self, old: Any) -> dict[tuple[str, int], int]: ...

        def _add(self, rows: list[dict[str, Any]]) -> None: ...

    def index_show(self, show_id: int) -> None:
        """(Re)index a show and every episode of it, in the caller's transaction."""
        old_show = select(E.id, E.kind, E.entity_id, E.popular_rank).where(
            E.kind == Kind.SHOW.value, E.entity_id == show_id
        )
        episodes = select(PodcastEpisodeRow.id).where(PodcastEpisodeRow.show_id == show_id)
        old_episodes = select(E.id, E.kind, E.entity_id, E.popular_rank).where(
            E.kind == Kind.EPISODE.value, E.entity_id.in_(episodes)
        )
        self._replace(old_show)
        self._replace(old_episodes)
        self._index_shows([show_id])

    def _index_shows(self, show_ids: list[int]) -> None:
        shows = {
            r.id: r
            for r in self.s.execute(
                select(
                    PodcastShowRow.id,
                    PodcastShowRow.title,
                    PodcastShowRow.publisher,
                    PodcastShowRow.description_html,
                ).where(PodcastShowRow.id.in_(show_ids))
            )
        }
        rows = [
            _row(Kind.SHOW, s.id, s.title, s.publisher, s.description_html, ALWAYS)
            for s in shows.values()
        ]
        for e in self.s.execute(
            select(
                PodcastEpisodeRow.id,
                PodcastEpisodeRow.show_id,
                PodcastEpisodeRow.title,
                PodcastEpisodeRow.description_html,
                PodcastEpisodeRow.published_at,
                PodcastEpisodeRow.created_at,
            ).where(PodcastEpisodeRow.show_id.in_(list(shows)))
        ):
            show = shows[e.show_id]
            published = as_utc(e.published_at or e.created_at)
            rows.append(
                _row(
                    Kind.EPISODE,
                    e.id,
                    e.title,
                    f"{show.publisher} {show.title}",
                    e.description_html,
                    published,
                )
            )
        self._add(rows)


def _row(
    kind: Kind, entity_id: int, name: str, by: str, description_html: str, at: datetime
) -> dict[str, Any]:
    folded = fold(name)
    return {
        "kind": kind.value,
        "entity_id": entity_id,
        "name": name,
        "name_words": folded,
        "name_key": folded[:200],
        "artist_words": fold(by),
        "album_words": fold(_TAG.sub(" ", description_html)[: DESCRIPTION_CHARS * 2])[
            :DESCRIPTION_CHARS
        ],
        "genre_words": "",
        "isrc": None,
        "upc": None,
        "release_id": None,
        "release_at": at,
        "year": at.year,
        "territories": WORLDWIDE,
        "explicit": False,
        "distributor_id": None,
        "popular_rank": None,
    }
