"""E-mails to artists and distributors when something they asked for is decided: a claim of an
artist profile (approved or refused) and a pitch to the editors (playlisted or not). Queued in
the transaction that decides (the outgoing mail queue sends them), so a decision and its
e-mails are one: neither happens without the other."""

from __future__ import annotations

from datetime import datetime

from cadenza.domain.artists import Claim, ClaimStatus, Pitch
from cadenza.domain.mail import Email
from cadenza.ports.unit_of_work import UnitOfWork

# The words the artist's and distributor's pages use too (web/js/pages/pitch.js: pitchState).
PITCH_PASSED = "reviewed by the editors, not playlisted"


def pitch_state(pitch: Pitch) -> str:
    if pitch.playlisted_in:
        where = ", ".join(name for _, name in pitch.playlisted_in)
        return f"Pitched {pitch.track_title}: playlisted on {where}"
    return f"Pitched {pitch.track_title}: {PITCH_PASSED}"


def claim_decided(
    uow: UnitOfWork, claim: Claim, decider_distributor: int | None, site: str, now: datetime
) -> None:
    """The claimant hears the answer; the artist's distributors (but the one that decided)
    hear who now speaks for their artist, or that a claim was refused."""
    approved = claim.status is ClaimStatus.APPROVED
    account = uow.accounts.get(claim.account_id)
    if account is not None and not account.disabled:
        if approved:
            subject = f"You now speak for {claim.artist_name} on Cadenza"
            text = (
                f"Your claim of the artist profile {claim.artist_name} was approved. Edit the "
                f"profile, see the statistics and pitch to the editors from your artist "
                f"dashboard: {site}/artist-dashboard\n"
            )
        else:
            subject = f"Your claim of {claim.artist_name} was not approved"
            text = f"Your claim of the artist profile {claim.artist_name} was not approved.\n"
        if claim.note:
            text += f"\nThe note that came with the answer: {claim.note}\n"
        uow.mail.add(Email(account.email, subject, text), now)
    delivering = uow.artist_claims.distributors_of(claim.artist_id)
    others = [d for d in delivering if d != decider_distributor]
    verdict = "approved" if approved else "refused"
    for address in uow.artist_claims.distributor_addresses(others):
        text = (
            f"The claim by {claim.account_name} to speak for {claim.artist_name}, an artist you "
            f"deliver, was {verdict}.\n"
        )
        uow.mail.add(Email(address, f"Claim of {claim.artist_name} {verdict}", text), now)


def pitch_decided(uow: UnitOfWork, pitch: Pitch, site: str, now: datetime) -> None:
    """The release's artists (their linked accounts) and its distributor hear how the pitch
    went, in the words their pages show."""
    state = pitch_state(pitch)
    artists = uow.artist_claims.release_artists(pitch.release_id)
    addresses = uow.artist_claims.artist_addresses(artists)
    pitcher = pitch.pitched_by.removeprefix("artist:")
    if pitcher.isdigit():  # the pitching artist account, linked or no longer
        account = uow.accounts.get(int(pitcher))
        if account is not None and not account.disabled:
            addresses.append(account.email)
    distributor = uow.artist_claims.distributor_addresses([pitch.distributor_id])
    subject = f"Your pitch of {pitch.track_title}: " + (
        "playlisted" if pitch.playlisted_in else "not playlisted"
    )
    about = (
        f"{state}.\n\nRelease: {pitch.release_title} ({', '.join(pitch.artists)}), out "
        f"{pitch.release_at:%Y-%m-%d}.\n"
    )
    for address in dict.fromkeys(addresses):
        if address not in distributor:
            text = f"{about}Your pitches: {site}/artist-dashboard\n"
            uow.mail.add(Email(address, subject, text), now)
    for address in distributor:
        uow.mail.add(Email(address, subject, f"{about}Your pitches: {site}/distributor\n"), now)
