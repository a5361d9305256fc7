"""What the ads API takes and returns: campaigns, ad breaks, the ad-revenue pool."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from cadenza.api.request_body import RequestBody
from cadenza.domain.ads import Campaign, CampaignTerms, Targeting, cents_text
from cadenza.domain.errors import InvalidRequest
from cadenza.ports.ads import RevenueShare
from cadenza.services.ads import AdCompletion, BreakToPlay

M = TypeVar("M", bound=BaseModel)


class TargetingIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    countries: list[str] = []  # ISO codes; none: everywhere
    min_age: int | None = None
    max_age: int | None = None
    genres: list[str] = []  # none: whatever the listener plays

    def targeting(self) -> Targeting:
        return Targeting(
            frozenset(self.countries), self.min_age, self.max_age, frozenset(self.genres)
        )


class CampaignIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    name: str
    click_url: str
    targeting: TargetingIn = TargetingIn()
    starts_on: date
    ends_on: date
    budget_cents: int
    cpm_cents: int
    frequency_cap: int = 3

    def terms(self) -> CampaignTerms:
        fields = self.model_dump(exclude={"targeting"})
        return CampaignTerms(targeting=self.targeting.targeting(), **fields)


class CampaignChangeIn(RequestBody):
    """Any of a campaign's terms; what is left out stays as it is."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    click_url: str | None = None
    targeting: TargetingIn | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    budget_cents: int | None = None
    cpm_cents: int | None = None
    frequency_cap: int | None = None

    def applied_to(self, terms: CampaignTerms) -> CampaignTerms:
        changes = self.model_dump(exclude={"targeting"}, exclude_none=True)
        if self.targeting is not None:
            changes["targeting"] = self.targeting.targeting()
        return replace(terms, **changes)


def parse_campaign(model: type[M], raw: str | bytes | dict[str, Any]) -> M:
    """Validate a campaign body, refusing with `invalid_campaign` and where the fault is."""
    try:
        if isinstance(raw, dict):
            return model.model_validate(raw)
        return model.model_validate_json(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise InvalidRequest(f"{where}: {first['msg']}", code="invalid_campaign") from None


class TargetingOut(BaseModel):
    countries: list[str]
    min_age: int | None
    max_age: int | None
    genres: list[str]


class CreativeOut(BaseModel):
    duration_s: float
    normalisation_gain_db: float  # brings the creative to -14 LUFS, as for tracks
    audio_urls: dict[str, str]
    companion_image_url: str


class CampaignOut(BaseModel):
    id: int
    advertiser_id: int | None
    name: str
    status: str
    click_url: str
    targeting: TargetingOut
    starts_on: date
    ends_on: date
    budget_cents: int
    cpm_cents: int
    frequency_cap: int
    impressions: int
    spent_millicents: int
    spent_cents: str  # exact, e.g. "12.345"
    creative: CreativeOut

    @classmethod
    def of(cls, c: Campaign) -> CampaignOut:
        t = c.terms
        return cls(
            id=c.id,
            advertiser_id=c.advertiser_id,
            name=t.name,
            status=c.status.value,
            click_url=t.click_url,
            targeting=TargetingOut(
                countries=sorted(t.targeting.countries),
                min_age=t.targeting.min_age,
                max_age=t.targeting.max_age,
                genres=sorted(t.targeting.genres),
            ),
            starts_on=t.starts_on,
            ends_on=t.ends_on,
            budget_cents=t.budget_cents,
            cpm_cents=t.cpm_cents,
            frequency_cap=t.frequency_cap,
            impressions=c.impressions,
            spent_millicents=c.spent_millicents,
            spent_cents=cents_text(c.spent_millicents),
            creative=CreativeOut(
                duration_s=c.creative.duration_s,
                normalisation_gain_db=c.creative.gain_db,
                audio_urls={q: ad_audio_url(c.id, q) for q in c.creative.audio},
                companion_image_url=image_url(c),
            ),
        )


def ad_audio_url(campaign_id: int, quality: str = "high") -> str:
    return f"/api/v1/ads/{campaign_id}/audio?quality={quality}"


def image_url(c: Campaign) -> str:
    return f"/api/v1/images/{c.creative.images[max(c.creative.images)]}"


class AdOut(BaseModel):
    id: int
    advertiser: str  # the campaign's name
    duration_s: float
    audio_url: str
    normalisation_gain_db: float
    companion_image_url: str
    click_url: str
    completed: bool
    complete_url: str


class AdBreakOut(BaseModel):
    id: int
    ads: list[AdOut]
    skip_allowed: bool = False

    @classmethod
    def of(cls, b: BreakToPlay) -> AdBreakOut:
        return cls(
            id=b.id,
            ads=[
                AdOut(
                    id=c.id,
                    advertiser=c.terms.name,
                    duration_s=c.creative.duration_s,
                    audio_url=ad_audio_url(c.id),
                    normalisation_gain_db=c.creative.gain_db,
                    companion_image_url=image_url(c),
                    click_url=c.terms.click_url,
                    completed=done,
                    complete_url=f"/api/v1/me/ad-break/{b.id}/ads/{c.id}/completed",
                )
                for c, done in b.ads
            ],
        )


class AdCompletionOut(BaseModel):
    counted: bool  # false: this ad was already counted
    break_over: bool  # true: the next track may play

    @classmethod
    def of(cls, c: AdCompletion) -> AdCompletionOut:
        return cls(counted=c.counted, break_over=c.break_over)


class CountryRevenueOut(BaseModel):
    country: str
    impressions: int
    revenue_millicents: int
    revenue_cents: str


class AdRevenueOut(BaseModel):
    month: str
    impressions: int
    revenue_millicents: int
    revenue_cents: str
    countries: list[CountryRevenueOut]

    @classmethod
    def of(cls, month: str, shares: list[RevenueShare]) -> AdRevenueOut:
        total = sum(s.millicents for s in shares)
        return cls(
            month=month,
            impressions=sum(s.impressions for s in shares),
            revenue_millicents=total,
            revenue_cents=cents_text(total),
            countries=[
                CountryRevenueOut(
                    country=s.country,
                    impressions=s.impressions,
                    revenue_millicents=s.millicents,
                    revenue_cents=cents_text(s.millicents),
                )
                for s in shares
            ],
        )
