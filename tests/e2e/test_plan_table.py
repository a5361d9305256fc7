"""The plan table's last columns through HTTP, plan by plan: offline downloads, Radio, Daily Mix,
and the Duo / Family Mix. (Ads, on demand, skips and quality: test_plans, test_ads,
test_player, test_streaming.)"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in

# plan: (offline downloads, Radio, the plan's own mix)
TABLE = {
    Plan.FREE: (False, False, None),
    Plan.PLUS: (False, False, None),
    Plan.PREMIUM_INDIVIDUAL: (True, True, None),
    Plan.PREMIUM_DUO: (True, True, "Duo Mix"),
    Plan.PREMIUM_FAMILY: (True, True, "Family Mix"),
    Plan.PREMIUM_STUDENT: (True, True, None),
}


@pytest.mark.parametrize("plan", list(TABLE))
def test_each_plan_gets_its_row_of_the_table(
    client: TestClient, app: App, published: int, plan: Plan
) -> None:
    offline, radio, own_mix = TABLE[plan]
    who = sign_in(client, app, f"{plan.value}@example.org", plan)
    track = client.get(f"/api/v1/releases/{published}").json()["tracks"][0]["id"]

    device = client.post("/api/v1/me/offline/devices", json={"name": "phone"}, headers=who)
    if offline:
        assert device.status_code == 201
        kept = client.post(
            f"/api/v1/me/offline/devices/{device.json()['id']}/downloads",
            json={"track_ids": [track]},
            headers=who,
        )
        assert kept.status_code == 200, kept.text
    else:
        assert device.status_code == 403
        assert device.json()["error"]["code"] == "premium_required"

    station = client.get(f"/api/v1/me/radio?track_id={track}", headers=who)
    if radio:
        assert station.status_code == 200 and station.json()["tracks"][0]["id"] == track
    else:
        assert station.status_code == 403
        assert station.json()["error"]["code"] == "premium_required"

    # Daily Mixes on every plan (none yet: nothing was played before today).
    assert client.get("/api/v1/me/daily-mixes", headers=who).status_code == 200

    mix = client.get("/api/v1/me/plan-mix", headers=who)
    if own_mix:
        assert mix.status_code == 200 and mix.json()["name"] == own_mix
    else:
        assert mix.status_code == 403
        assert mix.json()["error"]["code"] == "duo_or_family_required"
