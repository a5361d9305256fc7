"""One transaction over every SQL repository, each its own attribute, made when first used."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cadenza.adapters.db.app_repositories import AppRepositories, repository_names

# Each repository module (and the tables it uses) is imported by the property that makes it: a
# command or a request loads only the tables it touches (docs/architecture.md).
if TYPE_CHECKING:
    from cadenza.adapters.db.accounts_repo import SqlAccounts
    from cadenza.adapters.db.ad_breaks_repo import SqlAdBreaks
    from cadenza.adapters.db.ad_impressions_repo import SqlImpressions
    from cadenza.adapters.db.ads_repo import SqlAds
    from cadenza.adapters.db.api_keys_repo import SqlApiKeys
    from cadenza.adapters.db.artist_claims_repo import SqlArtistClaims
    from cadenza.adapters.db.artist_links_repo import SqlArtistLinks
    from cadenza.adapters.db.artist_pages_repo import SqlArtistPages
    from cadenza.adapters.db.artist_stats_repo import SqlArtistStats
    from cadenza.adapters.db.audit_repo import SqlAuditLog
    from cadenza.adapters.db.blends_repo import SqlBlends
    from cadenza.adapters.db.catalog_repo import SqlCatalog
    from cadenza.adapters.db.charts_repo import SqlCharts
    from cadenza.adapters.db.collection_repo import SqlCollection
    from cadenza.adapters.db.deliveries_repo import SqlDeliveries
    from cadenza.adapters.db.devices_repo import SqlDevices
    from cadenza.adapters.db.fraud_repo import SqlFraud
    from cadenza.adapters.db.grant_log_repo import SqlGrantLog
    from cadenza.adapters.db.invoices_repo import SqlInvoices
    from cadenza.adapters.db.library_repo import SqlLibrary
    from cadenza.adapters.db.listener_taste_repo import SqlListenerTaste
    from cadenza.adapters.db.listening_repo import SqlListening
    from cadenza.adapters.db.login_attempts_repo import SqlLoginAttempts
    from cadenza.adapters.db.mail_repo import SqlMailQueue
    from cadenza.adapters.db.members_repo import SqlMembers
    from cadenza.adapters.db.offline_repo import SqlOffline
    from cadenza.adapters.db.payment_events_repo import SqlPaymentEvents
    from cadenza.adapters.db.payment_methods_repo import SqlPaymentMethods
    from cadenza.adapters.db.pitches_repo import SqlPitches
    from cadenza.adapters.db.playlist_entries_repo import SqlPlaylistEntries
    from cadenza.adapters.db.playlist_followers_repo import SqlPlaylistFollowers
    from cadenza.adapters.db.playlists_repo import SqlPlaylists
    from cadenza.adapters.db.release_radar_repo import SqlReleaseRadar
    from cadenza.adapters.db.rip_flags_repo import SqlRipFlags
    from cadenza.adapters.db.royalties_repo import SqlRoyalties
    from cadenza.adapters.db.search_repo import SqlSearchIndex
    from cadenza.adapters.db.sessions_repo import SqlSessions
    from cadenza.adapters.db.social_repo import SqlSocial
    from cadenza.adapters.db.stats_rollup_repo import SqlStatsRollup
    from cadenza.adapters.db.stream_tickets_repo import SqlStreamTickets
    from cadenza.adapters.db.students_repo import SqlStudents
    from cadenza.adapters.db.subscriptions_repo import SqlSubscriptions
    from cadenza.adapters.db.supply_repo import SqlSupply
    from cadenza.adapters.db.takedowns_repo import SqlTakedowns
    from cadenza.adapters.db.taste_picks_repo import SqlTastePicks
    from cadenza.adapters.db.taste_repo import SqlTaste
    from cadenza.adapters.db.taste_signals_repo import SqlTasteSignals
    from cadenza.adapters.db.tokens_repo import SqlOneTimeTokens
    from cadenza.adapters.db.two_factor_repo import SqlTwoFactor


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class SqlUnitOfWork(AppRepositories):
    def __init__(
        self, sessions: sessionmaker[Session], mail_queued: Callable[[], None] | None = None
    ) -> None:
        self._sessions = sessions
        self._mail_queued = mail_queued  # wakes the mail worker once queued mail is committed

    def __enter__(self) -> SqlUnitOfWork:
        self.session: Session = self._sessions()
        for name in _REPOSITORIES:  # a unit of work entered again starts with fresh ones
            self.__dict__.pop(name, None)
        return self

    def __exit__(self, *exc: object) -> None:
        # Closing rolls back what was not committed (a rollback() first would do it twice).
        self.session.close()

    # Each repository is made when first used: a play command touches two or three of them.
    @cached_property
    def catalog(self) -> SqlCatalog:
        from cadenza.adapters.db.catalog_repo import SqlCatalog

        return SqlCatalog(self.session)

    @cached_property
    def supply(self) -> SqlSupply:
        from cadenza.adapters.db.supply_repo import SqlSupply

        return SqlSupply(self.session)

    @cached_property
    def takedowns(self) -> SqlTakedowns:
        from cadenza.adapters.db.takedowns_repo import SqlTakedowns

        return SqlTakedowns(self.session)

    @cached_property
    def library(self) -> SqlLibrary:
        from cadenza.adapters.db.library_repo import SqlLibrary

        return SqlLibrary(self.session)

    @cached_property
    def deliveries(self) -> SqlDeliveries:
        from cadenza.adapters.db.deliveries_repo import SqlDeliveries

        return SqlDeliveries(self.session)

    @cached_property
    def accounts(self) -> SqlAccounts:
        from cadenza.adapters.db.accounts_repo import SqlAccounts

        return SqlAccounts(self.session)

    @cached_property
    def artist_links(self) -> SqlArtistLinks:
        from cadenza.adapters.db.artist_links_repo import SqlArtistLinks

        return SqlArtistLinks(self.session)

    @cached_property
    def artist_claims(self) -> SqlArtistClaims:
        from cadenza.adapters.db.artist_claims_repo import SqlArtistClaims

        return SqlArtistClaims(self.session)

    @cached_property
    def artist_pages(self) -> SqlArtistPages:
        from cadenza.adapters.db.artist_pages_repo import SqlArtistPages

        return SqlArtistPages(self.session)

    @cached_property
    def pitches(self) -> SqlPitches:
        from cadenza.adapters.db.pitches_repo import SqlPitches

        return SqlPitches(self.session)

    @cached_property
    def audit(self) -> SqlAuditLog:
        from cadenza.adapters.db.audit_repo import SqlAuditLog

        return SqlAuditLog(self.session)

    @cached_property
    def sessions(self) -> SqlSessions:
        from cadenza.adapters.db.sessions_repo import SqlSessions

        return SqlSessions(self.session)

    @cached_property
    def tokens(self) -> SqlOneTimeTokens:
        from cadenza.adapters.db.tokens_repo import SqlOneTimeTokens

        return SqlOneTimeTokens(self.session)

    @cached_property
    def two_factor(self) -> SqlTwoFactor:
        from cadenza.adapters.db.two_factor_repo import SqlTwoFactor

        return SqlTwoFactor(self.session)

    @cached_property
    def api_keys(self) -> SqlApiKeys:
        from cadenza.adapters.db.api_keys_repo import SqlApiKeys

        return SqlApiKeys(self.session)

    @cached_property
    def login_attempts(self) -> SqlLoginAttempts:
        from cadenza.adapters.db.login_attempts_repo import SqlLoginAttempts

        return SqlLoginAttempts(self.session)

    @cached_property
    def stream_tickets(self) -> SqlStreamTickets:
        from cadenza.adapters.db.stream_tickets_repo import SqlStreamTickets

        return SqlStreamTickets(self.session)

    @cached_property
    def payment_methods(self) -> SqlPaymentMethods:
        from cadenza.adapters.db.payment_methods_repo import SqlPaymentMethods

        return SqlPaymentMethods(self.session)

    @cached_property
    def payment_events(self) -> SqlPaymentEvents:
        from cadenza.adapters.db.payment_events_repo import SqlPaymentEvents

        return SqlPaymentEvents(self.session)

    @cached_property
    def subscriptions(self) -> SqlSubscriptions:
        from cadenza.adapters.db.subscriptions_repo import SqlSubscriptions

        return SqlSubscriptions(self.session)

    @cached_property
    def members(self) -> SqlMembers:
        from cadenza.adapters.db.members_repo import SqlMembers

        return SqlMembers(self.session)

    @cached_property
    def invoices(self) -> SqlInvoices:
        from cadenza.adapters.db.invoices_repo import SqlInvoices

        return SqlInvoices(self.session)

    @cached_property
    def students(self) -> SqlStudents:
        from cadenza.adapters.db.students_repo import SqlStudents

        return SqlStudents(self.session)

    @cached_property
    def listening(self) -> SqlListening:
        from cadenza.adapters.db.listening_repo import SqlListening

        return SqlListening(self.session)

    @cached_property
    def grant_log(self) -> SqlGrantLog:
        from cadenza.adapters.db.grant_log_repo import SqlGrantLog

        return SqlGrantLog(self.session)

    @cached_property
    def taste(self) -> SqlTaste:
        from cadenza.adapters.db.taste_repo import SqlTaste

        return SqlTaste(self.session)

    @cached_property
    def taste_signals(self) -> SqlTasteSignals:
        from cadenza.adapters.db.taste_signals_repo import SqlTasteSignals

        return SqlTasteSignals(self.session)

    @cached_property
    def listener_taste(self) -> SqlListenerTaste:
        from cadenza.adapters.db.listener_taste_repo import SqlListenerTaste

        return SqlListenerTaste(self.session)

    @cached_property
    def ads(self) -> SqlAds:
        from cadenza.adapters.db.ads_repo import SqlAds

        return SqlAds(self.session)

    @cached_property
    def ad_breaks(self) -> SqlAdBreaks:
        from cadenza.adapters.db.ad_breaks_repo import SqlAdBreaks

        return SqlAdBreaks(self.session)

    @cached_property
    def ad_impressions(self) -> SqlImpressions:
        from cadenza.adapters.db.ad_impressions_repo import SqlImpressions

        return SqlImpressions(self.session)

    @cached_property
    def mail(self) -> SqlMailQueue:
        from cadenza.adapters.db.mail_repo import SqlMailQueue

        return SqlMailQueue(self.session)

    @cached_property
    def search(self) -> SqlSearchIndex:
        from cadenza.adapters.db.search_repo import SqlSearchIndex

        return SqlSearchIndex(self.session)

    @cached_property
    def collection(self) -> SqlCollection:
        from cadenza.adapters.db.collection_repo import SqlCollection

        return SqlCollection(self.session)

    @cached_property
    def playlists(self) -> SqlPlaylists:
        from cadenza.adapters.db.playlists_repo import SqlPlaylists

        return SqlPlaylists(self.session)

    @cached_property
    def playlist_entries(self) -> SqlPlaylistEntries:
        from cadenza.adapters.db.playlist_entries_repo import SqlPlaylistEntries

        return SqlPlaylistEntries(self.session)

    @cached_property
    def playlist_followers(self) -> SqlPlaylistFollowers:
        from cadenza.adapters.db.playlist_followers_repo import SqlPlaylistFollowers

        return SqlPlaylistFollowers(self.session)

    @cached_property
    def offline(self) -> SqlOffline:
        from cadenza.adapters.db.offline_repo import SqlOffline

        return SqlOffline(self.session)

    @cached_property
    def rip_flags(self) -> SqlRipFlags:
        from cadenza.adapters.db.rip_flags_repo import SqlRipFlags

        return SqlRipFlags(self.session)

    @cached_property
    def fraud(self) -> SqlFraud:
        from cadenza.adapters.db.fraud_repo import SqlFraud

        return SqlFraud(self.session)

    @cached_property
    def devices(self) -> SqlDevices:
        from cadenza.adapters.db.devices_repo import SqlDevices

        return SqlDevices(self.session)

    @cached_property
    def royalties(self) -> SqlRoyalties:
        from cadenza.adapters.db.royalties_repo import SqlRoyalties

        return SqlRoyalties(self.session)

    @cached_property
    def charts(self) -> SqlCharts:
        from cadenza.adapters.db.charts_repo import SqlCharts

        return SqlCharts(self.session)

    @cached_property
    def artist_stats(self) -> SqlArtistStats:
        from cadenza.adapters.db.artist_stats_repo import SqlArtistStats

        return SqlArtistStats(self.session)

    @cached_property
    def stats_rollup(self) -> SqlStatsRollup:
        from cadenza.adapters.db.stats_rollup_repo import SqlStatsRollup

        return SqlStatsRollup(self.session)

    @cached_property
    def taste_picks(self) -> SqlTastePicks:
        from cadenza.adapters.db.taste_picks_repo import SqlTastePicks

        return SqlTastePicks(self.session)

    @cached_property
    def release_radar(self) -> SqlReleaseRadar:
        from cadenza.adapters.db.release_radar_repo import SqlReleaseRadar

        return SqlReleaseRadar(self.session)

    @cached_property
    def social(self) -> SqlSocial:
        from cadenza.adapters.db.social_repo import SqlSocial

        return SqlSocial(self.session)

    @cached_property
    def blends(self) -> SqlBlends:
        from cadenza.adapters.db.blends_repo import SqlBlends

        return SqlBlends(self.session)

    def commit(self) -> None:
        self.session.commit()
        mail = self.__dict__.get("mail")  # only a unit of work that used the queue can have added
        if mail is not None and mail.added and self._mail_queued is not None:
            mail.added = False
            self._mail_queued()

    def rollback(self) -> None:
        self.session.rollback()


_REPOSITORIES = repository_names(SqlUnitOfWork)
