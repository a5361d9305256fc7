"""Live rooms' rules that need no server: who may act on whom, and what a slow listener's
outbox keeps (the newest audio, every event)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import cast

import pytest

from cadenza.domain import rooms as rules
from cadenza.domain.errors import InvalidRequest
from cadenza.domain.rooms import Room, RoomForbidden, RoomRole, RoomState
from cadenza.services.rooms import Rooms
from cadenza.services.rooms_live import OPUS_BURST, OPUS_PER_S, LiveRooms, Outbox, Participant


@pytest.mark.parametrize(
    ("actor", "target", "allowed"),
    [
        (RoomRole.HOST, RoomRole.MODERATOR, True),
        (RoomRole.HOST, RoomRole.LISTENER, True),
        (RoomRole.MODERATOR, RoomRole.SPEAKER, True),
        (RoomRole.MODERATOR, RoomRole.MODERATOR, False),
        (RoomRole.MODERATOR, RoomRole.HOST, False),
        (RoomRole.SPEAKER, RoomRole.LISTENER, False),
        (RoomRole.LISTENER, RoomRole.SPEAKER, False),
    ],
)
def test_only_the_host_and_moderators_act_and_never_on_the_host(
    actor: RoomRole, target: RoomRole, allowed: bool
) -> None:
    if allowed:
        rules.check_target(actor, target)
    else:
        with pytest.raises(RoomForbidden):
            rules.check_target(actor, target)


def test_titles_and_topics_are_cleaned_and_bounded() -> None:
    assert rules.clean_title("  Late   night\tjazz ") == "Late night jazz"
    assert rules.clean_topics(["Jazz", "jazz ", "", "Vinyl  records"]) == ("jazz", "vinyl records")
    with pytest.raises(InvalidRequest):
        rules.clean_topics([f"t{n}" for n in range(6)])


def test_a_slow_listener_keeps_the_newest_audio_and_every_event() -> None:
    async def run() -> list[bytes | str]:
        box = Outbox(audio_max=8)
        box.event("joined")
        for n in range(20):
            box.audio(bytes([n]))
        box.event("removed")
        box.close("removed")
        taken: list[bytes | str] = []
        while (item := await box.next()) is not None:
            taken.append(item)
        return taken

    taken = asyncio.run(run())
    # Once closed, the queued audio is not sent; the last word still is.
    assert taken == ["joined", "removed"]


def test_an_outbox_drops_the_oldest_packets_first() -> None:
    async def run() -> tuple[list[bytes | str], int]:
        box = Outbox(audio_max=3)
        for n in range(10):
            box.audio(bytes([n]))
        box.event("state")
        taken = [await box.next() for _ in range(4)]
        return [t for t in taken if t is not None], box.dropped

    taken, dropped = asyncio.run(run())
    assert taken == [bytes([7]), bytes([8]), bytes([9]), "state"]
    assert dropped == 7


def test_a_flood_of_opus_packets_is_cut_to_speaking_pace_and_a_speaker_at_pace_loses_none() -> None:
    """Opus is decoded on the loop that mixes every room: a client sending 5,000 packets in a
    second gets about a second's worth decoded; one speaking 20 ms packets at pace, all."""
    flooder = Participant(1, "flood", host=True, opus_counted_at=0.0)
    decoded = sum(flooder.may_decode(i / 5000) for i in range(5000))
    assert decoded <= OPUS_BURST + OPUS_PER_S + 1
    assert decoded >= OPUS_PER_S  # still heard at speaking pace

    speaker = Participant(2, "voice", host=True, opus_counted_at=0.0)
    assert all(speaker.may_decode(i * 0.02) for i in range(500))  # 10 s of 20 ms packets
    bursty = Participant(3, "bursty", host=True, opus_counted_at=0.0)  # 1 s of 20 ms at once
    assert all(bursty.may_decode(0.0) for _ in range(50))


@pytest.mark.parametrize(
    ("packet", "length_us"),
    [
        (bytes([1 << 3 | 0, 0xAA]), 20_000),  # SILK narrowband 20 ms, one frame
        (bytes([2 << 3 | 1, 0xAA]), 80_000),  # SILK 40 ms, two frames of equal size
        (bytes([11 << 3 | 2, 0x01, 0xAA]), 120_000),  # SILK wideband 60 ms, two frames
        (bytes([15 << 3 | 0, 0xAA]), 20_000),  # hybrid fullband 20 ms
        (bytes([16 << 3 | 2, 0x01, 0xAA]), 5_000),  # CELT 2.5 ms, two frames
        (bytes([31 << 3 | 3, 0x06, 0xAA]), 120_000),  # CELT 20 ms, code 3: six frames
        (bytes([31 << 3 | 3, 0x07, 0xAA]), None),  # seven: 140 ms, more than Opus holds
        (bytes([3 << 3 | 3, 0x03]), None),  # three SILK 60 ms frames: 180 ms
        (bytes([31 << 3 | 3, 0x00]), None),  # code 3 with no frames
        (bytes([31 << 3 | 3]), None),  # code 3 without its count byte
        (b"", None),
    ],
)
def test_an_opus_packets_length_is_read_from_its_toc_byte(
    packet: bytes, length_us: int | None
) -> None:
    assert rules.opus_packet_us(packet) == length_us


class CountedDecoder:
    """A speaker's decoder that answers 20 ms of silence per packet, counting what it got."""

    made = 0

    def __init__(self) -> None:
        CountedDecoder.made += 1
        self.packets: list[bytes] = []

    def decode(self, packet: bytes) -> bytes:
        self.packets.append(packet)
        return bytes(rules.SAMPLE_RATE * 2 * 20 // 1000)


def test_an_opus_decoder_is_made_on_stage_only_and_long_packets_never_reach_it() -> None:
    CountedDecoder.made = 0
    now = datetime.now(UTC)
    room = Room(1, 10, "Host", "Talk", (), RoomState.LIVE, now, now, None, False, None, 0.0)

    async def scenario() -> None:
        # No database here: joins of a room that is not recorded reach none.
        live = LiveRooms(cast(Rooms, None), speaker=CountedDecoder)
        host = await live.join(room, 10, "Host", send="opus")
        listeners = [await live.join(room, 20 + i, f"L{i}", send="opus") for i in range(5)]
        try:
            assert CountedDecoder.made == 0  # nobody has spoken: no libopus decoder yet
            assert not live.speak(1, listeners[0], bytes([1 << 3, 0xAA]))  # not on stage
            assert CountedDecoder.made == 0

            assert live.speak(1, host, bytes([1 << 3, 0xAA]))  # 20 ms: decoded
            assert CountedDecoder.made == 1
            # 120 ms (two SILK 60 ms frames), and 240 ms claimed by a code-3 count: dropped
            # before the decoder, whatever libopus would make of them.
            assert not live.speak(1, host, bytes([3 << 3 | 1, 0xAA, 0xBB]))
            assert not live.speak(1, host, bytes([31 << 3 | 3, 12, 0xAA]))
            assert isinstance(host.upstream, CountedDecoder)
            assert host.upstream.packets == [bytes([1 << 3, 0xAA])]

            live.to_stage(1, 10, 20)  # a listener brought on stage speaks: its own decoder
            assert live.speak(1, listeners[0], bytes([1 << 3, 0xAA]))
            assert CountedDecoder.made == 2
        finally:
            task = live.live[1].task
            assert task is not None
            task.cancel()

    asyncio.run(scenario())
