"""Live audio rooms, what is stored of them: opening one now or scheduling it (the host's
followers get a notice), the Live shelf, tickets that open a room's socket, blocks, reports
for the admins, the end of a room and its recording (playable by whoever could join)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import tempfile
import wave
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cadenza.domain import rooms as rules
from cadenza.domain.accounts import Role
from cadenza.domain.errors import Conflict, NotFound, Unauthorized
from cadenza.domain.rooms import Room, RoomForbidden, RoomNotice, RoomReport, RoomState
from cadenza.ports.blobs import BlobStore
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork

TICKET_SECONDS = 60
SHELF_SIZE = 50
NOTICES = 50
REPORTS = 200


@dataclass(frozen=True)
class Guest:
    """Who a room's socket was opened for."""

    account_id: int
    name: str
    room: Room


class Rooms:
    def __init__(
        self, uow: Callable[[], UnitOfWork], clock: Clock, blobs: BlobStore, secret: bytes
    ) -> None:
        self.uow, self.clock, self.blobs, self._secret = uow, clock, blobs, secret

    # -- opening, listing ------------------------------------------------------------------
    def open(
        self,
        host_id: int,
        title: str,
        topics: list[str],
        starts_at: datetime | None = None,
        record: bool = True,
    ) -> Room:
        """A room live now, or scheduled (up to 30 days ahead); the host's followers get a
        notice either way."""
        now = self.clock.now()
        title, tags = rules.clean_title(title), rules.clean_topics(topics)
        when = rules.check_schedule(starts_at, now)
        with self.uow() as uow:
            room_id = uow.rooms.add(host_id, title, tags, when, when == now, record, now)
            uow.rooms.notify_followers(room_id, host_id, now)
            room = uow.rooms.get(room_id)
            uow.commit()
        assert room is not None
        return room

    def start(self, account_id: int, room_id: int) -> Room:
        """The host opens a scheduled room (early or on time)."""
        with self.uow() as uow:
            room = self._room(uow, room_id)
            if room.host_id != account_id:
                raise RoomForbidden("only the host opens the room", code="room_host_only")
            if room.state is RoomState.ENDED:
                raise Conflict("this room has ended", code="room_ended")
            if room.state is RoomState.SCHEDULED:
                uow.rooms.set_state(room_id, RoomState.LIVE, self.clock.now())
                uow.commit()
            return self._room(uow, room_id)

    def get(self, room_id: int) -> Room:
        with self.uow() as uow:
            return self._room(uow, room_id)

    def shelf(self) -> list[Room]:
        """The Live shelf: live rooms, then scheduled ones, soonest first."""
        with self.uow() as uow:
            return uow.rooms.listed(SHELF_SIZE)

    def notices(self, account_id: int) -> list[RoomNotice]:
        with self.uow() as uow:
            return uow.rooms.notices(account_id, NOTICES)

    # -- joining ---------------------------------------------------------------------------
    def ticket(self, account_id: int, room_id: int) -> str:
        """A one-minute ticket to open the room's socket (browsers send no header there)."""
        with self.uow() as uow:
            room = self._room(uow, room_id)
            self._may_join(uow, room, account_id)
        expires = int((self.clock.now() + timedelta(seconds=TICKET_SECONDS)).timestamp())
        body = _b64(json.dumps({"a": account_id, "r": room_id, "e": expires}).encode())
        return f"{body}.{self._sign(body)}"

    def admit(self, ticket: str, room_id: int) -> Guest:
        """Who the ticket is for, checked again against the room's blocks and state."""
        try:
            body, signature = ticket.split(".")
            if not hmac.compare_digest(signature, self._sign(body)):
                raise ValueError("bad signature")
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            account_id, ticket_room, expires = int(data["a"]), int(data["r"]), int(data["e"])
        except (ValueError, KeyError, TypeError) as exc:
            raise Unauthorized("the room ticket is not valid", code="invalid_ticket") from exc
        if ticket_room != room_id or expires <= self.clock.now().timestamp():
            raise Unauthorized("the room ticket is not valid", code="invalid_ticket")
        with self.uow() as uow:
            room = self._room(uow, room_id)
            self._may_join(uow, room, account_id)
            account = uow.accounts.get(account_id)
            if account is None or account.disabled:
                raise Unauthorized("the room ticket is not valid", code="invalid_ticket")
            return Guest(account_id, account.display_name, room)

    def _may_join(self, uow: UnitOfWork, room: Room, account_id: int) -> None:
        if uow.rooms.is_blocked(room.id, account_id):
            raise RoomForbidden("you were removed from this room", code="room_blocked")
        if room.state is RoomState.ENDED:
            raise Conflict("this room has ended", code="room_ended")
        if room.state is RoomState.SCHEDULED:
            raise Conflict("this room has not started yet", code="room_not_started")

    # -- safety ----------------------------------------------------------------------------
    def block(self, room_id: int, user_id: int) -> None:
        with self.uow() as uow:
            uow.rooms.block(room_id, user_id, self.clock.now())
            uow.commit()

    def is_admin(self, account_id: int) -> bool:
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
            return account is not None and Role.ADMIN in account.roles

    def report(self, reporter_id: int, room_id: int, subject_id: int | None, reason: str) -> int:
        """A report of the room (no subject) or of a person in it, for the admins."""
        reason = rules.check_reason(reason)
        with self.uow() as uow:
            self._room(uow, room_id)
            if subject_id is not None and uow.accounts.get(subject_id) is None:
                raise NotFound(f"no listener {subject_id}", code="listener_not_found")
            report_id = uow.rooms.add_report(
                room_id, reporter_id, subject_id, reason, self.clock.now()
            )
            uow.commit()
        return report_id

    def reports(self, account_id: int) -> list[RoomReport]:
        if not self.is_admin(account_id):
            raise RoomForbidden("only admins read reports", code="admin_only")
        with self.uow() as uow:
            return uow.rooms.reports(REPORTS)

    def check_may_end(self, account_id: int, room_id: int) -> Room:
        """The host or an admin ends a room."""
        room = self.get(room_id)
        if room.host_id != account_id and not self.is_admin(account_id):
            raise RoomForbidden("only the host or an admin ends a room", code="room_host_only")
        return room

    def ended(self, room_id: int, recording: Path | None) -> None:
        """The room is over; its recording (a WAV file, moved into the blob store) kept."""
        with self.uow() as uow:
            room = self._room(uow, room_id)
            if room.state is not RoomState.ENDED:
                uow.rooms.set_state(room_id, RoomState.ENDED, self.clock.now())
            if recording is not None:
                with wave.open(str(recording), "rb") as heard:
                    seconds = heard.getnframes() / heard.getframerate()
                if seconds > 0:
                    stored = self.blobs.put_file(recording)
                    uow.rooms.set_recording(room_id, stored.digest, seconds)
            uow.commit()
        if recording is not None:
            recording.unlink(missing_ok=True)

    def recording(self, account_id: int, room_id: int) -> tuple[Room, str]:
        """The recording's blob, for anyone who could have joined the room."""
        with self.uow() as uow:
            room = self._room(uow, room_id)
            if uow.rooms.is_blocked(room_id, account_id):
                raise RoomForbidden("you were removed from this room", code="room_blocked")
        if room.recording is None:
            raise NotFound("this room has no recording (yet)", code="room_recording_not_found")
        return room, room.recording

    def new_recording(self) -> RecordingFile:
        return RecordingFile()

    def _room(self, uow: UnitOfWork, room_id: int) -> Room:
        room = uow.rooms.get(room_id)
        if room is None:
            raise NotFound(f"no room {room_id}", code="room_not_found")
        return room

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._secret, b"room:" + body.encode(), hashlib.sha256).digest())


class RecordingFile:
    """The stage's mixed audio as it is heard, written to a WAV file as the room goes on."""

    def __init__(self) -> None:
        # Both stay open as long as the room: closed by close() when it ends.
        handle = tempfile.NamedTemporaryFile(prefix="room-", suffix=".wav", delete=False)  # noqa: SIM115
        handle.close()
        self.path = Path(handle.name)
        self._wave = wave.open(str(self.path), "wb")  # noqa: SIM115
        self._wave.setnchannels(1)
        self._wave.setsampwidth(2)
        self._wave.setframerate(rules.SAMPLE_RATE)

    def write(self, pcm: bytes) -> None:
        self._wave.writeframesraw(pcm)

    def close(self) -> Path:
        self._wave.close()
        return self.path


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
