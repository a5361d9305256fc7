"""Ad campaigns in SQL: terms, status, creatives and which are servable."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Update, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_ads import CampaignRow
from cadenza.domain.ads import (
    MILLICENTS_PER_CENT,
    Campaign,
    CampaignStatus,
    CampaignTerms,
    Creative,
    Targeting,
)


class SqlAds:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add_campaign(
        self, advertiser_id: int, terms: CampaignTerms, creative: Creative, now: datetime
    ) -> int:
        row = CampaignRow(
            advertiser_id=advertiser_id,
            status=CampaignStatus.ACTIVE.value,
            spent_millicents=0,
            impressions=0,
            duration_s=creative.duration_s,
            gain_db=creative.gain_db,
            audio=dict(creative.audio),
            images={str(size): blob for size, blob in creative.images.items()},
            created_at=now,
        )
        _write_terms(row, terms, now)
        self.s.add(row)
        self.s.flush()
        return row.id

    def campaign(self, campaign_id: int) -> Campaign | None:
        row = self.s.get(CampaignRow, campaign_id)
        return _campaign(row) if row else None

    def campaigns(self, advertiser_id: int | None) -> list[Campaign]:
        query = select(CampaignRow).order_by(CampaignRow.id.desc())
        if advertiser_id is not None:
            query = query.where(CampaignRow.advertiser_id == advertiser_id)
        return [_campaign(r) for r in self.s.scalars(query)]

    def servable(self, today: date) -> list[Campaign]:
        rows = self.s.scalars(
            select(CampaignRow).where(
                CampaignRow.status == CampaignStatus.ACTIVE.value,
                CampaignRow.starts_on <= today,
                CampaignRow.ends_on >= today,
                CampaignRow.spent_millicents < CampaignRow.budget_cents * MILLICENTS_PER_CENT,
            )
        )
        return [_campaign(r) for r in rows]

    def update_terms(self, campaign_id: int, terms: CampaignTerms, now: datetime) -> None:
        _write_terms(self.s.get_one(CampaignRow, campaign_id), terms, now)

    def set_status(self, campaign_id: int, status: CampaignStatus, now: datetime) -> None:
        row = self.s.get_one(CampaignRow, campaign_id)
        row.status, row.updated_at = status.value, now

    def set_creative(self, campaign_id: int, creative: Creative, now: datetime) -> None:
        row = self.s.get_one(CampaignRow, campaign_id)
        row.duration_s, row.gain_db = creative.duration_s, creative.gain_db
        row.audio = dict(creative.audio)
        row.images = {str(size): blob for size, blob in creative.images.items()}
        row.updated_at = now

    def blobs_in_use(self, digests: list[str]) -> set[str]:
        wanted, used = set(digests), set()
        for audio, images in self.s.execute(select(CampaignRow.audio, CampaignRow.images)):
            used |= wanted & {*audio.values(), *images.values()}
        return used


def _lock(session: Session, touch: Update) -> None:
    """Write to a row before reading it, so the read is the latest and nobody else changes it
    before this transaction ends: a row lock on PostgreSQL; on SQLite, where a SELECT starts no
    transaction, the database's write lock (SELECT ... FOR UPDATE would lock nothing there)."""
    session.execute(touch.execution_options(synchronize_session=False))


def _write_terms(row: CampaignRow, terms: CampaignTerms, now: datetime) -> None:
    row.name, row.click_url = terms.name, terms.click_url
    row.countries = sorted(terms.targeting.countries)
    row.genres = sorted(terms.targeting.genres)
    row.min_age, row.max_age = terms.targeting.min_age, terms.targeting.max_age
    row.starts_on, row.ends_on = terms.starts_on, terms.ends_on
    row.budget_cents, row.cpm_cents = terms.budget_cents, terms.cpm_cents
    row.frequency_cap, row.updated_at = terms.frequency_cap, now


def _campaign(row: CampaignRow) -> Campaign:
    terms = CampaignTerms(
        name=row.name,
        click_url=row.click_url,
        targeting=Targeting(
            frozenset(row.countries), row.min_age, row.max_age, frozenset(row.genres)
        ),
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        budget_cents=row.budget_cents,
        cpm_cents=row.cpm_cents,
        frequency_cap=row.frequency_cap,
    )
    creative = Creative(
        duration_s=row.duration_s,
        audio=dict(row.audio),
        gain_db=row.gain_db,
        images={int(size): blob for size, blob in row.images.items()},
    )
    return Campaign(
        id=row.id,
        advertiser_id=row.advertiser_id,
        status=CampaignStatus(row.status),
        terms=terms,
        creative=creative,
        spent_millicents=row.spent_millicents,
        impressions=row.impressions,
    )
