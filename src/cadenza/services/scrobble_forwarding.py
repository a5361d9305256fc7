"""Forwarding a listener's plays to their ListenBrainz or Last.fm. What is forwarded: every play
of theirs on Cadenza that ends (counted as a stream or not) once it was heard for half the track
or four minutes, whichever is less, and the track is over 30 seconds (Last.fm's scrobbling rule,
which ListenBrainz follows too).

The player's request only puts the play in an outbox (one insert); a worker sends the outbox in
the background, so a slow or absent remote never slows the player. A send that fails for a
while is tried again later with a growing pause, up to a day; one the remote refuses for good
(a revoked token) is given up."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cadenza.domain.errors import CadenzaError, Conflict, InvalidRequest, NotFound
from cadenza.domain.events import TrackFinished
from cadenza.ports.clock import Clock
from cadenza.ports.history import Forwarding, OutgoingPlay
from cadenza.ports.scrobblers import RemoteRefused, RemoteScrobblers, RemoteUnavailable, SecretBox
from cadenza.ports.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

SERVICES = ("listenbrainz", "lastfm")
MIN_TRACK_MS = 30_000
ENOUGH_MS = 240_000  # four minutes heard is always enough
CLAIM = timedelta(minutes=2)
POLL_S = 10.0
BATCH = 50
MAX_ATTEMPTS = 12
MAX_SECRET = 200


class RemoteAway(CadenzaError):
    code = "remote_unavailable"
    status = 503


@dataclass(frozen=True)
class ForwardingSetting:
    service: str
    remote_user: str | None
    since: datetime
    waiting: int  # plays not sent yet


def worth_forwarding(listened_ms: int, duration_ms: int) -> bool:
    return duration_ms > MIN_TRACK_MS and listened_ms >= min(duration_ms // 2, ENOUGH_MS)


def retry_delay(attempts: int) -> timedelta | None:
    """The pause before try `attempts + 1` (None: give up): 1, 2, 4 ... minutes, at most 6 h."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return min(timedelta(minutes=2**attempts), timedelta(hours=6))


