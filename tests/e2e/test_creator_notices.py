"""Artists and distributors hear by e-mail when what they asked for is decided: a claim of an
artist profile approved or refused, a pitch playlisted or passed on, in the words their pages
show ("Pitched X: reviewed by the editors, not playlisted")."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.services.distributors import OPERATOR_ACCOUNT
from tests.e2e.conftest import KEY, mail_to
from tests.e2e.test_accounts import body
from tests.e2e.test_admin import signed_in
from tests.integration.test_artists import STORY, artist_of, link, upcoming


def _subjects(app: App, address: str) -> list[str]:
    return [str(m["Subject"]) for m in mail_to(app, address)]


def test_claims_decided_are_told_to_the_artist_and_the_distributor(
    accounts: TestClient, app: App
) -> None:
    release_id, _ = upcoming(app, "Nightbus", -3, app.settings.distributor_name)
    artist = artist_of(app, release_id)
    nova = signed_in(accounts, app, "nova@example.org", Role.LISTENER)
    other = signed_in(accounts, app, "other@example.org", Role.LISTENER)
    admin = signed_in(accounts, app, "boss@example.org", Role.ADMIN)
    before = len(mail_to(app, OPERATOR_ACCOUNT))

    claim = accounts.post("/api/v1/me/artist-claims", json={"artist_id": artist}, headers=nova)
    assert _subjects(app, "nova@example.org")[-1:] != ["You now speak for Nova Hart on Cadenza"]
    accounts.post(
        f"/api/v1/distributor/artist-claims/{claim.json()['id']}/decision",
        json={"approve": True},
        headers=KEY,
    )
    approved = mail_to(app, "nova@example.org")[-1]
    assert approved["Subject"] == "You now speak for Nova Hart on Cadenza"
    assert "/artist-dashboard" in body(approved)
    assert len(mail_to(app, OPERATOR_ACCOUNT)) == before  # it decided: nothing to tell it

    refused = accounts.post("/api/v1/me/artist-claims", json={"artist_id": artist}, headers=other)
    answer = accounts.post(
        f"/api/v1/admin/artist-claims/{refused.json()['id']}/decision",
        json={"approve": False, "note": "We could not confirm who you are."},
        headers=admin,
    )
    assert answer.json()["status"] == "rejected"
    told = mail_to(app, "other@example.org")[-1]
    assert told["Subject"] == "Your claim of Nova Hart was not approved"
    assert "We could not confirm who you are." in body(told)
    label = mail_to(app, OPERATOR_ACCOUNT)[-1]
    assert label["Subject"] == "Claim of Nova Hart refused"
    assert "other@example.org" not in body(label)  # the account's name, never its address


def test_a_pitch_decided_is_told_to_the_artist_and_the_distributor_in_the_pages_words(
    accounts: TestClient, app: App
) -> None:
    passed_release, (passed_track, _) = upcoming(app, "Nightbus", 10, app.settings.distributor_name)
    kept_release, (kept_track, _) = upcoming(app, "Daylight", 12, app.settings.distributor_name)
    artist = artist_of(app, passed_release)
    nova = signed_in(accounts, app, "nova@example.org", Role.LISTENER)
    editor = signed_in(accounts, app, "editor@example.org", Role.ADMIN)
    with app.uow() as uow:
        nova_id = uow.accounts.id_by_email("nova@example.org")
    assert nova_id is not None
    link(app, nova_id, artist)
    pitches = []
    for release, track in ((passed_release, passed_track), (kept_release, kept_track)):
        made = accounts.post(
            f"/api/v1/me/releases/{release}/pitch",
            json={"track_id": track, "genres": ["Synthpop"], "moods": [], "story": STORY},
            headers=nova,
        )
        assert made.status_code == 201, made.text
        pitches.append(made.json()["id"])
    fresh = accounts.post(
        "/api/v1/admin/editorial/playlists", json={"name": "Fresh Finds"}, headers=editor
    ).json()
    queue = "/api/v1/admin/editorial/pitches"
    assert len(accounts.get("/api/v1/distributor/pitches", headers=KEY).json()) == 2
    before = len(mail_to(app, "nova@example.org"))

    accounts.post(f"{queue}/{pitches[0]}/review", json={"playlist_id": None}, headers=editor)
    for address in ("nova@example.org", OPERATOR_ACCOUNT):
        passed = mail_to(app, address)[-1]
        assert passed["Subject"] == "Your pitch of Nightbus 1: not playlisted"
        assert body(passed).startswith(
            "Pitched Nightbus 1: reviewed by the editors, not playlisted."
        )
    assert "/distributor" in body(mail_to(app, OPERATOR_ACCOUNT)[-1])
    accounts.post(f"{queue}/{pitches[0]}/review", json={"playlist_id": None}, headers=editor)
    assert len(mail_to(app, "nova@example.org")) == before + 1  # told once

    accounts.post(f"{queue}/{pitches[1]}/review", json={"playlist_id": fresh["id"]}, headers=editor)
    kept = mail_to(app, "nova@example.org")[-1]
    assert kept["Subject"] == "Your pitch of Daylight 1: playlisted"
    assert body(kept).startswith("Pitched Daylight 1: playlisted on Fresh Finds.")
