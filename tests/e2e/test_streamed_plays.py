"""Streamed plays in the client library against a live server: a play whose bytes come too
slowly stalls (the sound runs out while the decoder waits), and says so the same way whether
the server alone or peer-assisted delivery fed it; a fast play does not. A song skipped before
its end keeps what arrived (sealed), and a replay asks the server only for the rest."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from cadenza.client import CachedAudio, CadenzaClient, DiskCache, EventJournal, ServerAudio, Vault
from cadenza.client.audio_out import NullSink
from cadenza.client.cache import PARTIAL
from cadenza.client.chunks import ChunkCache
from cadenza.client.device import PlayingDevice
from cadenza.client.peer_audio import PeerAudio
from cadenza.services.peer_delivery import PeerRules
from tests.e2e import test_client_library as library

pytestmark = [pytest.mark.database, pytest.mark.xdist_group("streamed_plays")]

live = library.live  # a live server of this module's own


class SlowNetwork:
    """An httpx response hook: while `slow`, every audio range after the opening one comes
    `delay_s` after the one before (one at a time), far slower than the song plays."""

    def __init__(self, delay_s: float = 1.5) -> None:
        self.delay_s = delay_s
        self.slow = True
        self._one_at_a_time = asyncio.Lock()

    async def saw(self, response: httpx.Response) -> None:
        request = response.request
        if not self.slow or not request.url.path.startswith("/api/v1/audio/"):
            return
        if request.headers.get("range", "").startswith("bytes=0-"):
            return  # the opening: sound starts
        async with self._one_at_a_time:
            await asyncio.sleep(self.delay_s)  # the slow link itself, not a wait for a state


def test_a_streamed_play_from_a_slow_server_stalls_and_a_fast_one_does_not(
    live: library.Live, tmp_path: Path
) -> None:
    email = "slow@example.org"
    library.listener(live, email)
    network = SlowNetwork()

    async def scenario() -> None:
        hooked = httpx.AsyncClient(
            base_url=live.base, timeout=30, event_hooks={"response": [network.saw]}
        )
        client = await library.signed_in(live, email, http=hooked)
        paced = ServerAudio(client, read_ahead_s=0.5, piece_bytes=4096, first_piece_bytes=8192)
        player = library.terminal(client, tmp_path, server=paced)
        await player.start()
        try:
            await player.play(track_ids=[live.tracks[0]])
            await library.eventually(lambda: player.track_id == live.tracks[0], "it loads")
            await library.eventually(lambda: player.stalled, "the slow song stalls")
            assert player.deck is not None and player.deck.error is None

            network.slow = False
            await player.play(track_ids=[live.tracks[1]])
            await library.eventually(lambda: player.track_id == live.tracks[1], "the next one")
            await library.eventually(lambda: player.position_ms > 3000, "it plays 3 s")
            assert not player.stalled and not player.buffering
        finally:
            await library.hand_over(client)
            await player.stop()
            await client.aclose()

    asyncio.run(scenario())


def peer_player(client: CadenzaClient, folder: Path) -> tuple[PlayingDevice, PeerAudio]:
    vault = Vault.at(folder / "key")
    chunks = ChunkCache(folder / "chunks", 50 * 1000**2, vault)
    fallback = CachedAudio(DiskCache(folder / "cache", vault), ServerAudio(client))
    peers = PeerAudio(client, chunks, fallback, local_address="127.0.0.1")
    journal = EventJournal(folder / "journal.jsonl")
    return PlayingDevice(client, peers, NullSink(), journal, name="Peer den"), peers


def test_a_peer_assisted_stream_reports_its_stall_as_the_player_does(
    live: library.Live, tmp_path: Path
) -> None:
    live.app.peer_delivery.rules = PeerRules(chunk_size=4096)
    email = "slowpeer@example.org"
    library.listener(live, email)
    network = SlowNetwork()
    song, fast_song = live.tracks[2], live.tracks[1]

    async def scenario() -> None:
        client = await library.signed_in(live, email)
        player, peers = peer_player(client, tmp_path)
        peers.source.http.event_hooks = {"response": [network.saw]}
        await peers.start()
        assert peers.on
        await player.start()
        try:
            await player.play(track_ids=[song])
            await library.eventually(lambda: player.track_id == song, "it loads")
            await library.eventually(lambda: player.stalled, "the slow song stalls")
            [report] = peers.reports
            assert report.stalled  # the play's report says what the player saw

            network.slow = False
            await player.play(track_ids=[fast_song])
            await library.eventually(lambda: player.track_id == fast_song, "the next one")
            await library.eventually(lambda: player.position_ms > 3000, "it plays 3 s")
            assert not player.stalled
            assert [r.stalled for r in peers.reports] == [True, False]
        finally:
            await library.hand_over(client)
            await player.stop()
            await peers.close()
            await client.aclose()

    asyncio.run(scenario())


class AudioBytes:
    """The ranges of audio that came, and their bytes, by file (the URL's content name)."""

    def __init__(self) -> None:
        self.ranges: dict[str, list[tuple[int, int]]] = {}
        self.bytes: dict[str, int] = {}
        self.content = ""  # the last file asked for

    async def saw(self, response: httpx.Response) -> None:
        path = response.request.url.path
        if not path.startswith("/api/v1/audio/"):
            return
        await response.aread()
        content = self.content = path.rsplit("/", 1)[-1]
        span = response.headers.get("content-range", "").split(" ")[-1].partition("/")[0]
        start, _, end = span.partition("-")
        self.ranges.setdefault(content, []).append((int(start), int(end) + 1))
        self.bytes[content] = self.bytes.get(content, 0) + len(response.content)


def test_a_skipped_song_keeps_what_arrived_and_a_replay_fetches_only_the_rest(
    live: library.Live, tmp_path: Path
) -> None:
    email = "skipper@example.org"
    library.listener(live, email)
    first, second = live.tracks[0], live.tracks[1]
    seen = AudioBytes()

    async def scenario() -> None:
        hooked = httpx.AsyncClient(
            base_url=live.base, timeout=30, event_hooks={"response": [seen.saw]}
        )
        client = await library.signed_in(live, email, http=hooked)
        # Half a second of read-ahead: when the listener skips, most of the song is not in.
        paced = ServerAudio(client, read_ahead_s=0.5, piece_bytes=8192, first_piece_bytes=16384)
        player = library.terminal(client, tmp_path, server=paced)
        cache = DiskCache(tmp_path / "cache", Vault.at(tmp_path / "key"))
        await player.start()
        try:
            await player.play(track_ids=[first, second])
            await library.eventually(lambda: player.track_id == first, "the first song")
            await library.eventually(lambda: player.position_ms > 1500, "1.5 s heard")
            assert player.deck is not None
            size = player.deck.stream.size
            content = seen.content
            await player.next()  # skipped
            await library.eventually(lambda: player.track_id == second, "the next song")
            await library.eventually(lambda: cache.get_partial(content) is not None, "kept")
            kept = cache.get_partial(content)
            assert kept is not None and 16384 <= kept.held() < size
            assert cache.get(content) is None  # not the whole song
            assert not [p for p in tmp_path.rglob("*") if p.is_file() and b"OggS" in p.read_bytes()]

            before_ranges, before_bytes = len(seen.ranges[content]), seen.bytes[content]
            paced.read_ahead_s = 60  # the replay fetches the rest at once
            await player.play(track_ids=[first])  # played again
            await library.eventually(lambda: player.track_id == first, "the replay")
            await library.eventually(lambda: cache.get(content) is not None, "whole now")
            await library.eventually(lambda: player.position_ms > 500, "the replay is heard")
            assert player.deck is not None and player.deck.error is None
            replay_ranges = seen.ranges[content][before_ranges:]
            assert replay_ranges
            # Only what had not arrived was asked for, once.
            for start, end in replay_ranges:
                for at, data in kept.runs:
                    assert end <= at or start >= at + len(data), "fetched again"
            assert seen.bytes[content] - before_bytes == size - kept.held()
            assert cache.get_partial(content) is None  # the whole file took its place
        finally:
            await library.hand_over(client)
            await player.stop()
            await client.aclose()

    asyncio.run(scenario())


def test_a_skip_whose_partial_cannot_be_cached_still_plays_the_next_song(
    live: library.Live, tmp_path: Path
) -> None:
    """The cache cannot take the skipped song's part (its entry's place is taken, as a full or
    broken disk would refuse it): the song is just not kept, the next one plays, and the
    player goes on following the server."""
    email = "brokencache@example.org"
    library.listener(live, email)
    first, second = live.tracks[0], live.tracks[1]
    seen = AudioBytes()

    async def scenario() -> None:
        hooked = httpx.AsyncClient(
            base_url=live.base, timeout=30, event_hooks={"response": [seen.saw]}
        )
        client = await library.signed_in(live, email, http=hooked)
        paced = ServerAudio(client, read_ahead_s=0.5, piece_bytes=8192, first_piece_bytes=16384)
        player = library.terminal(client, tmp_path, server=paced)
        cache = DiskCache(tmp_path / "cache", Vault.at(tmp_path / "key"))
        await player.start()
        try:
            await player.play(track_ids=[first, second])
            await library.eventually(lambda: player.track_id == first, "the first song")
            await library.eventually(lambda: player.position_ms > 1000, "1 s heard")
            blocked = cache.path_of(seen.content + PARTIAL)
            blocked.mkdir()  # the partial's file cannot be written (a directory, not empty)
            (blocked / "taken").write_bytes(b"x")
            await player.next()  # skipped: keeping its part fails
            await library.eventually(lambda: player.track_id == second, "the next song")
            await library.eventually(lambda: player.position_ms > 1000, "the next song is heard")
            assert player.deck is not None and player.deck.error is None
            assert (blocked / "taken").exists()  # nothing was kept of the skipped song
            # The player still follows the server: a pause from another app stops the sound
            # at once (not when the song ends and the player asks the server what is next).
            await client.pause()
            await library.eventually(lambda: not player.playing, "the pause", timeout=5)
            assert player.deck is not None and not player.deck.ended.is_set()
        finally:
            await library.hand_over(client)
            await player.stop()
            await client.aclose()

    asyncio.run(scenario())
