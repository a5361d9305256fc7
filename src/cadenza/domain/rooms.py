"""Live audio rooms: who may do what in a room, and the limits of what a room holds.

A room has a host, moderators the host names, a stage of at most ten speakers (the host
included) and listeners; it is scheduled, live, or ended. The rules here are pure; the live
state (who is on stage, hands, mutes) is kept by services/rooms_live.py while the room is live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from cadenza.domain.errors import CadenzaError, InvalidRequest

MAX_STAGE = 10  # speakers on stage, the host included
TITLE_MAX = 120
TOPICS_MAX = 5
TOPIC_MAX = 30
REPORT_REASON_MAX = 1000
SCHEDULE_AHEAD = timedelta(days=30)
REACTIONS = ("clap", "heart", "laugh", "fire", "raised_hands")
# The audio every client speaks: 16-bit little-endian PCM, mono, 24 kHz.
SAMPLE_RATE = 24_000
SPEAKER_FRAME_MS = 20  # what a speaker sends per message
LISTENER_FRAME_MS = 40  # what a listener gets per message (the mixer's tick)
MAX_SPEAKER_MESSAGE = SAMPLE_RATE * 2 * 100 // 1000  # 100 ms of samples at most per message
MAX_SPEAKER_PACKET_US = 100_000  # a speaker's Opus packet: at most 100 ms of sound, as PCM
OPUS_MAX_PACKET_US = 120_000  # RFC 6716: no Opus packet holds more
# RFC 6716 section 3.1: the TOC byte's config (its top 5 bits) gives each frame's length:
# SILK narrow/medium/wide band 10, 20, 40, 60 ms; hybrid 10, 20 ms; CELT 2.5, 5, 10, 20 ms.
OPUS_FRAME_US = (
    (10_000, 20_000, 40_000, 60_000) * 3 + (10_000, 20_000) * 2 + (2_500, 5_000, 10_000, 20_000) * 4
)


class RoomState(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"


class RoomRole(StrEnum):
    HOST = "host"
    MODERATOR = "moderator"
    SPEAKER = "speaker"
    LISTENER = "listener"


class RoomForbidden(CadenzaError):
    code = "room_forbidden"
    status = 403


@dataclass(frozen=True)
class Room:
    id: int
    host_id: int
    host_name: str
    title: str
    topics: tuple[str, ...]
    state: RoomState
    starts_at: datetime  # when it was scheduled for, or opened
    started_at: datetime | None
    ended_at: datetime | None
    recorded: bool  # the stage is recorded while live
    recording: str | None  # the recording's blob, once the room ended
    recording_seconds: float


@dataclass(frozen=True)
class RoomReport:
    id: int
    room_id: int
    room_title: str
    reporter_id: int
    reporter_name: str
    subject_id: int | None  # the person reported; None: the room itself
    subject_name: str | None
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class RoomNotice:
    room_id: int
    title: str
    host_name: str
    state: RoomState
    starts_at: datetime
    created_at: datetime


def clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidRequest("a room needs a title", code="room_title_required")
    if len(title) > TITLE_MAX:
        raise InvalidRequest(f"a title is at most {TITLE_MAX} characters", code="room_title_long")
    return title


def clean_topics(topics: list[str]) -> tuple[str, ...]:
    cleaned = list(dict.fromkeys(" ".join(t.split()).lower() for t in topics if t.strip()))
    if len(cleaned) > TOPICS_MAX:
        raise InvalidRequest(f"at most {TOPICS_MAX} topics", code="room_topics_many")
    if any(len(t) > TOPIC_MAX for t in cleaned):
        raise InvalidRequest(f"a topic is at most {TOPIC_MAX} characters", code="room_topic_long")
    return tuple(cleaned)


def check_schedule(starts_at: datetime | None, now: datetime) -> datetime:
    """When the room starts: now, or a moment in the next 30 days (a time without a zone is
    taken as UTC)."""
    if starts_at is not None and starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=UTC)
    if starts_at is None or starts_at <= now:
        return now
    if starts_at - now > SCHEDULE_AHEAD:
        raise InvalidRequest("a room is scheduled at most 30 days ahead", code="room_too_far")
    return starts_at


def moderates(role: RoomRole) -> bool:
    return role in (RoomRole.HOST, RoomRole.MODERATOR)


def check_moderator(role: RoomRole) -> None:
    if not moderates(role):
        raise RoomForbidden("only the host and moderators do that", code="room_moderators_only")


def check_target(actor_role: RoomRole, target_role: RoomRole) -> None:
    """A moderator acts on speakers and listeners; nobody acts on the host, and moderators
    act on each other only through the host."""
    check_moderator(actor_role)
    if target_role is RoomRole.HOST or (
        target_role is RoomRole.MODERATOR and actor_role is not RoomRole.HOST
    ):
        raise RoomForbidden(
            "the host's moderators answer to the host", code="room_target_forbidden"
        )


def check_reaction(kind: str) -> None:
    if kind not in REACTIONS:
        raise InvalidRequest(f"reactions are {', '.join(REACTIONS)}", code="room_reaction_unknown")


def check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidRequest("say what is wrong", code="room_report_reason_required")
    if len(reason) > REPORT_REASON_MAX:
        raise InvalidRequest("a report is at most 1000 characters", code="room_report_long")
    return reason


def opus_packet_us(packet: bytes) -> int | None:
    """How much sound one Opus packet holds, in microseconds, by its TOC byte (RFC 6716
    section 3.1: the config gives the frame's length; the code, 0 to 3, one frame, two, two,
    or the count in the next byte's low 6 bits). None: not a well-formed Opus packet (empty, a
    code 3 without its count byte or with a count of 0, more than the 120 ms an Opus packet
    may hold)."""
    if not packet:
        return None
    toc = packet[0]
    code = toc & 0b11
    if code == 0:
        frames = 1
    elif code in (1, 2):
        frames = 2
    elif len(packet) < 2 or not packet[1] & 0x3F:
        return None
    else:
        frames = packet[1] & 0x3F
    total = OPUS_FRAME_US[toc >> 3] * frames
    return total if total <= OPUS_MAX_PACKET_US else None
