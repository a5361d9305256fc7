"""One transaction over the catalog, library, deliveries, accounts, plans, listening, ads
and outgoing mail."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cadenza.adapters.db.accounts_repo import SqlAccounts
from cadenza.adapters.db.ads_repo import SqlAds
from cadenza.adapters.db.billing_repo import SqlBilling
from cadenza.adapters.db.catalog_repo import SqlCatalog
from cadenza.adapters.db.collection_repo import SqlCollection
from cadenza.adapters.db.devices_repo import SqlDevices
from cadenza.adapters.db.library_repo import SqlDeliveries, SqlLibrary
from cadenza.adapters.db.listening_repo import SqlListening
from cadenza.adapters.db.mail_repo import SqlMailQueue
from cadenza.adapters.db.offline_repo import SqlOffline
from cadenza.adapters.db.playlists_repo import SqlPlaylists
from cadenza.adapters.db.search_repo import SqlSearchIndex


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class SqlUnitOfWork:
    def __init__(
        self, sessions: sessionmaker[Session], mail_queued: Callable[[], None] | None = None
    ) -> None:
        self._sessions = sessions
        self._mail_queued = mail_queued  # wakes the mail worker once queued mail is committed

    def __enter__(self) -> SqlUnitOfWork:
        self.session: Session = self._sessions()
        self.catalog = SqlCatalog(self.session)
        self.library = SqlLibrary(self.session)
        self.deliveries = SqlDeliveries(self.session)
        self.accounts = SqlAccounts(self.session)
        self.billing = SqlBilling(self.session)
        self.listening = SqlListening(self.session)
        self.ads = SqlAds(self.session)
        self.mail = SqlMailQueue(self.session)
        self.search = SqlSearchIndex(self.session)
        self.collection = SqlCollection(self.session)
        self.playlists = SqlPlaylists(self.session)
        self.offline = SqlOffline(self.session)
        self.devices = SqlDevices(self.session)
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
        if self.mail.added and self._mail_queued is not None:
            self.mail.added = False
            self._mail_queued()

    def rollback(self) -> None:
        self.session.rollback()
