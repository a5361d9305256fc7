"""Peer-assisted delivery, the client's side: `PeerAssistedSource` fetches a track's file from
the cache, from peers and from the server, and passes on only bytes the server's manifest
vouches for; it runs this client's PeerServer (peers_server.py) to hand cached chunks to others.

`open()` answers an AudioStream as soon as the opening chunk is in (the player decodes from it
while the rest arrives, and its deadlines follow where the decoder reads); `fetch()` answers the
whole file, with playback taken to start when the first chunk is in (bench/p2p.py).

How a play is fetched (docs/peer-delivery.md):
- the signed manifest (kept in the cache) and, at once, the tracker's list of peers;
- the first chunk(s) from the server: low latency, playback starts as soon as they are here;
- the rest from peers, each chunk checked against its signed SHA-256; a chunk that does not
  match is dropped, the peer reported to the tracker and not asked again; a peer that is busy
  or slow is passed over;
- a chunk whose play time is near (`urgent_s`) comes from the server instead;
- `upcoming`, when given, is asked for the next track's grant 30 s before the end, and that
  file is prefetched the same way (no urgency: nothing plays it yet).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from cadenza.client.audio_stream import AudioStream
from cadenza.client.chunks import BadManifest, ChunkCache, Verifier
from cadenza.client.peers_server import MAX_UPLOADS, PeerServer
from cadenza.domain.peers import ChunkManifest, unb64

PREFETCH_BEFORE_END_S = 30.0
SLOW_STRIKES = 3  # timeouts in a row before a peer is left out of a play


# -- fetching --------------------------------------------------------------------------------
@dataclass
class PlayReport:
    """Where one play's bytes came from, and how it went."""

    blob: str
    size: int
    from_cache: int = 0
    from_server: int = 0
    from_peers: int = 0
    prefetched_server: int = 0  # of from_cache: put there by a prefetch, from the server
    prefetched_peers: int = 0  # ... and from peers
    start_ms: float = 0.0  # from the call to the first chunk in hand
    # The sound ran out waiting for a chunk: for a whole-file fetch, a chunk not here by its
    # play time; for a stream, the decoder waited past the sound's end (AudioStream.stalled).
    stalled: bool = False
    bad_chunks: int = 0
    reported: list[str] = field(default_factory=list)


class GrantExpired(Exception):
    pass


@dataclass
class _Play:
    url: str
    manifest: ChunkManifest
    parts: dict[int, bytes]
    report: PlayReport
    started: float | None  # monotonic time playback started (None: a prefetch)
    chunk_s: float  # wall seconds of audio per chunk (scaled by speed)
    peers: list[str] = field(default_factory=list)
    token: str = ""
    peers_known: asyncio.Event = field(default_factory=asyncio.Event)
    prefetch: bool = False
    slow: dict[str, int] = field(default_factory=dict)  # peer -> timeouts in a row
    stream: AudioStream | None = None  # streamed: deadlines follow where the decoder reads
    flying: set[int] = field(default_factory=set)  # chunks on their way
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)


