"""The batch jobs' side tables (ports/batch_inputs.py) by plain SELECTs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import TrackArtistRow, TrackRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.adapters.db.read_values import as_day
from cadenza.domain.listening import COUNTED_AFTER_MS


class SqlBatchInputs:
    def __init__(self, session: Session) -> None:
        self.s = session

    def account_countries(self) -> list[tuple[int, str]]:
        rows = self.s.execute(select(UserRow.id, UserRow.country).order_by(UserRow.id))
        return [(int(i), str(c or "")) for i, c in rows]

    def listeners(self) -> list[tuple[int, str, str | None, str | None, date]]:
        u = UserRow
        rows = self.s.execute(
            select(u.id, u.country, u.city, u.gender, u.birth_date).order_by(u.id)
        )
        return [(int(i), str(c or ""), city, g, as_day(b)) for i, c, city, g, b in rows]

    def set_aside(self, since: datetime, until: datetime) -> list[tuple[int, str, bool]]:
        p = PlayRow
        rows = self.s.execute(
            select(p.user_id, p.play_id, p.counted, p.flagged_artificial)
            .where(
                p.started_at >= since,
                p.started_at < until,
                p.listened_ms >= COUNTED_AFTER_MS,
                or_(p.counted.is_(False), p.flagged_artificial.is_(True)),
            )
            .order_by(p.user_id, p.play_id)
        )
        return [(int(u), str(play), bool(c and f)) for u, play, c, f in rows]

    def track_owners(self) -> list[tuple[int, str, int]]:
        owners = [(int(t), "track", int(t)) for t in self.s.scalars(select(TrackRow.id))]
        owners += [
            (int(t), "release", int(r))
            for t, r in self.s.execute(select(TrackRow.id, TrackRow.release_id))
        ]
        owners += [
            (int(t), "artist", int(a))
            for t, a in self.s.execute(select(TrackArtistRow.track_id, TrackArtistRow.artist_id))
        ]
        return sorted(owners)
