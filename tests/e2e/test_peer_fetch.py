"""Peer-assisted delivery, the client's side, against a real server on loopback: chunks come
from other listeners' clients, and a peer's corrupted chunk never reaches the decoder."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import av
import httpx
import pytest
from fastapi.testclient import TestClient

from cadenza.api.app import create_app
from cadenza.bootstrap import App
from cadenza.client.chunks import ChunkCache, Verifier
from cadenza.client.peers import PeerAssistedSource
from cadenza.client.peers_server import PeerServer
from cadenza.client.vault import Vault
from cadenza.domain.peers import unb64
from cadenza.domain.plans import Plan
from cadenza.services.peer_delivery import PeerRules
from tests.e2e.conftest import sign_in
from tests.e2e.grants import ask_grant
from tests.e2e.live import live_server

CHUNK = 4096  # small chunks, so the short test tracks have many


class CorruptingPeer(PeerServer):
    """A malicious peer: answers every chunk it is asked for with other bytes of its length."""

    def _answer(self, head: str) -> tuple[int, bytes]:
        status, body = super()._answer(head)
        if status == 401:
            return status, body
        return 200, bytes(len(body) if status == 200 else CHUNK)


class SlowOncePeer(PeerServer):
    """An honest peer on a busy machine: its first chunk takes longer than a client waits."""

    slow_for_s = 0.0

    async def _send(self, writer: asyncio.StreamWriter, status: int, body: bytes) -> None:
        if status == 200 and self.slow_for_s:
            delay, self.slow_for_s = self.slow_for_s, 0.0
            await asyncio.sleep(delay)
        await PeerServer._send(writer, status, body)


@pytest.fixture
def server(app: App) -> Iterator[str]:
    app.peer_delivery.rules = PeerRules(chunk_size=CHUNK)
    with live_server(app) as url:
        yield url


@pytest.fixture
def loopback(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app), client=("127.0.0.1", 50000)) as c:
        yield c


def tracks(client: TestClient, release_id: int) -> list[tuple[int, int]]:
    found = client.get(f"/api/v1/releases/{release_id}").json()["tracks"]
    return [(t["id"], t["duration_ms"]) for t in found]


def grant(client: TestClient, who: dict[str, str], track_id: int) -> str:
    answer = ask_grant(client, who, track_id)
    assert answer.status_code == 200, answer.text
    url: str = answer.json()["url"]
    return url


def token_of(who: dict[str, str]) -> str:
    return who["Authorization"].removeprefix("Bearer ")


def source(
    server: str, who: dict[str, str], root: Path, vault: Vault | None = None, **options: Any
) -> PeerAssistedSource:
    options.setdefault("speed", 0.01)  # slow playback: no chunk is urgent, peers are asked
    cache = ChunkCache(root, vault=vault)
    return PeerAssistedSource(server, token_of(who), cache, **options)


def test_a_listener_gets_the_rest_of_a_track_from_a_peer_that_played_it(
    app: App, server: str, loopback: TestClient, published: int, tmp_path: Path
) -> None:
    first = sign_in(loopback, app, "first@example.org", Plan.PREMIUM_INDIVIDUAL)
    second = sign_in(loopback, app, "second@example.org", Plan.PREMIUM_INDIVIDUAL)
    track_id, duration = tracks(loopback, published)[0]
    whole = loopback.get(grant(loopback, first, track_id)).content

    sealed = Vault.at(tmp_path / "key")  # the sharer keeps its chunks sealed, as players do

    async def run() -> tuple[Any, Any, bytes]:
        async with source(server, first, tmp_path / "first", sealed) as sharer:
            _, played = await sharer.fetch(grant(loopback, first, track_id), duration)
            async with source(server, second, tmp_path / "second", share=False) as fetcher:
                data, report = await fetcher.fetch(grant(loopback, second, track_id), duration)
                return played, report, data

    played, report, data = asyncio.run(run())
    assert played.from_server == len(whole) and played.from_peers == 0
    assert data == whole
    # Served from sealed chunks: on the sharer's disk no chunk is in the clear.
    kept = [p.read_bytes() for p in (tmp_path / "first" / "chunks").rglob("*") if p.is_file()]
    assert len(kept) == -(-len(whole) // CHUNK)
    pieces = [whole[i : i + CHUNK] for i in range(0, len(whole), CHUNK)]
    assert not any(piece in chunk for piece in pieces for chunk in kept)
    assert report.from_server == CHUNK  # the first chunk: low latency
    assert report.from_peers == len(whole) - CHUNK and report.bad_chunks == 0


def test_corrupted_chunks_from_a_malicious_peer_never_reach_the_decoder(
    app: App, server: str, loopback: TestClient, published: int, tmp_path: Path
) -> None:
    mallory = sign_in(loopback, app, "mallory@example.org", Plan.PREMIUM_INDIVIDUAL)
    victim = sign_in(loopback, app, "victim@example.org", Plan.PREMIUM_INDIVIDUAL)
    track_id, duration = tracks(loopback, published)[0]
    url = grant(loopback, victim, track_id)
    whole = loopback.get(url).content
    blob = urlsplit(url).path.rsplit("/", 1)[-1].split(".")[0]
    key = unb64(loopback.get("/api/v1/peers/key").json()["public_key"])

    async def run() -> Any:
        # Mallory's peer holds a real manifest for the file, and answers with other bytes.
        cache = ChunkCache(tmp_path / "mallory")
        async with source(server, mallory, tmp_path / "mallory-fetch") as honest:
            await honest.fetch(grant(loopback, mallory, track_id), duration)
            cache.add_manifest(honest.cache.manifest(blob))  # type: ignore[arg-type]
        evil = CorruptingPeer(cache, Verifier(key))
        port = await evil.start()
        answer = loopback.post(
            "/api/v1/peers/announce", json={"port": port, "blobs": [blob]}, headers=mallory
        )
        assert answer.status_code == 200
        try:
            async with source(server, victim, tmp_path / "victim", share=False) as fetcher:
                data, report = await fetcher.fetch(url, duration)
                kept = [fetcher.cache.get(blob, i) for i in range(len(whole) // CHUNK + 1)]
                return data, report, kept, f"127.0.0.1:{port}"
        finally:
            await evil.close()

    data, report, kept, evil_address = asyncio.run(run())
    assert data == whole  # every chunk fetched again elsewhere
    assert b"".join(k for k in kept if k is not None) == whole  # nothing bad was cached
    assert report.bad_chunks >= 1 and report.from_peers == 0
    assert report.reported == [evil_address]
    with av.open(io.BytesIO(data)) as decoded:
        assert sum(f.samples for f in decoded.decode(audio=0)) > 0
    # The tracker no longer lists that peer to the listener who reported it.
    found = loopback.post(
        "/api/v1/peers/lookup", json={"url": grant(loopback, victim, track_id)}, headers=victim
    )
    assert evil_address not in found.json()["peers"]


def test_a_peer_serves_only_token_holders_and_at_most_four_at_once(
    app: App, server: str, loopback: TestClient, published: int, tmp_path: Path
) -> None:
    who = sign_in(loopback, app, "sharer@example.org", Plan.PREMIUM_INDIVIDUAL)
    track_id, duration = tracks(loopback, published)[0]
    url = grant(loopback, who, track_id)
    token = loopback.post("/api/v1/peers/lookup", json={"url": url}, headers=who).json()["token"]

    async def run() -> tuple[list[int], list[int]]:
        async with source(server, who, tmp_path / "sharer", upload_bytes_per_s=CHUNK) as sharer:
            _, _ = await sharer.fetch(url, duration)
            manifest = sharer.cache.manifest(urlsplit(url).path.rsplit("/")[-1].split(".")[0])
            assert manifest is not None
            base = f"http://127.0.0.1:{sharer.port}/chunks/"
            async with httpx.AsyncClient(timeout=30) as http:
                refused = [
                    (await http.get(base + manifest.hashes[0])).status_code,
                    (
                        await http.get(
                            base + manifest.hashes[0], headers={"Authorization": "Peer x.y"}
                        )
                    ).status_code,
                    (
                        await http.get(base + "0" * 64, headers={"Authorization": f"Peer {token}"})
                    ).status_code,
                ]
                # Six at once, at one chunk a second in all: four are sent, two told "busy".
                asks = [
                    http.get(base + h, headers={"Authorization": f"Peer {token}"})
                    for h in manifest.hashes[:6]
                ]
                answers = await asyncio.gather(*asks)
                return refused, sorted(a.status_code for a in answers)

    refused, statuses = asyncio.run(run())
    assert refused == [401, 401, 404]
    assert statuses == [200, 200, 200, 200, 503, 503]


def test_the_next_track_is_prefetched_before_this_one_ends(
    app: App, server: str, loopback: TestClient, published: int, tmp_path: Path
) -> None:
    who = sign_in(loopback, app, "listener@example.org", Plan.PREMIUM_INDIVIDUAL)
    (first, duration), (second, second_duration) = tracks(loopback, published)[:2]
    asked: list[int] = []

    async def upcoming() -> tuple[str, int]:
        asked.append(second)
        return grant(loopback, who, second), second_duration

    async def run() -> tuple[Any, Any]:
        async with source(server, who, tmp_path / "c", speed=1.0) as player:
            await player.fetch(grant(loopback, who, first), duration, upcoming=upcoming)
            await player.prefetched()
            # The next play finds every byte in the cache: nothing is fetched.
            return await player.fetch(grant(loopback, who, second), second_duration)

    data, report = asyncio.run(run())
    assert asked == [second]  # a short track: its last 30 s start at once
    assert report.from_cache == len(data) and report.from_server == report.from_peers == 0


def test_a_peer_slow_once_is_asked_again_for_the_rest_of_the_track(
    app: App, server: str, loopback: TestClient, published: int, tmp_path: Path
) -> None:
    sharer = sign_in(loopback, app, "busy@example.org", Plan.PREMIUM_INDIVIDUAL)
    listener = sign_in(loopback, app, "listener@example.org", Plan.PREMIUM_INDIVIDUAL)
    track_id, duration = tracks(loopback, published)[0]
    url = grant(loopback, listener, track_id)
    whole = loopback.get(url).content
    blob = urlsplit(url).path.rsplit("/", 1)[-1].split(".")[0]
    key = unb64(loopback.get("/api/v1/peers/key").json()["public_key"])

    async def run() -> Any:
        async with source(server, sharer, tmp_path / "busy") as honest:
            await honest.fetch(grant(loopback, sharer, track_id), duration)
        busy = SlowOncePeer(ChunkCache(tmp_path / "busy"), Verifier(key))  # what it played
        busy.slow_for_s = 2.0  # past the listener's wait for a peer (1 s)
        port = await busy.start()
        answer = loopback.post(
            "/api/v1/peers/announce", json={"port": port, "blobs": [blob]}, headers=sharer
        )
        assert answer.status_code == 200
        try:
            async with source(server, listener, tmp_path / "listener", share=False) as fetcher:
                return await fetcher.fetch(url, duration)
        finally:
            await busy.close()

    data, report = asyncio.run(run())
    assert data == whole
    # One late answer does not cost the play its peer: all but the opening chunk (and the
    # one that was late, asked again) came from it.
    assert report.from_server == CHUNK
    assert report.from_peers == len(whole) - CHUNK
