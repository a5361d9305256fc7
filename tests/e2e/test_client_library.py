"""`cadenza.client` against a live Cadenza over real HTTP: logging in (e-mailed code, then
two-factor), browsing and searching, a terminal device that obeys commands sent through the
API, listening events kept on disk while the server is away, the sealed disk cache (a replay
asks for a grant and no bytes), and offline downloads under the licence rules."""

from __future__ import annotations

import asyncio
import io
import json
import re
import subprocess
import sys
import time
import wave
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest

from cadenza.adapters.security.totp import PyotpTotp
from cadenza.bootstrap import App, bootstrap
from cadenza.client import (
    CachedAudio,
    CadenzaClient,
    CadenzaClientError,
    DiskCache,
    DownloadedAudio,
    EventJournal,
    LicenceExpired,
    OfflineLibrary,
    SecondFactorRequired,
    ServerAudio,
    Vault,
)
from cadenza.client.audio_out import NullSink, Sink, WavSink
from cadenza.client.device import PlayingDevice
from cadenza.client.journal import listening_event
from cadenza.client.terminal_app import PlayerScreen
from cadenza.config import Settings
from cadenza.domain.accounts import Role
from cadenza.domain.plans import Plan
from tests.conftest import TEST_HASHER, _empty
from tests.e2e.conftest import LISTENER_PASSWORD, mail_to
from tests.e2e.live import live_server
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver

pytestmark = [pytest.mark.database, pytest.mark.xdist_group("client_library")]


@dataclass(frozen=True)
class Live:
    base: str
    app: App
    release: int
    tracks: list[int]


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_url: str | None,
    sqlite_template: Path | None,
    shared_workers: ProcessPoolExecutor,
) -> Iterator[Live]:
    root = tmp_path_factory.mktemp("client_library")
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
        folder = make_release(root / "release", title="Night Drive", seconds=12)
        release = deliver(app, folder).release_id
        with live_server(app) as base:
            found = httpx.get(f"{base}/api/v1/releases/{release}", timeout=30).json()
            yield Live(base, app, release, [t["id"] for t in found["tracks"]])
    finally:
        app.close()


def listener(live: Live, email: str, plan: Plan = Plan.PREMIUM_INDIVIDUAL) -> int:
    account = live.app.accounts.create(
        email, LISTENER_PASSWORD, roles=[Role.LISTENER], country="US"
    )
    live.app.subscriptions.grant(account.id, plan)
    return account.id


def emailed_code(live: Live, email: str) -> str:
    part = mail_to(live.app, email)[-1].get_body(("plain",))
    assert part is not None
    found = re.search(r"enter this code: (\d{6})", str(part.get_content()))
    assert found is not None
    return found.group(1)


async def signed_in(live: Live, email: str, http: httpx.AsyncClient | None = None) -> CadenzaClient:
    """A client logged in from a new device: the e-mailed code answered."""
    client = CadenzaClient(live.base, http=http)
    with pytest.raises(SecondFactorRequired, match="email_code_required"):
        await client.login(email, LISTENER_PASSWORD)
    await client.login(email, LISTENER_PASSWORD, email_code=emailed_code(live, email))
    return client


async def eventually(
    check: Callable[[], Awaitable[bool] | bool], what: str, timeout: float = 20
) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        assert asyncio.get_running_loop().time() < deadline, f"{what}: not within {timeout} s"
        await asyncio.sleep(0.05)


def decodes(path: Path) -> bool:
    """Whether the file gives audio as the formats Cadenza sends (Ogg Opus, FLAC). Without a
    format named, FFmpeg's probe may take random bytes for something (a few MP3 frames of noise),
    so the check names the formats the sealed file would be if it were not sealed."""
    for form in ("ogg", "flac"):
        try:
            with av.open(str(path), format=form) as opened:
                if any(True for _ in opened.decode(audio=0)):
                    return True
        except (av.error.FFmpegError, IndexError, ValueError):
            continue
    return False


