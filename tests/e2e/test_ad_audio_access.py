"""An ad's audio is for its advertiser, admins, and the listener whose ad break holds it: other
accounts are told there is no such ad, paused and future campaigns included (ids are sequential)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.e2e.ad_helpers import (
    account_id,
    create_campaign,
    creative,
    in_days,
    listener,
    operator_made,
)


def test_only_the_advertiser_an_admin_and_the_listener_of_the_break_fetch_an_ads_audio(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    rival = operator_made(accounts, app, "ads@rival.example", "advertiser")
    admin = operator_made(accounts, app, "root@example.org", "admin")
    served = create_campaign(accounts, fizzy, creative(tmp_path)).json()
    future = create_campaign(
        accounts, fizzy, creative(tmp_path, name="later.flac"), starts_on=in_days(10)
    ).json()
    ada = listener(accounts, app, "ada@example.org")
    bo = listener(accounts, app, "bo@example.org")
    url, future_url = (
        served["creative"]["audio_urls"]["high"],
        future["creative"]["audio_urls"]["high"],
    )

    for somebody in (rival, ada, bo):  # no break yet: nobody else hears either
        for address in (url, future_url, url.replace(f"/{served['id']}/", "/99999/")):
            refused = accounts.get(address, headers=somebody)
            assert (refused.status_code, refused.json()["error"]["code"]) == (404, "ad_not_found")
    for allowed in (fizzy, admin):
        assert accounts.get(future_url, headers=allowed).content[:4] == b"OggS"

    for _ in range(3):  # three songs: Ada's break is due and holds the served campaign
        app.ads.song_played(account_id(app, "ada@example.org"), 180.0)
    ad = accounts.get("/api/v1/me/ad-break", headers=ada).json()["ads"][0]
    assert accounts.get(ad["audio_url"], headers=ada).content[:4] == b"OggS"
    assert accounts.get(ad["audio_url"], headers=bo).status_code == 404  # Bo's break is not Ada's
    assert accounts.get(future_url, headers=ada).status_code == 404  # not in her break
