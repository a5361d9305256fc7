"""The unit of work's repositories for what comes from other apps (Subsonic apps' credentials,
the catalog shelf and their ratings; OAuth apps, grants and tokens; history brought from
elsewhere and the scrobble outbox),
kept apart from the long list in unit_of_work.py: made when first used."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from cadenza.adapters.db.app_access_repo import SqlAppCredentials
    from cadenza.adapters.db.batch_inputs_repo import SqlBatchInputs
    from cadenza.adapters.db.event_archive_repo import SqlEventArchive
    from cadenza.adapters.db.history_repo import SqlHistory
    from cadenza.adapters.db.oauth_repo import SqlOAuth
    from cadenza.adapters.db.peers_repo import SqlPeers
    from cadenza.adapters.db.podcast_listening_repo import SqlPodcastListening
    from cadenza.adapters.db.podcasts_repo import SqlPodcasts
    from cadenza.adapters.db.room_episode_jobs_repo import SqlRoomEpisodeJobs
    from cadenza.adapters.db.rooms_repo import SqlRooms
    from cadenza.adapters.db.shelf_repo import SqlShelf


class AppRepositories:
    session: Session

    @cached_property
    def app_credentials(self) -> SqlAppCredentials:
        from cadenza.adapters.db.app_access_repo import SqlAppCredentials

        return SqlAppCredentials(self.session)

    @cached_property
    def batch_inputs(self) -> SqlBatchInputs:
        from cadenza.adapters.db.batch_inputs_repo import SqlBatchInputs

        return SqlBatchInputs(self.session)

    @cached_property
    def event_archive(self) -> SqlEventArchive:
        from cadenza.adapters.db.event_archive_repo import SqlEventArchive

        return SqlEventArchive(self.session)

    @cached_property
    def history(self) -> SqlHistory:  # and `history.forwarding`: the scrobble outbox
        from cadenza.adapters.db.history_repo import SqlHistory

        return SqlHistory(self.session)

    @cached_property
    def oauth(self) -> SqlOAuth:
        from cadenza.adapters.db.oauth_repo import SqlOAuth

        return SqlOAuth(self.session)

    @cached_property
    def rooms(self) -> SqlRooms:
        from cadenza.adapters.db.rooms_repo import SqlRooms

        return SqlRooms(self.session)

    @cached_property
    def room_episode_jobs(self) -> SqlRoomEpisodeJobs:
        from cadenza.adapters.db.room_episode_jobs_repo import SqlRoomEpisodeJobs

        return SqlRoomEpisodeJobs(self.session)

    @cached_property
    def podcasts(self) -> SqlPodcasts:
        from cadenza.adapters.db.podcasts_repo import SqlPodcasts

        return SqlPodcasts(self.session)

    @cached_property
    def podcast_listening(self) -> SqlPodcastListening:
        from cadenza.adapters.db.podcast_listening_repo import SqlPodcastListening

        return SqlPodcastListening(self.session)

    @cached_property
    def peers(self) -> SqlPeers:  # the peer tracker
        from cadenza.adapters.db.peers_repo import SqlPeers

        return SqlPeers(self.session)

    @cached_property
    def shelf(self) -> SqlShelf:
        from cadenza.adapters.db.shelf_repo import SqlShelf

        return SqlShelf(self.session)


def repository_names(unit_of_work: type) -> list[str]:
    """Every repository property of a unit of work class, its bases' included."""
    return [
        name
        for klass in unit_of_work.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, cached_property)
    ]
