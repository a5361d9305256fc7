"""Advertisers' campaigns through HTTP: a creative ingested and normalised, ownership, changes,
and refusals that leave nothing behind."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from cadenza.bootstrap import App
from tests.e2e.ad_helpers import (
    campaign_json,
    create_campaign,
    creative,
    in_days,
    listener,
    operator_made,
)
from tests.fixtures.audio import make_audio, make_cover


def blob_count(app: App) -> int:
    return sum(1 for _ in app.blobs.digests())


def test_an_advertiser_creates_a_campaign_with_a_normalised_creative(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    advertiser = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    made = create_campaign(
        accounts,
        advertiser,
        creative(tmp_path),
        targeting={"countries": ["gb", "IE"], "min_age": 18, "max_age": 34, "genres": ["Pop"]},
    )
    assert made.status_code == 201, made.text
    campaign = made.json()
    assert campaign["status"] == "active"
    assert campaign["targeting"] == {
        "countries": ["GB", "IE"],
        "min_age": 18,
        "max_age": 34,
        "genres": ["pop"],
    }
    assert campaign["creative"]["duration_s"] == pytest.approx(20.0, abs=0.05)
    # The tone measures -6.0 LUFS (BS.1770): the player turns it down 8 dB to -14 LUFS.
    assert campaign["creative"]["normalisation_gain_db"] == pytest.approx(-8.0, abs=0.1)
    assert campaign["spent_cents"] == "0.000"

    urls = campaign["creative"]["audio_urls"]
    assert set(urls) == {"normal", "high"}
    audio = accounts.get(urls["high"], headers=advertiser)
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/ogg"
    assert audio.content[:4] == b"OggS"
    assert accounts.get(urls["high"]).status_code == 401  # signed-in listeners only
    lossless = accounts.get(urls["high"].replace("high", "lossless"), headers=advertiser)
    assert lossless.json()["error"]["code"] == "quality_unavailable"
    image = accounts.get(campaign["creative"]["companion_image_url"])
    assert Image.open(io.BytesIO(image.content)).size == (640, 640)

    listed = accounts.get("/api/v1/advertiser/campaigns", headers=advertiser).json()
    assert [c["id"] for c in listed] == [campaign["id"]]
    shown = accounts.get(f"/api/v1/advertiser/campaigns/{campaign['id']}", headers=advertiser)
    assert shown.json()["name"] == "Fizzy Pop"


def test_campaigns_belong_to_their_advertiser_and_admins_see_all(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    rival = operator_made(accounts, app, "ads@rival.example", "advertiser")
    admin = operator_made(accounts, app, "admin@cadenza.example", "admin")
    ada = listener(accounts, app, "ada@example.org")
    campaign_id = create_campaign(accounts, fizzy, creative(tmp_path)).json()["id"]

    url = f"/api/v1/advertiser/campaigns/{campaign_id}"
    assert accounts.get("/api/v1/advertiser/campaigns", headers=rival).json() == []
    hidden = accounts.get(url, headers=rival)
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "campaign_not_found")
    assert accounts.patch(url, headers=rival, json={"name": "Mine"}).status_code == 404
    assert accounts.post(f"{url}/pause", headers=rival).status_code == 404
    assert [
        c["id"] for c in accounts.get("/api/v1/advertiser/campaigns", headers=admin).json()
    ] == [campaign_id]
    refused = accounts.get("/api/v1/advertiser/campaigns", headers=ada)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "advertiser_required")
    assert create_campaign(accounts, ada, creative(tmp_path)).status_code == 403


def test_an_advertiser_changes_pauses_and_resumes_a_campaign(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    campaign_id = create_campaign(accounts, fizzy, creative(tmp_path)).json()["id"]
    url = f"/api/v1/advertiser/campaigns/{campaign_id}"

    changed = accounts.patch(
        url,
        headers=fizzy,
        json={"budget_cents": 50_000, "cpm_cents": 750, "targeting": {"countries": ["FR"]}},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["budget_cents"], body["cpm_cents"], body["name"]) == (50_000, 750, "Fizzy Pop")
    assert body["targeting"]["countries"] == ["FR"]

    for change, code in [
        ({"ends_on": "2000-01-01"}, "invalid_flight"),
        ({"cpm_cents": 0}, "invalid_cpm"),
        ({"targeting": {"countries": ["XX"]}}, "unknown_country"),
        ({"budget": 5}, "invalid_campaign"),
        ({"frequency_cap": "daily"}, "invalid_campaign"),
    ]:
        refused = accounts.patch(url, headers=fizzy, json=change)
        assert (refused.status_code, refused.json()["error"]["code"]) == (422, code), change
    assert accounts.get(url, headers=fizzy).json()["cpm_cents"] == 750

    assert accounts.post(f"{url}/pause", headers=fizzy).json()["status"] == "paused"
    assert accounts.get(url, headers=fizzy).json()["status"] == "paused"
    assert accounts.post(f"{url}/resume", headers=fizzy).json()["status"] == "active"


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("too_short", "creative_length"),
        ("too_long", "creative_length"),
        ("not_audio", "not_audio"),
        ("small_image", "cover_too_small"),
        ("bad_image", "cover_unreadable"),
        ("bad_country", "unknown_country"),
        ("bad_ages", "invalid_age_range"),
        ("bad_flight", "invalid_flight"),
        ("bad_url", "invalid_click_url"),
        ("bad_budget", "invalid_budget"),
        ("bad_json", "invalid_campaign"),
    ],
)
def test_a_refused_campaign_leaves_no_row_and_no_blob(
    accounts: TestClient, app: App, tmp_path: Path, kind: str, code: str
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    before = blob_count(app)
    audio = creative(tmp_path, seconds={"too_short": 10.0, "too_long": 45.0}.get(kind, 20.0))
    image = None
    overrides: dict[str, object] = {}
    if kind == "not_audio":
        audio = tmp_path / "spot.mp3"
        audio.write_bytes(b"this is a text file, not audio " * 100)
    elif kind == "small_image":
        image = make_cover((200, 200))
    elif kind == "bad_image":
        image = b"GIF89a not really"
    else:
        overrides = {
            "bad_country": {"targeting": {"countries": ["GB", "ZZ"]}},
            "bad_ages": {"targeting": {"min_age": 40, "max_age": 20}},
            "bad_flight": {"starts_on": in_days(5), "ends_on": in_days(1)},
            "bad_url": {"click_url": "javascript:alert(1)"},
            "bad_budget": {"budget_cents": -5},
        }.get(kind, {})
    if kind == "bad_json":
        refused = accounts.post(
            "/api/v1/advertiser/campaigns",
            headers=fizzy,
            data={"campaign": json.dumps({**campaign_json(), "budget_cents": "lots"})},
            files={
                "audio": ("spot.flac", audio.read_bytes()),
                "image": ("c.jpg", make_cover((800, 800))),
            },
        )
    else:
        refused = create_campaign(accounts, fizzy, audio, image, **overrides)
    assert refused.status_code in (403, 422), refused.text
    assert refused.json()["error"]["code"] == code
    assert accounts.get("/api/v1/advertiser/campaigns", headers=fizzy).json() == []
    assert blob_count(app) == before


def replace_creative(
    client: TestClient, headers: dict[str, str], campaign_id: int, audio: Path, image: bytes
) -> Any:
    return client.put(
        f"/api/v1/advertiser/campaigns/{campaign_id}/creative",
        headers=headers,
        files={
            "audio": (audio.name, audio.read_bytes(), "application/octet-stream"),
            "image": ("companion.jpg", image, "image/jpeg"),
        },
    )


def test_an_advertiser_replaces_the_creative_and_a_bad_one_changes_nothing(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    fizzy = operator_made(accounts, app, "ads@fizzy.example", "advertiser")
    made = create_campaign(accounts, fizzy, creative(tmp_path)).json()
    url = made["creative"]["audio_urls"]["high"]
    first_audio = accounts.get(url, headers=fizzy).content
    quieter = make_audio(tmp_path / "new.flac", "flac", seconds=25.0, freq=1000.0, amplitude=0.25)

    swapped = replace_creative(accounts, fizzy, made["id"], quieter, make_cover((900, 900)))
    assert swapped.status_code == 200, swapped.text
    now = swapped.json()["creative"]
    assert now["duration_s"] == pytest.approx(25.0, abs=0.05)
    # Half the amplitude (-12 LUFS) needs 2 dB of cut where the first tone needed 8.
    assert now["normalisation_gain_db"] == pytest.approx(-2.0, abs=0.2)
    assert now["audio_urls"]["high"] == url  # the ad keeps its address; listeners get the new audio
    heard = accounts.get(url, headers=fizzy).content
    assert heard[:4] == b"OggS" and heard != first_audio

    # A 10-second file is refused; the campaign keeps the creative it had, with no blob added.
    blobs = blob_count(app)
    short = creative(tmp_path, seconds=10.0, name="short.flac")
    refused = replace_creative(accounts, fizzy, made["id"], short, make_cover((900, 900)))
    assert refused.json()["error"]["code"] == "creative_length"
    shown = accounts.get(f"/api/v1/advertiser/campaigns/{made['id']}", headers=fizzy).json()
    assert shown["creative"] == now and blob_count(app) == blobs

    # Another advertiser cannot touch it, nor learn that it exists.
    other = operator_made(accounts, app, "ads@other.example", "advertiser")
    theirs = replace_creative(accounts, other, made["id"], quieter, make_cover((900, 900)))
    assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "campaign_not_found"
