"""The ads repository: campaigns, listening states, breaks and impressions in SQL."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Update, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_ads import (
    AdBreakRow,
    BreakAdRow,
    CampaignRow,
    ImpressionRow,
    ListeningStateRow,
)
from cadenza.domain.ads import (
    MILLICENTS_PER_CENT,
    AdBreak,
    BreakAd,
    Campaign,
    CampaignStatus,
    CampaignTerms,
    Creative,
    ListeningState,
    Targeting,
)
from cadenza.domain.catalog import as_utc
from cadenza.domain.entitlements import Listening
from cadenza.ports import RevenueShare


class SqlAds:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- campaigns ---------------------------------------------------------------------
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

    # -- listening and breaks ------------------------------------------------------------
    def listening(self, account_id: int) -> ListeningState | None:
        row = self.s.get(ListeningStateRow, account_id)
        return _state(row) if row else None

    def listening_to_change(self, account_id: int, now: datetime) -> ListeningState:
        if self.s.get(ListeningStateRow, account_id) is None:
            try:  # two first songs at once: one inserts, the other finds the row
                with self.s.begin_nested():
                    fresh = ListeningStateRow(account_id=account_id)
                    _write_state(fresh, ListeningState(), now)
                    self.s.add(fresh)
            except IntegrityError:
                pass
        mine = ListeningStateRow.account_id == account_id
        _lock(self.s, update(ListeningStateRow).where(mine).values(updated_at=now))
        row = self.s.scalar(
            select(ListeningStateRow).where(mine).execution_options(populate_existing=True)
        )
        assert row is not None
        return _state(row)

    def save_listening(self, account_id: int, state: ListeningState, now: datetime) -> None:
        _write_state(self.s.get_one(ListeningStateRow, account_id), state, now)
        self.s.flush()

    def open_break(self, account_id: int, campaign_ids: list[int], now: datetime) -> int:
        row = AdBreakRow(account_id=account_id, opened_at=now)
        self.s.add(row)
        self.s.flush()
        for position, campaign_id in enumerate(campaign_ids):
            self.s.add(BreakAdRow(break_id=row.id, campaign_id=campaign_id, position=position))
        self.s.flush()
        return row.id

    def ad_break(self, break_id: int) -> AdBreak | None:
        row = self.s.get(AdBreakRow, break_id)
        if row is None:
            return None
        ads = self.s.scalars(
            select(BreakAdRow)
            .where(BreakAdRow.break_id == break_id)
            .order_by(BreakAdRow.position)
            .execution_options(populate_existing=True)  # after complete_ad's UPDATE
        )
        return AdBreak(
            row.id,
            row.account_id,
            tuple(BreakAd(a.campaign_id, a.completed_at is not None) for a in ads),
            closed=row.closed_at is not None,
            opened_at=as_utc(row.opened_at),
        )

    def close_break(self, break_id: int, now: datetime) -> None:
        self.s.get_one(AdBreakRow, break_id).closed_at = now

    def ads_served_since(self, account_id: int, since: datetime) -> dict[int, int]:
        rows = self.s.execute(
            select(BreakAdRow.campaign_id, func.count())
            .join(AdBreakRow, AdBreakRow.id == BreakAdRow.break_id)
            .where(AdBreakRow.account_id == account_id, AdBreakRow.opened_at >= since)
            .group_by(BreakAdRow.campaign_id)
        )
        return {campaign_id: int(count) for campaign_id, count in rows}

    # -- impressions -------------------------------------------------------------------
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


def _lock(session: Session, touch: Update) -> None:
    """Write to a row before reading it, so the read is the latest and nobody else changes it
    before this transaction ends: a row lock on PostgreSQL; on SQLite, where a SELECT starts no
    transaction, the database's write lock (SELECT ... FOR UPDATE would lock nothing there)."""
    session.execute(touch.execution_options(synchronize_session=False))


def _state(row: ListeningStateRow) -> ListeningState:
    listening = Listening(
        skips=tuple(datetime.fromisoformat(at) for at in row.skips),
        songs_since_ad=row.songs_since_ad,
        seconds_since_ad=row.seconds_since_ad,
        ad_playing=row.open_break_id is not None,
    )
    return ListeningState(listening, row.open_break_id, tuple(row.recent_genres))


def _write_state(row: ListeningStateRow, state: ListeningState, now: datetime) -> None:
    row.songs_since_ad = state.listening.songs_since_ad
    row.seconds_since_ad = state.listening.seconds_since_ad
    row.open_break_id = state.open_break_id
    row.skips = [at.isoformat() for at in state.listening.skips]
    row.recent_genres = list(state.recent_genres)
    row.updated_at = now


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
