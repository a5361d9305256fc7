"""Recommendations through HTTP, from a real model trained on a small generated catalog: three
genres whose listeners play only their own genre, so the model has tastes to learn.

Before training every answer says `"basis": "popular"`; after, `"model"`."""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.domain.listening import EventKind, ListeningEvent
from cadenza.domain.plans import Plan
from cadenza.recs.store import models_dir
from cadenza.services.listening import ListeningService
from cadenza.services.takedowns import TakedownBy
from tests.e2e.conftest import sign_in
from tests.e2e.granted import post_events
from tests.e2e.test_listening import play
from tests.fixtures.catalog import put_release

GENRES = ("Rock", "Jazz", "Techno")
ARTISTS_PER_GENRE = 4
DISTRIBUTOR = "Search Test Distributor"


@dataclass
class Catalog:
    genre_of: dict[int, str] = field(default_factory=dict)  # track -> genre
    artist_of: dict[int, str] = field(default_factory=dict)  # track -> artist name
    releases: dict[str, list[int]] = field(default_factory=dict)  # artist -> release ids
    tracks_of: dict[str, list[int]] = field(default_factory=dict)  # artist -> tracks
    hidden: list[int] = field(default_factory=list)  # Japan only: never for these listeners

    def of_genre(self, genre: str) -> list[int]:
        return sorted(t for t, g in self.genre_of.items() if g == genre)


def taste_catalog(app: App) -> Catalog:
    """4 artists per genre, 2 releases of 4 songs each; and a Japan-only rock release."""
    c = Catalog()
    for genre in GENRES:
        for a in range(ARTISTS_PER_GENRE):
            artist = f"{genre} Artist {a}"
            for r in range(2):
                songs = [f"{artist} song {r}.{n}" for n in range(4)]
                release, tracks = put_release(app, f"{artist} {r}", [artist], songs, genres=[genre])
                c.releases.setdefault(artist, []).append(release)
                c.tracks_of.setdefault(artist, []).extend(tracks)
                c.genre_of.update(dict.fromkeys(tracks, genre))
                c.artist_of.update(dict.fromkeys(tracks, artist))
    _, c.hidden = put_release(
        app, "Tokyo Rock", ["Rock Artist 0"], ["Far East"], genres=["Rock"], territories=("JP",)
    )
    return c


def crowd(app: App, c: Catalog, per_genre: int = 4, genres: tuple[str, ...] = GENRES) -> None:
    """Listeners who play one genre each: 12 songs of it, 1 to 4 times, in the past weeks."""
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=20)
    # Their past weeks, imported (as the demo's): no stream grants were issued for them.
    imported = ListeningService(app.uow, app.clock, imported_history=True)
    for genre in genres:
        for n in range(per_genre):
            account = app.accounts.create(
                f"{genre.lower()}{n}@example.org",
                "a long crowd listening phrase",
                roles=[Role.LISTENER],
            )
            events: list[ListeningEvent] = []
            for track in rng.sample(c.of_genre(genre), 12):
                for k in range(rng.randint(1, 4)):
                    at = start + timedelta(hours=len(events))
                    play_id = f"crowd-{account.id}-{track}-{k}"
                    events += [
                        ListeningEvent(f"{play_id}-s", play_id, EventKind.START, track, "t", 0, at),
                        ListeningEvent(
                            f"{play_id}-e",
                            play_id,
                            EventKind.END,
                            track,
                            "t",
                            200_000,
                            at + timedelta(seconds=200),
                        ),
                    ]
            assert imported.record(account.id, events).rejected == []


def listen(
    client: TestClient,
    who: dict[str, str],
    tracks: list[int],
    tag: str,
    *,
    seconds: int = 45,
    end: str = "end",
    ago: timedelta = timedelta(days=1),
) -> None:
    now = datetime.now(UTC)
    start = now - ago
    if ago >= timedelta(days=1):  # yesterday's plays all end before midnight, the mixes' cut
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        start = min(start, midnight - timedelta(minutes=len(tracks) + 1))
    events: list[dict[str, Any]] = []
    for n, track in enumerate(tracks):
        events += play(track, f"{tag}-{n}", seconds, start + timedelta(minutes=n), end=end)
    answer = post_events(client, who, events)
    assert answer.json()["rejected"] == []


def ids(tracks: list[dict[str, Any]]) -> list[int]:
    return [t["id"] for t in tracks]


