"""Statistics for artists, at the service: on a small known set of counted streams the
dashboard's figures add up; the roll-up adds each stream once (a rerun adds nothing, a new
play shows after the next run); small audience buckets are hidden; only the artist's own
accounts, its distributors and admins see them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from cadenza.adapters.db.models import ArtistRow, Base
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_collection import FollowedArtistRow, LikedTrackRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.api.app import create_app
from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.domain.artist_stats import ArtistDashboard
from cadenza.domain.errors import Forbidden, NotFound
from cadenza.jobs.registry import find_job
from tests.e2e.conftest import sign_in
from tests.fixtures.catalog import Song, put_release

PASSWORD = "velvet zebras hum 42 tunes"
NOW = datetime.now(UTC)
TODAY = NOW.date()


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days, minutes=1)


@dataclass
class World:
    artist: int  # "Stats Artist": release one (tracks one, two)
    guest: int  # featured on track two
    other: int  # another distributor's artist
    one: int
    two: int
    three: int
    fr: list[int]  # six listeners in Paris, female, 25
    de: list[int]  # two in Berlin, male, 40
    us: int  # no city, no gender


def add_user(
    app: App, n: int, country: str, city: str | None, gender: str | None, born: date
) -> int:
    with app.db_sessions() as s:
        row = UserRow(
            email=f"listener{n}@example.org",
            password_hash="x",
            display_name=f"Listener {n}",
            country=country,
            birth_date=born,
            roles=["listener"],
            plan="free",
            created_at=NOW,
            city=city,
            gender=gender,
        )
        s.add(row)
        s.commit()
        return row.id


def add_play(
    app: App,
    user: int,
    track: int,
    at: datetime,
    *,
    source: str | None = None,
    country: str | None = None,
    counted: bool = True,
) -> None:
    with app.db_sessions() as s:
        s.add(
            PlayRow(
                user_id=user,
                play_id=f"p-{user}-{track}-{at.timestamp()}",
                track_id=track,
                device="test",
                started_at=at,
                listened_ms=60_000,
                counted=counted,
                finished=False,
                skipped=False,
                country=country,
                source=source,
            )
        )
        s.commit()


def roll(app: App) -> str:
    return find_job("artist-stats").run(app, None).said


@dataclass
class StillClock:
    """The service's clock stands at the module's NOW: a run that crosses midnight would
    otherwise make "today" a day later than the plays were placed from."""

    at: datetime

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def world(app: App) -> World:
    app.artist_stats.clock = StillClock(NOW)
    _, (one, two) = put_release(
        app,
        "Stats Release",
        ["Stats Artist"],
        ["Song One", Song("Song Two", featured=["Guest Star"])],
        distributor="Dist One",
    )
    _, (three,) = put_release(
        app, "Elsewhere", ["Other Artist"], ["Song Three"], distributor="Dist Two"
    )
    with app.db_sessions() as s:
        ids = {n: i for i, n in s.execute(select(ArtistRow.id, ArtistRow.name))}
    fr = [add_user(app, n, "FR", "Paris", "female", date(TODAY.year - 25, 1, 1)) for n in range(6)]
    de = [
        add_user(app, 10 + n, "DE", "Berlin", "male", date(TODAY.year - 41, 1, 1)) for n in range(2)
    ]
    us = add_user(app, 20, "US", None, None, date(TODAY.year - 30, 1, 1))
    for user in fr:
        add_play(app, user, one, ago(1), source="own_playlist")
        add_play(app, user, one, ago(1) + timedelta(seconds=5), source="own_playlist")
        add_play(app, user, two, ago(10), source="search", country="FR")
    for user in de:
        add_play(app, user, one, ago(3), country="DE")
    add_play(app, us, one, ago(40))
    add_play(app, us, one, ago(2), counted=False)  # not a stream
    add_play(app, us, three, ago(2))  # another artist's
    with app.db_sessions() as s:
        s.add_all(LikedTrackRow(user_id=u, track_id=one, added_at=NOW) for u in fr[:3])
        s.add_all(
            FollowedArtistRow(user_id=u, artist_id=ids["Stats Artist"], added_at=NOW) for u in de
        )
        s.commit()
    return World(
        ids["Stats Artist"], ids["Guest Star"], ids["Other Artist"], one, two, three, fr, de, us
    )


def admin(app: App) -> int:
    return app.accounts.create("admin@example.org", PASSWORD, roles=[Role.ADMIN]).id


def figures(app: App, who: int, artist: int, range_name: str = "28d") -> ArtistDashboard:
    return app.artist_stats.dashboard(who, artist, range_name)


def test_the_figures_add_up(app: App, world: World) -> None:
    assert "rolled up 22 counted streams" in roll(app)  # not the uncounted one
    who = admin(app)
    d = figures(app, who, world.artist)
    assert (d.streams, d.listeners, d.saves, d.follows) == (20, 8, 3, 2)
    by_day = {s.day: s for s in d.series}
    assert len(d.series) == 28 and d.series[-1].day == TODAY
    one_ago, three_ago, ten_ago = (ago(n).date() for n in (1, 3, 10))
    assert (by_day[one_ago].streams, by_day[one_ago].listeners) == (12, 6)
    assert (by_day[three_ago].streams, by_day[three_ago].listeners) == (2, 2)
    assert (by_day[ten_ago].streams, by_day[ten_ago].listeners) == (6, 6)
    assert sum(s.streams for s in d.series) == d.streams
    assert by_day[TODAY].saves == 3 and by_day[TODAY].follows == 2
    assert [(t.title, t.streams) for t in d.top_tracks] == [("Song One", 14), ("Song Two", 6)]
    # Buckets of fewer than 5 listeners are not shown: Germany, Berlin, men, the 35-44s.
    assert [(b.value, b.streams, b.listeners) for b in d.countries] == [("FR", 18, 6)]
    assert [(b.value, b.listeners) for b in d.cities] == [("Paris, FR", 6)]
    assert [(b.value, b.listeners) for b in d.ages] == [("23-27", 6)]
    assert [(b.value, b.listeners) for b in d.genders] == [("female", 6)]
    assert {b.value: b.streams for b in d.sources} == {"own_playlist": 12, "search": 6, "other": 2}
    assert sum(e.streams for e in d.earnings) == 20
    assert sum(e.estimated_cents for e in d.earnings) in (7, 8, 9)  # 0.4 cents a stream, per month
    week = figures(app, who, world.artist, "7d")
    assert (week.streams, week.listeners, len(week.series)) == (14, 8, 7)
    everything = figures(app, who, world.artist, "all")
    assert (everything.streams, everything.listeners) == (21, 9)
    assert everything.monthly and sum(m.streams for m in everything.series) == 21
    guest = figures(app, who, world.guest)
    assert (guest.streams, guest.listeners) == (6, 6)
    assert figures(app, who, world.other).streams == 1


def test_the_roll_up_adds_each_stream_once_and_new_plays_show_after_it(
    app: App, world: World
) -> None:
    roll(app)
    who = admin(app)
    before = figures(app, who, world.artist)
    assert "rolled up 0 counted streams" in roll(app)
    assert figures(app, who, world.artist).streams == before.streams
    add_play(app, world.us, world.one, NOW - timedelta(minutes=5), source="artist")
    add_play(app, world.fr[0], world.one, ago(1) + timedelta(minutes=3))  # late, same day
    assert figures(app, who, world.artist).streams == before.streams  # not rolled up yet
    assert "rolled up 2 counted streams" in roll(app)
    after = figures(app, who, world.artist)
    assert after.streams == before.streams + 2
    assert after.listeners == before.listeners + 1  # the US listener is back in the window
    by_day = {s.day: s for s in after.series}
    assert by_day[ago(1).date()].listeners == 6  # the late play's listener was counted already
    assert by_day[TODAY].streams == 1
    assert after.rolled_at is not None and before.rolled_at is not None
    assert after.rolled_at >= before.rolled_at


def test_only_its_accounts_distributors_and_admins_see_an_artists_figures(
    app: App, world: World
) -> None:
    roll(app)
    artist = app.accounts.create("artist@example.org", PASSWORD, roles=[Role.ARTIST])
    app.admin.link_artist(None, artist.id, world.artist)
    distributor = app.accounts.create("dist@example.org", PASSWORD, roles=[Role.DISTRIBUTOR])
    with app.uow() as uow:
        uow.supply.distributor_of_account(distributor.id, "Dist One")
        uow.commit()
    stranger = app.accounts.create("someone@example.org", PASSWORD, roles=[])
    boss = admin(app)
    assert figures(app, artist.id, world.artist).streams == 20
    assert figures(app, distributor.id, world.artist).streams == 20
    assert figures(app, distributor.id, world.guest).streams == 6  # featured on its release
    assert [a.name for a in app.artist_stats.artists_for(distributor.id)] == [
        "Guest Star",
        "Stats Artist",
    ]
    for who, artist_id in (
        (artist.id, world.other),
        (distributor.id, world.other),
        (stranger.id, world.artist),
        (stranger.id, 999_999),  # the same answer whether the artist exists or not
        (artist.id, 999_999),
    ):
        with pytest.raises(Forbidden) as refused:
            figures(app, who, artist_id)
        assert refused.value.code == "not_your_artist"
    assert figures(app, boss, world.other).streams == 1
    with pytest.raises(NotFound):
        figures(app, boss, 999_999)


def test_the_privacy_threshold_is_a_setting(app: App, world: World) -> None:
    roll(app)
    app.artist_stats.min_listeners = 2
    d = figures(app, admin(app), world.artist)
    assert [(b.value, b.listeners) for b in d.countries] == [("FR", 6), ("DE", 2)]
    assert [b.value for b in d.genders] == ["female", "male"]
    assert [b.value for b in d.ages] == ["23-27", "35-44"]
    assert d.min_listeners == 2 and d.per_stream_cents == Decimal("0.4")


def test_listeners_set_their_city_and_gender_and_the_api_answers(app: App, world: World) -> None:
    with TestClient(create_app(app)) as client:
        me = sign_in(client, app, "fan@example.org")
        answer = client.patch(
            "/api/v1/me", json={"city": "  Lyon ", "gender": "non_binary"}, headers=me
        )
        assert answer.status_code == 200, answer.text
        assert (answer.json()["city"], answer.json()["gender"]) == ("Lyon", "non_binary")
        kept = client.patch("/api/v1/me", json={"gender": None}, headers=me).json()
        assert (kept["city"], kept["gender"]) == ("Lyon", None)
        assert client.patch("/api/v1/me", json={"gender": "robot"}, headers=me).status_code == 422
        roll(app)
        stats = client.get(f"/api/v1/artists/{world.artist}/stats?range=28d", headers=me)
        assert stats.status_code == 403
        assert stats.json()["error"]["code"] == "not_your_artist"
        assert client.get(f"/api/v1/artists/{world.artist}/stats").status_code == 401
        app.admin.set_roles(None, app.admin.id_of("fan@example.org"), [Role.ADMIN])
        body = client.get(f"/api/v1/artists/{world.artist}/stats?range=7d", headers=me).json()
        assert body["streams"] == 14 and body["earnings"][0]["estimated"] is True
        assert (
            client.get(f"/api/v1/artists/{world.artist}/stats?range=3y", headers=me).status_code
            == 422
        )


def from_scratch(app: App, who: int, artist: int, range_name: str) -> ArtistDashboard:
    """The figures as a first roll-up of the whole history makes them today."""
    with app.db_sessions() as s:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name.startswith("stats_"):
                s.execute(table.delete())
        s.execute(update(PlayRow).values(stats_rolled=False))
        s.commit()
    roll(app)
    return figures(app, who, artist, range_name)


def test_streams_flagged_artificial_leave_the_figures_and_come_back_when_cleared(
    app: App, world: World
) -> None:
    from tests.e2e.test_fraud import _plant

    who = admin(app)
    roll(app)
    before = figures(app, who, world.artist)
    # 240 streams a bot; a family's 270, 18 of them of Song One (the rest not in the catalog)
    farm, family = _plant(app, [world.one, world.two])
    assert "rolled up 2670 counted streams" in roll(app)
    inflated = figures(app, who, world.artist)
    assert (inflated.streams, inflated.listeners) == (before.streams + 2418, before.listeners + 13)

    assert "flagged 10 accounts, 2400 streams" in find_job("fraud").run(app, None).said
    assert figures(app, who, world.artist).streams == inflated.streams  # until the next run
    assert "took out 2400 flagged artificial" in roll(app)
    assert "rolled up 0 counted streams" in roll(app)  # and once only
    assert "took out 0 flagged" in roll(app)
    honest = {r: figures(app, who, world.artist, r) for r in ("7d", "28d", "all")}
    d = honest["28d"]
    assert (d.streams, d.listeners) == (before.streams + 18, before.listeners + 3)
    assert sum(s.streams for s in d.series) == d.streams == sum(b.streams for b in d.sources)
    assert sum(t.streams for t in d.top_tracks) == d.streams
    assert sum(e.streams for e in d.earnings) == d.streams
    # Exactly what a roll-up of the whole history would show, listeners and audience included.
    for r, figured in honest.items():
        assert replace(from_scratch(app, who, world.artist, r), rolled_at=None) == replace(
            figured, rolled_at=None
        )

    # An admin clears one bot's flag: its 240 streams and the listener count again.
    cleared = next(f for f in app.fraud.flags(who, "open", None, 100, 0) if f.streams == 240)
    app.fraud.review(who, cleared.id, clear=True)
    assert "rolled up 240 counted streams" in roll(app)
    back = figures(app, who, world.artist)
    assert (back.streams, back.listeners) == (d.streams + 240, d.listeners + 1)
    assert replace(from_scratch(app, who, world.artist, "28d"), rolled_at=None) == replace(
        back, rolled_at=None
    )
    assert len(family) == 3 and cleared.account_id in farm
