"""The peer tracker in SQL: peers, what they hold, and reports of bad chunks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models_peers import PeerBlobRow, PeerReportRow, PeerRow
from cadenza.domain.peers import PeerSeen


class SqlPeers:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _peer(self, account_id: int, host: str, port: int) -> PeerRow | None:
        return self.s.scalars(
            select(PeerRow).where(
                PeerRow.user_id == account_id, PeerRow.host == host, PeerRow.port == port
            )
        ).first()

    def announce(
        self,
        account_id: int,
        host: str,
        port: int,
        region: str | None,
        blobs: Iterable[str],
        replace: bool,
        now: datetime,
        expires: datetime,
    ) -> int:
        row = self._peer(account_id, host, port)
        if row is None:
            row = PeerRow(user_id=account_id, host=host, port=port, region=region, expires_at=now)
            self.s.add(row)
            self.s.flush()
        row.region, row.expires_at = region, expires
        if replace:
            self.s.execute(delete(PeerBlobRow).where(PeerBlobRow.peer_id == row.id))
        values = [{"peer_id": row.id, "blob": b} for b in sorted(set(blobs))]
        if values:
            insert = insert_on_conflict(self.s, PeerBlobRow)
            self.s.execute(insert.values(values).on_conflict_do_nothing())
        count = self.s.scalar(
            select(func.count()).select_from(PeerBlobRow).where(PeerBlobRow.peer_id == row.id)
        )
        return int(count or 0)

    def withdraw(self, account_id: int, host: str, port: int) -> None:
        row = self._peer(account_id, host, port)
        if row is not None:
            self.s.execute(delete(PeerBlobRow).where(PeerBlobRow.peer_id == row.id))
            self.s.delete(row)
            self.s.flush()

    def holders(self, blob: str, now: datetime, exclude_account: int) -> list[PeerSeen]:
        rows = self.s.execute(
            select(PeerRow.host, PeerRow.port, PeerRow.region)
            .join(PeerBlobRow, PeerBlobRow.peer_id == PeerRow.id)
            .where(
                PeerBlobRow.blob == blob,
                PeerRow.expires_at > now,
                PeerRow.user_id != exclude_account,
            )
            .limit(200)  # enough to choose the nearest from
        )
        return [PeerSeen(host, port, region) for host, port, region in rows]

    def report(self, reporter_id: int, host: str, port: int, now: datetime) -> None:
        insert = insert_on_conflict(self.s, PeerReportRow)
        self.s.execute(
            insert.values(
                reporter_id=reporter_id, host=host, port=port, reported_at=now
            ).on_conflict_do_update(
                index_elements=["reporter_id", "host", "port"], set_={"reported_at": now}
            )
        )

    def avoided(self, reporter_id: int, since: datetime, by_anyone: int) -> set[tuple[str, int]]:
        recent = PeerReportRow.reported_at >= since
        own = self.s.execute(
            select(PeerReportRow.host, PeerReportRow.port).where(
                recent, PeerReportRow.reporter_id == reporter_id
            )
        )
        many = self.s.execute(
            select(PeerReportRow.host, PeerReportRow.port)
            .where(recent)
            .group_by(PeerReportRow.host, PeerReportRow.port)
            .having(func.count(PeerReportRow.reporter_id.distinct()) >= by_anyone)
        )
        return {(h, p) for h, p in own} | {(h, p) for h, p in many}

    def prune(self, now: datetime, reports_before: datetime) -> int:
        expired = select(PeerRow.id).where(PeerRow.expires_at <= now)
        self.s.execute(delete(PeerBlobRow).where(PeerBlobRow.peer_id.in_(expired)))
        done = self.s.execute(delete(PeerRow).where(PeerRow.expires_at <= now))
        gone = getattr(done, "rowcount", 0)
        self.s.execute(delete(PeerReportRow).where(PeerReportRow.reported_at < reports_before))
        return int(gone or 0)
