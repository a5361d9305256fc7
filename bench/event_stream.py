"""The durable event stream's cost on the way in: a listening event appended to NATS JetStream
and acknowledged as stored (what an events request waits for with CADENZA_NATS_URL), one after
another as one request thread sends them, and a batch of 50 (a player's usual flush) as the
events API sends it. Against the NATS at 127.0.0.1:4222 (or CADENZA_BENCH_NATS), in streams of
its own prefix, deleted after."""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._results import write_results

from cadenza.adapters.events.jetstream import JetStreamLog
from cadenza.domain.listening import EventKind, ListeningEvent
from cadenza.services.listening_stream import append_events, encode

EVENTS = 3000
BATCHES = 60
BATCH = 50


def main() -> None:
    url = os.environ.get("CADENZA_BENCH_NATS", "nats://127.0.0.1:4222")
    log = JetStreamLog(url, f"cadenza-bench-{uuid.uuid4().hex[:8]}")
    try:
        now = datetime.now(UTC)
        each: list[float] = []
        for number in range(EVENTS):
            event = ListeningEvent(f"e{number}", "p", EventKind.PROGRESS, 1, "phone", 0, now)
            started = time.perf_counter()
            log.append("listening.1", encode(1, event), f"1:{event.client_id}")
            each.append(time.perf_counter() - started)
        batches: list[float] = []
        for batch in range(BATCHES):
            events = [
                ListeningEvent(f"b{batch}-{n}", "p", EventKind.PROGRESS, 1, "phone", 0, now)
                for n in range(BATCH)
            ]
            started = time.perf_counter()
            report = append_events(log, now, 2, events)
            batches.append(time.perf_counter() - started)
            assert report.accepted == BATCH
        each.sort()
        batches.sort()
        figures = {
            "append_per_s": round(EVENTS / sum(each), 1),
            "append_p50_ms": round(statistics.median(each) * 1000, 3),
            "append_p99_ms": round(each[int(len(each) * 0.99)] * 1000, 3),
            "batch_of_50_p50_ms": round(statistics.median(batches) * 1000, 2),
            "batch_of_50_p99_ms": round(batches[int(len(batches) * 0.99)] * 1000, 2),
        }
        notes = {
            "append_per_s": f"{EVENTS} events appended one after another, each acknowledged",
            "append_p50_ms": "one event stored and acknowledged by JetStream (median)",
            "append_p99_ms": "the same, 99th percentile",
            "batch_of_50_p50_ms": "a request's 50 events stored before its answer (median)",
            "batch_of_50_p99_ms": "the same, 99th percentile",
        }
        write_results("event_stream", figures, notes)
    finally:
        log.delete_streams()
        log.close()


if __name__ == "__main__":
    main()
