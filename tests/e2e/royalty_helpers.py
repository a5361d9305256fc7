"""Rows for royalty tests: listeners, paid plans, a catalog of two distributors, plays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count

from sqlalchemy import delete

from cadenza.adapters.db.models import DistributorRow, ReleaseRow, TrackArtistRow, TrackRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_billing import InvoiceRow, MembershipRow, SubscriptionRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.adapters.db.models_royalties import (
    RoyaltyLineRow,
    RoyaltyMonthRow,
    RoyaltyPayoutRow,
    RoyaltyPoolRow,
)
from cadenza.bootstrap import App

NOV = datetime(2026, 11, 1, tzinfo=UTC)
_ids = count(1)


@dataclass
class FixedClock:
    at: datetime

    def now(self) -> datetime:
        return self.at


def user(s: object, country: str, plan: str = "premium_individual") -> int:
    n = next(_ids)
    row = UserRow(
        email=f"r{n}@example.com",
        password_hash="x",
        display_name=f"r{n}",
        country=country,
        birth_date=date(1990, 1, 1),
        roles=["listener"],
        plan=plan,
        created_at=NOV,
    )
    s.add(row)  # type: ignore[attr-defined]
    s.flush()  # type: ignore[attr-defined]
    return row.id


def subscription(s: object, members: list[int], cents: int, start: datetime, months: int) -> None:
    end = start + timedelta(days=30 * months)
    sub = SubscriptionRow(
        payer_id=members[0],
        plan="premium_duo" if len(members) > 1 else "premium_individual",
        period="month",
        status="active",
        period_start=start,
        period_end=end,
        members=len(members),
        currency="EUR",
        price_cents=cents,
        created_at=start,
    )
    s.add(sub)  # type: ignore[attr-defined]
    s.flush()  # type: ignore[attr-defined]
    for i, user in enumerate(members):
        s.add(MembershipRow(subscription_id=sub.id, user_id=user, manager=i == 0, joined_at=start))  # type: ignore[attr-defined]
    s.add(  # type: ignore[attr-defined]
        InvoiceRow(
            subscription_id=sub.id,
            payer_id=members[0],
            kind="renewal",
            plan=sub.plan,
            period_start=start,
            period_end=end,
            cents=cents,
            currency="EUR",
            status="paid",
            description="test",
            created_at=start,
            paid_at=start,
        )
    )


def catalog(s: object, tracks: int, distributors: list[int] | None = None) -> list[int]:
    """`tracks` songs, half of them from each of two distributors (made, unless given)."""
    made = []
    for d in range(2):
        if distributors:
            dist_id = distributors[d % len(distributors)]
        else:
            dist = DistributorRow(name=f"Distributor {next(_ids)}", created_at=NOV)
            s.add(dist)  # type: ignore[attr-defined]
            s.flush()  # type: ignore[attr-defined]
            dist_id = dist.id
        n = next(_ids)
        release = ReleaseRow(
            distributor_id=dist_id,
            source_key=f"k{n}",
            title=f"Album {n}",
            release_type="album",
            release_at=NOV - timedelta(days=365),
            territories="WORLDWIDE",
            explicit=False,
            copyright_lines=[],
            genres=[],
            created_at=NOV,
            updated_at=NOV,
        )
        s.add(release)  # type: ignore[attr-defined]
        s.flush()  # type: ignore[attr-defined]
        for i in range(tracks // 2 + d * (tracks % 2)):
            t = TrackRow(
                release_id=release.id,
                title=f"Song {i}",
                isrc=f"QZ{next(_ids):010d}",
                disc_number=1,
                track_number=i + 1,
                duration_ms=180_000,
                explicit=False,
                genres=[],
                loudness_lufs=-14.0,
                true_peak_dbtp=-1.0,
                source_blob="0" * 64,
                source_format="flac",
            )
            s.add(t)  # type: ignore[attr-defined]
            s.flush()  # type: ignore[attr-defined]
            made.append(t.id)
    return made


def play(
    s: object,
    user: int,
    track: int,
    at: datetime,
    *,
    flagged: bool = False,
    counted: bool = True,
    country: str | None = None,
) -> None:
    s.add(  # type: ignore[attr-defined]
        PlayRow(
            user_id=user,
            play_id=f"p{next(_ids)}",
            track_id=track,
            device="d",
            started_at=at,
            listened_ms=60_000,
            counted=counted,
            country=country,
            flagged_artificial=flagged,
            source="search",
        )
    )


def reset(app: App) -> None:
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        for table in (
            RoyaltyPayoutRow,
            RoyaltyLineRow,
            RoyaltyPoolRow,
            RoyaltyMonthRow,
            PlayRow,
            InvoiceRow,
            MembershipRow,
            SubscriptionRow,
            TrackArtistRow,
            TrackRow,
            ReleaseRow,
            DistributorRow,
            UserRow,
        ):
            s.execute(delete(table))
        s.commit()


def impression(s: object, account: int | None, country: str, millicents: int, at: datetime) -> None:
    """One ad heard by `account` in `country`, earning `millicents` (a campaign made for it)."""
    from cadenza.adapters.db.models_ads import CampaignRow, ImpressionRow

    campaign = CampaignRow(
        advertiser_id=None, name="Fizz", status="active", click_url="https://fizz.example",
        countries=[], genres=[], min_age=None, max_age=None, starts_on=NOV.date(),
        ends_on=NOV.date(), budget_cents=10**6, cpm_cents=500, frequency_cap=3,
        spent_millicents=millicents, impressions=1, duration_s=20.0, gain_db=0.0, audio={},
        images={}, created_at=NOV, updated_at=NOV,
    )  # fmt: skip
    s.add(campaign)  # type: ignore[attr-defined]
    s.flush()  # type: ignore[attr-defined]
    s.add(  # type: ignore[attr-defined]
        ImpressionRow(
            campaign_id=campaign.id,
            account_id=account,
            break_id=None,
            country=country,
            at=at,
            revenue_millicents=millicents,
        )
    )
