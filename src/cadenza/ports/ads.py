"""Ad campaigns, ad breaks and the revenue they bring."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from cadenza.domain.ads import (
    AdBreak,
    Campaign,
    CampaignStatus,
    CampaignTerms,
    Creative,
    ListeningState,
)
from cadenza.domain.entitlements import Listener


@dataclass(frozen=True)
class RevenueShare:
    """Ad revenue earned in one country over a period: what royalties divide."""

    country: str
    impressions: int
    millicents: int


class AdsRepository(Protocol):
    """Ad campaigns: terms, status, creatives, and the ones servable today."""

    def add_campaign(
        self, advertiser_id: int, terms: CampaignTerms, creative: Creative, now: datetime
    ) -> int: ...

    def campaign(self, campaign_id: int) -> Campaign | None: ...

    def campaigns(self, advertiser_id: int | None) -> list[Campaign]:
        """An advertiser's campaigns, or every campaign (None), newest first."""
        ...

    def servable(self, today: date) -> list[Campaign]:
        """Active campaigns in flight with budget left."""
        ...

    def update_terms(self, campaign_id: int, terms: CampaignTerms, now: datetime) -> None: ...

    def set_status(self, campaign_id: int, status: CampaignStatus, now: datetime) -> None: ...

    def set_creative(self, campaign_id: int, creative: Creative, now: datetime) -> None: ...

    def blobs_in_use(self, digests: list[str]) -> set[str]: ...


class SkipsAndAdBreaks(Protocol):
    """What the player asks besides the plan's table: skips counted against the limit, ad
    breaks that hold the next track, songs counted towards the next break."""

    def track_skipped(self, account_id: int, who: Listener | None = None) -> None:
        """Count a skip, or refuse it (skip_limit_reached, ad_not_skippable)."""
        ...

    def hold_for_ads(self, account_id: int, who: Listener | None = None) -> None:
        """Refuse the next track (ad_break_due) while an ad break is due or playing. `who`:
        the listener as the command has just read them (a plan without ads needs no read)."""
        ...

    def song_played(self, account_id: int, seconds: float, genres: Iterable[str] = ()) -> None: ...


class AdBreakRepository(Protocol):
    """A listener's count towards the next ad break, and the breaks opened and closed."""

    def listening(self, account_id: int) -> ListeningState | None:
        """The listener's progress to the next break; None if they never played anything."""
        ...

    def listening_to_change(self, account_id: int, now: datetime) -> ListeningState:
        """The same, made if missing and locked until this transaction ends (save it after)."""
        ...

    def save_listening(self, account_id: int, state: ListeningState, now: datetime) -> None: ...

    def open_break(self, account_id: int, campaign_ids: list[int], now: datetime) -> int: ...

    def ad_break(self, break_id: int) -> AdBreak | None: ...

    def close_break(self, break_id: int, now: datetime) -> None: ...

    def ads_served_since(self, account_id: int, since: datetime) -> dict[int, int]:
        """Campaign id -> ads of it put in this listener's breaks since then."""
        ...


class ImpressionRepository(Protocol):
    """Ads heard to the end: impressions, what campaigns were promised, and the revenue."""

    def ads_heard(self, account_id: int) -> list[tuple[str, datetime]]:
        """The listener's completed ads, newest first: (campaign name, when)."""
        ...

    def lock_campaigns(self, campaign_ids: list[int]) -> list[Campaign]:
        """These campaigns, read again and locked until this transaction ends (so two breaks
        opened at once see each other's promises)."""
        ...

    def promised_ads(self, since: datetime) -> dict[int, int]:
        """Campaign id -> its ads not yet completed in breaks still open, opened since then."""
        ...

    def complete_ad(self, break_id: int, campaign_id: int, now: datetime) -> bool:
        """Mark the ad played; False if it already was (a repeated completion)."""
        ...

    def record_impression(
        self, campaign_id: int, account_id: int, break_id: int, country: str, now: datetime
    ) -> int:
        """Count one impression and spend its price from the budget; the price in millicents."""
        ...

    def revenue(self, start: datetime, end: datetime) -> list[RevenueShare]: ...
