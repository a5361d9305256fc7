"""The unit of work's `oauth`: apps, grants, tokens and external identities, each its own SQL
repository over the one session, made when first used."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy.orm import Session

from cadenza.adapters.db.external_identities_repo import SqlExternalIdentities
from cadenza.adapters.db.oauth_apps_repo import SqlOAuthApps
from cadenza.adapters.db.oauth_grants_repo import SqlOAuthGrants
from cadenza.adapters.db.oauth_tokens_repo import SqlOAuthTokens


class SqlOAuth:
    def __init__(self, session: Session) -> None:
        self.session = session

    @cached_property
    def apps(self) -> SqlOAuthApps:
        return SqlOAuthApps(self.session)

    @cached_property
    def grants(self) -> SqlOAuthGrants:
        return SqlOAuthGrants(self.session)

    @cached_property
    def tokens(self) -> SqlOAuthTokens:
        return SqlOAuthTokens(self.session)

    @cached_property
    def identities(self) -> SqlExternalIdentities:
        return SqlExternalIdentities(self.session)
