"""Live rooms in one server process: who is in each, the stage, hands, mutes and reactions,
and the stage's voices mixed every 40 ms and fanned out to everyone in the room.

Speakers send 20 ms frames of 16-bit PCM (24 kHz, mono), or where the browser has WebCodecs'
AudioEncoder (`send=opus`) raw Opus packets (48 kHz mono, 20 or 40 ms), decoded here by a
decoder of their own into the same PCM (made when they first speak on stage: a listener who
could send Opus never costs a libopus decoder; a packet whose TOC byte says more than 100 ms
is dropped before libopus sees it); each speaker's frames wait in a small
buffer (played once 60 ms are there, trimmed to 80 ms past 160 ms); every tick the mixer sums what the
speakers on stage (not muted) sent, and puts one packet, the same bytes for all, in each
participant's outbox: 40 ms of PCM (kind 1), or for those who asked for it (`codec=opus`) the
same 40 ms as one Opus packet, encoded once per tick for the whole room (each speaker, who
hears the stage without their own voice, has an encoder of their own) and sent two at a time
(kind 2: 80 ms a message). An outbox holds at most eight packets: a listener too slow to take them
loses the oldest, never holds the others back. Nothing per frame touches the database; room
state changes reach everyone as one coalesced `state` message at most every 250 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from cadenza.domain import rooms as rules
from cadenza.domain.errors import Conflict, NotFound
from cadenza.domain.rooms import Room, RoomForbidden, RoomRole

if TYPE_CHECKING:
    from cadenza.services.rooms import RecordingFile, Rooms

TICK_S = rules.LISTENER_FRAME_MS / 1000
TICK_BYTES = rules.SAMPLE_RATE * 2 * rules.LISTENER_FRAME_MS // 1000  # 1920
PRIMED_BYTES = TICK_BYTES * 3 // 2  # 60 ms before a speaker is heard
MAX_BUFFER_BYTES = TICK_BYTES * 4  # 160 ms: more is trimmed to the last 80 ms (delay never grows)
KEEP_BYTES = TICK_BYTES * 2
STATE_EVERY_TICKS = 6  # 240 ms
RESYNC_TICKS = 48  # and every 1.9 s even when nothing changed
LISTED_LISTENERS = 200
AUDIO_KIND = 1  # 40 ms of 16-bit PCM
OPUS_KIND = 2  # Opus packets of 40 ms each, every one after a 2-byte length
OPUS_PER_MESSAGE = 2  # 80 ms of Opus per message
OPUS_LENGTH = struct.Struct(">H")
CODECS = ("pcm", "opus")
SILENCE = bytes(TICK_BYTES)


class VoiceEncoder(Protocol):
    def encode(self, pcm: bytes) -> bytes:
        """One packet for one tick of PCM (TICK_BYTES)."""
        ...


class SpeakerDecoder(Protocol):
    def decode(self, packet: bytes) -> bytes:
        """One speaker's Opus packet as 16-bit PCM at the mixer's rate (b"": not Opus)."""
        ...


MAX_OPUS_MESSAGE = 1500  # one Opus packet (at most 1275 bytes by RFC 6716)
# A speaker's Opus packets decoded at most at this rate (a 20 ms packet every 20 ms is 50 a
# second), after a burst of OPUS_BURST: decoding runs on the event loop that mixes every room,
# so a client sending faster than it can speak is cut off before libopus, not after.
OPUS_PER_S = 60.0
OPUS_BURST = 60.0


class Outbox:
    """What one connection has yet to send: audio packets (at most `audio_max`, the oldest
    dropped) and events (a connection that lets `events_max` pile up is closed)."""

    def __init__(self, audio_max: int = 8, events_max: int = 256) -> None:
        self.items: deque[bytes | str] = deque()
        self.audio_max, self.events_max = audio_max, events_max
        self.audio_count = 0
        self.dropped = 0
        self.closed: str | None = None
        self._wake = asyncio.Event()

    def audio(self, packet: bytes) -> None:
        if self.closed:
            return
        if self.audio_count >= self.audio_max:
            for n, item in enumerate(self.items):
                if isinstance(item, bytes):
                    del self.items[n]
                    break
            self.audio_count -= 1
            self.dropped += 1
        self.items.append(packet)
        self.audio_count += 1
        self._wake.set()

    def event(self, text: str) -> None:
        if self.closed:
            return
        if len(self.items) - self.audio_count >= self.events_max:
            self.close("too_slow")
            return
        self.items.append(text)
        self._wake.set()

    def close(self, reason: str) -> None:
        if not self.closed:
            self.closed = reason
            self._wake.set()

    async def next(self) -> bytes | str | None:
        """The next thing to send; once closed, the events still queued (the last word, such
        as `removed`) and then None."""
        while True:
            if self.items:
                item = self.items.popleft()
                if isinstance(item, bytes):
                    self.audio_count -= 1
                    if self.closed:
                        continue
                return item
            if self.closed:
                return None
            self._wake.clear()
            await self._wake.wait()


@dataclass(eq=False)
class Participant:
    account_id: int
    name: str
    host: bool
    outbox: Outbox = field(default_factory=Outbox)
    moderator: bool = False
    on_stage: bool = False
    muted: bool = False
    hand: bool = False
    opus: bool = False  # the stage as Opus packets, not PCM
    sends_opus: bool = False  # joined with `send=opus`: its frames are Opus packets
    upstream: SpeakerDecoder | None = None  # its Opus decoder, made when it first speaks
    opus_allowance: float = OPUS_BURST  # packets that may be decoded now (refilled with time)
    opus_counted_at: float = field(default_factory=time.monotonic)
    pcm: bytearray = field(default_factory=bytearray)
    primed: bool = False
    sent_frames: int = 0

    def may_decode(self, now: float) -> bool:
        """Whether one more Opus packet of this speaker's may be decoded now (a token bucket:
        OPUS_PER_S a second, bursts of OPUS_BURST); a refused packet is dropped unheard."""
        gained = (now - self.opus_counted_at) * OPUS_PER_S
        self.opus_allowance = min(OPUS_BURST, self.opus_allowance + gained)
        self.opus_counted_at = now
        if self.opus_allowance < 1:
            return False
        self.opus_allowance -= 1
        return True

    @property
    def role(self) -> RoomRole:
        if self.host:
            return RoomRole.HOST
        if self.moderator:
            return RoomRole.MODERATOR
        return RoomRole.SPEAKER if self.on_stage else RoomRole.LISTENER

    def card(self) -> dict[str, object]:
        return {
            "id": self.account_id,
            "name": self.name,
            "role": self.role.value,
            "on_stage": self.on_stage,
            "muted": self.muted,
            "hand": self.hand,
        }


class LiveRoom:
    def __init__(self, room: Room, recording: RecordingFile | None) -> None:
        self.room = room
        self.people: dict[int, Participant] = {}
        self.reactions: Counter[str] = Counter()
        self.recording = recording
        self.recorded_bytes = 0
        self.seq = 0
        self.dirty = True
        self.ended = False
        self.empty_ticks = 0
        self.task: asyncio.Task[None] | None = None
        self.encoders: dict[int, VoiceEncoder] = {}  # 0: the room's mix; else a speaker's
        self.opus_pending: dict[int, list[bytes]] = {}  # encoded, not yet sent, per stream

    def stage(self) -> list[Participant]:
        return [p for p in self.people.values() if p.on_stage]

    def state(self) -> str:
        everyone = list(self.people.values())
        listeners = [p for p in everyone if not p.on_stage]
        data = {
            "room_id": self.room.id,
            "title": self.room.title,
            "recording": self.recording is not None,
            "stage": [p.card() for p in everyone if p.on_stage],
            "hands": [p.card() for p in listeners if p.hand],
            "listeners": [p.card() for p in listeners[:LISTED_LISTENERS]],
            "listener_count": len(listeners),
            "reactions": dict(self.reactions),
        }
        return json.dumps({"event": "state", "data": data})

    def tell(self, who: Participant, event: str, **data: object) -> None:
        who.outbox.event(json.dumps({"event": event, "data": data}))

    def mix(self) -> tuple[bytes, dict[int, bytes]]:
        """40 ms of the stage: every unmuted speaker's buffered audio, summed; and for each
        speaker heard, the stage without their own voice (nobody hears themselves late)."""
        voices: dict[int, bytes] = {}
        for p in self.people.values():
            if not p.on_stage or not p.pcm:
                continue
            if not p.primed:
                if len(p.pcm) < PRIMED_BYTES:
                    continue
                p.primed = True
            take = bytes(p.pcm[:TICK_BYTES])
            del p.pcm[:TICK_BYTES]
            if len(p.pcm) == 0:
                p.primed = False  # ran dry: wait for 60 ms again
            if not p.muted:
                voices[p.account_id] = take.ljust(TICK_BYTES, b"\0")
        if not voices:
            return SILENCE, {}
        if len(voices) == 1:
            [(speaker, voice)] = voices.items()
            return voice, {speaker: SILENCE}
        import numpy as np  # the first stage with two voices loads it

        each = {k: np.frombuffer(v, dtype="<i2").astype(np.int32) for k, v in voices.items()}
        total = np.zeros(TICK_BYTES // 2, dtype=np.int32)
        for samples in each.values():
            total += samples

        def pcm(samples: np.ndarray[tuple[int], np.dtype[np.int32]]) -> bytes:
            clipped: bytes = np.clip(samples, -32768, 32767).astype("<i2").tobytes()
            return clipped

        return pcm(total), {k: pcm(total - mine) for k, mine in each.items()}


class LiveRooms:
    """Every live room of this process. Runs on the server's event loop; the database is
    reached through `rooms` in a thread, on joins and moderation only."""

    def __init__(
        self,
        rooms: Rooms,
        empty_grace_s: float = 120.0,
        voice: Callable[[], VoiceEncoder] | None = None,
        speaker: Callable[[], SpeakerDecoder] | None = None,
    ) -> None:
        self.rooms = rooms
        self.voice = voice  # makes an Opus encoder; without one, everyone gets PCM
        self.speaker = speaker  # makes a speaker's Opus decoder; without one, speakers send PCM
        self.live: dict[int, LiveRoom] = {}
        self.empty_ticks = max(1, int(empty_grace_s / TICK_S))
        self.finishing: set[asyncio.Task[None]] = set()

    # -- joining and leaving -----------------------------------------------------------------
    async def join(
        self, room: Room, account_id: int, name: str, codec: str = "pcm", send: str = "pcm"
    ) -> Participant:
        live = self.live.get(room.id)
        if live is None or live.ended:
            recording = self.rooms.new_recording() if room.recorded else None
            live = LiveRoom(room, recording)
            self.live[room.id] = live
            live.task = asyncio.get_running_loop().create_task(self._run(live))
        was = live.people.pop(account_id, None)
        me = Participant(account_id, name, host=account_id == room.host_id)
        me.opus = codec == "opus" and self.voice is not None
        me.sends_opus = send == "opus" and self.speaker is not None
        if was is not None:  # the same account again (a reload, another tab): it keeps its place
            me.moderator, me.on_stage, me.muted = was.moderator, was.on_stage, was.muted
            was.outbox.close("joined_elsewhere")
        if me.host:
            me.on_stage = True
        live.people[account_id] = me
        live.dirty = True
        sends = "opus" if me.sends_opus else "pcm"
        live.tell(me, "you", **me.card(), codec="opus" if me.opus else "pcm", send=sends)
        me.outbox.event(live.state())
        if live.recording is not None:
            live.tell(me, "notice", text="This room is being recorded.")
        return me

    def leave(self, room_id: int, me: Participant) -> None:
        live = self.live.get(room_id)
        if live is not None and live.people.get(me.account_id) is me:
            del live.people[me.account_id]
            live.dirty = True
        me.outbox.close("left")

    def speak(self, room_id: int, me: Participant, frame: bytes) -> bool:
        """A speaker's frame into the stage; False (and nothing heard) from anyone not on it."""
        if not me.on_stage:
            return False
        if me.sends_opus:  # one Opus packet: decoded only from a speaker on stage
            if not frame or len(frame) > MAX_OPUS_MESSAGE:
                return False
            length = rules.opus_packet_us(frame)
            if length is None or length > rules.MAX_SPEAKER_PACKET_US:
                return False  # longer than a speaker's message may be: never decoded
            if not me.may_decode(time.monotonic()):
                return False
            if me.upstream is None:
                assert self.speaker is not None
                me.upstream = self.speaker()
            frame = me.upstream.decode(frame)
            if not frame:
                return False
        if len(frame) % 2 or len(frame) > rules.MAX_SPEAKER_MESSAGE:
            return False
        me.pcm += frame
        if len(me.pcm) > MAX_BUFFER_BYTES:
            del me.pcm[: len(me.pcm) - KEEP_BYTES]
        me.sent_frames += 1
        return True

    def summary(self, room_id: int) -> tuple[list[dict[str, object]], int]:
        """The stage's cards and how many listen, for a room's page before it joins."""
        live = self.live.get(room_id)
        if live is None:
            return [], 0
        everyone = list(live.people.values())  # one copy: a route's thread may ask
        stage = [p.card() for p in everyone if p.on_stage]
        return stage, len(everyone) - len(stage)

    # -- gestures of one's own ---------------------------------------------------------------
    def hand(self, room_id: int, account_id: int, up: bool) -> None:
        live, me = self._present(room_id, account_id)
        me.hand = up and not me.on_stage
        live.dirty = True

    def react(self, room_id: int, account_id: int, kind: str) -> None:
        rules.check_reaction(kind)
        live, _ = self._present(room_id, account_id)
        live.reactions[kind] += 1
        live.dirty = True

    def mute_self(self, room_id: int, account_id: int, muted: bool) -> None:
        live, me = self._present(room_id, account_id)
        if not me.on_stage:
            raise Conflict("only speakers on stage mute or unmute", code="room_not_on_stage")
        me.muted = muted
        self._changed(live, me)

    # -- moderation --------------------------------------------------------------------------
    def to_stage(self, room_id: int, actor_id: int, target_id: int) -> None:
        live, _, target = self._moderated(room_id, actor_id, target_id)
        if not target.on_stage:
            if len(live.stage()) >= rules.MAX_STAGE:
                raise Conflict(
                    f"the stage holds {rules.MAX_STAGE} speakers", code="room_stage_full"
                )
            target.on_stage, target.hand, target.muted = True, False, False
            target.pcm.clear()
        self._changed(live, target)

    def to_audience(self, room_id: int, actor_id: int, target_id: int) -> None:
        """Back to the listeners: a moderator moves a speaker, or a speaker steps down."""
        if actor_id == target_id:
            live, target = self._present(room_id, actor_id)
            if target.host:
                raise Conflict("the host stays on stage", code="room_host_on_stage")
        else:
            live, _, target = self._moderated(room_id, actor_id, target_id)
        target.on_stage, target.muted = False, False
        target.pcm.clear()
        target.primed = False
        self._changed(live, target)

    def mute(self, room_id: int, actor_id: int, target_id: int) -> None:
        live, _, target = self._moderated(room_id, actor_id, target_id)
        if not target.on_stage:
            raise Conflict("only speakers on stage are muted", code="room_not_on_stage")
        target.muted = True
        self._changed(live, target)

    def make_moderator(self, room_id: int, actor_id: int, target_id: int, yes: bool) -> None:
        live, actor = self._present(room_id, actor_id)
        if not actor.host:
            raise RoomForbidden("only the host names moderators", code="room_host_only")
        target = self._person(live, target_id)
        if not target.host:
            target.moderator = yes
        self._changed(live, target)

    async def remove(self, room_id: int, actor_id: int, target_id: int, block: bool) -> None:
        """Out of the room at once (their socket closes); blocked, they cannot come back."""
        live = self.live.get(room_id)
        target = live.people.get(target_id) if live else None
        if live is not None and target is not None:
            _, actor = self._present(room_id, actor_id)
            rules.check_target(actor.role, target.role)
        else:  # not in the room now: a block still needs a moderator who is there, or the host
            room = await asyncio.to_thread(self.rooms.get, room_id)
            actor_role = self._role_of(room_id, actor_id, room)
            rules.check_moderator(actor_role)
            if target_id == room.host_id:
                raise RoomForbidden("the host cannot be removed", code="room_target_forbidden")
        if block:
            await asyncio.to_thread(self.rooms.block, room_id, target_id)
        if live is not None and target is not None:
            live.tell(target, "removed", blocked=block)
            target.outbox.close("removed")
            if live.people.get(target_id) is target:
                del live.people[target_id]
            live.dirty = True

    async def end(self, room_id: int) -> None:
        """Everyone hears the room end and is let go; the recording is stored."""
        live = self.live.pop(room_id, None)
        if live is None:
            await asyncio.to_thread(self.rooms.ended, room_id, None)
            return
        await self._finish(live)

    async def close(self) -> None:
        """The server stops: every live room ends (and keeps its recording)."""
        for room_id in list(self.live):
            await self.end(room_id)

    # -- inside ------------------------------------------------------------------------------
    def _role_of(self, room_id: int, account_id: int, room: Room) -> RoomRole:
        live = self.live.get(room_id)
        present = live.people.get(account_id) if live else None
        if present is not None:
            return present.role
        return RoomRole.HOST if account_id == room.host_id else RoomRole.LISTENER

    def _live(self, room_id: int) -> LiveRoom:
        live = self.live.get(room_id)
        if live is None or live.ended:
            raise Conflict("nobody is in this room now", code="room_not_live")
        return live

    def _person(self, live: LiveRoom, account_id: int) -> Participant:
        found = live.people.get(account_id)
        if found is None:
            raise NotFound("that person is not in the room", code="room_person_not_found")
        return found

    def _present(self, room_id: int, account_id: int) -> tuple[LiveRoom, Participant]:
        live = self._live(room_id)
        found = live.people.get(account_id)
        if found is None:
            raise Conflict("join the room first", code="room_not_joined")
        return live, found

    def _moderated(
        self, room_id: int, actor_id: int, target_id: int
    ) -> tuple[LiveRoom, Participant, Participant]:
        live, actor = self._present(room_id, actor_id)
        rules.check_moderator(actor.role)
        target = self._person(live, target_id)
        rules.check_target(actor.role, target.role)
        return live, actor, target

    def _changed(self, live: LiveRoom, who: Participant) -> None:
        live.dirty = True
        live.tell(who, "you", **who.card())

    async def _run(self, live: LiveRoom) -> None:
        """The room's clock: a packet every 40 ms, state when it changed, until it ends."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        header = struct.Struct(">BI")
        try:
            while not live.ended:
                due += TICK_S
                pcm, minus = live.mix()
                live.seq = (live.seq + 1) & 0xFFFFFFFF
                self._fan_out(live, header, pcm, minus)
                if live.recording is not None:
                    live.recording.write(pcm)
                    live.recorded_bytes += len(pcm)
                if live.seq % STATE_EVERY_TICKS == 0 and (
                    live.dirty or live.seq % RESYNC_TICKS == 0
                ):
                    live.dirty = False
                    state = live.state()
                    live.reactions.clear()
                    for p in live.people.values():
                        p.outbox.event(state)
                live.empty_ticks = 0 if live.people else live.empty_ticks + 1
                if live.empty_ticks > self.empty_ticks:
                    self.live.pop(live.room.id, None)
                    finishing = loop.create_task(self._finish(live))
                    self.finishing.add(finishing)
                    finishing.add_done_callback(self.finishing.discard)
                    return
                delay = due - loop.time()
                if delay < -0.5:  # the loop stalled: start the clock again rather than burst
                    due = loop.time()
                await asyncio.sleep(max(0.0, delay))
        except asyncio.CancelledError:
            return

    def _fan_out(
        self, live: LiveRoom, header: struct.Struct, pcm: bytes, minus: dict[int, bytes]
    ) -> None:
        """One tick to everyone: the mix's bytes are made once, and the same object goes to
        every listener's outbox. PCM goes out every tick; Opus is encoded every tick (once for
        the room, once per speaker on stage) and sent every OPUS_PER_MESSAGE ticks, the
        packets since the last message in one (half the messages: the cost is per message)."""
        head = header.pack(AUDIO_KIND, live.seq)
        packet = head + pcm
        flush = live.seq % OPUS_PER_MESSAGE == 0
        encoded: set[int] = set()
        messages: dict[int, bytes] = {}
        for p in live.people.values():
            own = minus.get(p.account_id)
            if not p.opus or self.voice is None:
                p.outbox.audio(packet if own is None else head + own)
                continue
            key = p.account_id if p.on_stage else 0  # a speaker's own stream, or the room's
            if key not in encoded:
                encoder = live.encoders.get(key)
                if encoder is None:
                    encoder = live.encoders[key] = self.voice()
                heard = pcm if own is None or not key else own
                live.opus_pending.setdefault(key, []).append(encoder.encode(heard))
                encoded.add(key)
            if flush:
                message = messages.get(key)
                if message is None:
                    pending = live.opus_pending.get(key, [])
                    first = (live.seq - len(pending) + 1) & 0xFFFFFFFF
                    message = messages[key] = header.pack(OPUS_KIND, first) + b"".join(
                        OPUS_LENGTH.pack(len(one)) + one for one in pending
                    )
                p.outbox.audio(message)
        if flush:
            live.opus_pending.clear()
        for account_id in [a for a in live.encoders if a and a not in live.people]:
            del live.encoders[account_id]  # gone: a new encoder if they come back

    async def _finish(self, live: LiveRoom) -> None:
        live.ended = True
        if live.task is not None and live.task is not asyncio.current_task():
            live.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await live.task
        for p in live.people.values():
            live.tell(p, "ended")
            p.outbox.close("ended")
        live.people.clear()
        recording: Path | None = live.recording.close() if live.recording else None
        await asyncio.to_thread(self.rooms.ended, live.room.id, recording)
