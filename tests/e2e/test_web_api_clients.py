"""The independent Web API clients `spotipy` and `tekore` from PyPI, pointed at a live Cadenza
with a first-party access token: search, read an album, an artist and a track, manage a
playlist, save tracks, read and control the player, recently played, top items and
recommendations. tekore's models are strict about Spotify's shapes: a missing field fails.
One server and one catalog for the module."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import httpx2
import pytest
import spotipy
import tekore as tk
from fastapi.testclient import TestClient

from cadenza.api.app import create_app
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from cadenza.domain.plans import Plan
from tests.conftest import TEST_HASHER, _empty
from tests.e2e.conftest import sign_in
from tests.e2e.granted import post_events
from tests.e2e.live import live_server
from tests.e2e.test_listening import play
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver

# One worker runs the module's tests in turn (they share its server and database).
pytestmark = [pytest.mark.database, pytest.mark.xdist_group("web_api_clients")]


@dataclass(frozen=True)
class Live:
    base: str
    token: str
    album: int
    tracks: list[str]
    device: str


class RewritingSender(tk.SyncSender):
    """tekore's requests go to this server instead of api.spotify.com (a Sender is tekore's
    own extension point)."""

    def __init__(self, base: str) -> None:
        # A loaded test machine (three suites at once) may take longer than httpx's 5 s.
        super().__init__(httpx.Client(timeout=60))
        self.base = base

    def send(self, request: tk.Request) -> tk.Response:
        request.url = request.url.replace("https://api.spotify.com", self.base)
        return super().send(request)


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_url: str | None,
    sqlite_template: Path | None,
    shared_workers: ProcessPoolExecutor,
) -> Iterator[Live]:
    root = tmp_path_factory.mktemp("web_api_clients")
    if postgres_url:
        _empty(postgres_url)
    settings = Settings(
        data_dir=root / "var",
        database_url=postgres_url,
        distributor_key="test-distributor-key",
        transcode_workers=2,
        billing_interval_s=0,
        search_popularity_interval_s=0,
        charts_interval_s=0,
        artist_stats_interval_s=0,
        session_prune_interval_s=0,
        blob_sweep_interval_s=0,
        recs_train_hours=0,
    )
    if sqlite_template is not None:
        settings.data_dir.mkdir(parents=True)
        (settings.data_dir / "cadenza.db").write_bytes(sqlite_template.read_bytes())
    app: App = bootstrap(settings)
    app.shared_pool = shared_workers
    app.__dict__["hasher"] = TEST_HASHER
    try:
        album = deliver(app, make_release(root / "release", title="Night Drive")).release_id
        # Without its lifespan (whose end closes the App), as the live server runs it.
        client = TestClient(create_app(app))
        ada = sign_in(client, app, "clients@example.org", Plan.PREMIUM_INDIVIDUAL)
        items = client.get(f"/v1/albums/{album}/tracks", headers=ada).json()["items"]
        tracks = [t["id"] for t in items]
        start = datetime.now(UTC) - timedelta(hours=2)
        history = play(int(tracks[0]), "h1", 45, start)
        history += play(int(tracks[1]), "h2", 45, start + timedelta(minutes=5))
        history += play(int(tracks[1]), "h3", 45, start + timedelta(minutes=10))
        assert post_events(client, ada, history).status_code == 200
        device = client.post(
            "/api/v1/me/devices",
            json={"name": "Living room", "type": "speaker", "supports_volume": True},
            headers=ada,
        ).json()["id"]
        with live_server(app) as base:
            yield Live(base, ada["Authorization"].removeprefix("Bearer "), album, tracks, device)
    finally:
        app.close()


def test_a_spotipy_session(live: Live) -> None:
    sp = spotipy.Spotify(auth=live.token, retries=0, requests_timeout=60)
    sp.prefix = f"{live.base}/v1/"  # spotipy's base address, a public attribute
    first, second, third = live.tracks
    me = sp.me()
    assert me["product"] == "premium" and me["email"] == "clients@example.org"

    found = sp.search("night drive", type="album,track", limit=5)
    assert found["albums"]["items"][0]["id"] == str(live.album)
    album = sp.album(str(live.album))
    assert album["name"] == "Night Drive" and album["total_tracks"] == 3
    assert [t["id"] for t in sp.album_tracks(str(live.album))["items"]] == live.tracks
    track = sp.track(second)
    assert track["album"]["id"] == str(live.album) and track["name"] == "Song 2"
    artist_id = track["artists"][0]["id"]
    assert sp.artist(artist_id)["name"] == "The Testers"
    assert [a and a["id"] for a in sp.artists([artist_id, "999999"])["artists"]] == [
        artist_id,
        None,
    ]
    assert [a["total_tracks"] for a in sp.albums([str(live.album)])["albums"]] == [3]
    assert [a["id"] for a in sp.artist_albums(artist_id)["items"]] == [str(live.album)]
    assert {t["id"] for t in sp.artist_top_tracks(artist_id)["tracks"]} <= set(live.tracks)

    # A playlist: create, add, reorder, remove, rename.
    playlist = sp.current_user_playlist_create("Drive", public=False, description="night")
    snapshot = sp.playlist_add_items(playlist["id"], [first, second, third])["snapshot_id"]
    sp.playlist_reorder_items(playlist["id"], range_start=2, insert_before=0, snapshot_id=snapshot)
    sp.playlist_remove_all_occurrences_of_items(playlist["id"], [first])
    sp.playlist_change_details(playlist["id"], name="Drive home")
    read = sp.playlist(playlist["id"])
    assert read["name"] == "Drive home" and read["public"] is False
    assert [i["track"]["id"] for i in sp.playlist_items(playlist["id"])["items"]] == [third, second]
    assert playlist["id"] in {p["id"] for p in sp.current_user_playlists()["items"]}

    # Saved tracks, through Spotify's new library endpoints and the saved-tracks list.
    sp.current_user_saved_tracks_add([first, third])
    assert sp.current_user_saved_tracks_contains([first, second]) == [True, False]
    assert {s["track"]["id"] for s in sp.current_user_saved_tracks()["items"]} == {first, third}
    sp.current_user_saved_tracks_delete([third])
    assert sp.current_user_saved_tracks_contains([third]) == [False]

    # The player: transfer, play, pause, next, seek, volume.
    assert [d["name"] for d in sp.devices()["devices"]] == ["Living room"]
    sp.transfer_playback(live.device, force_play=False)
    sp.start_playback(context_uri=f"spotify:album:{live.album}", offset={"position": 0})
    state = sp.current_playback()
    assert state["item"]["id"] == first and state["device"]["id"] == live.device
    sp.next_track()
    sp.seek_track(500)
    sp.volume(30)
    sp.pause_playback()
    state = sp.current_playback()
    assert state["item"]["id"] == second and state["is_playing"] is False
    assert state["device"]["volume_percent"] == 30 and state["progress_ms"] >= 500
    with pytest.raises(spotipy.SpotifyException) as refused:
        sp.start_playback(context_uri="spotify:album:999999")
    assert refused.value.http_status == 404

    recent = sp.current_user_recently_played(limit=2)
    assert [i["track"]["id"] for i in recent["items"]] == [second, second]
    assert [t["id"] for t in sp.current_user_top_tracks(time_range="short_term")["items"]] == [
        second,
        first,
    ]
    assert [a["id"] for a in sp.current_user_top_artists()["items"]] == [artist_id]
    recs = sp.recommendations(seed_tracks=[first], limit=5)
    assert recs["seeds"][0]["id"] == first and first not in {t["id"] for t in recs["tracks"]}


def test_a_tekore_session(live: Live) -> None:
    first, second, third = live.tracks
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an attribute tekore does not know fails the test
        spotify = tk.Spotify(live.token, sender=RewritingSender(live.base))
        me = spotify.current_user()
        assert me.product == "premium"
        tracks, albums = spotify.search("night drive", types=("track", "album"), limit=5)
        assert albums.items[0].id == str(live.album) and len(tracks.items) == 3
        album = spotify.album(str(live.album))
        assert album.name == "Night Drive" and album.tracks.total == 3
        track = spotify.track(first)
        assert track.album.id == str(live.album) and track.external_ids == {"isrc": "QZTST2600001"}
        artist = spotify.artist(track.artists[0].id)
        assert artist.name == "The Testers"
        assert spotify.artist_albums(artist.id).items[0].id == str(live.album)
        spotify.artist_related_artists(artist.id)

        playlist = spotify.playlist_create(me.id, "Tekore list", public=True)
        spotify.playlist_add(playlist.id, [f"spotify:track:{t}" for t in (first, second)])
        spotify.playlist_reorder(playlist.id, range_start=1, insert_before=0)
        items = spotify.playlist_items(playlist.id)
        assert [i.track.id for i in items.items] == [second, first]
        spotify.playlist_remove(playlist.id, [f"spotify:track:{second}"])
        assert spotify.playlist(playlist.id).tracks.total == 1

        spotify.saved_tracks_add([first])  # (the spotipy session may have liked it already)
        spotify.saved_tracks_add([second])
        assert spotify.saved_tracks_contains([second, third]) == [True, False]
        # newest first
        assert [s.track.id for s in spotify.saved_tracks().items] == [second, first]
        spotify.saved_tracks_delete([second])

        spotify.playback_transfer(live.device)
        spotify.playback_start_tracks([third])
        spotify.playback_seek(400)
        spotify.playback_volume(60)
        spotify.playback_pause()
        state = spotify.playback()
        assert state is not None and state.item is not None and state.item.id == third
        assert state.device.volume_percent == 60 and state.is_playing is False
        playing = spotify.playback_currently_playing()
        assert playing is not None and playing.item is not None and playing.item.id == third
        spotify.playback_queue_add(f"spotify:track:{first}")
        assert [t.id for t in spotify.playback_queue().queue][:1] == [first]
        spotify.playback_next()
        assert spotify.playback_devices()[0].id == live.device

        recent = spotify.playback_recently_played(limit=5)
        assert [i.track.id for i in recent.items][:3] == [second, second, first]
        top = spotify.current_user_top_tracks(time_range="short_term")
        assert [t.id for t in top.items] == [second, first]
        assert [a.id for a in spotify.current_user_top_artists().items] == [artist.id]
        recs = spotify.recommendations(artist_ids=[artist.id], limit=3)
        assert recs.seeds[0].type == "ARTIST" and len(recs.tracks) <= 3
        releases = spotify.new_releases()
        assert releases.items[0].id == str(live.album)
    with pytest.raises(tk.NotFound):
        spotify.album("999999")


def test_no_token_is_refused_in_spotify_shape(live: Live) -> None:
    answer = httpx2.get(f"{live.base}/v1/me")
    assert answer.status_code == 401
    assert answer.json()["error"]["status"] == 401
