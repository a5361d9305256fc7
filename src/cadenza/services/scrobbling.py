"""Scrobbling apps sending plays to Cadenza as they would to ListenBrainz: a listener's token
(shown once, kept as its SHA-256), and listens checked by ListenBrainz's documented limits and
matched to the catalog. Matched listens join the listener's imported history (source
`scrobble`): history, never counted streams. `playing_now` is checked and answered, and keeps
nothing (Cadenza's own player says what is playing)."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Any

from cadenza.domain.history_matching import HistorySource, PastPlay
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.history_files import listen_play
from cadenza.services.history_import import heard_ms
from cadenza.services.history_matching import CatalogIndex, Matcher

# ListenBrainz's documented limits (api_tools): a listen's JSON, listens per request, the
# request's whole payload, tags per listen and a tag's length, the earliest listened_at.
MAX_LISTEN_SIZE = 10_240
MAX_LISTENS_PER_REQUEST = 1_000
MAX_LISTEN_PAYLOAD_SIZE = MAX_LISTEN_SIZE * MAX_LISTENS_PER_REQUEST
MAX_TAGS_PER_LISTEN = 50
MAX_TAG_SIZE = 64
LISTEN_MINIMUM_TS = 1_033_430_400
LISTEN_TYPES = ("single", "playing_now", "import")
INDEX_LIFETIME_S = 300.0  # the catalog as scrobbles are matched against: rebuilt this often


class ListenRefused(ValueError):
    """A submission ListenBrainz would refuse (400), with its message."""


@dataclass(frozen=True)
class Scrobbler:
    account_id: int
    user_name: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


class Scrobbling:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow, self.clock = uow, clock
        self._index: tuple[float, CatalogIndex] | None = None
        self._index_lock = Lock()

    # -- the listener's token ------------------------------------------------------------------
    def new_token(self, account_id: int) -> str:
        """A new token (any earlier one stops working at once); shown once, kept hashed."""
        token = str(uuid.uuid4())
        with self.uow() as uow:
            uow.history.set_token(account_id, token_hash(token), self.clock.now())
            uow.commit()
        return token

    def token_made(self, account_id: int) -> datetime | None:
        with self.uow() as uow:
            return uow.history.token_made(account_id)

    def revoke(self, account_id: int) -> None:
        with self.uow() as uow:
            uow.history.delete_token(account_id)
            uow.commit()

    def scrobbler(self, token: str) -> Scrobbler | None:
        """Whose token this is (None: nobody's)."""
        if not token or len(token) > 200:
            return None
        with self.uow() as uow:
            owner = uow.history.token_owner(token_hash(token))
            account = uow.accounts.get(owner) if owner is not None else None
        if account is None:
            return None
        return Scrobbler(account.id, account.display_name)

    # -- listens -------------------------------------------------------------------------------
    def submit(self, account_id: int, body: object) -> int:
        """Check a submission (ListenRefused with ListenBrainz's reason) and keep its matched
        listens; how many were new to the listener's history."""
        plays = self.check(body)
        if not plays:
            return 0
        matcher = Matcher(self.index())
        rows = []
        for play in plays:
            track = matcher.match(play)
            if track is not None:
                rows.append((track, play.played_at, heard_ms(play, matcher.duration(track))))
        with self.uow() as uow:
            added = uow.history.add_plays(account_id, None, HistorySource.SCROBBLE.value, rows)
            uow.history.remember_spotify_uris(matcher.learned)
            uow.commit()
        return added

    def check(self, body: object) -> list[PastPlay]:
        """The plays to keep (none for playing_now), by ListenBrainz's rules."""
        if not isinstance(body, dict):
            raise ListenRefused("Invalid JSON document submitted.")
        kind = body.get("listen_type")
        if kind not in LISTEN_TYPES:
            raise ListenRefused("JSON document requires a valid listen_type key.")
        payload = body.get("payload")
        if not isinstance(payload, list) or not payload:
            raise ListenRefused("JSON document does not contain any listens.")
        if kind in ("single", "playing_now") and len(payload) != 1:
            raise ListenRefused("JSON document should contain exactly one listen.")
        if len(payload) > MAX_LISTENS_PER_REQUEST:
            raise ListenRefused(f"Too many listens: at most {MAX_LISTENS_PER_REQUEST} a request.")
        plays = []
        for listen in payload:
            play = _checked(listen, kind)
            if play is not None:
                plays.append(play)
        return plays

    def index(self) -> CatalogIndex:
        with self._index_lock:
            now = time.monotonic()
            if self._index is None or now - self._index[0] > INDEX_LIFETIME_S:
                with self.uow() as uow:
                    built = CatalogIndex.build(uow.history.catalog(), uow.history.spotify_uris())
                self._index = (now, built)
            return self._index[1]


def _checked(listen: Any, kind: str) -> PastPlay | None:
    if not isinstance(listen, dict):
        raise ListenRefused("A listen must be a JSON object.")
    if len(json.dumps(listen)) > MAX_LISTEN_SIZE:
        raise ListenRefused(f"Listen exceeds the maximum size of {MAX_LISTEN_SIZE} bytes.")
    meta = listen.get("track_metadata")
    if not isinstance(meta, dict):
        raise ListenRefused("JSON document does not contain track_metadata.")
    for key in ("artist_name", "track_name"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise ListenRefused(f"JSON document does not contain required field {key}.")
    info = meta.get("additional_info", {})
    if not isinstance(info, dict):
        raise ListenRefused("additional_info must be a JSON object.")
    tags = info.get("tags", [])
    if not isinstance(tags, list) or len(tags) > MAX_TAGS_PER_LISTEN:
        raise ListenRefused(f"Too many tags: at most {MAX_TAGS_PER_LISTEN}.")
    if any(not isinstance(t, str) or len(t) > MAX_TAG_SIZE for t in tags):
        raise ListenRefused(f"A tag is longer than {MAX_TAG_SIZE} characters.")
    at = listen.get("listened_at")
    if kind == "playing_now":
        if at is not None:
            raise ListenRefused("JSON document must not contain listened_at for playing_now.")
        return None
    if isinstance(at, bool) or not isinstance(at, int):
        raise ListenRefused("JSON document must contain listened_at as an integer.")
    if at < LISTEN_MINIMUM_TS:
        raise ListenRefused("Value for key listened_at is too low.")
    play = listen_play(listen)
    if play is None:
        raise ListenRefused("Value for key listened_at is too high.")
    return play