def test_answers_are_popular_before_training_and_from_the_model_after(
    client: TestClient, app: App
) -> None:
    c = taste_catalog(app)
    crowd(app, c)
    ada = sign_in(client, app, "ada@example.org")  # Free: Discover Weekly is on every plan
    rock = c.of_genre("Rock")
    played = c.tracks_of["Rock Artist 0"][:4] + c.tracks_of["Rock Artist 1"][:4]
    listen(client, ada, played * 2, "ada")
    favourite = c.tracks_of["Rock Artist 0"][3]
    listen(client, ada, [favourite] * 20, "ada-favourite")
    liked = c.tracks_of["Rock Artist 2"][0]
    assert client.put(f"/api/v1/me/tracks/{liked}", headers=ada).status_code == 204
    saved = c.releases["Rock Artist 3"][0]
    assert client.put(f"/api/v1/me/releases/{saved}", headers=ada).status_code == 204
    saved_tracks = set(c.tracks_of["Rock Artist 3"][:4])
    seed, artist_id = rock[0], None

    before = client.get("/api/v1/me/discover-weekly", headers=ada).json()
    assert before["basis"] == "popular" and before["name"] == "Discover Weekly"
    similar = client.get(f"/api/v1/tracks/{seed}/similar", headers=ada).json()
    assert similar["basis"] == "popular"
    artist_id = client.get(f"/api/v1/tracks/{seed}", headers=ada).json()["artists"][0]["id"]
    related = client.get(f"/api/v1/artists/{artist_id}/related-artists", headers=ada).json()
    assert related["basis"] == "popular"

    app.train_recs()  # the server was not restarted: it picks the new model up

    weekly = client.get("/api/v1/me/discover-weekly", headers=ada).json()
    assert weekly["basis"] == "model"
    tracks = ids(weekly["tracks"])
    assert 20 <= len(tracks) <= 30 and len(set(tracks)) == len(tracks)
    assert not set(tracks) & (set(played) | {liked} | saved_tracks)  # nothing heard or saved
    assert not set(tracks) & set(c.hidden)
    per_artist = Counter(c.artist_of[t] for t in tracks)
    assert max(per_artist.values()) <= 2
    known = {"Rock Artist 0", "Rock Artist 1", "Rock Artist 2", "Rock Artist 3"}
    assert set(per_artist) & known and set(per_artist) - known  # known artists and new ones
    assert all(t["reason"].startswith("Because you play ") for t in weekly["tracks"])
    again = client.get("/api/v1/me/discover-weekly", headers=ada).json()
    assert ids(again["tracks"]) == tracks  # the same all week
    # It plays on demand on Free (after the ad break her plays brought: none, no campaign).
    assert client.get("/api/v1/me/ad-break", headers=ada).status_code == 204
    body = {"context": {"kind": "discover_weekly"}, "offset": 2}
    started = client.put("/api/v1/me/player/play", json=body, headers=ada)
    assert started.status_code == 200, started.text
    assert started.json()["track_id"] == tracks[2]

    similar = client.get(f"/api/v1/tracks/{seed}/similar", headers=ada).json()
    assert similar["basis"] == "model"
    nearest = [c.genre_of[t] for t in ids(similar["tracks"])[:8]]
    assert nearest.count("Rock") >= 5, nearest  # rock fans play rock: its neighbours are rock
    assert seed not in ids(similar["tracks"]) and not set(ids(similar["tracks"])) & set(c.hidden)

    related = client.get(f"/api/v1/artists/{artist_id}/related-artists", headers=ada).json()
    assert related["basis"] == "model"
    names = [a["name"] for a in related["artists"]]
    assert "Rock Artist 0" not in names
    assert sum(n.startswith("Rock") for n in names[:3]) >= 2, names

    top = client.get(f"/api/v1/artists/{artist_id}/top-tracks", headers=ada).json()
    assert top["basis"] == "popular" and 0 < len(top["tracks"]) <= 10
    assert {c.artist_of[t] for t in ids(top["tracks"])} == {"Rock Artist 0"}
    assert not set(ids(top["tracks"])) & set(c.hidden)
    assert ids(top["tracks"])[0] == favourite  # she played it most of all

    mixes = client.get("/api/v1/me/daily-mixes", headers=ada).json()
    assert mixes and mixes[0]["basis"] == "model" and mixes[0]["genre"] == "rock"
    assert not set(ids(mixes[0]["tracks"])) & set(c.hidden)


