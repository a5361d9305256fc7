"""Ad breaks through HTTP: due after 3 songs or 15 minutes on Free and Plus, never on Premium;
the next track held until the ads have played; no skipping; impressions counted once, paid from
the budget, and added up per country and month for royalties."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.entitlements import EntitlementError
from cadenza.domain.errors import CadenzaError
from tests.e2e.ad_helpers import (
    PASSWORD,
    account_id,
    create_campaign,
    creative,
    in_days,
    listener,
    operator_made,
)


class LaterClock:
    def __init__(self, minutes: float) -> None:
        self.minutes = minutes

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(minutes=self.minutes)


def play_songs(app: App, email: str, songs: int, seconds: float = 180.0, **kw: Any) -> None:
    """What the player (issue 5) reports after each track."""
    for _ in range(songs):
        app.ads.song_played(account_id(app, email), seconds, **kw)


def stream(client: TestClient, track: int, headers: dict[str, str]) -> Any:
    return client.get(f"/api/v1/tracks/{track}/stream?quality=normal", headers=headers)


def first_track(client: TestClient, release: int) -> int:
    track: int = client.get(f"/api/v1/releases/{release}").json()["tracks"][0]["id"]
    return track


def campaign(client: TestClient, headers: dict[str, str], folder: Path, **terms: Any) -> int:
    made = create_campaign(client, headers, creative(folder), **terms)
    assert made.status_code == 201, made.text
    campaign_id: int = made.json()["id"]
    return campaign_id


def ad_break(client: TestClient, headers: dict[str, str]) -> Any:
    return client.get("/api/v1/me/ad-break", headers=headers)


def complete(client: TestClient, headers: dict[str, str], break_id: int, ad_id: int) -> Any:
    return client.post(f"/api/v1/me/ad-break/{break_id}/ads/{ad_id}/completed", headers=headers)


def test_free_listener_hears_an_ad_after_three_songs_before_the_next_track(
    accounts: TestClient, app: App, tmp_path: Path, published: int
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    ad_id = campaign(accounts, fizzy, tmp_path, cpm_cents=500)
    ada = listener(accounts, app, "ada@example.org")
    track = first_track(accounts, published)

    play_songs(app, "ada@example.org", 2)
    assert ad_break(accounts, ada).status_code == 204
    assert stream(accounts, track, ada).status_code == 200

    play_songs(app, "ada@example.org", 1)
    held = stream(accounts, track, ada)
    assert (held.status_code, held.json()["error"]["code"]) == (403, "ad_break_due")

    found = ad_break(accounts, ada)
    assert found.status_code == 200
    brk = found.json()
    assert [a["id"] for a in brk["ads"]] == [ad_id]
    ad = brk["ads"][0]
    assert ad["click_url"] == "https://fizzy.example/summer"
    assert ad["duration_s"] == pytest.approx(20.0, abs=0.05)
    assert accounts.get(ad["audio_url"], headers=ada).content[:4] == b"OggS"
    assert accounts.get(ad["companion_image_url"]).headers["content-type"] == "image/jpeg"
    assert ad_break(accounts, ada).json()["id"] == brk["id"]  # asking again: the same break

    skipped = accounts.post(f"/api/v1/me/ad-break/{brk['id']}/skip", headers=ada)
    assert (skipped.status_code, skipped.json()["error"]["code"]) == (403, "ad_not_skippable")
    assert stream(accounts, track, ada).status_code == 403

    done = complete(accounts, ada, brk["id"], ad_id)
    assert done.json() == {"counted": True, "break_over": True}
    assert stream(accounts, track, ada).status_code == 200
    assert ad_break(accounts, ada).status_code == 204
    over = accounts.post(f"/api/v1/me/ad-break/{brk['id']}/skip", headers=ada)
    assert over.json()["error"]["code"] == "ad_break_over"
    assert stream(accounts, track, {}).status_code == 401  # no way round a break: sign-in needed


def test_fifteen_minutes_of_listening_also_brings_a_break_and_plus_has_ads_too(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    campaign(accounts, fizzy, tmp_path)
    bo = listener(accounts, app, "bo@example.org", plan="plus")
    play_songs(app, "bo@example.org", 1, seconds=14 * 60)
    assert ad_break(accounts, bo).status_code == 204
    play_songs(app, "bo@example.org", 1, seconds=60)
    assert ad_break(accounts, bo).status_code == 200


def test_premium_never_gets_an_ad(
    accounts: TestClient, app: App, tmp_path: Path, published: int
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    campaign(accounts, fizzy, tmp_path)
    cy = listener(accounts, app, "cy@example.org", plan="premium_individual")
    play_songs(app, "cy@example.org", 20)
    assert ad_break(accounts, cy).status_code == 204
    assert stream(accounts, first_track(accounts, published), cy).status_code == 200


def test_two_ads_play_highest_bid_first_and_each_must_finish(
    accounts: TestClient, app: App, tmp_path: Path, published: int
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    cheap = campaign(accounts, fizzy, tmp_path, name="Cheap", cpm_cents=200)
    dear = campaign(accounts, fizzy, tmp_path, name="Dear", cpm_cents=900)
    campaign(accounts, fizzy, tmp_path, name="Cheapest", cpm_cents=100)
    ada = listener(accounts, app, "ada@example.org")
    play_songs(app, "ada@example.org", 3)
    brk = ad_break(accounts, ada).json()
    assert [a["id"] for a in brk["ads"]] == [dear, cheap]

    assert complete(accounts, ada, brk["id"], dear).json() == {
        "counted": True,
        "break_over": False,
    }
    track = first_track(accounts, published)
    assert stream(accounts, track, ada).json()["error"]["code"] == "ad_break_due"
    assert complete(accounts, ada, brk["id"], cheap).json()["break_over"] is True
    assert stream(accounts, track, ada).status_code == 200


def test_an_impression_counts_once_and_only_for_the_listeners_own_break(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    ad_id = campaign(accounts, fizzy, tmp_path, cpm_cents=750, budget_cents=1_000)
    ada = listener(accounts, app, "ada@example.org")
    eve = listener(accounts, app, "eve@example.org")
    play_songs(app, "ada@example.org", 3)
    brk = ad_break(accounts, ada).json()

    stolen = complete(accounts, eve, brk["id"], ad_id)
    assert (stolen.status_code, stolen.json()["error"]["code"]) == (404, "ad_break_not_found")
    stray = complete(accounts, ada, brk["id"], 999)
    assert (stray.status_code, stray.json()["error"]["code"]) == (404, "ad_not_in_break")

    assert complete(accounts, ada, brk["id"], ad_id).json()["counted"] is True
    assert complete(accounts, ada, brk["id"], ad_id).json()["counted"] is False
    shown = accounts.get(f"/api/v1/advertiser/campaigns/{ad_id}", headers=fizzy).json()
    # CPM 7.50 EUR: one impression costs 0.75 cents, kept exactly.
    assert (shown["impressions"], shown["spent_millicents"], shown["spent_cents"]) == (
        1,
        750,
        "0.750",
    )


def test_a_campaign_stops_when_its_budget_is_spent(
    accounts: TestClient, app: App, tmp_path: Path, published: int
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    ad_id = campaign(accounts, fizzy, tmp_path, budget_cents=1, cpm_cents=600)
    ada = listener(accounts, app, "ada@example.org")
    for _ in range(2):
        play_songs(app, "ada@example.org", 3)
        brk = ad_break(accounts, ada).json()
        assert complete(accounts, ada, brk["id"], ad_id).json()["counted"] is True
    shown = accounts.get(f"/api/v1/advertiser/campaigns/{ad_id}", headers=fizzy).json()
    # 0.6 cents, then the 0.4 cents left: never past the 1-cent budget.
    assert (shown["impressions"], shown["spent_cents"]) == (2, "1.000")

    play_songs(app, "ada@example.org", 3)
    assert ad_break(accounts, ada).status_code == 204  # nothing left to serve: music goes on
    assert stream(accounts, first_track(accounts, published), ada).status_code == 200


def test_targeting_by_country_age_and_genre_and_the_daily_cap(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    ad_id = campaign(
        accounts,
        fizzy,
        tmp_path,
        frequency_cap=1,
        targeting={"countries": ["DE"], "min_age": 18, "max_age": 24, "genres": ["jazz"]},
    )
    young = (datetime.now(UTC).date().year - 20, "05-01")
    born = f"{young[0]}-{young[1]}"
    people = {
        "gb@example.org": listener(accounts, app, "gb@example.org", birth_date=born),
        "old@example.org": listener(accounts, app, "old@example.org", country="DE"),
        "metal@example.org": listener(
            accounts, app, "metal@example.org", country="DE", birth_date=born
        ),
        "jazz@example.org": listener(
            accounts, app, "jazz@example.org", country="DE", birth_date=born
        ),
    }
    play_songs(app, "metal@example.org", 3, genres=["Metal"])
    play_songs(app, "jazz@example.org", 3, genres=["Jazz", "Soul"])
    for email in ("gb@example.org", "old@example.org"):
        play_songs(app, email, 3)
    heard = {email: ad_break(accounts, h).status_code for email, h in people.items()}
    assert heard == {
        "gb@example.org": 204,
        "old@example.org": 204,
        "metal@example.org": 204,
        "jazz@example.org": 200,
    }

    jazz = people["jazz@example.org"]
    brk = ad_break(accounts, jazz).json()
    complete(accounts, jazz, brk["id"], ad_id)
    play_songs(app, "jazz@example.org", 3, genres=["Jazz"])
    assert ad_break(accounts, jazz).status_code == 204  # once a day for this campaign


def test_paused_and_not_yet_flying_campaigns_are_not_served(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    paused = campaign(accounts, fizzy, tmp_path)
    accounts.post(f"/api/v1/advertiser/campaigns/{paused}/pause", headers=fizzy)
    campaign(accounts, fizzy, tmp_path, starts_on=in_days(1), ends_on=in_days(10))
    ada = listener(accounts, app, "ada@example.org")
    play_songs(app, "ada@example.org", 3)
    assert ad_break(accounts, ada).status_code == 204

    accounts.post(f"/api/v1/advertiser/campaigns/{paused}/resume", headers=fizzy)
    play_songs(app, "ada@example.org", 3)
    assert [a["id"] for a in ad_break(accounts, ada).json()["ads"]] == [paused]


def test_admins_see_the_ad_revenue_pool_per_month_and_country(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    admin = operator_made(accounts, app, "admin@cadenza.example", "admin")
    ad_id = campaign(accounts, fizzy, tmp_path, cpm_cents=1_234)
    listener_headers = {}
    for email, country in [("a@example.org", "GB"), ("b@example.org", "GB"), ("c@x.org", "FR")]:
        h = listener_headers[email] = listener(accounts, app, email, country=country)
        play_songs(app, email, 3)
        complete(accounts, h, ad_break(accounts, h).json()["id"], ad_id)

    month = datetime.now(UTC).strftime("%Y-%m")
    pool = accounts.get(f"/api/v1/admin/ad-revenue?month={month}", headers=admin).json()
    assert pool["impressions"] == 3
    assert pool["revenue_cents"] == "3.702"
    assert [
        (c["country"], c["impressions"], c["revenue_millicents"]) for c in pool["countries"]
    ] == [
        ("FR", 1, 1234),
        ("GB", 2, 2468),
    ]
    # A listener who leaves takes their data, not the revenue their ads earned.
    gone = listener_headers["c@x.org"]
    assert (
        accounts.post("/api/v1/me/delete", headers=gone, json={"password": PASSWORD}).status_code
        == 204
    )
    again = accounts.get(f"/api/v1/admin/ad-revenue?month={month}", headers=admin).json()
    assert again == pool
    empty = accounts.get("/api/v1/admin/ad-revenue?month=2001-01", headers=admin).json()
    assert (empty["impressions"], empty["countries"]) == (0, [])
    bad = accounts.get("/api/v1/admin/ad-revenue?month=2026-13", headers=admin)
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_month")
    refused = accounts.get(f"/api/v1/admin/ad-revenue?month={month}", headers=fizzy)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "admin_required")


def test_free_skips_six_tracks_an_hour_and_nobody_skips_during_an_ad(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    campaign(accounts, fizzy, tmp_path)
    listener(accounts, app, "ada@example.org")
    listener(accounts, app, "bo@example.org", plan="plus")
    ada, bo = account_id(app, "ada@example.org"), account_id(app, "bo@example.org")
    for _ in range(6):
        app.ads.track_skipped(ada)
    with pytest.raises(EntitlementError) as seventh:
        app.ads.track_skipped(ada)
    assert seventh.value.code == "skip_limit_reached"
    for _ in range(10):
        app.ads.track_skipped(bo)

    play_songs(app, "bo@example.org", 3)
    assert app.ads.next_ad_break(bo) is not None
    with pytest.raises(EntitlementError) as during_ad:
        app.ads.track_skipped(bo)
    assert during_ad.value.code == "ad_not_skippable"


def test_ads_finishing_at_once_never_spend_past_the_budget(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    ad_id = campaign(accounts, fizzy, tmp_path, budget_cents=2, cpm_cents=700)
    listeners = []
    for n in range(8):
        who = app.accounts.create(f"l{n}@example.org", PASSWORD, roles=[]).id
        for _ in range(3):
            app.ads.song_played(who, 200.0)
        listeners.append(who)
    with ThreadPoolExecutor(max_workers=8) as pool:  # eight breaks come due at once
        opened = list(pool.map(app.ads.next_ad_break, listeners))
    breaks = [(who, b.id) for who, b in zip(listeners, opened, strict=True) if b is not None]
    without_ad = [who for who, b in zip(listeners, opened, strict=True) if b is None]
    # The 2-cent budget covers three ads at 0.7 cents (the third gets the 0.6 cents left): the
    # fourth listener on gets no break rather than an ad nobody pays for.
    assert len(breaks) == 3 and len(without_ad) == 5

    def finish(who: int, break_id: int) -> bool:
        app.ads.ad_completed(who, break_id, ad_id)
        return app.ads.ad_completed(who, break_id, ad_id).counted  # the player says it twice

    with ThreadPoolExecutor(max_workers=3) as pool:
        repeated = list(pool.map(lambda b: finish(*b), breaks))
    assert not any(repeated)
    shown = accounts.get(f"/api/v1/advertiser/campaigns/{ad_id}", headers=fizzy).json()
    assert (shown["impressions"], shown["spent_cents"]) == (3, "2.000")


def test_an_open_break_holds_its_ads_price_until_played_or_abandoned(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    ad_id = campaign(accounts, fizzy, tmp_path, budget_cents=1, cpm_cents=1000)
    ada = app.accounts.create("ada@example.org", PASSWORD, roles=[]).id
    bo = app.accounts.create("bo@example.org", PASSWORD, roles=[]).id
    for who in (ada, bo):
        for _ in range(3):
            app.ads.song_played(who, 200.0)
    held = app.ads.next_ad_break(ada)
    assert held is not None and held.ads[0][0].id == ad_id
    assert app.ads.next_ad_break(bo) is None  # the one cent is promised to Ada's break
    # Ada closes the app mid-break; an hour later her break no longer holds the budget.
    app.ads.clock = LaterClock(minutes=61)
    for _ in range(3):
        app.ads.song_played(bo, 200.0)
    again = app.ads.next_ad_break(bo)
    assert again is not None and again.ads[0][0].id == ad_id
    # Ada comes back: her old break is over (its ad went to Bo), and nothing is left to sell.
    assert app.ads.next_ad_break(ada) is None
    with pytest.raises(CadenzaError) as late:
        app.ads.ad_completed(ada, held.id, ad_id)
    assert late.value.code == "ad_break_over"
    assert app.ads.ad_completed(bo, again.id, ad_id).counted
