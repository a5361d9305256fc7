"""This program as one of the listener's Cadenza devices: registered, listed in every device
picker, playing what the server's player says when it is the active device (commands from the
web page or the API arrive as state changes), reporting its listening through the journal."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from cadenza.client.api import CadenzaClient, Json
from cadenza.client.audio_out import Sink
from cadenza.client.audio_source import AudioGrant, AudioSource
from cadenza.client.deck import Deck
from cadenza.client.errors import CadenzaClientError
from cadenza.client.feed import device_events
from cadenza.client.journal import EventJournal, listening_event, new_id

PROGRESS_EVERY_S = 15.0
DELIVER_EVERY_S = 5.0


class PlayingDevice:
    def __init__(
        self,
        client: CadenzaClient,
        source: AudioSource,
        sink: Sink,
        journal: EventJournal,
        *,
        name: str = "Cadenza terminal player",
        kind: str = "desktop",
        device_id: str | None = None,
        quality: str | None = None,
    ) -> None:
        self.client = client
        self.source = source
        self.sink = sink
        self.journal = journal
        self.name = name
        self.kind = kind
        self.device_id = device_id
        self.quality = quality
        self.state: Json = None
        self.deck: Deck | None = None
        self.notice: str | None = None  # the last refusal, for the screen
        self.changed: list[Callable[[], None]] = []  # the screen's redraw
        self._play_id: str | None = None
        self._started = False
        self._applying = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._seen_quality: str | None = None
        self._local: list[int] | None = None  # offline: downloaded songs still to play
        self._reporting_as: str | None = None  # offline: the download device's id

    # Life -----------------------------------------------------------------------------------

    async def start(self) -> None:
        device = await self.client.register_device(self.name, self.kind, self.device_id)
        self.device_id = str(device["id"])
        self.client.playback_device = self.device_id
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._tasks = [
            loop.create_task(self._listen()),
            loop.create_task(self._every(DELIVER_EVERY_S, self.deliver)),
            loop.create_task(self._every(PROGRESS_EVERY_S, self._progress)),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.deck is not None:
            self._report("pause", self.deck.position_ms)
            self.deck.stop()
        with contextlib.suppress(CadenzaClientError):
            await self.deliver()
        self.sink.close()

    async def deliver(self) -> None:
        await self.journal.deliver(self.client)

    @property
    def track_id(self) -> int | None:
        return self.deck.track_id if self.deck is not None else None

    @property
    def position_ms(self) -> int:
        return self.deck.position_ms if self.deck is not None else 0

    @property
    def playing(self) -> bool:
        return self.deck is not None and self.deck.playing

    @property
    def stalled(self) -> bool:
        """Whether the song playing here stalled (its sound ran out waiting for bytes), the
        same measure as a peer-assisted play's PlayReport.stalled."""
        return self.deck is not None and self.deck.stalled

    @property
    def buffering(self) -> bool:
        """Whether the sound is out now, waiting for the song's bytes."""
        return self.deck is not None and self.deck.buffering and self.deck.playing

    # What the server says -------------------------------------------------------------------

    async def apply(self, state: Json) -> None:
        """Play what the player's state says, if it plays here."""
        async with self._applying:
            if _older(state, self.state):
                return  # an answer overtaken by a newer state
            self.state = state
            if state.get("stream"):
                self._seen_quality = str(state["stream"]["quality"])
            try:
                await self._follow(state)
            except CadenzaClientError as exc:
                self.notice = exc.message
            self._redraw()

    async def _follow(self, state: Json) -> None:
        deck = self.deck
        if state.get("device") != self.device_id or not state.get("track_id"):
            if deck is not None and deck.playing:
                self._report("pause", deck.position_ms)
                deck.pause()  # another device took over
            return
        gain = _gain(state)
        track_id, playing, progress = state["track_id"], state["playing"], state["progress_ms"]
        if deck is None or deck.track_id != track_id:
            granted = (state.get("stream") or {}).get("track_id") == track_id
            if playing or granted:
                await self._load(state, track_id, playing, progress, gain)
            elif deck is not None:  # paused on another song: loaded when it plays
                self._drop_deck()
            return
        deck.gain = gain
        if deck.ended.is_set():
            return
        if playing and not deck.playing:
            if abs(deck.position_ms - progress) > 1500:
                deck.seek(progress)
            deck.resume()
            self._report("resume" if self._started else "start", deck.position_ms)
            self._started = True
        elif not playing and deck.playing:
            deck.pause()
            self._report("pause", deck.position_ms)
        elif abs(deck.position_ms - progress) > (2500 if playing else 250):
            self._report("seek", deck.position_ms, seek_to_ms=progress)
            deck.seek(progress)

    def _drop_deck(self) -> None:
        old = self.deck
        if old is not None:
            if not old.ended.is_set() and self._started:
                self._report("skip", old.position_ms)
            old.stop()
            self.deck = None

    async def _load(self, state: Json, track_id: int, playing: bool, at: int, gain: float) -> None:
        self._drop_deck()
        stream = state.get("stream")
        if not stream or stream.get("track_id") != track_id:
            stream = await self._grant(track_id)

        async def renew() -> AudioGrant:  # a grant lives a minute: renewed as the song plays
            return AudioGrant.of(await self._grant(track_id))

        try:
            audio = await self.source.open(AudioGrant.of(stream), renew)
        except CadenzaClientError as exc:
            if exc.code != "grant_expired":
                raise
            audio = await self.source.open(await renew(), renew)  # a fresh grant, once
        self._play_id, self._started = new_id("play"), False
        self.deck = Deck(
            track_id, audio, self.sink, start_ms=at, playing=playing, gain=gain, on_end=self._ended
        )
        if playing:
            self._report("start", at)
            self._started = True

    async def _grant(self, track_id: int) -> Json:
        """A grant asked here: at the quality the player's own grants had (its choice from
        the plan) unless one was set, so a cached copy is the same file."""
        assert self.device_id is not None
        quality = self.quality or self._seen_quality
        return await self.client.stream_grant(self.device_id, track_id, quality)

    async def upcoming_grant(self) -> tuple[str, int] | None:
        """The next song's grant (URL, duration), asked when 30 s of this one remain so a
        source can prefetch it (PeerAudio.upcoming); None when nothing follows here."""
        state = self.state or {}
        following = state.get("up_next") or []
        if state.get("device") != self.device_id or not following or self._local is not None:
            return None
        grant = AudioGrant.of(await self._grant(int(following[0])))
        return grant.url, grant.duration_ms

    def _ended(self, deck: Deck) -> None:
        """In the deck's thread: the track played to its end."""
        self._loop.call_soon_threadsafe(lambda: self._loop.create_task(self._after_end(deck)))

    async def _after_end(self, deck: Deck) -> None:
        if deck is not self.deck:
            return
        self._report("end", deck.position_ms)
        self._started = False
        if self._local is not None:
            await self._play_local()
            return
        with contextlib.suppress(CadenzaClientError):
            await self.deliver()  # the end moves the server's player on
            await self.apply(await self.client.player())
        self._redraw()

    # Offline --------------------------------------------------------------------------------

    async def play_offline(self, track_ids: list[int], download_device: int) -> None:
        """With no server: these downloaded songs in turn, here (the source must hold them,
        e.g. DownloadedAudio), reported as plays of the download device when it is back."""
        self._loop = asyncio.get_running_loop()
        self._local, self._reporting_as = list(track_ids), str(download_device)
        self._tasks.append(self._loop.create_task(self._every(PROGRESS_EVERY_S, self._progress)))
        await self._play_local()

    async def _play_local(self) -> None:
        while self._local:
            track_id = self._local.pop(0)
            try:
                audio = await self.source.open(AudioGrant(track_id, "", "", "", 0))
            except CadenzaClientError as exc:
                self.notice = exc.message  # not downloaded, or the licence ran out
                continue
            if self.deck is not None:
                self.deck.stop()
            self._play_id, self._started = new_id("play"), True
            self.deck = Deck(track_id, audio, self.sink, on_end=self._ended)
            self._report("start", 0)
            break
        self._redraw()

    # Local keys -----------------------------------------------------------------------------

    async def toggle(self) -> None:
        if self.playing:
            await self._ask(self.client.pause, local=lambda d: d.pause())
        else:
            await self._take_over()
            await self._ask(self.client.resume, local=lambda d: d.resume())

    async def next(self) -> None:
        if self._local is not None:  # offline: the next download
            if self.deck is not None:
                self._report("skip", self.deck.position_ms)
            await self._play_local()
            return
        await self._ask(self.client.next)

    async def previous(self) -> None:
        await self._ask(self.client.previous)

    async def seek_by(self, delta_ms: int) -> None:
        target = max(0, self.position_ms + delta_ms)
        await self._ask(lambda: self.client.seek(target), local=lambda d: d.seek(target))

    async def change_volume(self, delta: int) -> None:
        now = int(self.state["volume"]) if self.state else 100
        await self._ask(lambda: self.client.volume(min(100, max(0, now + delta))))

    async def play(self, **what: Any) -> None:
        """Play a release (`context={"kind": "release", "id": 3}`) or `track_ids` here."""
        await self._take_over()
        await self._ask(lambda: self.client.play(quality=self.quality, **what))

    async def _take_over(self) -> None:
        if self.device_id and (self.state is None or self.state.get("device") != self.device_id):
            with contextlib.suppress(CadenzaClientError):
                await self.apply(await self.client.transfer(self.device_id, play=False))

    async def _ask(
        self, call: Callable[[], Any], local: Callable[[Deck], None] | None = None
    ) -> None:
        """The server decides (the plan's rules); offline, the local part still happens."""
        try:
            await self.apply(await call())
        except CadenzaClientError as exc:
            self.notice = exc.message
            if exc.code == "offline" and local is not None and self.deck is not None:
                before = self.deck.playing
                local(self.deck)
                if before != self.deck.playing:
                    self._report("resume" if self.deck.playing else "pause", self.position_ms)
            self._redraw()

    # Plumbing -------------------------------------------------------------------------------

    async def _listen(self) -> None:
        assert self.device_id is not None
        async for kind, data in device_events(self.client, self.device_id):
            if kind == "state":
                await self.apply(data)

    async def _every(self, seconds: float, job: Callable[[], Any]) -> None:
        while True:
            await asyncio.sleep(seconds)
            with contextlib.suppress(CadenzaClientError):
                await job()

    async def _progress(self) -> None:
        if self.playing and self.deck is not None:
            self._report("progress", self.deck.position_ms)

    def _report(self, kind: str, position_ms: int, seek_to_ms: int | None = None) -> None:
        device = self._reporting_as or self.device_id
        if self.deck is None or self._play_id is None or device is None:
            return
        if kind != "start" and not self._started:
            return
        self.journal.record(
            listening_event(
                kind,
                play_id=self._play_id,
                track_id=self.deck.track_id,
                device=device,
                position_ms=position_ms,
                seek_to_ms=seek_to_ms,
                source="other" if kind == "start" else None,
            )
        )

    def _redraw(self) -> None:
        for redraw in self.changed:
            redraw()


def _gain(state: Json) -> float:
    volume = max(0, min(100, int(state.get("volume", 100)))) / 100
    stream = state.get("stream") or {}
    normalise = 10 ** (float(stream.get("gain_db") or 0.0) / 20)
    return volume * normalise


def _older(state: Json, than: Json) -> bool:
    if not than or not state.get("updated_at") or not than.get("updated_at"):
        return False
    return bool(state["updated_at"] < than["updated_at"])