def test_a_new_listener_s_picked_artists_make_their_discover_weekly_and_daily_mixes(
    client: TestClient, app: App
) -> None:
    c = taste_catalog(app)
    crowd(app, c, genres=("Rock", "Techno"))  # nobody plays jazz: it is popular nowhere
    new = sign_in(client, app, "new@example.org", Plan.PREMIUM_INDIVIDUAL)
    plain = sign_in(client, app, "plain@example.org")  # no picks, no history
    picked = ("Jazz Artist 0", "Jazz Artist 1")
    artist_ids = [
        client.get(f"/api/v1/tracks/{c.tracks_of[name][0]}", headers=new).json()["artists"][0]["id"]
        for name in picked
    ]
    put = client.put("/api/v1/me/taste-picks", json={"artist_ids": artist_ids}, headers=new)
    assert put.status_code == 200
    alike = {"Jazz Artist 2", "Jazz Artist 3"}  # the same genre: related by content

    for basis in ("popular", "model"):
        if basis == "model":
            app.train_recs()  # the popular week is made again from the model's neighbours
        weekly = client.get("/api/v1/me/discover-weekly", headers=new).json()
        assert weekly["basis"] == basis
        artists = Counter(c.artist_of[t] for t in ids(weekly["tracks"]))
        assert set(picked) <= set(artists) and alike & set(artists), artists
        assert sum(n for a, n in artists.items() if a.startswith("Jazz")) >= 6, artists
        assert max(artists.values()) <= 2
        reasons = {t["reason"] for t in weekly["tracks"]}
        assert "Because you like Jazz Artist 0" in reasons, reasons
        others = client.get("/api/v1/me/discover-weekly", headers=plain).json()
        assert not any(c.genre_of[t] == "Jazz" for t in ids(others["tracks"]))

        mixes = client.get("/api/v1/me/daily-mixes", headers=new).json()
        assert mixes and all(m["basis"] == basis and m["genre"] == "jazz" for m in mixes)
        in_mixes = {c.artist_of[t] for m in mixes for t in ids(m["tracks"])}
        assert set(picked) <= in_mixes and alike & in_mixes, in_mixes
        first = [c.genre_of[t] for t in ids(mixes[0]["tracks"])[:20]]
        assert first.count("Jazz") >= 16, first  # what little jazz there is leads
        assert client.get("/api/v1/me/daily-mixes", headers=plain).json() == []
        if basis == "popular":  # a genre station leans to the picked artists' songs of it:
            # at least 7 of its first 10 in each of 2,000 simulated draws (by chance: 11%)
            station = client.get("/api/v1/me/radio?genre=Jazz", headers=new).json()
            first = [c.artist_of[t] for t in ids(station["tracks"])[:10]]
            assert station["basis"] == "popular" and sum(a in picked for a in first) >= 7, first


def test_radio_never_repeats_never_plays_an_artist_twice_in_a_row_and_fades_skipped_artists(
    client: TestClient, app: App
) -> None:
    c = taste_catalog(app)
    crowd(app, c)
    free = sign_in(client, app, "free@example.org")
    bo = sign_in(client, app, "bo@example.org", Plan.PREMIUM_INDIVIDUAL)
    recent = c.of_genre("Rock")[:10]
    listen(client, bo, recent, "bo", ago=timedelta(hours=1))
    app.train_recs()
    seed = c.tracks_of["Rock Artist 1"][5]

    refused = client.get(f"/api/v1/me/radio?track_id={seed}", headers=free)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "premium_required"

    station = client.get(f"/api/v1/me/radio?track_id={seed}", headers=bo).json()
    assert station["basis"] == "model" and station["name"].endswith(" Radio")
    played = ids(station["tracks"])
    assert played[0] == seed and len(played) == len(set(played)) and len(played) >= 20
    assert not set(played) & set(recent)  # none of her last 50 plays
    assert not set(played) & set(c.hidden)
    artists = [c.artist_of[t] for t in played]
    assert all(a != b for a, b in itertools.pairwise(artists))

    # She skips two songs of an artist the station plays, within seconds: it fades out.
    faded = next(a for a in artists[1:] if a != c.artist_of[seed])
    skipped = [t for t in c.tracks_of[faded] if t not in recent][:2]
    listen(client, bo, skipped, "bo-skips", seconds=5, end="skip", ago=timedelta(minutes=5))
    for _ in range(3):  # every new draw
        again = client.get(f"/api/v1/me/radio?track_id={seed}", headers=bo).json()
        assert faded not in {c.artist_of[t] for t in ids(again["tracks"])}

    by_genre = client.get("/api/v1/me/radio?genre=Jazz", headers=bo).json()
    assert by_genre["seed"] == {"kind": "genre", "id": "Jazz"} and by_genre["tracks"]
    assert Counter(c.genre_of[t] for t in ids(by_genre["tracks"])[:10])["Jazz"] >= 6

    # A station from a playlist: its songs' neighbours. Someone else's private one is 404.
    made = {"name": "Techno for Bo", "public": False}
    playlist = client.post("/api/v1/me/playlists", json=made, headers=bo).json()["id"]
    techno = c.of_genre("Techno")[:6]
    added = client.post(
        f"/api/v1/playlists/{playlist}/tracks", json={"track_ids": techno}, headers=bo
    )
    assert added.status_code == 201, added.text
    from_list = client.get(f"/api/v1/me/radio?playlist_id={playlist}", headers=bo).json()
    assert from_list["name"] == "Techno for Bo Radio" and from_list["basis"] == "model"
    assert Counter(c.genre_of[t] for t in ids(from_list["tracks"])[:10])["Techno"] >= 6
    eve = sign_in(client, app, "eve@example.org", Plan.PREMIUM_INDIVIDUAL)
    hidden = client.get(f"/api/v1/me/radio?playlist_id={playlist}", headers=eve)
    assert hidden.status_code == 404


