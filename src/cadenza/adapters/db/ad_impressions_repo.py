"""Ads heard to the end: impressions, what campaigns were promised, and the revenue. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.ads_repo import _campaign, _lock
from cadenza.adapters.db.models_ads import AdBreakRow, BreakAdRow, CampaignRow, ImpressionRow
from cadenza.domain.ads import Campaign
from cadenza.domain.catalog import as_utc
from cadenza.ports.ads import RevenueShare


class SqlImpressions:
    def __init__(self, session: Session) -> None:
        self.s = session

    def ads_heard(self, account_id: int) -> list[tuple[str, datetime]]:
        rows = self.s.execute(
            select(CampaignRow.name, ImpressionRow.at)
            .join(CampaignRow, CampaignRow.id == ImpressionRow.campaign_id)
            .where(ImpressionRow.account_id == account_id)
            .order_by(ImpressionRow.at.desc(), ImpressionRow.id.desc())
        )
        return [(str(name), as_utc(at)) for name, at in rows]

    def lock_campaigns(self, campaign_ids: list[int]) -> list[Campaign]:
        found = []
        for campaign_id in sorted(campaign_ids):  # one order for everyone: no deadlock
            this = CampaignRow.id == campaign_id
            _lock(self.s, update(CampaignRow).where(this).values(status=CampaignRow.status))
            row = self.s.scalar(
                select(CampaignRow).where(this).execution_options(populate_existing=True)
            )
            if row is not None:
                found.append(_campaign(row))
        return found

    def promised_ads(self, since: datetime) -> dict[int, int]:
        rows = self.s.execute(
            select(BreakAdRow.campaign_id, func.count())
            .join(AdBreakRow, AdBreakRow.id == BreakAdRow.break_id)
            .where(
                BreakAdRow.completed_at.is_(None),
                AdBreakRow.closed_at.is_(None),
                AdBreakRow.opened_at >= since,
            )
            .group_by(BreakAdRow.campaign_id)
        )
        return {int(campaign_id): int(count) for campaign_id, count in rows}

    def complete_ad(self, break_id: int, campaign_id: int, now: datetime) -> bool:
        done = self.s.execute(
            update(BreakAdRow)
            .where(
                BreakAdRow.break_id == break_id,
                BreakAdRow.campaign_id == campaign_id,
                BreakAdRow.completed_at.is_(None),
            )
            .values(completed_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def record_impression(
        self, campaign_id: int, account_id: int, break_id: int, country: str, now: datetime
    ) -> int:
        this = CampaignRow.id == campaign_id
        _lock(
            self.s, update(CampaignRow).where(this).values(impressions=CampaignRow.impressions + 1)
        )
        row = self.s.scalar(
            select(CampaignRow).where(this).execution_options(populate_existing=True)
        )
        assert row is not None
        price = _campaign(row).impression_price()  # read under the lock: never spent twice
        row.spent_millicents += price
        self.s.add(
            ImpressionRow(
                campaign_id=campaign_id,
                account_id=account_id,
                break_id=break_id,
                country=country,
                at=now,
                revenue_millicents=price,
            )
        )
        self.s.flush()
        return price

    def revenue(self, start: datetime, end: datetime) -> list[RevenueShare]:
        rows = self.s.execute(
            select(
                ImpressionRow.country,
                func.count(),
                func.coalesce(func.sum(ImpressionRow.revenue_millicents), 0),
            )
            .where(ImpressionRow.at >= start, ImpressionRow.at < end)
            .group_by(ImpressionRow.country)
            .order_by(ImpressionRow.country)
        )
        return [RevenueShare(c, int(n), int(m)) for c, n, m in rows]
