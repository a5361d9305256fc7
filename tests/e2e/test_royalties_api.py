"""Royalties over HTTP: an admin closes a month and pays; the distributor lists its statements
and downloads its own lines, never another's."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from cadenza.adapters.db.models import DistributorRow
from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.domain.royalties import RoyaltyRules
from tests.e2e.conftest import KEY
from tests.e2e.royalty_helpers import NOV, FixedClock, catalog, play, subscription, user
from tests.e2e.test_admin import signed_in


def test_an_admin_closes_a_month_and_the_distributor_downloads_its_statement(
    client: TestClient, app: App
) -> None:
    assert client.get("/api/v1/distributor/royalties", headers=KEY).json() == []
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        own = s.scalar(
            select(DistributorRow.id).where(DistributorRow.name == app.settings.distributor_name)
        )
        other = DistributorRow(name="Someone else", created_at=NOV)
        s.add(other)
        s.flush()
        listener = user(s, "FR")
        subscription(s, [listener], 2000, NOV, 1)
        tracks = catalog(s, 2, [own, other.id])
        for day in range(3):
            play(s, listener, tracks[0], NOV + timedelta(days=day))
        play(s, listener, tracks[1], NOV + timedelta(days=9))
        s.commit()
    app.royalties.rules = RoyaltyRules(min_yearly_streams=1)
    app.royalties.clock = FixedClock(datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC))
    admin = signed_in(client, app, "boss@example.org", Role.ADMIN)
    listener_headers = signed_in(client, app, "fan@example.org", Role.LISTENER)

    url = "/api/v1/admin/royalties/months/2026-11/close"
    assert client.post(url, headers=listener_headers).status_code == 403
    closed = client.post(url, headers=admin)
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["already_closed"] is False and body["model"] == "pro_rata"
    pools = {p["model"]: p for p in body["pools"] if p["market"] == "FR"}
    assert set(pools) == {"pro_rata", "user_centric", "artist_centric"}
    assert pools["pro_rata"]["pool"] == "10.40" and pools["pro_rata"]["paid"] == "10.40"
    assert client.post(url, headers=admin).json()["already_closed"] is True
    months = client.get("/api/v1/admin/royalties/months", headers=admin).json()
    assert [m["month"] for m in months] == ["2026-11"]

    mine = client.get("/api/v1/distributor/royalties", headers=KEY).json()
    assert [(m["month"], m["amount"], m["paid_at"]) for m in mine] == [("2026-11", "7.80", None)]
    got = client.get(mine[0]["csv_url"], headers=KEY)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [(r["track_id"], r["streams"], r["amount"]) for r in rows] == [
        (str(tracks[0]), "3", "7.80")
    ]  # only its own track: 3 of 4 streams of 10.40
    dsr = client.get(mine[0]["dsr_url"], headers=KEY).text.splitlines()
    assert dsr[0].startswith("HEAD\t") and dsr[-1].startswith("FOOT\t")
    assert client.get("/api/v1/distributor/royalties/2026-10", headers=KEY).status_code == 404
    assert client.get("/api/v1/distributor/royalties").status_code == 401

    everyone = client.get(
        "/api/v1/admin/royalties/months/2026-11/statements?format=csv", headers=admin
    )
    assert len(list(csv.DictReader(io.StringIO(everyone.text)))) == 2
    assert client.post("/api/v1/admin/royalties/pay", headers=admin).json() == []  # not due
    app.royalties.clock = FixedClock(datetime(2027, 3, 1, 0, 0, 1, tzinfo=UTC))
    paid = client.post("/api/v1/admin/royalties/pay", headers=admin).json()
    assert sorted(p["amount"] for p in paid) == ["2.60", "7.80"]
    assert client.post("/api/v1/admin/royalties/pay", headers=admin).json() == []
    assert client.get("/api/v1/distributor/royalties", headers=KEY).json()[0]["paid_at"]
