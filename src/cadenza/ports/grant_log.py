"""The stream grants issued, as windows per account, device and track (trusted counts)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.stream_counts import GrantWindow


class GrantLogRepository(Protocol):
    def extend(
        self,
        user_id: int,
        device: str,
        track_id: int,
        issued_at: datetime,
        expires_at: datetime,
        served_ms: int,
        metered: bool,
    ) -> None:
        """Extend the device's window for the track when its last grant ran out less than
        WINDOW_GAP ago, else open a new one; add the audio sent since the last write."""
        ...

    def add_served(self, user_id: int, track_id: int, served_ms: int) -> None:
        """Audio sent for the account's latest window of the track (any device)."""
        ...

    def windows(self, user_id: int, track_id: int, since: datetime) -> list[GrantWindow]:
        """The account's windows for the track still open at `since` or later."""
        ...
