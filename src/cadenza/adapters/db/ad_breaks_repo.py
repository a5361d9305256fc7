"""A listener's count towards the next ad break, and the breaks opened and closed. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cadenza.adapters.db.ads_repo import _lock
from cadenza.adapters.db.models_ads import AdBreakRow, BreakAdRow, ListeningStateRow
from cadenza.domain.ads import AdBreak, BreakAd, ListeningState
from cadenza.domain.catalog import as_utc
from cadenza.domain.entitlements import Listening


class SqlAdBreaks:
    def __init__(self, session: Session) -> None:
        self.s = session

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
