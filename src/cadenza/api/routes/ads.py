"""Ads: advertisers' campaigns, the listener's ad break, ad audio, and the ad-revenue pool."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Form, Query, Response, UploadFile, status
from fastapi.responses import FileResponse

from cadenza.api.ad_schemas import (
    AdBreakOut,
    AdCompletionOut,
    AdRevenueOut,
    CampaignChangeIn,
    CampaignIn,
    CampaignOut,
    parse_campaign,
)
from cadenza.api.deps import AdBreaksDep, AdCampaignsDep, BlobsDep, CurrentSession, Id, SettingsDep
from cadenza.api.stored_blob import stored_blob_response
from cadenza.api.uploads import plain_file_name
from cadenza.domain.ads import CampaignStatus
from cadenza.domain.audio import Quality
from cadenza.domain.errors import InvalidRequest, NotFound

router = APIRouter(prefix="/api/v1", tags=["ads"])
MAX_IMAGE_BYTES = 20 * 1024 * 1024
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


# -- advertisers ---------------------------------------------------------------------------
@router.post(
    "/advertiser/campaigns", status_code=status.HTTP_201_CREATED, response_model=CampaignOut
)
def create_campaign(
    session: CurrentSession,
    settings: SettingsDep,
    ad_campaigns: AdCampaignsDep,
    campaign: Annotated[str, Form(description="The campaign as JSON (see CampaignIn)")],
    audio: Annotated[UploadFile, File(description="The creative: 15 to 30 s of audio")],
    image: Annotated[UploadFile, File(description="Companion image, JPEG or PNG, 640 px+")],
) -> CampaignOut:
    """A new campaign, serving at once within its flight dates. Refused whole or made whole."""
    terms = parse_campaign(CampaignIn, campaign).terms()
    with _uploaded(settings.work_dir, audio, image) as (path, picture):
        made = ad_campaigns.create(session.account_id, terms, path, picture)
    return CampaignOut.of(made)


@router.put("/advertiser/campaigns/{campaign_id}/creative", response_model=CampaignOut)
def replace_creative(
    campaign_id: Id,
    session: CurrentSession,
    settings: SettingsDep,
    ad_campaigns: AdCampaignsDep,
    audio: Annotated[UploadFile, File(description="The new creative: 15 to 30 s of audio")],
    image: Annotated[UploadFile, File(description="Companion image, JPEG or PNG, 640 px+")],
) -> CampaignOut:
    """Swap the campaign's audio and companion image. Checked like a new campaign's: on any
    refusal the campaign keeps its current creative."""
    with _uploaded(settings.work_dir, audio, image) as (path, picture):
        changed = ad_campaigns.replace_creative(session.account_id, campaign_id, path, picture)
    return CampaignOut.of(changed)


@contextmanager
def _uploaded(work: Path, audio: UploadFile, image: UploadFile) -> Iterator[tuple[Path, bytes]]:
    """The creative's audio in a temporary file and its image in memory (at most 20 MiB)."""
    picture = image.file.read(MAX_IMAGE_BYTES + 1)
    if len(picture) > MAX_IMAGE_BYTES:
        raise InvalidRequest("the companion image is over 20 MiB", code="image_too_large")
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work, prefix="ad-upload-") as folder:
        name = plain_file_name((audio.filename or "").lstrip(".") or "creative")
        if name is None:
            raise InvalidRequest(
                "the audio file needs a plain name of at most 255 bytes, without control "
                "characters",
                code="bad_file_name",
            )
        path = Path(folder) / name
        with path.open("wb") as out:
            shutil.copyfileobj(audio.file, out, 1 << 20)
        yield path, picture


@router.get("/advertiser/campaigns", response_model=list[CampaignOut])
def my_campaigns(session: CurrentSession, ad_campaigns: AdCampaignsDep) -> list[CampaignOut]:
    """Your campaigns, newest first (an admin sees every advertiser's)."""
    return [CampaignOut.of(c) for c in ad_campaigns.campaigns(session.account_id)]


@router.get("/advertiser/campaigns/{campaign_id}", response_model=CampaignOut)
def show_campaign(
    campaign_id: Id, session: CurrentSession, ad_campaigns: AdCampaignsDep
) -> CampaignOut:
    return CampaignOut.of(ad_campaigns.show(session.account_id, campaign_id))


