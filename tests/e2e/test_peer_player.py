"""Two terminal players (the client library's PlayingDevice, null sink) on two accounts against
a live server: the second plays a song the first has cached and gets most of its bytes from the
first player's peer server; the server sends only the opening and the urgent chunks. Each keeps
the song once, sealed (the chunks peers are served from), and a replay fetches nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from cadenza.client import CachedAudio, CadenzaClient, DiskCache, EventJournal, ServerAudio, Vault
from cadenza.client.audio_out import NullSink
from cadenza.client.chunks import ChunkCache
from cadenza.client.device import PlayingDevice
from cadenza.client.peer_audio import PeerAudio
from cadenza.services.peer_delivery import PeerRules
from tests.e2e import test_client_library as library

pytestmark = [pytest.mark.database, pytest.mark.xdist_group("peer_player")]

CHUNK = 4096  # small chunks, so the 12-second test songs have many

live = library.live  # a live server of this module's own


class ServerBytes:
    """Counts, through httpx's event hook, the audio bytes the server sends (and the requests
    for audio or manifests)."""

    def __init__(self) -> None:
        self.audio = 0
        self.requests: list[str] = []

    async def saw(self, response: httpx.Response) -> None:
        path = response.request.url.path
        if path.startswith(("/api/v1/audio/", "/api/v1/peers/manifests/")):
            self.requests.append(path)
        if path.startswith("/api/v1/audio/"):
            await response.aread()
            self.audio += len(response.content)


def whole_file(peers: PeerAudio, blob: str) -> bytes:
    cache = peers.source.cache
    manifest = cache.manifest(blob)
    assert manifest is not None and not cache.missing(blob)
    parts = [cache.get(blob, i) for i in range(len(manifest.hashes))]
    return b"".join(p for p in parts if p is not None)


def player(client: CadenzaClient, folder: Path, name: str) -> tuple[PlayingDevice, PeerAudio]:
    """Wired as `cadenza play` wires it: one sealed chunk store, the server alone as fallback."""
    vault = Vault.at(folder / "key")
    cache = DiskCache(folder / "cache", vault, limit_bytes=50 * 1000**2)
    chunks = ChunkCache(folder / "chunks", 50 * 1000**2, vault)
    fallback = CachedAudio(cache, ServerAudio(client))
    peers = PeerAudio(client, chunks, fallback, local_address="127.0.0.1")
    device = PlayingDevice(
        client,
        peers,
        NullSink(),
        EventJournal(folder / "journal.jsonl"),
        name=name,
    )
    return device, peers


def test_a_second_player_gets_most_of_a_song_from_the_first(
    live: library.Live, tmp_path: Path
) -> None:
    live.app.peer_delivery.rules = PeerRules(chunk_size=CHUNK)
    library.listener(live, "ann@example.org")
    library.listener(live, "bob@example.org")
    song = live.tracks[0]
    counted = ServerBytes()
    ann_counted = ServerBytes()

    async def scenario() -> tuple[int, int, int]:
        ann_hooked = httpx.AsyncClient(
            base_url=live.base, timeout=30, event_hooks={"response": [ann_counted.saw]}
        )
        ann_client = await library.signed_in(live, "ann@example.org", http=ann_hooked)
        hooked = httpx.AsyncClient(
            base_url=live.base, timeout=30, event_hooks={"response": [counted.saw]}
        )
        bob_client = await library.signed_in(live, "bob@example.org", http=hooked)
        ann, ann_peers = player(ann_client, tmp_path / "ann", "Ann's terminal")
        bob, bob_peers = player(bob_client, tmp_path / "bob", "Bob's terminal")
        # Bob's peer-assisted requests to the server are counted too.
        bob_peers.source.http.event_hooks = {"response": [counted.saw]}
        ann_peers.source.http.event_hooks = {"response": [ann_counted.saw]}
        await ann_peers.start()
        await bob_peers.start()
        try:
            await ann.start()
            await ann.play(track_ids=[song])
            await library.eventually(lambda: ann.track_id == song and ann.playing, "Ann plays")
            assert ann_peers.port is not None and ann_peers.shares()["peers"] == 0
            [ann_report] = ann_peers.reports
            blob = ann_report.blob
            await library.eventually(
                lambda: not ann_peers.source.cache.missing(blob), "Ann has it all, sealed"
            )

            await bob.start()
            await bob.play(track_ids=[song])
            await library.eventually(lambda: bob.track_id == song and bob.playing, "Bob plays")
            await library.eventually(lambda: bob.position_ms > 500, "Bob hears it")
            assert isinstance(bob.sink, NullSink) and bob.sink.frames_written > 0
            [report] = bob_peers.reports
            await library.eventually(
                lambda: report.from_peers + report.from_server == report.size, "Bob has it all"
            )
            assert report.bad_chunks == 0

            # Ann plays it again: from her sealed chunks, with no request for audio at all.
            before = len(ann_counted.requests)
            await ann.play(track_ids=[live.tracks[1]])
            await library.eventually(lambda: ann.track_id == live.tracks[1], "another song")
            await ann.play(track_ids=[song])
            await library.eventually(
                lambda: ann.track_id == song and ann.position_ms > 500, "again"
            )
            asked = ann_counted.requests[before:]
            assert asked and not [path for path in asked if blob in path]  # the other song's only
            assert ann_peers.reports[-1].from_cache == report.size

            # The song is on each disk once, sealed: no plain copy in either player's folder.
            whole = whole_file(bob_peers, blob)
            assert len(whole) == report.size and whole.startswith(b"OggS")
            assert library.plain_copies(tmp_path, whole) == []
            assert not (tmp_path / "ann" / "cache").exists() or not list(
                (tmp_path / "ann" / "cache").glob("*.sealed")
            )
            return report.size, report.from_peers, report.from_server
        finally:
            for client, device in ((ann_client, ann), (bob_client, bob)):
                await library.hand_over(client)
                await device.stop()
            port = ann_peers.port
            await ann_peers.close()
            await bob_peers.close()
            # Quitting stops the peer server: nobody can fetch from Ann's port any more.
            with pytest.raises(httpx.ConnectError):
                async with httpx.AsyncClient() as outsider:
                    await outsider.get(f"http://127.0.0.1:{port}/chunks/{'0' * 64}")
            await ann_client.aclose()
            await bob_client.aclose()

    size, from_peers, from_server = asyncio.run(scenario())
    assert from_peers + from_server == size
    assert from_peers > size / 2  # most of the song came from Ann's player
    assert counted.audio == from_server < size / 2  # the server sent only the rest