class ScrobbleForwarding:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        remote: Callable[[], RemoteScrobblers],
        box: Callable[[], SecretBox],
    ) -> None:
        self.uow, self.clock = uow, clock
        self._remote, self._box = remote, box
        self.wake = threading.Event()
        self._stop = threading.Event()
        self._pass = threading.Lock()
        self._thread: threading.Thread | None = None

    # -- the listener's setting ------------------------------------------------------------
    def settings(self, account_id: int) -> list[ForwardingSetting]:
        with self.uow() as uow:
            found = uow.history.forwarding.of(account_id)
            waiting = uow.history.forwarding.waiting(account_id)
        return [ForwardingSetting(f.service, f.remote_user, f.created_at, waiting) for f in found]

    def connect(self, account_id: int, service: str, secret: str) -> ForwardingSetting:
        """Forward to ListenBrainz (a user token, checked with ListenBrainz first) or Last.fm
        (a session key; the operator's API key and secret must be set)."""
        secret = secret.strip()
        if service not in SERVICES:
            raise NotFound("forwarding goes to listenbrainz or lastfm", code="unknown_service")
        if not secret or len(secret) > MAX_SECRET:
            raise InvalidRequest("enter the token or session key", code="invalid_secret")
        remote = self._remote()
        user: str | None = None
        if service == "listenbrainz":
            try:
                user = remote.listenbrainz_user(secret)
            except RemoteRefused as exc:
                raise InvalidRequest(
                    "ListenBrainz does not know this token", code="remote_token_invalid"
                ) from exc
            except RemoteUnavailable:
                user = None  # saved unchecked: a token ListenBrainz refuses later is given up
        elif not remote.lastfm_ready():
            raise Conflict(
                "this server has no Last.fm API key: ask its operator", code="lastfm_not_configured"
            )
        now = self.clock.now()
        with self.uow() as uow:
            uow.history.forwarding.set(
                Forwarding(account_id, service, self._box().seal(secret), user or None, now)
            )
            uow.commit()
        return ForwardingSetting(service, user or None, now, 0)

    def lastfm_authorize_url(self, callback: str) -> str:
        """Where the listener allows this server on Last.fm (it comes back with a token)."""
        remote = self._remote()
        if not remote.lastfm_ready():
            raise Conflict(
                "this server has no Last.fm API key: ask its operator", code="lastfm_not_configured"
            )
        return remote.lastfm_authorize_url(callback)

    def connect_lastfm(self, account_id: int, token: str) -> ForwardingSetting:
        """Forward to Last.fm with the session the listener's allowed token gives."""
        remote = self._remote()
        if not remote.lastfm_ready():
            raise Conflict(
                "this server has no Last.fm API key: ask its operator", code="lastfm_not_configured"
            )
        try:
            key, user = remote.lastfm_session(token.strip())
        except RemoteRefused as exc:
            raise InvalidRequest(
                "Last.fm did not allow this token: connect again", code="remote_token_invalid"
            ) from exc
        except RemoteUnavailable as exc:
            raise Conflict(
                "Last.fm cannot be reached; try again later", code="remote_unavailable"
            ) from exc
        now = self.clock.now()
        with self.uow() as uow:
            uow.history.forwarding.set(
                Forwarding(account_id, "lastfm", self._box().seal(key), user or None, now)
            )
            uow.commit()
        return ForwardingSetting("lastfm", user or None, now, 0)

    def disconnect(self, account_id: int, service: str) -> None:
        with self.uow() as uow:
            if not uow.history.forwarding.delete(account_id, service):
                raise NotFound("not forwarding there", code="forwarding_not_found")
            uow.commit()

    # -- plays in ---------------------------------------------------------------------------
    def track_finished(self, event: TrackFinished) -> None:
        """A play of the listener's ended: into the outbox for each place they forward to."""
        with self.uow() as uow:
            targets = uow.history.forwarding.of(event.account_id)
            if not targets:
                return
            track = uow.catalog.track(event.track_id)
            if track is None or not worth_forwarding(event.listened_ms, track.duration_ms):
                return
            releases = uow.catalog.releases([track.release_id])
            started = event.ended_at - timedelta(milliseconds=event.listened_ms)
            for target in targets:
                uow.history.forwarding.enqueue(
                    OutgoingPlay(
                        id=0,
                        user_id=event.account_id,
                        service=target.service,
                        artist=", ".join(a.name for a in track.artists),
                        title=track.title,
                        album=releases[0].title if releases else "",
                        duration_ms=track.duration_ms,
                        played_at=started,
                        attempts=0,
                    ),
                    self.clock.now(),
                )
            uow.commit()
        self.wake.set()

    # -- plays out --------------------------------------------------------------------------
    def deliver_due(self, at: datetime | None = None) -> int:
        """Send every play due by `at` (now); how many went out."""
        sent = 0
        with self._pass:
            now = at or self.clock.now()
            while batch := self._claimed(now):
                groups: dict[tuple[int, str], list[OutgoingPlay]] = defaultdict(list)
                for play in batch:
                    groups[play.user_id, play.service].append(play)
                for (user, service), plays in groups.items():
                    sent += self._send(user, service, plays, now)
        return sent

    def _claimed(self, now: datetime) -> list[OutgoingPlay]:
        with self.uow() as uow:
            due = uow.history.forwarding.due(now, BATCH)
        claimed = []
        for play in due:
            with self.uow() as uow:
                if uow.history.forwarding.claim(play.id, now, now + CLAIM):
                    claimed.append(play)
                uow.commit()
        return claimed

    def _send(self, user: int, service: str, plays: list[OutgoingPlay], now: datetime) -> int:
        with self.uow() as uow:
            target = uow.history.forwarding.get(user, service)
        try:
            if target is None:
                raise RemoteRefused("forwarding was turned off")
            secret = self._box().open(target.sealed_secret)
            remote = self._remote()
            if service == "listenbrainz":
                remote.send_listenbrainz(secret, plays)
            else:
                remote.send_lastfm(secret, plays)
        except (RemoteRefused, ValueError) as exc:
            self._after(plays, now, str(exc), give_up=True)
            return 0
        except RemoteUnavailable as exc:
            self._after(plays, now, str(exc), give_up=False)
            return 0
        with self.uow() as uow:
            for play in plays:
                uow.history.forwarding.sent(play.id)
            uow.commit()
        return len(plays)

    def _after(self, plays: list[OutgoingPlay], now: datetime, error: str, give_up: bool) -> None:
        log.warning("forwarding %d plays failed: %s", len(plays), error)
        with self.uow() as uow:
            for play in plays:
                delay = None if give_up else retry_delay(play.attempts)
                if delay is None:
                    uow.history.forwarding.give_up(play.id, error)
                else:
                    uow.history.forwarding.retry(play.id, now + delay, error)
            uow.commit()

    # -- the worker -------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="scrobble-forwarding", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self.wake.set()
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.wake.wait(POLL_S)
            self.wake.clear()
            if self._stop.is_set():
                return
            try:
                self.deliver_due()
            except Exception:  # the database may be away for a moment: the next pass retries
                log.exception("scrobble forwarding pass failed")