@router.patch("/advertiser/campaigns/{campaign_id}", response_model=CampaignOut)
def change_campaign(
    campaign_id: Id,
    session: CurrentSession,
    ad_campaigns: AdCampaignsDep,
    body: Annotated[dict[str, Any], Body(description="Any terms of CampaignIn")],
) -> CampaignOut:
    change = parse_campaign(CampaignChangeIn, body)
    current = ad_campaigns.show(session.account_id, campaign_id)
    changed = ad_campaigns.change(session.account_id, campaign_id, change.applied_to(current.terms))
    return CampaignOut.of(changed)


@router.post("/advertiser/campaigns/{campaign_id}/pause", response_model=CampaignOut)
def pause_campaign(
    campaign_id: Id, session: CurrentSession, ad_campaigns: AdCampaignsDep
) -> CampaignOut:
    """Stop serving; open breaks already holding it still play it."""
    paused = ad_campaigns.set_status(session.account_id, campaign_id, CampaignStatus.PAUSED)
    return CampaignOut.of(paused)


@router.post("/advertiser/campaigns/{campaign_id}/resume", response_model=CampaignOut)
def resume_campaign(
    campaign_id: Id, session: CurrentSession, ad_campaigns: AdCampaignsDep
) -> CampaignOut:
    resumed = ad_campaigns.set_status(session.account_id, campaign_id, CampaignStatus.ACTIVE)
    return CampaignOut.of(resumed)


# -- listeners -----------------------------------------------------------------------------
@router.get(
    "/me/ad-break",
    response_model=AdBreakOut,
    responses={204: {"description": "No ad break now: play the next track"}},
)
def my_ad_break(session: CurrentSession, ads: AdBreaksDep) -> AdBreakOut | Response:
    """The ads to play before the next track, or 204. Never an ad on Premium."""
    found = ads.next_ad_break(session.account_id)
    if found is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return AdBreakOut.of(found)


@router.post("/me/ad-break/{break_id}/ads/{ad_id}/completed", response_model=AdCompletionOut)
def ad_completed(
    break_id: Id, ad_id: Id, session: CurrentSession, ads: AdBreaksDep
) -> AdCompletionOut:
    """The ad played to its end: counted once, however often this is sent."""
    return AdCompletionOut.of(ads.ad_completed(session.account_id, break_id, ad_id))


@router.post("/me/ad-break/{break_id}/skip", status_code=status.HTTP_204_NO_CONTENT)
def skip_ad(break_id: Id, session: CurrentSession, ads: AdBreaksDep) -> None:
    """Ads cannot be skipped: answers 403 `ad_not_skippable` while the break plays."""
    ads.skip_ad(session.account_id, break_id)


@router.get(
    "/ads/{ad_id}/audio",
    response_class=FileResponse,
    responses={200: {"content": {"audio/ogg": {}}}, 206: {"description": "Partial content"}},
)
def ad_audio(
    ad_id: Id,
    session: CurrentSession,
    blobs: BlobsDep,
    ad_campaigns: AdCampaignsDep,
    quality: Annotated[Quality, Query()] = Quality.HIGH,
) -> Response:
    """An ad's audio (Ogg Opus, `normal` or `high`): exact length, byte ranges. For the
    campaign's advertiser, admins, and the listener whose ad break holds it; 404 to others."""
    blob = ad_campaigns.creative(session.account_id, ad_id).audio.get(quality.value)
    if blob is None:
        raise NotFound(
            f"ads play at normal or high, not {quality.value}", code="quality_unavailable"
        )
    return stored_blob_response(
        blobs,
        blob,
        quality.media_type,
        {"etag": f'"{blob}"', "cache-control": "private, no-cache"},
    )


# -- admins --------------------------------------------------------------------------------
@router.get("/admin/ad-revenue", response_model=AdRevenueOut)
def ad_revenue(
    session: CurrentSession,
    ads: AdBreaksDep,
    month: Annotated[str, Query(description="YYYY-MM (UTC)", max_length=7)],
) -> AdRevenueOut:
    """Ad revenue per listener country in a month: the pool royalties share out."""
    found = _MONTH.match(month)
    if found is None:
        raise InvalidRequest("month is YYYY-MM, e.g. 2026-11", code="invalid_month")
    shares = ads.revenue(session.account_id, int(found[1]), int(found[2]))
    return AdRevenueOut.of(month, shares)
