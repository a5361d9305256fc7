"""Cadenza for Artists: claim an artist profile (decided by the artist's distributor or an
admin), and edit the artist's public page: bio, avatar and header images, the artist pick."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile, status

from cadenza.api.artist_schemas import (
    ArtistPageOut,
    BioIn,
    ClaimIn,
    ClaimOut,
    DecisionIn,
    PickIn,
)
from cadenza.api.deps import (
    AdminSession,
    ArtistClaimsDep,
    ArtistPagesDep,
    CurrentSession,
    DistributorId,
    Id,
    ReadingDistributorId,
)
from cadenza.domain.artists import MAX_IMAGE_BYTES
from cadenza.domain.errors import InvalidRequest
from cadenza.services.artist_claims import Decider
from cadenza.services.artist_pages import ImageKind

router = APIRouter(prefix="/api/v1", tags=["artists"])


# -- claims --------------------------------------------------------------------------------
@router.post("/me/artist-claims", status_code=status.HTTP_201_CREATED, response_model=ClaimOut)
def claim_artist(body: ClaimIn, session: CurrentSession, claims: ArtistClaimsDep) -> ClaimOut:
    """Ask to speak for an artist. The artist's distributor or an admin decides; approval links
    the account to the artist and makes it an artist account."""
    return ClaimOut.of(claims.request(session.account_id, body.artist_id, body.message))


@router.get("/me/artist-claims", response_model=list[ClaimOut])
def my_claims(session: CurrentSession, claims: ArtistClaimsDep) -> list[ClaimOut]:
    return [ClaimOut.of(c) for c in claims.mine(session.account_id)]


@router.get("/distributor/artist-claims", response_model=list[ClaimOut])
def distributor_claims(
    distributor: ReadingDistributorId,
    claims: ArtistClaimsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[ClaimOut]:
    """Pending claims on the artists this distributor delivers (no other)."""
    found = claims.pending(Decider(distributor_id=distributor), limit, offset)
    return [ClaimOut.of(c) for c in found]


@router.post("/distributor/artist-claims/{claim_id}/decision", response_model=ClaimOut)
def distributor_decides(
    claim_id: Id, body: DecisionIn, distributor: DistributorId, claims: ArtistClaimsDep
) -> ClaimOut:
    decided = claims.decide(Decider(distributor_id=distributor), claim_id, body.approve, body.note)
    return ClaimOut.of(decided)


@router.get("/admin/artist-claims", response_model=list[ClaimOut])
def admin_claims(
    session: AdminSession,
    claims: ArtistClaimsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[ClaimOut]:
    found = claims.pending(Decider(admin_id=session.account_id), limit, offset)
    return [ClaimOut.of(c) for c in found]


@router.post("/admin/artist-claims/{claim_id}/decision", response_model=ClaimOut)
def admin_decides(
    claim_id: Id, body: DecisionIn, session: AdminSession, claims: ArtistClaimsDep
) -> ClaimOut:
    decider = Decider(admin_id=session.account_id)
    return ClaimOut.of(claims.decide(decider, claim_id, body.approve, body.note))


# -- the artist's page ---------------------------------------------------------------------
@router.get("/me/artists/{artist_id}/page", response_model=ArtistPageOut)
def my_artist_page(artist_id: Id, session: CurrentSession, pages: ArtistPagesDep) -> ArtistPageOut:
    return ArtistPageOut.of(pages.own(session.account_id, artist_id))


@router.put("/me/artists/{artist_id}/bio", response_model=ArtistPageOut)
def set_bio(
    artist_id: Id, body: BioIn, session: CurrentSession, pages: ArtistPagesDep
) -> ArtistPageOut:
    """Plain text, up to 1,500 characters; markup and control characters are removed."""
    return ArtistPageOut.of(pages.set_bio(session.account_id, artist_id, body.bio))


@router.put("/me/artists/{artist_id}/pick", response_model=ArtistPageOut)
def set_pick(
    artist_id: Id, body: PickIn, session: CurrentSession, pages: ArtistPagesDep
) -> ArtistPageOut:
    """One of the artist's releases or tracks, with a note; neither clears the pick."""
    changed = pages.set_pick(
        session.account_id, artist_id, body.release_id, body.track_id, body.note
    )
    return ArtistPageOut.of(changed)


@router.put("/me/artists/{artist_id}/images/{kind}", response_model=ArtistPageOut)
def upload_image(
    artist_id: Id,
    kind: ImageKind,
    session: CurrentSession,
    pages: ArtistPagesDep,
    image: Annotated[UploadFile, File(description="JPEG or PNG, at most 10 MiB")],
) -> ArtistPageOut:
    """The avatar (cropped to a 320 px square) or the header (1500x500)."""
    data = image.file.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidRequest("the image is over 10 MiB", code="image_too_large")
    return ArtistPageOut.of(pages.set_image(session.account_id, artist_id, kind, data))


@router.delete("/me/artists/{artist_id}/images/{kind}", response_model=ArtistPageOut)
def remove_image(
    artist_id: Id, kind: ImageKind, session: CurrentSession, pages: ArtistPagesDep
) -> ArtistPageOut:
    return ArtistPageOut.of(pages.set_image(session.account_id, artist_id, kind, None))
