"""Where a track's bytes come from, behind one small interface: the server, the disk cache in
front of it, downloads, and peers. A source is given the stream grant (which names the audio by
its content, `grant.content`) and answers an `AudioStream`: the file as it arrives, which the
deck's decoder reads like a file, waiting on bytes not yet in. `open` returns once the opening
bytes are in, so sound starts long before the last byte arrives.

    source: AudioSource = CachedAudio(cache, ServerAudio(client))  # --no-peers
    source = PeerAudio(client, ChunkCache(folder, limit, vault), fallback=...)  # peers

A replay of a cached track asks the server for a grant only (what counts the play), never for
its bytes; a replay of a track skipped before its end fetches only what had not arrived."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from cadenza.client.api import CadenzaClient
from cadenza.client.audio_stream import AudioStream
from cadenza.client.cache import DiskCache, Partial
from cadenza.client.errors import CadenzaClientError

FIRST_PIECE_BYTES = 64 * 1024  # the opening: the decoder starts on it
PIECE_BYTES = 128 * 1024  # later requests
WANTED_PIECE_BYTES = 32 * 1024  # what a seek waits for (FFmpeg's Ogg seek reads a few pages)
READ_AHEAD_S = 20.0  # audio fetched ahead of the decoder, as a browser's <audio> buffers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AudioGrant:
    """A stream grant as the server gave it: the signed URL lives a minute, the content
    (`{blob}.{ext}`, the URL path's last part) for ever."""

    track_id: int
    quality: str
    url: str
    media_type: str
    duration_ms: int
    gain_db: float = 0.0

    @property
    def content(self) -> str:
        return urlsplit(self.url).path.rsplit("/", 1)[-1]

    @classmethod
    def of(cls, data: Mapping[str, object]) -> AudioGrant:
        return cls(
            track_id=int(str(data["track_id"])),
            quality=str(data["quality"]),
            url=str(data["url"]),
            media_type=str(data["media_type"]),
            duration_ms=int(str(data["duration_ms"])),
            gain_db=float(str(data.get("gain_db") or 0.0)),
        )


Renew = Callable[[], Awaitable[AudioGrant]]  # a fresh grant for the same track


class AudioSource(Protocol):
    async def open(self, grant: AudioGrant, renew: Renew | None = None) -> AudioStream:
        """The track's encoded file (Opus, FLAC or MP3, as `grant.media_type` says) as a
        stream, once its opening bytes are in; the rest follows as it plays. `renew` gives a
        fresh grant when this one expires mid-song (a grant lives a minute). Raises
        cadenza.client.errors.CadenzaClientError (`offline` when unreachable)."""
        ...


class ServerAudio:
    """The bytes from the server, by the grant's signed URL, in ranges at the pace of play:
    `read_ahead_s` of audio ahead of the decoder (the rip watch on the server sees a listener,
    not a prefetch of the whole file); a position the decoder waits for (a seek past what has
    arrived) is fetched at once."""

    def __init__(
        self,
        client: CadenzaClient,
        *,
        read_ahead_s: float = READ_AHEAD_S,
        piece_bytes: int = PIECE_BYTES,
        first_piece_bytes: int = FIRST_PIECE_BYTES,
    ) -> None:
        self.client = client
        self.read_ahead_s = read_ahead_s
        self.piece_bytes = piece_bytes
        self.first_piece_bytes = first_piece_bytes

    async def open(
        self, grant: AudioGrant, renew: Renew | None = None, held: Partial | None = None
    ) -> AudioStream:
        """`held`: what arrived of this file before (kept from a skipped play): only the rest
        is fetched."""
        return await _PacedFetch(self, grant, renew).start(held)


class _PacedFetch:
    """One file from the server: the opening, then pieces as the decoder nears them."""

    def __init__(self, owner: ServerAudio, grant: AudioGrant, renew: Renew | None) -> None:
        self.owner, self.url, self.renew = owner, grant.url, renew
        self.duration_s = max(1.0, grant.duration_ms / 1000)
        self.flying: list[tuple[int, int]] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.wake = asyncio.Event()
        self.stream: AudioStream | None = None

    async def _get(self, start: int, end: int) -> tuple[bytes, int]:
        for attempt in range(2):
            try:
                return await self.owner.client.get_range(self.url, start, end)
            except CadenzaClientError as exc:
                if exc.code != "grant_expired" or self.renew is None or attempt:
                    raise
                self.url = (await self.renew()).url  # a minute is up: go on where it was
        raise AssertionError("unreachable")

    async def start(self, held: Partial | None = None) -> AudioStream:
        loop = asyncio.get_running_loop()
        first = self.owner.first_piece_bytes
        if held is not None and held.has(0, min(first, held.size)):
            stream = AudioStream(held.size, loop=loop, on_want=self._wanted, on_close=self._closed)
        else:
            data, size = await self._get(0, first)
            stream = AudioStream(size, loop=loop, on_want=self._wanted, on_close=self._closed)
            stream.feed(0, data)
            if held is not None and held.size != size:
                held = None  # not this file after all
        for at, kept in held.runs if held is not None else []:
            stream.feed(at, kept)
        self.stream = stream
        if not stream.complete:
            self._spawn(self._quiet(self._run()))
        return stream

    def _spawn(self, job: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(job)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self) -> None:
        stream = self.stream
        assert stream is not None
        ahead_bytes = self.owner.read_ahead_s * stream.size / self.duration_s
        while not stream.complete and not stream.closed_by_reader:
            position = stream.position
            gap = self._gap(position)
            if gap is None:
                gap = self._gap(0)  # what a seek skipped, once all ahead is in
            if gap is None or (gap >= position and gap - position > ahead_bytes):
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), 0.25)
                continue
            await self._fetch(gap, self.owner.piece_bytes)

    def _gap(self, position: int) -> int | None:
        """The first byte at or after `position` neither held nor on its way."""
        assert self.stream is not None
        at: int | None = position
        while at is not None:
            at = self.stream.missing_from(at)
            if at is None:
                return None
            for start, end in self.flying:
                if start <= at < end:
                    at = end
                    break
            else:
                return at
        return None

    async def _fetch(self, start: int, length: int) -> None:
        stream = self.stream
        assert stream is not None
        end = min(stream.size, start + length, stream.held_after(start))
        for other, _ in self.flying:
            if start < other < end:
                end = other
        span = (start, end)
        self.flying.append(span)
        try:
            data, _ = await self._get(start, end)
            stream.feed(start, data)
        except CadenzaClientError as exc:
            stream.fail(exc)
            raise
        finally:
            self.flying.remove(span)
            self.wake.set()

    def _wanted(self, position: int) -> None:
        """The decoder waits at `position`: fetched now, beside the paced requests."""
        if self.stream is None or self.stream.closed_by_reader or self._gap(position) != position:
            return
        self._spawn(self._quiet(self._fetch(position, WANTED_PIECE_BYTES)))

    @staticmethod
    async def _quiet(job: Awaitable[None]) -> None:
        with contextlib.suppress(CadenzaClientError):  # the stream has been told
            await job

    def _closed(self) -> None:
        for task in list(self.tasks):
            task.cancel()