class PeerAssistedSource:
    """Fetches track files for a player: `await source.fetch(grant_url, duration_ms)` returns
    the file's bytes, every chunk verified against the server's signed manifest.

    `server`: the Cadenza base URL; `access_token`: the listener's. `cache`: this client's
    chunks. `share`: serve chunks to other listeners and announce them (False: opt out: this
    client only fetches). `speed`: how much faster than real time playback runs (1 for a
    player; a simulation may run faster). `local_address`: the address to reach the server and
    peers from, and to serve on."""

    def __init__(
        self,
        server: str,
        access_token: str,
        cache: ChunkCache,
        *,
        share: bool = True,
        region: str | None = None,
        local_address: str = "127.0.0.1",
        port: int = 0,
        max_uploads: int = MAX_UPLOADS,
        upload_bytes_per_s: float = 0,
        head_chunks: int = 1,
        urgent_s: float = 1.5,
        peer_timeout_s: float = 1.0,
        parallel: int = 4,
        speed: float = 1.0,
        announce_every_s: float = 60.0,
    ) -> None:
        self.server, self.cache, self.share, self.region = server.rstrip("/"), cache, share, region
        self.local_address, self.port = local_address, port
        self.max_uploads, self.upload_bytes_per_s = max_uploads, upload_bytes_per_s
        self.head_chunks, self.urgent_s, self.peer_timeout_s = head_chunks, urgent_s, peer_timeout_s
        self.parallel, self.speed, self.announce_every_s = parallel, speed, announce_every_s
        auth = {"Authorization": f"Bearer {access_token}"}
        transport = httpx.AsyncHTTPTransport(local_address=local_address)
        self.http = httpx.AsyncClient(
            base_url=self.server, headers=auth, transport=transport, timeout=10
        )
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        self.peer_http = httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(local_address=local_address, limits=limits),
            timeout=peer_timeout_s,
        )
        self.verifier: Verifier | None = None
        self.peer_server: PeerServer | None = None
        self.avoided: set[str] = set()
        self._announcer: asyncio.Task[None] | None = None
        self._announced: set[str] = set()
        self._prefetches: set[asyncio.Task[PlayReport | None]] = set()
        self._streaming: set[asyncio.Task[Any]] = set()  # the fetching behind open streams
        # Chunks a prefetch brought, by where from, until a play reads them from the cache.
        self._prefetched: dict[str, dict[int, str]] = {}

    # -- life ----------------------------------------------------------------------------------
    async def start(self) -> None:
        key = await self.http.get("/api/v1/peers/key")
        if key.status_code == 404:  # the server has peer delivery off: the server alone
            self.share = False
            return
        key.raise_for_status()
        self.verifier = Verifier(unb64(key.json()["public_key"]))
        if self.share:
            self.peer_server = PeerServer(
                self.cache,
                self.verifier,
                host=self.local_address,
                port=self.port,
                max_uploads=self.max_uploads,
                upload_bytes_per_s=self.upload_bytes_per_s,
            )
            self.port = await self.peer_server.start()
            await self.announce(replace=True)
            self._announcer = asyncio.create_task(self._announce_loop())

    async def close(self) -> None:
        for task in [self._announcer, *self._prefetches, *self._streaming]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        if self.peer_server is not None:
            with contextlib.suppress(httpx.HTTPError):  # leaving: off every peer list at once
                await self.http.post(
                    "/api/v1/peers/announce", json={"port": self.port, "share": False}
                )
            await self.peer_server.close()
        await self.http.aclose()
        await self.peer_http.aclose()

    async def __aenter__(self) -> PeerAssistedSource:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def announce(self, replace: bool = False, blobs: list[str] | None = None) -> None:
        if self.peer_server is None:
            return
        held = blobs if blobs is not None else self.cache.complete()
        body: dict[str, object] = {"port": self.port, "blobs": held[:1000], "replace": replace}
        if self.region:
            body["region"] = self.region
        with contextlib.suppress(httpx.HTTPError):
            answer = await self._server("POST", "/api/v1/peers/announce", json=body)
            if answer.status_code == 200:
                self._announced |= set(held)

    async def _announce_loop(self) -> None:
        while True:
            await asyncio.sleep(self.announce_every_s)
            await self.announce(replace=True)

    async def _server(self, method: str, url: str, **options: Any) -> httpx.Response:
        """A call to the server, tried again once on a connection the server had just closed
        (an idle keep-alive connection: uvicorn closes them after 5 s)."""
        try:
            return await self.http.request(method, url, **options)
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.ConnectError):
            return await self.http.request(method, url, **options)

    # -- fetching ------------------------------------------------------------------------------
    async def fetch(
        self,
        grant_url: str,
        duration_ms: int,
        *,
        renew: Callable[[], Awaitable[str]] | None = None,
        upcoming: Callable[[], Awaitable[tuple[str, int] | None]] | None = None,
    ) -> tuple[bytes, PlayReport]:
        """The file's verified bytes and how they came. Playback is taken to start when the
        first chunk is in hand, at `speed`; `upcoming` gives the next track's (grant URL,
        duration) and is called 30 s (of audio) before this one ends, to prefetch it."""
        begun = time.monotonic()
        play = await self._begin(grant_url, duration_ms, started=None, renew=renew)
        await self._head(play, renew)
        play.started = time.monotonic()
        play.report.start_ms = (play.started - begun) * 1000
        prefetch = None
        if upcoming is not None:
            prefetch = asyncio.create_task(self._prefetch_later(play, duration_ms, upcoming))
        await self._rest(play, renew)
        if prefetch is not None and not prefetch.done():
            self._prefetches.add(prefetch)
            prefetch.add_done_callback(self._prefetches.discard)
        return await self._finish(play)

    async def open(
        self,
        grant_url: str,
        duration_ms: int,
        *,
        renew: Callable[[], Awaitable[str]] | None = None,
        upcoming: Callable[[], Awaitable[tuple[str, int] | None]] | None = None,
    ) -> tuple[AudioStream, PlayReport]:
        """The file as a stream, once its opening chunk is in (cached chunks are in at once);
        the rest arrives while it plays. A chunk is urgent (from the server) when the decoder
        is within `urgent_s` of it, and at once when the decoder waits for it (a seek);
        `upcoming` is called when the decoder is 30 s (of audio) from the end. Closing the
        stream (the deck is done) stops the fetching; the chunks in stay cached."""
        begun = time.monotonic()
        play = await self._begin(grant_url, duration_ms, started=None, renew=renew)
        loop = asyncio.get_running_loop()
        stream = AudioStream(
            play.manifest.size,
            loop=loop,
            on_want=lambda position: self._wanted(play, position, renew),
            on_close=lambda: self._stop(play),
        )
        play.stream = stream
        stream.on_stall.append(lambda: setattr(play.report, "stalled", True))
        for i, data in play.parts.items():
            stream.feed(play.manifest.span(i)[0], data)
        await self._head(play, renew)
        play.started = time.monotonic()
        play.report.start_ms = (play.started - begun) * 1000
        self._spawn(play, self._stream_rest(play, renew))
        if upcoming is not None:
            self._spawn(play, self._prefetch_near_end(play, duration_ms, upcoming))
        return stream, play.report

    def _spawn(self, play: _Play, job: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(job)
        play.tasks.add(task)
        task.add_done_callback(play.tasks.discard)
        self._streaming.add(task)
        task.add_done_callback(self._streaming.discard)

    def _stop(self, play: _Play) -> None:
        for task in list(play.tasks):
            task.cancel()
        self.cache.touch(play.manifest.blob)

    async def _stream_rest(self, play: _Play, renew: Callable[[], Awaitable[str]] | None) -> None:
        assert play.stream is not None
        try:
            await self._rest(play, renew)
            await self._finish(play)
        except (httpx.HTTPError, GrantExpired, BadManifest) as exc:
            play.stream.fail(exc)

    def _wanted(
        self, play: _Play, position: int, renew: Callable[[], Awaitable[str]] | None
    ) -> None:
        """The decoder waits at `position` (a seek past what is in): from the server now."""
        index = min(position // play.manifest.chunk_size, len(play.manifest.hashes) - 1)
        if index in play.parts or index in play.flying:
            return
        play.flying.add(index)

        async def urgent() -> None:
            try:
                await self._from_server(play, index, index, renew)
            except (httpx.HTTPError, GrantExpired, BadManifest) as exc:
                assert play.stream is not None
                play.stream.fail(exc)
            finally:
                play.flying.discard(index)

        self._spawn(play, urgent())

    async def _prefetch_near_end(
        self,
        play: _Play,
        duration_ms: int,
        upcoming: Callable[[], Awaitable[tuple[str, int] | None]],
    ) -> None:
        """The next track, once the decoder is 30 s (of audio) from this one's end."""
        assert play.stream is not None
        size = play.manifest.size
        near = size * max(0.0, 1 - PREFETCH_BEFORE_END_S * 1000 / max(1, duration_ms))
        while play.stream.position < near:
            await asyncio.sleep(0.25)
        try:
            following = await upcoming()
            if following is not None:
                task = asyncio.ensure_future(self.prefetch(*following))
                self._prefetches.add(task)
                task.add_done_callback(self._prefetches.discard)
        except (httpx.HTTPError, GrantExpired, BadManifest):  # the play will fetch it
            return

    async def prefetch(self, grant_url: str, duration_ms: int) -> PlayReport:
        """The file fetched into the cache ahead of its play (no play deadlines)."""
        play = await self._begin(grant_url, duration_ms, started=None, renew=None)
        play.prefetch = True
        if len(self._prefetched) > 64:
            self._prefetched.clear()
        await self._rest(play, None)
        return (await self._finish(play))[1]

    async def prefetched(self) -> None:
        """Returns once the prefetches under way are done."""
        while self._prefetches:
            await asyncio.gather(*self._prefetches, return_exceptions=True)

    async def _prefetch_later(
        self,
        play: _Play,
        duration_ms: int,
        upcoming: Callable[[], Awaitable[tuple[str, int] | None]],
    ) -> PlayReport | None:
        assert play.started is not None
        at = play.started + max(0.0, duration_ms / 1000 - PREFETCH_BEFORE_END_S) / self.speed
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        try:
            following = await upcoming()
            if following is None:
                return None
            return await self.prefetch(*following)
        except (httpx.HTTPError, GrantExpired, BadManifest):  # the play will fetch it
            return None

    async def _begin(
        self,
        url: str,
        duration_ms: int,
        started: float | None,
        renew: Callable[[], Awaitable[str]] | None,
    ) -> _Play:
        blob = urlsplit(url).path.rsplit("/", 1)[-1].split(".")[0]
        manifest = self.cache.manifest(blob)
        lookup = None
        if manifest is None or self.cache.missing(blob):
            lookup = asyncio.create_task(self._lookup(url))
        if manifest is None:
            manifest = await self._manifest(url, blob)
        n = len(manifest.hashes)
        report = PlayReport(blob, manifest.size)
        chunk_s = duration_ms / 1000 / n / self.speed
        play = _Play(url, manifest, {}, report, started, chunk_s)
        brought = self._prefetched.pop(blob, {})
        for i in range(n):
            data = self.cache.get(blob, i)
            if data is not None:
                play.parts[i] = data
                report.from_cache += len(data)
                if brought.get(i) == "server":
                    report.prefetched_server += len(data)
                elif brought.get(i) == "peers":
                    report.prefetched_peers += len(data)
        if lookup is not None:
            lookup.add_done_callback(lambda t: self._looked_up(play, t))
        else:
            play.peers_known.set()
        return play

    def _looked_up(self, play: _Play, task: asyncio.Task[tuple[list[str], str]]) -> None:
        if not task.cancelled() and task.exception() is None:
            play.peers, play.token = task.result()
            play.peers = [p for p in play.peers if p not in self.avoided]
        play.peers_known.set()

    async def _manifest(self, url: str, blob: str) -> ChunkManifest:
        if self.verifier is None:
            raise BadManifest("the server publishes no signing key")
        parts = urlsplit(url)
        name = parts.path.rsplit("/", 1)[-1]
        answer = await self._server("GET", f"/api/v1/peers/manifests/{name}?{parts.query}")
        if answer.status_code == 403:
            raise GrantExpired(url)
        answer.raise_for_status()
        manifest = self.verifier.manifest(answer.json(), blob)
        self.cache.add_manifest(manifest)
        return manifest

    async def _lookup(self, url: str) -> tuple[list[str], str]:
        if self.verifier is None:
            return [], ""
        body: dict[str, object] = {"url": url}
        if self.region:
            body["region"] = self.region
        answer = await self._server("POST", "/api/v1/peers/lookup", json=body)
        if answer.status_code != 200:
            return [], ""
        found = answer.json()
        return list(found["peers"]), str(found["token"])

    async def _head(self, play: _Play, renew: Callable[[], Awaitable[str]] | None) -> None:
        """The opening chunks from the server (those not cached), in one range."""
        wanted = [i for i in range(min(self.head_chunks, len(play.manifest.hashes)))]
        missing = [i for i in wanted if i not in play.parts]
        if missing:
            await self._from_server(play, missing[0], missing[-1], renew)

    async def _from_server(
        self, play: _Play, first: int, last: int, renew: Callable[[], Awaitable[str]] | None
    ) -> None:
        start, _ = play.manifest.span(first)
        _, end = play.manifest.span(last)
        for attempt in range(2):
            answer = await self._server(
                "GET", play.url, headers={"Range": f"bytes={start}-{end - 1}"}
            )
            if answer.status_code == 403 and renew is not None and attempt == 0:
                play.url = await renew()
                continue
            answer.raise_for_status()
            break
        data = answer.content
        for i in range(first, last + 1):
            a, b = play.manifest.span(i)
            piece = data[a - start : b - start]
            if i in play.parts:
                continue
            if not play.manifest.holds(i, piece):
                raise BadManifest(f"the server's chunk {i} does not match its own manifest")
            play.parts[i] = piece
            play.report.from_server += len(piece)
            self._arrived(play, i, "server")

    def _deadline(self, play: _Play, index: int) -> float:
        if play.started is None:
            return math.inf
        if play.stream is not None:  # where the decoder reads now, at the file's byte rate
            start, end = play.manifest.span(index)
            position = play.stream.position
            if end <= position:
                return math.inf  # behind the decoder (a seek skipped it): no hurry
            per_byte = play.chunk_s / play.manifest.chunk_size
            return time.monotonic() + max(0, start - position) * per_byte
        return play.started + index * play.chunk_s

    def _arrived(self, play: _Play, index: int, source: str) -> None:
        """Kept in the cache at once: a play that starts while its prefetch runs finds it."""
        self.cache.put(play.manifest.blob, index, play.parts[index])
        if play.stream is not None:
            play.stream.feed(play.manifest.span(index)[0], play.parts[index])
        if play.prefetch:
            self._prefetched.setdefault(play.manifest.blob, {})[index] = source
        if play.stream is None and time.monotonic() > self._deadline(play, index) + 0.001:
            play.report.stalled = True  # a stream tells its own stalls (where the decoder is)

    async def _rest(self, play: _Play, renew: Callable[[], Awaitable[str]] | None) -> None:
        todo = [i for i in range(len(play.manifest.hashes)) if i not in play.parts]
        if not todo:
            return
        workers = [
            asyncio.create_task(self._worker(play, renew, w))
            for w in range(min(self.parallel, len(todo)))
        ]
        try:
            await asyncio.gather(*workers)
        finally:
            for w in workers:
                w.cancel()

    async def _worker(
        self, play: _Play, renew: Callable[[], Awaitable[str]] | None, number: int
    ) -> None:
        while (index := self._next_chunk(play)) is not None:
            play.flying.add(index)
            try:
                if not await self._from_peers(play, index, number):
                    await self._from_server(play, index, index, renew)
            finally:
                play.flying.discard(index)

    @staticmethod
    def _next_chunk(play: _Play) -> int | None:
        """The first chunk neither in nor on its way, from where the decoder reads (streamed)
        or from the start; then those a seek skipped."""
        n = len(play.manifest.hashes)
        first: int = 0
        if play.stream is not None:
            first = min(n - 1, int(play.stream.position) // play.manifest.chunk_size)
        order: list[int] = [*range(first, n), *range(first)]
        for i in order:
            if i not in play.parts and i not in play.flying:
                return i
        return None

    async def _from_peers(self, play: _Play, index: int, number: int) -> bool:
        """The chunk from a peer, checked; False when no peer gave it in time."""
        if play.started is not None:
            # Wait for the tracker's answer only while the chunk is not urgent.
            left = self._deadline(play, index) - time.monotonic() - self.urgent_s
            if left <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(play.peers_known.wait(), left)
        else:
            await play.peers_known.wait()
        tried = 0
        while tried < 3:
            usable = [p for p in play.peers if p not in self.avoided]
            if not usable or not play.token:
                return False
            peer = usable[(index + number + tried) % len(usable)]
            tried += 1
            timeout = self.peer_timeout_s
            if play.started is not None:
                timeout = min(
                    timeout, self._deadline(play, index) - time.monotonic() - self.urgent_s / 3
                )
                if timeout <= 0.01:
                    return False
            chunk_hash = play.manifest.hashes[index]
            try:
                answer = await self.peer_http.get(
                    f"http://{peer}/chunks/{chunk_hash}",
                    headers={"Authorization": f"Peer {play.token}"},
                    timeout=timeout,
                )
            except httpx.TimeoutException:
                # Slow this once (a busy machine, a chunk near its deadline): the chunk goes to
                # the next peer or the server; a peer slow SLOW_STRIKES times in a row is not
                # asked again in this play.
                play.slow[peer] = play.slow.get(peer, 0) + 1
                if play.slow[peer] >= SLOW_STRIKES:
                    play.peers = [p for p in play.peers if p != peer]
                continue
            except httpx.HTTPError:
                play.peers = [p for p in play.peers if p != peer]  # gone: not this play
                continue
            play.slow.pop(peer, None)
            if answer.status_code != 200:
                if answer.status_code != 503:  # busy: maybe later; else not for this play
                    play.peers = [p for p in play.peers if p != peer]
                continue
            if not play.manifest.holds(index, answer.content):
                play.report.bad_chunks += 1
                await self._report(play, peer)
                continue
            play.parts[index] = answer.content
            play.report.from_peers += len(answer.content)
            self._arrived(play, index, "peers")
            return True
        return False

    async def _report(self, play: _Play, peer: str) -> None:
        """A chunk that did not match: dropped; the peer avoided here and reported (once)."""
        play.peers = [p for p in play.peers if p != peer]
        if peer in self.avoided:
            return
        self.avoided.add(peer)
        play.report.reported.append(peer)
        with contextlib.suppress(httpx.HTTPError):
            await self.http.post("/api/v1/peers/reports", json={"address": peer})

    async def _finish(self, play: _Play) -> tuple[bytes, PlayReport]:
        blob = play.manifest.blob
        for i, data in play.parts.items():
            if not self.cache.has(blob, i):
                self.cache.put(blob, i, data)
        self.cache.touch(blob)
        self.cache.evict(keep=blob)
        if blob not in self._announced and not self.cache.missing(blob):
            await self.announce(blobs=[blob])
        if play.stream is not None:
            return b"", play.report  # the stream has the bytes
        data = b"".join(play.parts[i] for i in range(len(play.manifest.hashes)))
        return data, play.report