def test_a_taken_down_or_out_of_territory_track_is_never_recommended(
    client: TestClient, app: App
) -> None:
    c = taste_catalog(app)
    crowd(app, c)
    cy = sign_in(client, app, "cy@example.org", Plan.PREMIUM_INDIVIDUAL)
    listen(client, cy, c.tracks_of["Rock Artist 0"][:3], "cy")
    app.train_recs()
    gone = c.releases["Rock Artist 2"][0]
    gone_tracks = set(c.tracks_of["Rock Artist 2"][:4])
    app.takedowns.take_down(gone, TakedownBy(distributor=app.distributor_id(DISTRIBUTOR)))
    never = gone_tracks | set(c.hidden)

    answers = [
        client.get("/api/v1/me/discover-weekly", headers=cy).json()["tracks"],
        client.get(f"/api/v1/tracks/{c.of_genre('Rock')[0]}/similar", headers=cy).json()["tracks"],
        client.get(f"/api/v1/me/radio?track_id={c.of_genre('Rock')[1]}", headers=cy).json()[
            "tracks"
        ],
        client.get("/api/v1/me/radio?genre=Rock", headers=cy).json()["tracks"],
    ]
    for mix in client.get("/api/v1/me/daily-mixes", headers=cy).json():
        answers.append(mix["tracks"])
    artist = client.get(f"/api/v1/tracks/{c.of_genre('Rock')[0]}", headers=cy).json()["artists"][0]
    answers.append(
        client.get(f"/api/v1/artists/{artist['id']}/top-tracks", headers=cy).json()["tracks"]
    )
    assert all(tracks for tracks in answers)
    for tracks in answers:
        assert not set(ids(tracks)) & never


def _env(app: App) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("CADENZA_")},
        "CADENZA_DATA_DIR": str(app.settings.data_dir),
        "CADENZA_DATABASE_URL": app.settings.resolved_database_url,
    }


def test_a_killed_training_leaves_the_served_model_answering(client: TestClient, app: App) -> None:
    c = taste_catalog(app)
    crowd(app, c)
    dee = sign_in(client, app, "dee@example.org")
    listen(client, dee, c.tracks_of["Jazz Artist 0"][:4], "dee")
    first = app.train_recs().version
    root = models_dir(app.settings.data_dir)
    command = [sys.executable, "-m", "cadenza", "recs", "train", "--quiet"]

    training = subprocess.Popen(command, env=_env(app), stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(root.glob(".draft-*")):  # it has started writing its model
        assert training.poll() is None, "the training ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    training.send_signal(signal.SIGKILL)
    assert training.wait(timeout=60) == -signal.SIGKILL
    assert (root / "current").read_text().strip() == first
    weekly = client.get("/api/v1/me/discover-weekly", headers=dee).json()
    assert weekly["basis"] == "model" and weekly["tracks"]
    similar = client.get(f"/api/v1/tracks/{c.of_genre('Jazz')[0]}/similar", headers=dee).json()
    assert similar["basis"] == "model" and similar["tracks"]

    done = subprocess.run(command, env=_env(app), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    status = subprocess.run(
        [sys.executable, "-m", "cadenza", "recs", "status"],
        env=_env(app),
        capture_output=True,
        text=True,
        timeout=120,
    )
    fields = dict(line.split("\t", 1) for line in status.stdout.splitlines())
    assert fields["version"] != first and fields["basis"] == "model"
    assert int(fields["listeners"]) == 13 and int(fields["tracks"]) == len(c.genre_of) + 1
    assert not list(root.glob(".draft-*"))  # the killed one's leftovers are swept
    # The server picks the new one up without a restart, and answers from it.
    assert app.recs_model.info() is not None and app.recs_model.info().version == fields["version"]
    assert client.get("/api/v1/me/discover-weekly", headers=dee).json()["basis"] == "model"