def test_log_in_with_the_emailed_code_then_with_two_factor(live: Live) -> None:
    email = "twofa@example.org"
    listener(live, email)

    async def scenario() -> None:
        async with CadenzaClient(live.base) as laptop:
            with pytest.raises(SecondFactorRequired) as asked:
                await laptop.login(email, LISTENER_PASSWORD)
            assert asked.value.code == "email_code_required"  # a new device
            code = emailed_code(live, email)
            await laptop.login(email, LISTENER_PASSWORD, email_code=code)
            assert (await laptop.me())["email"] == email

            setup = await laptop.call(
                "POST", "/api/v1/me/two-factor", json={"password": LISTENER_PASSWORD}
            )
            now = datetime.now(UTC)
            confirm = {"code": PyotpTotp().code_at(setup["secret"], now)}
            await laptop.call("POST", "/api/v1/me/two-factor/confirm", json=confirm)

            # The same device again: the authenticator's code is asked, a wrong one refused.
            with pytest.raises(SecondFactorRequired) as asked:
                await laptop.login(email, LISTENER_PASSWORD)
            assert asked.value.code == "totp_required"
            with pytest.raises(CadenzaClientError) as wrong:
                await laptop.login(email, LISTENER_PASSWORD, totp="000000")
            assert wrong.value.code == "invalid_totp"
            # The next step's code (one step of drift is allowed; the confirming one is spent).
            later = PyotpTotp().code_at(setup["secret"], now + timedelta(seconds=30))
            tokens = await laptop.login(email, LISTENER_PASSWORD, totp=later)
            assert tokens.refresh and (await laptop.me())["two_factor"] is True

            # A kept refresh token signs a later launch in without any code.
            refreshes: list[str] = []

            async def saw(request: httpx.Request) -> None:
                if request.url.path == "/api/v1/auth/refresh":
                    refreshes.append(request.url.path)

            hooked = httpx.AsyncClient(base_url=live.base, event_hooks={"request": [saw]})
            async with CadenzaClient(live.base, http=hooked) as relaunch:
                kept: list[str | None] = []
                relaunch.on_tokens = lambda t: kept.append(t.refresh)
                await relaunch.resume_session(tokens.refresh)
                assert (await relaunch.me())["email"] == email
                # An access token that no longer works: one refresh for five calls at once,
                # and the program is given the new refresh token to keep.
                assert relaunch.tokens is not None
                relaunch.tokens.access = "expired"
                answers = await asyncio.gather(*(relaunch.me() for _ in range(5)))
                assert {a["email"] for a in answers} == {email}
                assert len(refreshes) == 2 and len(kept) == 2
                assert kept[-1] == relaunch.tokens.refresh != tokens.refresh

    asyncio.run(scenario())


def test_browse_and_search(live: Live) -> None:
    email = "browser@example.org"
    listener(live, email)

    async def scenario() -> None:
        client = await signed_in(live, email)
        async with client:
            release = await client.release(live.release)
            assert release["title"] == "Night Drive"
            assert [t["id"] for t in release["tracks"]] == live.tracks
            track = await client.track(live.tracks[1])
            assert track["title"] == "Song 2"
            artist = await client.artist(track["artists"][0]["id"])
            assert artist["name"] == "The Testers"
            found = await client.search("night drive")
            assert live.release in [r["id"] for r in found["releases"]["items"]]
            assert {t["id"] for t in found["tracks"]["items"]} == set(live.tracks)
            created = await client.call("POST", "/api/v1/me/playlists", json={"name": "Drive"})
            await client.call(
                "POST",
                f"/api/v1/playlists/{created['id']}/tracks",
                json={"track_ids": live.tracks[:2]},
            )
            mine = await client.my_playlists()
            assert [p["name"] for p in mine["items"]] == ["Drive"]
            playlist = await client.playlist(created["id"])
            assert [i["track"]["id"] for i in playlist["tracks"]["items"]] == live.tracks[:2]
            # The library: a liked song, a saved release, a followed artist.
            await client.like(live.tracks[2])
            await client.save_release(live.release)
            await client.follow_artist(artist["id"])
            liked = await client.liked_tracks()
            assert [i["track"]["id"] for i in liked["items"]] == [live.tracks[2]]
            library = await client.library()
            kinds = {(i["kind"], i["id"]) for i in library["items"]}
            assert {("release", live.release), ("artist", artist["id"])} <= kinds
            with pytest.raises(CadenzaClientError) as missing:
                await client.release(999_999)
            assert missing.value.status == 404

    asyncio.run(scenario())


class AudioRequests:
    """Counts, through httpx's event hook, the requests for audio bytes and for grants."""

    def __init__(self) -> None:
        self.audio: list[str] = []
        self.grants = 0

    async def saw(self, request: httpx.Request) -> None:
        if request.url.path.startswith("/api/v1/audio/"):
            self.audio.append(request.url.path)
        elif request.url.path == "/api/v1/me/player/stream-grants":
            self.grants += 1

    def http(self, base: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base, timeout=30, event_hooks={"request": [self.saw]})


