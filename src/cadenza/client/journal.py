"""Listening events kept on disk until the server has them: written before they are sent, sent
in batches with their own ids (the server keeps an event once by its id, so a batch resent
after a lost answer counts once), removed only once the server answered."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cadenza.client.api import CadenzaClient
from cadenza.client.errors import CadenzaClientError
from cadenza.client.vault import write_atomically

BATCH = 500  # the server's most per request
GIVE_UP = {400, 403, 404, 409, 413, 422}  # the server will never take this batch as it is


@dataclass(frozen=True)
class Delivery:
    accepted: int
    duplicates: int
    rejected: int
    waiting: int  # still on disk (offline, or the server failed)


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(12)}"


def listening_event(
    kind: str,
    *,
    play_id: str,
    track_id: int,
    device: str,
    position_ms: int,
    seek_to_ms: int | None = None,
    source: str | None = None,
    at: datetime | None = None,
) -> dict[str, object]:
    """One event as POST /me/player/events takes it, with a fresh id."""
    event: dict[str, object] = {
        "id": new_id("ev"),
        "play_id": play_id,
        "kind": kind,
        "track_id": track_id,
        "device": device,
        "position_ms": max(0, int(position_ms)),
        "at": (at or datetime.now(UTC)).isoformat(),
    }
    if seek_to_ms is not None:
        event["seek_to_ms"] = max(0, int(seek_to_ms))
    if source is not None:
        event["source"] = source
    return event


class EventJournal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def record(self, event: Mapping[str, object]) -> None:
        line = json.dumps(dict(event), separators=(",", ":")) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line)
            out.flush()

    def pending(self) -> list[dict[str, object]]:
        with self._lock:
            return self._read()

    async def deliver(self, client: CadenzaClient) -> Delivery:
        """Send what waits, oldest first; whatever the server did not answer stays."""
        accepted = duplicates = rejected = 0
        while True:
            batch = self.pending()[:BATCH]
            if not batch:
                break
            try:
                report = await client.send_events(batch)
            except CadenzaClientError as exc:
                if exc.status not in GIVE_UP:
                    break  # offline, signed out or the server failing: try later
                rejected += len(batch)
            else:
                accepted += int(report["accepted"])
                duplicates += int(report["duplicates"])
                rejected += len(report["rejected"])
            self._drop({str(e["id"]) for e in batch})
        return Delivery(accepted, duplicates, rejected, len(self.pending()))

    def _drop(self, ids: set[str]) -> None:
        with self._lock:
            kept = [e for e in self._read() if str(e.get("id")) not in ids]
            text = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in kept)
            write_atomically(self.path, text.encode())

    def _read(self) -> list[dict[str, object]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        events = []
        for line in lines:
            try:
                events.append(json.loads(line))
            except ValueError:
                continue  # a line cut short by a crash
        return events
