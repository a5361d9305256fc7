"""Live rooms' rules that need no server: who may act on whom, and what a slow listener's
outbox keeps (the newest audio, every event)."""

from __future__ import annotations

import asyncio

import pytest

from cadenza.domain import rooms as rules
from cadenza.domain.errors import InvalidRequest
from cadenza.domain.rooms import RoomForbidden, RoomRole
from cadenza.services.rooms_live import OPUS_BURST, OPUS_PER_S, Outbox, Participant


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