def terminal(
    client: CadenzaClient,
    folder: Path,
    sink: Sink | None = None,
    server: ServerAudio | None = None,
) -> PlayingDevice:
    vault = Vault.at(folder / "key")
    cache = DiskCache(folder / "cache", vault, limit_bytes=50 * 1000**2)
    journal = EventJournal(folder / "journal.jsonl")
    source = CachedAudio(cache, server or ServerAudio(client))
    return PlayingDevice(client, source, sink or NullSink(), journal, name="Den")


class TimedSink(NullSink):
    """A null sink that notes when the first samples went out."""

    first: float | None = None

    def write(self, pcm: np.ndarray[Any, np.dtype[np.int16]]) -> None:
        if self.first is None:
            self.first = time.monotonic()
        super().write(pcm)


def plain_copies(folder: Path, whole: bytes) -> list[Path]:
    """Files under `folder` holding any 4 KiB of the audio file `whole` as it is."""
    probes = [whole[at : at + 4096] for at in range(0, len(whole) - 4096, len(whole) // 8)]
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(probe in data for probe in probes):
                found.append(path)
    return found


def test_commands_from_the_api_reach_the_terminal_device(live: Live, tmp_path: Path) -> None:
    email = "remote@example.org"
    account = listener(live, email)
    first, second, _ = live.tracks

    async def scenario() -> None:
        phone = await signed_in(live, email)  # the web page or a phone: another session
        player = terminal(await signed_in(live, email), tmp_path)
        await player.start()
        try:
            listed = {d["id"]: d for d in await phone.devices()}
            assert listed[player.device_id]["name"] == "Den"  # in every device picker
            await eventually(lambda: listed_online(phone, player), "the device is online")

            await phone.transfer(str(player.device_id), play=False)
            await phone.play(context={"kind": "release", "id": live.release})
            await eventually(lambda: player.track_id == first and player.playing, "first song")
            await eventually(lambda: player.position_ms > 300, "sound goes out")
            assert isinstance(player.sink, NullSink) and player.sink.frames_written > 0

            await phone.command(str(player.device_id), "next")
            await eventually(lambda: player.track_id == second, "the next song")
            await phone.command(str(player.device_id), "seek", position_ms=7_000)
            await eventually(lambda: player.position_ms >= 7_000, "the seek")
            await phone.command(str(player.device_id), "volume", percent=30)
            await eventually(lambda: player.deck is not None and player.deck.gain < 0.4, "volume")
            await phone.command(str(player.device_id), "pause")
            await eventually(lambda: not player.playing, "the pause")
            await asyncio.sleep(0.3)  # the block being written when it paused goes out
            held = player.position_ms
            await asyncio.sleep(0.5)
            assert player.position_ms == held  # paused: nothing more goes out
            state = await phone.player()
            assert state["device"] == player.device_id and state["track_id"] == second
            assert state["playing"] is False and state["volume"] == 30
        finally:
            await hand_over(phone)
            await player.stop()
            await player.client.aclose()
            await phone.aclose()
        # The terminal reported its listening (delivered as it stopped): the two songs.
        plays = plays_of(live, account)
        assert [p["track_id"] for p in plays] == [first, second]

    asyncio.run(scenario())


async def hand_over(client: CadenzaClient) -> None:
    """Playback moves elsewhere before the terminal closes: the server pauses a device that
    left while it played 10 s later, after this module's database may be gone."""
    body = {"device": "Kitchen radio", "play": False}
    await client.call("PUT", "/api/v1/me/player/transfer", json=body)


async def listed_online(client: CadenzaClient, player: PlayingDevice) -> bool:
    return any(d["id"] == player.device_id and d["is_online"] for d in await client.devices())


def plays_of(live: Live, account_id: int) -> list[dict[str, object]]:
    """The listener's plays as the server stored them ("download my data"), oldest first."""
    plays = live.app.listening.export(account_id)["listening_history"]
    assert isinstance(plays, list)
    return sorted(plays, key=lambda p: str(p["played_at"]))


def test_events_kept_while_the_server_is_away_are_delivered_once(
    live: Live, tmp_path: Path
) -> None:
    email = "journal@example.org"
    account = listener(live, email)
    track = live.tracks[0]

    async def scenario() -> None:
        client = await signed_in(live, email)
        journal = EventJournal(tmp_path / "journal.jsonl")
        started = datetime.now(UTC) - timedelta(minutes=5)
        for at in (0, 10, 20, 30, 40):
            kind = {0: "start", 40: "end"}.get(at, "progress")
            journal.record(
                listening_event(
                    kind,
                    play_id="offline-play",
                    track_id=track,
                    device="terminal",
                    position_ms=at * 1000,
                    at=started + timedelta(seconds=at),
                )
            )
        async with client:
            client.http.base_url = httpx.URL("http://127.0.0.1:9")  # the server is away
            away = await journal.deliver(client)
            assert (away.accepted, away.waiting) == (0, 5)
            sent = EventJournal(journal.path).pending()  # kept on disk, as a relaunch reads it
            assert len(sent) == 5

            client.http.base_url = httpx.URL(live.base)  # back
            back = await journal.deliver(client)
            assert (back.accepted, back.duplicates, back.waiting) == (5, 0, 0)
            assert (await journal.deliver(client)).accepted == 0  # nothing left to send
            # A batch resent after a lost answer (same ids) counts once.
            again = await client.send_events(sent)
            assert (again["accepted"], again["duplicates"]) == (0, 5)
        plays = plays_of(live, account)
        assert [(p["track_id"], p["ms_played"]) for p in plays] == [(track, 40_000)]

    asyncio.run(scenario())


def test_a_cached_replay_asks_for_a_grant_and_no_bytes(live: Live, tmp_path: Path) -> None:
    email = "cache@example.org"
    listener(live, email)
    first, second, _ = live.tracks
    seen = AudioRequests()

    async def scenario() -> None:
        client = await signed_in(live, email, http=seen.http(live.base))
        player = terminal(client, tmp_path)
        cached = tmp_path / "cache"
        await player.start()
        try:
            await player.play(track_ids=[first, second])
            await eventually(lambda: player.track_id == first and player.playing, "first")
            # Fetched at play pace: in once the read-ahead reached its end, then sealed.
            await eventually(lambda: len(list(cached.glob("*.sealed"))) == 1, "first kept")
            await player.next()
            await eventually(lambda: player.track_id == second and player.playing, "second")
            await eventually(lambda: len(list(cached.glob("*.sealed"))) == 2, "second kept")
            fetched = len(seen.audio)
            await player.play(track_ids=[first])  # played again
            await eventually(lambda: player.track_id == first and player.playing, "replay")
            await eventually(lambda: player.position_ms > 500, "the replay is heard")
            await player.stop()
            # A later launch (a new player on the same folder) finds the cache too.
            player = terminal(client, tmp_path)
            await player.start()
            await player.play(track_ids=[second])
            await eventually(lambda: player.track_id == second and player.playing, "relaunch")
            await eventually(lambda: player.position_ms > 500, "the relaunch is heard")
            assert len(seen.audio) == fetched  # the replays asked for no audio at all
        finally:
            await hand_over(client)
            await player.stop()
            await client.aclose()

    asyncio.run(scenario())
    # Two songs fetched (in ranges); the replays read the disk.
    assert len(set(seen.audio)) == 2
    sealed = list((tmp_path / "cache").glob("*.sealed"))
    assert len(sealed) == 2
    for path in sealed:  # useless outside Cadenza: no decoder reads it
        assert not decodes(path)
        assert b"fLaC" not in path.read_bytes() and b"OggS" not in path.read_bytes()
    cache = DiskCache(tmp_path / "cache", Vault.at(tmp_path / "key"))
    whole = cache.get(Path(seen.audio[0]).name)
    assert whole is not None and whole.startswith(b"OggS")
    assert plain_copies(tmp_path, whole) == []  # no unsealed copy anywhere in the folder


class HeldBack:
    """Holds the answer that carries the file's last byte until sound has gone out (a player
    that waits for the whole file never plays), and notes when it arrived."""

    def __init__(self, sink: TimedSink) -> None:
        self.sink = sink
        self.last_byte_at: float | None = None

    async def saw(self, response: httpx.Response) -> None:
        if not response.request.url.path.startswith("/api/v1/audio/"):
            return
        await response.aread()
        span, _, total = response.headers.get("content-range", "").partition("/")
        if response.status_code == 200 or int(span.rpartition("-")[2]) + 1 == int(total):
            await eventually(lambda: self.sink.first is not None, "sound before the file's end")
            self.last_byte_at = time.monotonic()


def test_sound_starts_before_the_last_byte_arrives(live: Live, tmp_path: Path) -> None:
    email = "stream@example.org"
    listener(live, email)
    sink = TimedSink()
    held = HeldBack(sink)

    async def scenario() -> None:
        hooked = httpx.AsyncClient(
            base_url=live.base, timeout=30, event_hooks={"response": [held.saw]}
        )
        client = await signed_in(live, email, http=hooked)
        # The test songs are small (a 12 s sine): small pieces, so the file comes in several.
        paced = ServerAudio(client, piece_bytes=8192, first_piece_bytes=8192)
        player = terminal(client, tmp_path, sink=sink, server=paced)
        await player.start()
        try:
            await player.play(track_ids=[live.tracks[0]])
            await eventually(lambda: held.last_byte_at is not None, "the whole file arrives")
            await eventually(lambda: player.position_ms > 1000, "it plays on")
            assert player.deck is not None and player.deck.error is None
        finally:
            await hand_over(client)
            await player.stop()
            await client.aclose()

    asyncio.run(scenario())
    assert sink.first is not None and held.last_byte_at is not None
    assert sink.first < held.last_byte_at  # the first sound, then the file's end


def test_a_seek_past_what_has_arrived_plays_from_there(live: Live, tmp_path: Path) -> None:
    email = "seek@example.org"
    listener(live, email)
    seen = AudioRequests()

    async def scenario() -> None:
        client = await signed_in(live, email, http=seen.http(live.base))
        # Half a second of read-ahead, in small pieces: most of the song is not in yet.
        paced = ServerAudio(client, read_ahead_s=0.5, piece_bytes=8192, first_piece_bytes=16384)
        player = terminal(client, tmp_path, server=paced)
        await player.start()
        try:
            await player.play(track_ids=[live.tracks[0]])
            await eventually(lambda: player.playing and player.position_ms > 300, "it plays")
            assert player.deck is not None
            stream = player.deck.stream
            target = stream.size * 9 // 12  # 9 s into the 12 s song
            assert not stream.has(target, target + 1) and stream.received() < stream.size / 2
            written = player.sink.frames_written  # type: ignore[attr-defined]
            await player.apply(await client.seek(9_000))
            await eventually(lambda: player.position_ms > 9_600, "it plays from 9 s on")
            assert player.deck.stream is stream and player.deck.error is None
            assert player.sink.frames_written > written + 0.5 * 48_000  # type: ignore[attr-defined]
        finally:
            await hand_over(client)
            await player.stop()
            await client.aclose()

    asyncio.run(scenario())


def test_the_cache_drops_the_least_recently_used_past_its_size(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "cache", Vault.at(tmp_path / "key"), limit_bytes=2_500)
    for name in ("a.opus", "b.opus", "c.opus"):
        cache.put(name, name.encode() * 200)  # 1,200 bytes each, sealed a little more
    assert cache.get("a.opus") is None  # the oldest went
    assert cache.get("b.opus") == b"b.opus" * 200
    cache.put("d.opus", b"d" * 1_200)  # b was used after c: c goes
    assert cache.get("c.opus") is None and cache.get("b.opus") is not None
    assert cache.size() <= 2_500
    # Another installation's key opens nothing.
    stranger = DiskCache(tmp_path / "cache", Vault.at(tmp_path / "other-key"), limit_bytes=2_500)
    assert stranger.get("b.opus") is None


def test_downloads_for_offline_under_the_licence(live: Live, tmp_path: Path) -> None:
    listener(live, "free@example.org", Plan.FREE)
    account = listener(live, "offline@example.org")

    async def scenario() -> None:
        vault = Vault.at(tmp_path / "key")
        async with await signed_in(live, "free@example.org") as free:
            refused = OfflineLibrary(free, tmp_path / "free", vault)
            with pytest.raises(CadenzaClientError) as no:
                await refused.register("Laptop")
            assert (no.value.status, no.value.code) == (403, "premium_required")

        async with await signed_in(live, "offline@example.org") as client:
            library = OfflineLibrary(client, tmp_path / "downloads", vault)
            await library.register("Laptop")
            steps: list[tuple[int, int]] = []
            kept = await library.download(
                release_id=live.release, progress=lambda n, total: steps.append((n, total))
            )
            assert sorted(k.track_id for k in kept) == sorted(live.tracks)
            assert steps == [(1, 3), (2, 3), (3, 3)]
            first = live.tracks[0]
            audio = library.audio(first)
            assert audio is not None
            with av.open(io.BytesIO(audio)) as opened:  # plays here
                assert opened.streams.audio[0].duration or opened.duration
            assert not decodes(library.file_of(first))  # a copy plays nowhere else

            # Thirty days without a check-in: the downloads stop playing until one.
            licence = library.licence()
            past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
            (library.folder / "licence.json").write_text(json.dumps(licence | {"expires_at": past}))
            with pytest.raises(LicenceExpired):
                library.audio(first)
            answer = await library.check_in()
            assert answer["delete_all"] is False and len(answer["keep"]) == 3
            assert library.audio(first) == audio

            # With the server out of reach the downloads still play, and the plays reach the
            # server once it is back.
            device = int(library.licence()["device_id"])
            client.http.base_url = httpx.URL("http://127.0.0.1:9")
            journal = EventJournal(tmp_path / "journal.jsonl")
            source = DownloadedAudio(library, ServerAudio(client))
            player = PlayingDevice(client, source, NullSink(), journal)
            await player.play_offline(live.tracks[:2], device)
            await eventually(lambda: player.track_id == first and player.position_ms > 500, "plays")
            await player.next()
            await eventually(lambda: player.track_id == live.tracks[1], "the next download")
            await player.stop()
            waiting = journal.pending()
            assert {e["device"] for e in waiting} == {str(device)}
            assert [e["kind"] for e in waiting][:3] == ["start", "skip", "start"]
            client.http.base_url = httpx.URL(live.base)
            assert (await journal.deliver(client)).accepted == len(waiting)
        assert [p["track_id"] for p in plays_of(live, account)] == live.tracks[:2]

    asyncio.run(scenario())


def test_the_terminal_screen_keys(live: Live, tmp_path: Path) -> None:
    email = "keys@example.org"
    listener(live, email)
    first, second, _ = live.tracks
    wav = tmp_path / "out.wav"

    async def scenario() -> None:
        client = await signed_in(live, email)
        player = terminal(client, tmp_path, sink=WavSink(wav))
        screen = PlayerScreen(player, {"context": {"kind": "release", "id": live.release}})
        try:
            async with screen.run_test() as pilot:
                await eventually(lambda: player.track_id == first and player.playing, "starts")
                await pilot.press("n")
                await eventually(lambda: player.track_id == second, "n: next song")
                await pilot.press("space")
                await eventually(lambda: not player.playing, "space: paused")
                # Seeking and restarting while paused: the 12-second song cannot end between
                # the keys on a slow machine.
                await pilot.press("right")
                await eventually(lambda: player.position_ms >= 10_000, "right: 10 s on")
                await pilot.press("p")  # past the first seconds: the song starts again
                await eventually(lambda: player.position_ms < 5_000, "p: from the top")
                assert player.track_id == second
                await pilot.press("minus")
                await eventually(lambda: (player.state or {}).get("volume") == 90, "volume")
                await pilot.press("space")
                await eventually(lambda: player.playing, "space: playing again")
                assert player.track_id == second
                await pilot.pause()
                shown = str(screen.query_one("#now").render())
                assert "Song" in shown
                async with await signed_in(live, email) as phone:
                    state = await phone.player()
                    assert state["device"] == player.device_id
                    assert state["track_id"] == second and state["volume"] == 90
                    await hand_over(phone)
                await eventually(lambda: not player.playing, "played elsewhere: paused here")
                await pilot.press("q")
        finally:
            await client.aclose()

    asyncio.run(scenario())
    with wave.open(str(wav)) as written:  # --output FILE.wav: the sound itself
        assert written.getframerate() == 48_000 and written.getnframes() > 48_000


def test_cadenza_play_without_a_server_or_downloads_says_so(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cadenza.cli import cli

    where = ["--server", "http://127.0.0.1:9", "--data-dir", str(tmp_path / "player")]
    answer = CliRunner().invoke(
        cli,
        ["play", *where, "--email", "ada@example.org", "--output", "null"],
        env={"CADENZA_PASSWORD": "whatever it is"},
    )
    assert answer.exit_code == 1 and "(offline)" in answer.output
    for kept in ("key", "profile.json", "."):  # the owner's only
        assert (tmp_path / "player" / kept).stat().st_mode & 0o077 == 0


def test_the_command_line_loads_no_player_until_asked() -> None:
    probe = "import sys, cadenza.cli; print(sorted({'textual', 'av', 'httpx'} & set(sys.modules)))"
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert shown.strip() == "[]"
