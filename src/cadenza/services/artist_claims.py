"""Claiming an artist profile: any signed-in account with a verified address asks to speak for
an artist; a distributor that delivers that artist, or an admin, approves or rejects. Approval
links the account to the artist and makes it an artist account.

Nothing here tells anyone about a claim that is not theirs: a distributor sees and decides only
claims on artists it delivered, and any other claim is answered as if it did not exist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cadenza.domain import artists as rules
from cadenza.domain.accounts import AuditEvent, Role
from cadenza.domain.artists import Claim, ClaimStatus
from cadenza.domain.errors import Conflict, Forbidden, NotFound
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services import creator_notices as notices


@dataclass(frozen=True)
class Decider:
    """Who decides a claim: an admin account, or a distributor (by its catalog id)."""

    admin_id: int | None = None
    distributor_id: int | None = None

    @property
    def label(self) -> str:
        if self.admin_id is not None:
            return f"admin:{self.admin_id}"
        return f"distributor:{self.distributor_id}"


def require_admin(uow: UnitOfWork, account_id: int) -> None:
    account = uow.accounts.get(account_id)
    if account is None or account.disabled or Role.ADMIN not in account.roles:
        raise Forbidden("this needs an admin account", code="admin_only")


class ArtistClaims:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock, site: str = "") -> None:
        self.uow, self.clock, self.site = uow, clock, site  # site: the links in e-mails

    def request(self, account_id: int, artist_id: int, message: str) -> Claim:
        message = rules.clean_text(message, rules.MAX_CLAIM_MESSAGE, "message")
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
            if account is None or account.disabled:
                raise Forbidden("this account cannot claim artists", code="account_disabled")
            if not account.email_verified:
                raise Forbidden(
                    "verify your e-mail address before claiming an artist",
                    code="email_not_verified",
                )
            if uow.artist_claims.artist_name(artist_id) is None:
                raise NotFound(f"no artist {artist_id}")
            if artist_id in {a.id for a in uow.artist_links.linked_artists(account_id)}:
                raise Conflict("this artist is yours already", code="already_linked")
            pending = [
                c
                for c in uow.artist_claims.of_account(account_id)
                if c.status is ClaimStatus.PENDING
            ]
            if any(c.artist_id == artist_id for c in pending):
                raise Conflict(
                    "you claimed this artist already; wait for the answer", code="claim_pending"
                )
            if len(pending) >= rules.MAX_PENDING_CLAIMS:
                raise Conflict(
                    f"at most {rules.MAX_PENDING_CLAIMS} claims may wait at once",
                    code="too_many_claims",
                )
            claim_id = uow.artist_claims.add(artist_id, account_id, message, self.clock.now())
            uow.audit.add(
                account_id,
                AuditEvent(
                    "artist_claimed", self.clock.now(), None, None, {"artist_id": str(artist_id)}
                ),
            )
            uow.commit()
            claim = uow.artist_claims.get(claim_id)
        assert claim is not None
        return claim

    def mine(self, account_id: int) -> list[Claim]:
        with self.uow() as uow:
            return uow.artist_claims.of_account(account_id)

    def pending(self, decider: Decider, limit: int = 50, offset: int = 0) -> list[Claim]:
        with self.uow() as uow:
            if decider.admin_id is not None:
                require_admin(uow, decider.admin_id)
            return uow.artist_claims.pending(decider.distributor_id, limit, offset)

    def decide(
        self, decider: Decider, claim_id: int, approve: bool, note: str | None = None
    ) -> Claim:
        note = rules.clean_text(note, rules.MAX_DECISION_NOTE, "note") or None if note else None
        now = self.clock.now()
        with self.uow() as uow:
            if decider.admin_id is not None:
                require_admin(uow, decider.admin_id)
            claim = uow.artist_claims.get(claim_id)
            if claim is None or (
                decider.admin_id is None
                and not uow.artist_claims.delivers(decider.distributor_id or 0, claim.artist_id)
            ):
                raise NotFound(f"no claim {claim_id}", code="claim_not_found")
            status = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
            if not uow.artist_claims.decide(claim_id, status, decider.label, note, now):
                raise Conflict("this claim was decided already", code="claim_decided")
            if approve:
                uow.artist_links.link_artist(claim.account_id, claim.artist_id, now)
                account = uow.accounts.get(claim.account_id)
                if account is not None and Role.ARTIST not in account.roles:
                    roles = [r.value for r in account.roles] + [Role.ARTIST.value]
                    uow.accounts.set_roles(claim.account_id, roles)
            uow.audit.add(
                claim.account_id,
                AuditEvent(
                    f"artist_claim_{status.value}",
                    now,
                    None,
                    None,
                    {"artist_id": str(claim.artist_id), "by": decider.label},
                ),
            )
            decided = uow.artist_claims.get(claim_id)
            assert decided is not None
            notices.claim_decided(uow, decided, decider.distributor_id, self.site, now)
            uow.commit()
        return decided
