"""Advertisers' campaigns: create one with its creative, list, show, change, pause and resume.

The creative is ingested like a track, on the same adapters: the probe decodes it whole (corrupt
or non-audio files get the ingest's refusal codes), the transcoder measures its loudness and
encodes Opus 96 and 160 kbit/s (the ad-supported plans' ladder) in one pass, and the gain that
brings it to -14 LUFS is stored for the player, as it is for tracks. Everything is checked before a
blob is written, and a failure after that takes back the blobs this upload created.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cadenza.domain.accounts import Account, Role
from cadenza.domain.ads import (
    Campaign,
    CampaignStatus,
    CampaignTerms,
    Creative,
    check_creative_length,
)
from cadenza.domain.audio import Quality
from cadenza.domain.catalog import COVER_SIZES
from cadenza.domain.errors import Forbidden, InvalidDelivery, NotFound
from cadenza.ingest.store import StoredBlobs
from cadenza.ports.audio import AudioProbe, CoverArt, Transcoder
from cadenza.ports.blobs import BlobStore
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork

AD_QUALITIES = (Quality.NORMAL, Quality.HIGH)
COMPANION_MIN_PX = max(COVER_SIZES)


@dataclass(frozen=True)
class CreativeTools:
    probe: AudioProbe
    transcoder: Transcoder
    covers: CoverArt
    blobs: BlobStore
    work_dir: Path


class AdCampaigns:
    def __init__(self, uow: Callable[[], UnitOfWork], tools: CreativeTools, clock: Clock) -> None:
        self.uow, self.tools, self.clock = uow, tools, clock

    def create(self, account_id: int, terms: CampaignTerms, audio: Path, image: bytes) -> Campaign:
        self._advertiser(account_id)
        terms = terms.checked()
        made: list[int] = []

        def add(uow: UnitOfWork, creative: Creative) -> None:
            made.append(uow.ads.add_campaign(account_id, terms, creative, self.clock.now()))

        self._ingest(audio, image, add)
        return self.show(account_id, made[0])

    def replace_creative(
        self, account_id: int, campaign_id: int, audio: Path, image: bytes
    ) -> Campaign:
        """A new creative for a running campaign, checked and encoded as a new one would be; the
        old one keeps serving until the new one is stored. The old blobs stay in the store, so a
        listener halfway through the old ad can finish it (the audio is served `no-cache` with
        its digest as ETag, so players pick the new one up at the next break)."""
        self.show(account_id, campaign_id)

        def swap(uow: UnitOfWork, creative: Creative) -> None:
            uow.ads.set_creative(campaign_id, creative, self.clock.now())

        self._ingest(audio, image, swap)
        return self.show(account_id, campaign_id)

    def _ingest(
        self, audio: Path, image: bytes, save: Callable[[UnitOfWork, Creative], None]
    ) -> None:
        t = self.tools
        try:  # a full decode refuses what is not whole, supported audio before any encode
            check_creative_length(t.probe.probe(audio).duration_s)
        except InvalidDelivery as refusal:
            if refusal.code != "too_long":  # the probe stops reading well past an ad's length
                raise
            check_creative_length(float("inf"))
        pictures = t.covers.prepare(image, min_px=COMPANION_MIN_PX)
        t.work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=t.work_dir, prefix="ad-") as out:
            encoded = t.transcoder.transcode(audio, AD_QUALITIES, Path(out))
            stored = StoredBlobs(t.blobs)
            try:
                ladder = stored.store_ladder(encoded)
                creative = Creative(
                    duration_s=round(encoded.duration_s, 3),
                    audio={e.quality.value: e.blob for e in ladder},
                    gain_db=encoded.loudness.gain_db(),
                    images=stored.store_cover(pictures),
                )
                with self.uow() as uow:
                    save(uow, creative)
                    uow.commit()
            except BaseException:
                with self.uow() as uow:
                    in_use = uow.ads.blobs_in_use(stored.created)
                    in_use |= uow.catalog.blobs_in_use(stored.created)
                stored.take_back(in_use)
                raise

    def campaigns(self, account_id: int) -> list[Campaign]:
        """An advertiser's own campaigns; every campaign for an admin."""
        who = self._advertiser(account_id)
        with self.uow() as uow:
            return uow.ads.campaigns(None if Role.ADMIN in who.roles else account_id)

    def show(self, account_id: int, campaign_id: int) -> Campaign:
        who = self._advertiser(account_id)
        with self.uow() as uow:
            campaign = uow.ads.campaign(campaign_id)
        if campaign is None or (
            campaign.advertiser_id != account_id and Role.ADMIN not in who.roles
        ):
            raise NotFound(f"no campaign {campaign_id}", code="campaign_not_found")
        return campaign

    def change(self, account_id: int, campaign_id: int, terms: CampaignTerms) -> Campaign:
        campaign = self.show(account_id, campaign_id)
        terms = terms.checked(campaign.spent_millicents)
        with self.uow() as uow:
            uow.ads.update_terms(campaign_id, terms, self.clock.now())
            uow.commit()
        return self.show(account_id, campaign_id)

    def set_status(self, account_id: int, campaign_id: int, status: CampaignStatus) -> Campaign:
        self.show(account_id, campaign_id)
        with self.uow() as uow:
            uow.ads.set_status(campaign_id, status, self.clock.now())
            uow.commit()
        return self.show(account_id, campaign_id)

    def creative(self, account_id: int, campaign_id: int) -> Creative:
        """An ad's creative, for its advertiser, an admin, or a listener whose open ad break
        holds it; anyone else is told there is no such ad (ids are sequential: no probing)."""
        with self.uow() as uow:
            campaign = uow.ads.campaign(campaign_id)
            account = uow.accounts.get(account_id)
            if campaign is None or account is None:
                raise NotFound(f"no ad {campaign_id}", code="ad_not_found")
            if campaign.advertiser_id == account_id or Role.ADMIN in account.roles:
                return campaign.creative
            state = uow.ad_breaks.listening(account_id)
            if state is not None and state.open_break_id is not None:
                held = uow.ad_breaks.ad_break(state.open_break_id)
                if held and held.account_id == account_id and held.ad(campaign_id) is not None:
                    return campaign.creative
        raise NotFound(f"no ad {campaign_id}", code="ad_not_found")

    def all_campaigns(self) -> list[Campaign]:
        """Every campaign, for operators."""
        with self.uow() as uow:
            return uow.ads.campaigns(None)

    def _advertiser(self, account_id: int) -> Account:
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
        if account is None or not {Role.ADVERTISER, Role.ADMIN} & set(account.roles):
            raise Forbidden("campaigns are for advertiser accounts", code="advertiser_required")
        return account
