"""Artificial streams end to end: the fraud job flags a planted farm's streams (and not a
family computer's), admins read the reasons and clear a flag (its streams count again, the
review stays), the job stays idempotent, and a distributor sees flagged streams only on its own
tracks; only admins review."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from cadenza.adapters.db.models import TrackRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.bootstrap import App
from cadenza.domain.accounts import AuditEvent, Role
from cadenza.domain.plans import Plan
from cadenza.jobs import find_job
from tests.e2e.conftest import KEY, sign_in
from tests.e2e.test_admin import signed_in

FARM_ADDRESS = "203.0.113.9"
HOME_ADDRESS = "198.51.100.20"


def _listeners(app: App, prefix: str, count: int, address: str, age: timedelta) -> list[int]:
    """Accounts that never sign in here (no password hashing: a cheap setup)."""
    now = datetime.now(UTC)
    with app.uow() as uow:
        made = [
            uow.accounts.add(f"{prefix}{i}@example.org", "-", prefix, "US", date(2000, 1, 1))
            for i in range(count)
        ]
        uow.commit()
    ids = [i for i in made if i is not None]
    with app.uow() as uow:
        for account_id in ids:
            uow.audit.add(
                account_id, AuditEvent("logged_in", now - timedelta(days=3), address, "x")
            )
        uow.session.execute(  # type: ignore[attr-defined]
            update(UserRow).where(UserRow.id.in_(ids)).values(created_at=now - age)
        )
        uow.commit()
    return ids


def _plant(app: App, tracks: list[int]) -> tuple[list[int], list[int]]:
    """Ten farm accounts on one address streaming the release round the clock, stopping at
    35 s; a family of three on one old computer, their household's music, skipping now and
    then. Returns (farm, family)."""
    now = datetime.now(UTC)
    farm = _listeners(app, "bot", 10, FARM_ADDRESS, timedelta(days=5))
    family = _listeners(app, "home", 3, HOME_ADDRESS, timedelta(days=800))
    rows = []
    for n, account in enumerate(farm):
        for i in range(240):  # a play an hour for ten days
            at = now - timedelta(hours=i + 1, minutes=n)
            rows.append(
                PlayRow(
                    user_id=account,
                    play_id=f"b{i}",
                    track_id=tracks[i % len(tracks)],
                    device=f"bot-{n}",
                    started_at=at,
                    listened_ms=35_000,
                    counted=True,
                    finished=False,
                    skipped=False,
                )
            )
    for n, account in enumerate(family):
        for i in range(90):  # evenings, ten days
            at = now - timedelta(days=i % 10 + 1, hours=18 + (i * 7 % 5), minutes=n * 7 + i)
            track = tracks[0] if i % 15 == 0 else 100_000 + (i * 13 + n) % 30
            skipped = i % 4 == 0
            rows.append(
                PlayRow(
                    user_id=account,
                    play_id=f"f{i}",
                    track_id=track,
                    device="family-pc",
                    started_at=at,
                    listened_ms=61_000 if skipped else 200_000,
                    counted=True,
                    finished=not skipped,
                    skipped=skipped,
                )
            )
    with app.uow() as uow:
        uow.session.add_all(rows)  # type: ignore[attr-defined]
        uow.commit()
    return farm, family


def _flagged(app: App, accounts: list[int]) -> tuple[int, int]:
    """(flagged, all) counted streams of these accounts."""
    with app.uow() as uow:
        marks = list(
            uow.session.scalars(  # type: ignore[attr-defined]
                select(PlayRow.flagged_artificial).where(PlayRow.user_id.in_(accounts))
            )
        )
    return sum(marks), len(marks)


def test_farm_flagged_family_not_clearing_restores_only_admins_review_distributors_see_theirs(
    client: TestClient, app: App, published: int
) -> None:
    with app.uow() as uow:
        tracks = list(
            uow.session.scalars(  # type: ignore[attr-defined]
                select(TrackRow.id).where(TrackRow.release_id == published).order_by(TrackRow.id)
            )
        )
    farm, family = _plant(app, tracks)

    report = find_job("fraud").run(app, None)
    assert "flagged 10 accounts, 2400 streams" in report.said
    assert _flagged(app, farm) == (2400, 2400)
    assert _flagged(app, family) == (0, 270)

    admin = signed_in(client, app, "admin@example.org", Role.ADMIN, Role.LISTENER)
    flags = client.get("/api/v1/admin/fraud/flags", headers=admin).json()
    assert sorted(f["user_id"] for f in flags) == farm
    first = flags[0]
    assert first["status"] == "open" and first["streams"] == 240
    signals = {r["signal"] for r in first["reasons"]}
    assert {"crowd", "short", "clock", "no_skips"} <= signals
    assert any("just past 30 s" in r["text"] for r in first["reasons"])

    # The distributor of the release sees the flagged streams per track; another sees none.
    mine = app.fraud.flagged_tracks(app.distributor_id("Test Distributor"))
    assert sorted(t.track_id for t in mine) == tracks
    assert sum(t.flagged for t in mine) == 2400
    assert client.get("/api/v1/distributor/fraud/tracks", headers=KEY).json() == []

    # Clearing: the account's streams count again; the review is kept; once only.
    cleared = client.post(
        f"/api/v1/admin/fraud/flags/{first['id']}/review", json={"clear": True}, headers=admin
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["status"] == "cleared" and cleared.json()["reviewed_by"] is not None
    assert _flagged(app, [first["user_id"]]) == (0, 240)
    again = client.post(
        f"/api/v1/admin/fraud/flags/{first['id']}/review", json={"clear": False}, headers=admin
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "fraud_flag_reviewed"

    # The job again: nothing more, and the cleared account's streams stay clear.
    find_job("fraud").run(app, None)
    assert _flagged(app, [first["user_id"]]) == (0, 240)
    assert _flagged(app, farm) == (2160, 2400)
    everything = client.get("/api/v1/admin/fraud/flags?status=open&limit=200", headers=admin)
    assert len(everything.json()) == 9
    history = client.get(
        f"/api/v1/admin/fraud/flags?status=cleared&user_id={first['user_id']}", headers=admin
    ).json()
    assert [f["id"] for f in history] == [first["id"]]

    # Only admins list and review; a distributor's view needs a distributor.
    listener = sign_in(client, app, "listener@example.org", Plan.PREMIUM_INDIVIDUAL)
    assert client.get("/api/v1/admin/fraud/flags", headers=listener).status_code == 403
    review = client.post(
        f"/api/v1/admin/fraud/flags/{flags[1]['id']}/review", json={"clear": True}, headers=listener
    )
    assert review.status_code == 403
    assert _flagged(app, [flags[1]["user_id"]]) == (240, 240)
    assert client.get("/api/v1/distributor/fraud/tracks", headers=listener).status_code in (
        401,
        403,
    )
    assert client.get("/api/v1/distributor/fraud/tracks").status_code == 401
    missing = client.post(
        "/api/v1/admin/fraud/flags/999/review", json={"clear": True}, headers=admin
    )
    assert missing.status_code == 404


def test_the_address_listening_events_come_from_is_kept_for_the_fraud_job(
    client: TestClient, accounts: TestClient, app: App
) -> None:
    listener = sign_in(client, app, "roamer@example.org", Plan.PREMIUM_INDIVIDUAL)
    me = client.get("/api/v1/me", headers=listener).json()["id"]
    event = {
        "id": "e1",
        "play_id": "p1",
        "kind": "start",
        "track_id": 1,
        "device": "phone",
        "position_ms": 0,
        "at": datetime.now(UTC).isoformat(),
    }
    for _ in range(2):  # the second batch of the day writes nothing new
        answer = accounts.post(
            "/api/v1/me/player/events", json={"events": [event]}, headers=listener
        )
        assert answer.status_code == 200, answer.text
    with app.uow() as uow:
        seen = uow.fraud.addresses([me], datetime.now(UTC) - timedelta(days=1))
    assert (me, "198.51.100.7") in seen  # from the events, not the sign-in (another address)
