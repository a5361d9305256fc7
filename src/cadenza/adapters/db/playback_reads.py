"""The play command's reads and its write, as Core statements built once.

A play command (and next, previous, a prefetched grant) asks: is the session live, who is the
listener (plan, country, explicit filter), what is the track (files, loudness, and its
release's date, territories and takedown), and what is the player's state. Each is one
statement over plain columns, never the ORM's loading of whole rows and their relations, so
every answer is the database's current one (no cache): a logout, a plan change or a takedown
acts on the very next command, on any process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import AudioFileRow, ReleaseRow, TrackRow
from cadenza.adapters.db.models_accounts import SessionRow, UserRow
from cadenza.adapters.db.models_billing import MembershipRow
from cadenza.adapters.db.models_listening import PlayerStateRow
from cadenza.domain.audio import Loudness, Quality
from cadenza.domain.catalog import EncodedAudio, TrackToPlay, as_utc
from cadenza.domain.entitlements import Listener
from cadenza.domain.plans import Plan

_tracks, _releases, _files = TrackRow.__table__.c, ReleaseRow.__table__.c, AudioFileRow.__table__.c
_users, _sessions = UserRow.__table__.c, SessionRow.__table__.c
_members, _players = MembershipRow.__table__.c, PlayerStateRow.__table__.c

_TRACK_TO_PLAY = (
    select(
        _tracks.id,
        _tracks.release_id,
        _tracks.duration_ms,
        _tracks.explicit,
        _tracks.loudness_lufs,
        _tracks.true_peak_dbtp,
        _releases.distributor_id,
        _releases.release_at,
        _releases.territories,
        _releases.taken_down_at,
        _releases.premium_only,
        _files.quality,
        _files.blob,
        _files.size,
        _files.bitrate_kbps,
    )
    .select_from(TrackRow.__table__)
    .join(ReleaseRow.__table__, _releases.id == _tracks.release_id)
    .outerjoin(AudioFileRow.__table__, _files.track_id == _tracks.id)
)
_TRACKS_TO_PLAY = _TRACK_TO_PLAY.where(_tracks.id.in_(bindparam("ids", expanding=True)))
_RELEASE_TRACKS_TO_PLAY = _TRACK_TO_PLAY.where(
    _tracks.release_id == bindparam("release_id")
).order_by(_tracks.disc_number, _tracks.track_number, _tracks.id)

# Not ended, not expired, and signed in with the account's current credentials (a password
# change, reset, lock or disable raises the account's version).
_SESSION_LIVE = (
    select(_sessions.id)
    .select_from(SessionRow.__table__)
    .join(UserRow.__table__, _users.id == _sessions.user_id)
    .where(
        _sessions.id == bindparam("session_id"),
        _sessions.user_id == bindparam("account_id"),
        _sessions.revoked_at.is_(None),
        _sessions.expires_at > bindparam("now"),
        _sessions.credentials_version == _users.credentials_version,
    )
)

_LISTENER = (
    select(_users.plan, _users.country, _members.allow_explicit)
    .select_from(UserRow.__table__)
    .outerjoin(MembershipRow.__table__, _members.user_id == _users.id)
    .where(_users.id == bindparam("account_id"))
)

_PLAYER_STATE = select(_players.state, _players.version).where(
    _players.user_id == bindparam("account_id")
)

_SAVE_PLAYER_STATE = (
    update(cast(Table, PlayerStateRow.__table__))
    .where(and_(_players.user_id == bindparam("account_id"), _players.version == bindparam("seen")))
    .values(
        state=bindparam("state", type_=_players.state.type),
        version=bindparam("next_version"),
        updated_at=bindparam("now", type_=_players.updated_at.type),
    )
)

_QUALITY_ORDER = {q: n for n, q in enumerate(Quality)}


def tracks_to_play(s: Session, track_ids: list[int]) -> list[TrackToPlay]:
    """The tracks found, in the order asked."""
    if not track_ids:
        return []
    by_id = _by_track(s.execute(_TRACKS_TO_PLAY, {"ids": list(dict.fromkeys(track_ids))}))
    return [_track_to_play(by_id[t]) for t in dict.fromkeys(track_ids) if t in by_id]


def release_tracks_to_play(s: Session, release_id: int) -> list[TrackToPlay]:
    """The release's tracks in their order (disc, number); none for no such release."""
    by_id = _by_track(s.execute(_RELEASE_TRACKS_TO_PLAY, {"release_id": release_id}))
    return [_track_to_play(rows) for rows in by_id.values()]


def _by_track(rows: Iterable[Any]) -> dict[int, list[Any]]:
    """Core rows, one per file, grouped by track in the order they came."""
    by_id: dict[int, list[Any]] = {}
    for row in rows:
        by_id.setdefault(row.id, []).append(row)
    return by_id


def _track_to_play(rows: Sequence[Any]) -> TrackToPlay:
    first = rows[0]
    files = [
        EncodedAudio(Quality(r.quality), r.blob, r.size, r.bitrate_kbps)
        for r in rows
        if r.quality is not None
    ]
    files.sort(key=lambda f: _QUALITY_ORDER[f.quality])
    return TrackToPlay(
        id=first.id,
        release_id=first.release_id,
        duration_ms=first.duration_ms,
        explicit=bool(first.explicit),
        loudness=Loudness(first.loudness_lufs, first.true_peak_dbtp),
        files=tuple(files),
        distributor_id=first.distributor_id,
        release_at=as_utc(first.release_at),
        territories=tuple(first.territories.split()),
        taken_down_at=as_utc(first.taken_down_at) if first.taken_down_at else None,
        premium_only=bool(first.premium_only),
    )


def session_live(s: Session, session_id: int, account_id: int, now: datetime) -> bool:
    found = s.execute(
        _SESSION_LIVE, {"session_id": session_id, "account_id": account_id, "now": now}
    ).first()
    return found is not None


def as_listener(s: Session, account_id: int) -> Listener | None:
    row = s.execute(_LISTENER, {"account_id": account_id}).first()
    if row is None:
        return None
    allow_explicit = row.allow_explicit if row.allow_explicit is not None else True
    return Listener(plan=Plan(row.plan), allow_explicit=bool(allow_explicit), country=row.country)


def player_state(s: Session, account_id: int) -> tuple[dict[str, object], int] | None:
    row = s.execute(_PLAYER_STATE, {"account_id": account_id}).first()
    return (dict(row.state), int(row.version)) if row is not None else None


def save_player_state(
    s: Session, account_id: int, state: dict[str, object], version: int, now: datetime
) -> bool:
    """Store the state if it is still at `version` (an existing row)."""
    done = s.execute(
        _SAVE_PLAYER_STATE,
        {
            "account_id": account_id,
            "seen": version,
            "state": state,
            "next_version": version + 1,
            "now": now,
        },
    )
    return getattr(done, "rowcount", 0) == 1
