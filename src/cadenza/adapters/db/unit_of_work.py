"""One transaction over the catalog, the library scan and deliveries."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cadenza.adapters.db.accounts_repo import SqlAccounts
from cadenza.adapters.db.billing_repo import SqlBilling
from cadenza.adapters.db.catalog_repo import SqlCatalog
from cadenza.adapters.db.library_repo import SqlDeliveries, SqlLibrary
from cadenza.adapters.db.listening_repo import SqlListening
from cadenza.adapters.db.search_repo import SqlSearchIndex


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class SqlUnitOfWork:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def __enter__(self) -> SqlUnitOfWork:
        self.session: Session = self._sessions()
        self.catalog = SqlCatalog(self.session)
        self.library = SqlLibrary(self.session)
        self.deliveries = SqlDeliveries(self.session)
        self.accounts = SqlAccounts(self.session)
        self.billing = SqlBilling(self.session)
        self.listening = SqlListening(self.session)
        self.search = SqlSearchIndex(self.session)
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
