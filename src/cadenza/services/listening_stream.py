"""Listening events through the durable event stream (CADENZA_NATS_URL).

In: `append_events` checks each event on its own (age, clock, positions: `event_problem`) and
stores the others in the stream under `listening.<account>`, each with its dedup id
`<account>:<client id>`, before the answer: an event the client is told was accepted is stored,
and a resend of it is a duplicate. Nothing is written to the database on the way in.

Out: the durable consumer `counting` (`Counting.handle`) decodes a batch and hands each
account's events to `ListeningService.count`, the same rules and transaction as without the
stream. Counting is idempotent: an event is kept once by its client id (the unique key of the
events table), and a play's verdict is made again from its stored events, so a batch that
comes twice (its consumer died before acknowledging it) counts nothing twice. What the rules
refuse there (an unknown track, an online play a day late) is logged, not answered: the
client had its answer already."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

from cadenza.domain.errors import CadenzaError
from cadenza.domain.event_stream import LISTENING
from cadenza.domain.listening import EventKind, ListeningEvent, PlaySource, event_problem
from cadenza.ports.event_log import EventLog, LogEntry

if TYPE_CHECKING:
    from cadenza.services.listening import EventReport, ListeningService

log = logging.getLogger(__name__)


def encode(account_id: int, event: ListeningEvent) -> bytes:
    fields = asdict(event)
    fields["at"] = event.at.isoformat()
    return json.dumps({"account": account_id, "event": fields}, separators=(",", ":")).encode()


def decode(data: bytes) -> tuple[int, ListeningEvent]:
    raw = json.loads(data)
    fields = raw["event"]
    source = fields.get("source")
    event = ListeningEvent(
        client_id=str(fields["client_id"]),
        play_id=str(fields["play_id"]),
        kind=EventKind(fields["kind"]),
        track_id=int(fields["track_id"]),
        device=str(fields["device"]),
        position_ms=int(fields["position_ms"]),
        at=datetime.fromisoformat(fields["at"]),
        seek_to_ms=None if fields.get("seek_to_ms") is None else int(fields["seek_to_ms"]),
        source=PlaySource(source) if source is not None else None,
    )
    return int(raw["account"]), event


def append_events(
    log_: EventLog, now: datetime, account_id: int, events: list[ListeningEvent]
) -> EventReport:
    from cadenza.services.listening import EventReport

    report = EventReport()
    entries = []
    for event in events:
        problem = event_problem(event, now)
        if problem is not None:
            report.rejected.append((event.client_id, problem))
            continue
        dedup_id = f"{account_id}:{event.client_id}"
        entries.append((f"{LISTENING}.{account_id}", encode(account_id, event), dedup_id))
    if entries:  # sent at once, acknowledged each: one round trip for the batch
        for stored in log_.append_all(entries):
            if stored:
                report.accepted += 1
            else:
                report.duplicates += 1
    return report


class Counting:
    """The `counting` consumer: plays judged and counted into the database."""

    def __init__(self, listening: ListeningService) -> None:
        self.listening = listening

    def handle(self, entries: list[LogEntry]) -> None:
        by_account: dict[int, list[ListeningEvent]] = defaultdict(list)
        for entry in entries:
            try:
                account_id, event = decode(entry.data)
            except (ValueError, KeyError, TypeError):
                log.warning("event stream: entry %d is not a listening event", entry.sequence)
                continue
            by_account[account_id].append(event)
        for account_id, events in by_account.items():
            try:
                report = self.listening.count(account_id, events)
            except CadenzaError as refused:  # for good (the account was deleted since): dropped
                log.warning(
                    "event stream: %d events of account %d not counted: %s",
                    len(events),
                    account_id,
                    refused.code,
                )
                continue
            # Anything else (the database away) raises: the batch comes again, nothing lost.
            if report.rejected:
                log.warning(
                    "event stream: %d events of account %d refused when counted (%s)",
                    len(report.rejected),
                    account_id,
                    ", ".join(sorted({code for _, code in report.rejected})),
                )
