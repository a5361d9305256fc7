"""`cadenza users ...` as an operator runs it: create with a profile, link artist profiles."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime

from cadenza.adapters.db.models import ArtistRow
from cadenza.bootstrap import App
from cadenza.config import Settings
from cadenza.domain.accounts import Role
from cadenza.services.admin import OPERATOR
from tests.e2e.test_accounts import PASSWORD


def users(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CADENZA_DATA_DIR": str(settings.data_dir),
        "CADENZA_DATABASE_URL": settings.resolved_database_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "cadenza", "users", *args],
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_takes_a_country_and_a_birth_date(settings: Settings, app: App) -> None:
    made = users(
        settings,
        "create",
        "ana@example.org",
        "--password-stdin",
        "--country",
        "gb",
        "--birth-date",
        "1990-12-10",
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.split()[-2:] == ["GB", "1990-12-10"]
    account = app.accounts.profile(app.admin.id_of("ana@example.org"))
    assert (account.country, account.birth_date) == ("GB", date(1990, 12, 10))
    for option, value, code in [
        ("--country", "XX", "unknown_country"),
        ("--birth-date", "2024-01-01", "too_young"),
        ("--birth-date", "10/12/1990", "invalid_date"),
    ]:
        refused = users(settings, "create", "bo@example.org", "--password-stdin", option, value)
        assert refused.returncode == 2
        assert code in refused.stderr
    assert app.accounts.all_accounts() == [account]  # nothing made by a refused command


def test_link_an_artist_account_to_an_artist(settings: Settings, app: App) -> None:
    with app.uow() as uow:
        artist = ArtistRow(name="The Testers", name_key="the testers", created_at=datetime.now(UTC))
        uow.session.add(artist)
        uow.session.flush()
        artist_id = artist.id
        uow.commit()
    app.accounts.create("band@example.org", PASSWORD, roles=[])
    listener = users(settings, "link-artist", "band@example.org", str(artist_id))
    assert listener.returncode == 2 and "not_an_artist" in listener.stderr
    band = app.admin.id_of("band@example.org")
    app.admin.set_roles(OPERATOR, band, [Role.ARTIST])
    linked = users(settings, "link-artist", "band@example.org", str(artist_id))
    assert linked.returncode == 0, linked.stderr
    assert f"The Testers ({artist_id})" in linked.stdout
    assert [a.name for a in app.accounts.linked_artists(band)] == ["The Testers"]
    events = app.accounts.security_events(band)
    assert events[0].kind == "artist_linked_by_operator"
    assert events[0].detail["by"] == "operator"
    unlinked = users(settings, "unlink-artist", "band@example.org", str(artist_id))
    assert unlinked.returncode == 0
    assert app.accounts.linked_artists(band) == []
