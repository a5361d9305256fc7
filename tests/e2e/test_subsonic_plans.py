"""A listener's plan holds in a Subsonic app: the quality cap whatever `maxBitRate` and
`format` ask, downloads only for Premium and only where the operator allows plain files; and a
scrobble counts as a stream only by the same rules as the web player's plays (audio the server
sent for it, time enough since): history either way."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.catalog import Viewer
from cadenza.domain.plans import Plan
from tests.e2e.subsonic_helpers import app_login
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver


def served(client: TestClient, params: dict[str, str]) -> str:
    answer = client.get("/rest/stream", params=params)
    assert answer.status_code == 200, answer.text
    return answer.headers["content-disposition"].split("filename=")[1].strip('"')


def test_quality_and_downloads_follow_the_plan(
    client: TestClient, app: App, published: int
) -> None:
    free = app_login(client, app, "free@example.org", Plan.FREE).token()
    premium = app_login(client, app, "premium@example.org").token()
    lossless_track = {"id": "tr-1"}  # delivered as FLAC: it has a lossless file
    assert served(client, free | lossless_track | {"format": "flac"}) == "1-high.opus"
    assert served(client, free | lossless_track | {"maxBitRate": "320"}) == "1-high.opus"
    assert served(client, free | lossless_track | {"maxBitRate": "96"}) == "1-normal.opus"
    assert served(client, premium | lossless_track) == "1-very_high.opus"
    assert served(client, premium | lossless_track | {"format": "raw"}) == "1-lossless.flac"
    assert served(client, premium | lossless_track | {"maxBitRate": "24"}) == "1-low.opus"
    head = client.head("/rest/stream.view", params=premium | lossless_track)  # players probe
    assert head.status_code == 200 and int(head.headers["content-length"]) > 0
    assert head.content == b""
    user = client.get("/rest/getUser", params=free | {"username": "free@example.org"})
    assert 'maxBitRate="160"' in user.text and 'downloadRole="false"' in user.text

    # Downloads: off by default; then Premium only.
    assert 'code="50"' in client.get("/rest/download", params=premium | lossless_track).text
    app.settings.subsonic_downloads = True
    assert 'code="50"' in client.get("/rest/download", params=free | lossless_track).text
    file = client.get("/rest/download", params=premium | lossless_track)
    assert file.status_code == 200 and file.content[:4] == b"fLaC"


class ShiftedClock:
    def __init__(self) -> None:
        self.ahead = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead


def test_a_scrobble_counts_only_on_audio_served_for_it(
    client: TestClient, app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_release(tmp_path / "long", formats=("flac",), seconds=31.0, upc=None)
    release = deliver(app, folder).release_id
    track = app.catalog.release_tracks_to_play(release, _anyone(app))[0].id
    clock = ShiftedClock()
    monkeypatch.setattr(app.clock, "now", clock.now)
    song = {"id": f"tr-{track}"}
    listener = app_login(client, app, "streams@example.org")
    bystander = app_login(client, app, "claims@example.org")

    # Streamed through /rest, announced, heard for 32 s, then submitted: one counted stream.
    assert client.get("/rest/stream", params=listener.token() | song).status_code == 200
    now_playing = listener.token() | song | {"submission": "false"}
    assert 'status="ok"' in client.get("/rest/scrobble", params=now_playing).text
    clock.ahead = timedelta(seconds=32)
    done = listener.token("later") | song | {"submission": "true"}
    assert 'status="ok"' in client.get("/rest/scrobble", params=done).text
    assert app.listening.streams(track) == 1

    # A scrobble of a song the server never sent: history, not a stream.
    claimed = bystander.token() | song | {"submission": "true"}
    assert 'status="ok"' in client.get("/rest/scrobble", params=claimed).text
    assert app.listening.streams(track) == 1
    plays = app.listening.export(_account(app, "claims@example.org"))["listening_history"]
    assert isinstance(plays, list)
    assert [(p["track_id"], p["counted"], p["not_counted_reason"]) for p in plays] == [
        (track, False, "no_grant")
    ]

    # An app that reports playback (playbackReport): its timeline makes the play, which counts.
    reporter = app_login(client, app, "reports@example.org")
    assert client.get("/rest/stream", params=reporter.token() | song).status_code == 200
    for ahead, state, position in (
        (32, "starting", 0),
        (47, "playing", 15_000),
        (64, "stopped", 31_000),
    ):
        clock.ahead = timedelta(seconds=ahead)
        report = {
            "mediaId": song["id"],
            "mediaType": "song",
            "state": state,
            "positionMs": position,
        }
        assert (
            'status="ok"'
            in client.get("/rest/reportPlayback", params=reporter.token() | report).text
        )
        if state == "playing":
            shown = client.get(
                "/rest/getNowPlaying", params=reporter.token() | {"f": "json"}
            ).json()
            (entry,) = shown["subsonic-response"]["nowPlaying"]["entry"]
            assert (entry["state"], entry["positionMs"]) == ("playing", 15_000)
    assert app.listening.streams(track) == 2

    # transcodeOffset: the rest of the song from 20 s, a whole file of its own.
    rest = client.get("/rest/stream", params=listener.token() | song | {"timeOffset": "20"})
    assert rest.status_code == 200 and rest.content[:4] == b"OggS"
    with av.open(io.BytesIO(rest.content)) as cut:
        heard = sum(f.samples for f in cut.decode(audio=0)) / 48000
    assert 10.0 < heard < 12.0


def _anyone(app: App) -> Viewer:
    return Viewer(country=None, now=datetime.now(UTC))


def _account(app: App, email: str) -> int:
    with app.uow() as uow:
        found = uow.accounts.id_by_email(email)
    assert found is not None
    return found
