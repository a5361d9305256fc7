"""Ads between episodes: an episode heard to its end brings a Free listener's next ad break
closer as a song does (3 by default), so the break is offered before the next episode starts;
a position in the middle of an episode never does, an episode finished twice counts once,
and Premium never gets a break."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.e2e.ad_helpers import create_campaign, creative, listener, operator_made
from tests.e2e.test_podcasts_api import FeedHost, host, two_shows

__all__ = ["host"]  # the feed server fixture, served on loopback


def finish(client: TestClient, who: dict[str, str], episode: int, at_ms: int = 3000) -> None:
    """What the player bar saves when an episode ends (or has got this far)."""
    saved = client.put(
        f"/api/v1/me/episodes/{episode}/position", json={"position_ms": at_ms}, headers=who
    )
    assert saved.status_code == 200, saved.text


def test_a_free_listener_gets_a_break_between_episodes_never_inside_one(
    client: TestClient, app: App, host: FeedHost, tmp_path: Path
) -> None:
    morning, _ = two_shows(client, app, host, tmp_path)
    fizzy = operator_made(client, app, "ads@fizzy.example", "advertiser")
    made = create_campaign(client, fizzy, creative(tmp_path))
    assert made.status_code == 201, made.text
    ada = listener(client, app, "ada@example.org")
    first, second, third = (
        e["id"] for e in client.get(f"/api/v1/shows/{morning}/episodes").json()["items"]
    )

    for _ in range(5):  # halfway through, paused and sought back and forth: no break
        finish(client, ada, first, 1200)
    assert client.get("/api/v1/me/ad-break", headers=ada).status_code == 204
    finish(client, ada, first)
    finish(client, ada, first)  # the same episode's end saved again counts once
    finish(client, ada, second)
    assert client.get("/api/v1/me/ad-break", headers=ada).status_code == 204

    finish(client, ada, third)  # the third episode ended: a break before the next one starts
    offered = client.get("/api/v1/me/ad-break", headers=ada)
    assert offered.status_code == 200, offered.text
    assert [a["id"] for a in offered.json()["ads"]] == [made.json()["id"]]


def test_premium_listeners_get_no_break_between_episodes(
    client: TestClient, app: App, host: FeedHost, tmp_path: Path
) -> None:
    morning, _ = two_shows(client, app, host, tmp_path)
    fizzy = operator_made(client, app, "ads@fizzy.example", "advertiser")
    assert create_campaign(client, fizzy, creative(tmp_path)).status_code == 201
    grace = listener(client, app, "grace@example.org", plan="premium_individual")
    for item in client.get(f"/api/v1/shows/{morning}/episodes").json()["items"]:
        finish(client, grace, item["id"])
    assert client.get("/api/v1/me/ad-break", headers=grace).status_code == 204
