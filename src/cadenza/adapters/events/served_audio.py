"""The audio sent per account and track, shared by the server processes of one deployment: a
play's ranges are often answered by several processes, and the one that judges the play must see
them all (issue 13).

Each process adds up what it sends in memory, as on one process (no Redis round trip per range:
the audio path stays as fast as bench/streaming.py measures), and a daemon thread moves what it
gathered to Redis every FLUSH_EVERY_S: INCRBY on one key per (account, track), which lives as long
as an unwritten tally is kept (FORGET_AFTER). Taking a tally takes this process's unflushed part
and the Redis key at once (GET and DEL in one MULTI), so two processes never write the same audio
to a grant window twice. Redis away: the tally stays in this process (with a warning), to be
flushed when Redis is back; meanwhile it counts as on one process."""

from __future__ import annotations

import logging
import threading
import time

import redis

from cadenza.domain.served_audio import FORGET_AFTER, ServedAudio

log = logging.getLogger(__name__)
FLUSH_EVERY_S = 1.0
SETTLE_MARGIN_S = 0.5  # beyond one flush period: a flush under way, a slow Redis


class SharedServedAudio(ServedAudio):
    def __init__(
        self, client: redis.Redis, prefix: str, flush_every_s: float = FLUSH_EVERY_S
    ) -> None:
        super().__init__()
        self.redis, self.prefix, self.flush_every_s = client, prefix, flush_every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="served-audio", daemon=True)
        self._thread.start()

    def key(self, account_id: int, track_id: int) -> str:
        return f"{self.prefix}:served:{account_id}:{track_id}"

    def flush(self) -> None:
        """Move what this process gathered to Redis (kept here if Redis is away)."""
        with self._lock:
            gathered, self._sent = self._sent, {}
        if not gathered:
            return
        ttl = int(FORGET_AFTER.total_seconds())
        try:
            with self.redis.pipeline(transaction=False) as pipe:
                for (account_id, track_id), (ms, _) in gathered.items():
                    key = self.key(account_id, track_id)
                    pipe.incrby(key, ms)
                    pipe.expire(key, ttl)
                pipe.execute()
        except redis.RedisError:
            log.warning("Redis is away: the audio sent stays counted in this process only")
            with self._lock:  # back, added to what was sent meanwhile
                for k, (ms, at) in gathered.items():
                    later = self._sent.get(k)
                    self._sent[k] = (ms + later[0], max(at, later[1])) if later else (ms, at)

    def peek(self, account_id: int, track_id: int) -> int:
        local = super().peek(account_id, track_id)
        try:
            shared = self.redis.get(self.key(account_id, track_id))
        except redis.RedisError:
            log.warning("Redis is away: only the audio this process sent is seen")
            return local
        return local + int(shared or 0)

    def take(self, account_id: int, track_id: int) -> int:
        """This process's unflushed part and every flushed part, removed. A part being flushed
        at this very moment is in neither: it stays in Redis for the next take (a grant's, or
        the verdict's after its wait)."""
        local = super().take(account_id, track_id)
        key = self.key(account_id, track_id)
        try:
            with self.redis.pipeline(transaction=True) as pipe:
                pipe.get(key)
                pipe.delete(key)
                shared, _ = pipe.execute()
        except redis.RedisError:  # what is there is taken once Redis is back (or runs out)
            log.warning("Redis is away: only the audio this process sent is written")
            return local
        return local + int(shared or 0)

    def settle(self, since: float) -> bool:
        """Wait until one flush period (and a margin) has passed since `since` (time.monotonic):
        every other process has then flushed what it had sent before then."""
        time.sleep(max(0.0, since + self.flush_every_s + SETTLE_MARGIN_S - time.monotonic()))
        return True

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.flush_every_s + 5)
        self.flush()  # what this process sent reaches the others before it ends

    def _run(self) -> None:
        while not self._stop.wait(self.flush_every_s):
            try:
                self.flush()
            except Exception:  # never let the thread die: the next round tries again
                log.warning("could not flush the audio sent to Redis", exc_info=True)
