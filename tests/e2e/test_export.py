""" "Download my data" holds what every part of Cadenza keeps about the listener: the account,
the plan with its card and invoices, every counted play, and the ads heard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.e2e.ad_helpers import account_id, create_campaign, creative, listener, operator_made
from tests.e2e.granted import post_events
from tests.e2e.test_listening import first_track, play
from tests.e2e.test_plans import add_card, subscribe


def test_the_export_holds_plan_invoices_plays_and_ads_heard(
    accounts: TestClient, app: App, tmp_path: Path, published: int
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    made = create_campaign(accounts, fizzy, creative(tmp_path), name="Fizzy Pop")
    assert made.status_code == 201, made.text
    ada = listener(accounts, app, "ada@example.org")
    for _ in range(3):
        app.ads.song_played(account_id(app, "ada@example.org"), 180.0, genres=["disco"])
    brk = accounts.get("/api/v1/me/ad-break", headers=ada).json()
    done = accounts.post(
        f"/api/v1/me/ad-break/{brk['id']}/ads/{made.json()['id']}/completed", headers=ada
    )
    assert done.status_code == 200
    track = first_track(accounts, published)
    events = play(track, "p-1", 45, datetime.now(UTC) - timedelta(minutes=5))
    assert post_events(accounts, ada, events).is_success
    assert add_card(accounts, ada).status_code == 200
    assert subscribe(accounts, ada, "premium_individual").status_code in (200, 201)

    data = accounts.get("/api/v1/me/export", headers=ada).json()
    assert data["account"]["email"] == "ada@example.org"
    assert data["plan"]["plan"] == "premium_individual" and data["plan"]["manager"] is True
    assert data["payment_method"]["last4"] == "4242"
    shown = accounts.get("/api/v1/me/invoices", headers=ada).json()
    assert [i["number"] for i in data["invoices"]] == [i["number"] for i in shown]
    assert [(p["track_id"], p["ms_played"]) for p in data["listening_history"]] == [(track, 45_000)]
    assert [a["campaign"] for a in data["ads"]["heard"]] == ["Fizzy Pop"]
    # What targets her next ads: the genres she heard last, newest first.
    assert data["ads"]["recent_genres_for_targeting"] == ["electronic", "disco"]
    # Nothing of another listener's shows up in Bob's export.
    bob = listener(accounts, app, "bob@example.org")
    theirs = accounts.get("/api/v1/me/export", headers=bob).json()
    assert theirs["listening_history"] == [] and theirs["ads"]["heard"] == []
    assert theirs["invoices"] == [] and theirs["payment_method"] is None
