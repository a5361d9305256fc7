"""Operators' ad commands, run as a user runs them, and the demo's campaign."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.cli import DEMO_PASSWORD
from cadenza.cli_ads import demo_ads
from cadenza.config import Settings
from cadenza.domain.accounts import Role
from tests.e2e.ad_helpers import PASSWORD, creative, listener
from tests.e2e.test_cli import cadenza
from tests.fixtures.audio import make_cover


def test_an_operator_creates_and_lists_campaigns(
    app: App, settings: Settings, tmp_path: Path
) -> None:
    app.accounts.create("ads@fizzy.example", PASSWORD, roles=[Role.ADVERTISER])
    image = tmp_path / "companion.jpg"
    image.write_bytes(make_cover((800, 800)))
    common = ["--image", str(image), "--click-url", "https://fizzy.example", "--cpm-cents", "450"]
    created = cadenza(
        settings,
        "ads",
        "create-campaign",
        "ads@fizzy.example",
        "--name",
        "Summer fizz",
        "--audio",
        str(creative(tmp_path)),
        "--budget-cents",
        "2500",
        "--country",
        "GB",
        *common,
    )
    assert created.returncode == 0, created.stderr
    short = cadenza(
        settings,
        "ads",
        "create-campaign",
        "ads@fizzy.example",
        "--name",
        "Too short",
        "--audio",
        str(creative(tmp_path, seconds=5.0, name="short.flac")),
        "--budget-cents",
        "2500",
        *common,
    )
    assert short.returncode == 2
    assert "15 to 30 s" in short.stderr

    listed = cadenza(settings, "ads", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "ads@fizzy.example\tSummer fizz\tactive" in lines[0]
    assert "cpm 450c\tbudget 2500c\tspent 0.000c\t0 impressions" in lines[0]


def test_the_demo_plays_its_own_ad_to_free_listeners(accounts: TestClient, app: App) -> None:
    demo_ads(app, DEMO_PASSWORD)
    demo_ads(app, DEMO_PASSWORD)  # a second demo start makes nothing new
    assert len(app.ad_campaigns.all_campaigns()) == 1
    ada = listener(accounts, app, "ada@example.org")
    with app.uow() as uow:
        ada_id = uow.accounts.id_by_email("ada@example.org")
    assert ada_id is not None
    for _ in range(3):
        app.ads.song_played(ada_id, 200.0)
    ads = accounts.get("/api/v1/me/ad-break", headers=ada).json()["ads"]
    assert [a["advertiser"] for a in ads] == ["Cadenza Plus: on demand for 0.99"]
    assert 15.0 <= ads[0]["duration_s"] <= 30.0
    assert accounts.get(ads[0]["audio_url"], headers=ada).content[:4] == b"OggS"