class CachedAudio:
    """The sealed disk cache in front of another source: a hit reads the disk only; a file
    that arrived whole is sealed into the cache. A file the listener left before it was all
    in (a skip) keeps what arrived, sealed too; replayed, the server (`ServerAudio`) is asked
    for the rest only.

    Writes to the cache run in a worker thread, never on the event loop or in the deck's
    stop (a skip), and a write that fails (a full or unwritable disk) is logged: the song
    is just not cached, and the next one plays."""

    def __init__(self, cache: DiskCache, origin: AudioSource) -> None:
        self.cache = cache
        self.origin = origin
        self.writes: set[asyncio.Future[None]] = set()  # cache writes under way

    async def open(self, grant: AudioGrant, renew: Renew | None = None) -> AudioStream:
        kept = self.cache.get(grant.content)
        if kept is not None:
            return AudioStream.whole(kept)
        content = grant.content
        partial = self.cache.get_partial(content)
        if partial is not None and isinstance(self.origin, ServerAudio):
            stream = await self.origin.open(grant, renew, held=partial)
        else:
            stream = await self.origin.open(grant, renew)
        loop = asyncio.get_running_loop()
        stream.when_complete(lambda data: self._write(loop, lambda: self.cache.put(content, data)))
        stream.when_closed(lambda left: self._write(loop, lambda: self._keep_part(content, left)))
        return stream

    def _write(self, loop: asyncio.AbstractEventLoop, job: Callable[[], None]) -> None:
        """`job` in a worker thread, from whichever thread the stream told (the loop's, or
        the deck's); with the loop gone, here and now."""
        try:
            loop.call_soon_threadsafe(self._spawn_write, job)
        except RuntimeError:  # the event loop has closed
            self._safely(job)

    def _spawn_write(self, job: Callable[[], None]) -> None:
        write = asyncio.ensure_future(asyncio.to_thread(self._safely, job))
        self.writes.add(write)
        write.add_done_callback(self.writes.discard)

    @staticmethod
    def _safely(job: Callable[[], None]) -> None:
        try:
            job()
        except OSError as exc:
            log.warning("the audio cache could not keep a file: %s", exc)

    def _keep_part(self, content: str, stream: AudioStream) -> None:
        """The reader left before the end: what arrived is kept for a replay."""
        if not stream.complete and stream.received() > 0:
            self.cache.put_partial(content, Partial(stream.size, stream.held()))
