"""Rip detection's ledgers in Redis, so that every server process adds to the same account: a
hash per account, one field per file fetched ("track:quality" -> "size,duration,sent,last"),
updated and read back in one atomic script per account per batch (services/fetch_batches.py); files that left the sliding
window are dropped on the way, and the whole hash expires when the account goes quiet."""

from __future__ import annotations

from datetime import UTC, datetime

import redis

from cadenza.domain.ripping import FetchLedger, RipRules, TrackFetch, TrackKey

DOWNLOADED = "downloaded"

_RECORD = """
local now = tonumber(ARGV[1])
local start = now - tonumber(ARGV[2])
for i = 3, #ARGV, 4 do
  local sent = 0
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if current then
    local before, last = string.match(current, '^[^,]+,[^,]+,([^,]+),([^,]+)$')
    if tonumber(last) > start then sent = tonumber(before) end
  end
  sent = sent + tonumber(ARGV[i + 3])
  redis.call('HSET', KEYS[1], ARGV[i],
    ARGV[i + 1] .. ',' .. ARGV[i + 2] .. ',' .. string.format('%d', sent) .. ',' .. ARGV[1])
end
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 60)
local all = redis.call('HGETALL', KEYS[1])
local kept = {}
for i = 1, #all, 2 do
  local name, value = all[i], all[i + 1]
  local last = string.match(value, ',([^,]+)$')
  if name ~= 'downloaded' and last and tonumber(last) <= start then
    redis.call('HDEL', KEYS[1], name)
  else
    table.insert(kept, name)
    table.insert(kept, value)
  end
end
return kept
"""


class RedisFetchTally:
    def __init__(self, client: redis.Redis, rules: RipRules, prefix: str = "cadenza") -> None:
        self.redis, self.rules, self.prefix = client, rules, prefix
        self._record = client.register_script(_RECORD)

    def record(
        self, batch: dict[int, dict[TrackKey, TrackFetch]], now: datetime
    ) -> dict[int, FetchLedger]:
        window = self.rules.window.total_seconds()
        accounts = list(batch)
        with self.redis.pipeline(transaction=False) as pipe:
            for account_id in accounts:
                args: list[str | int | float] = [f"{now.timestamp():.6f}", window]
                for (track, quality), fetch in batch[account_id].items():
                    args += [f"{track}:{quality}", fetch.size, repr(fetch.duration_s), fetch.sent]
                self._record(keys=[self._key(account_id)], args=args, client=pipe)
            answers = pipe.execute()
        return {a: self._ledger_of(list(e)) for a, e in zip(accounts, answers, strict=True)}

    def record_download(self, account_id: int, sent: int, size: int, duration_s: float) -> None:
        if size > 0:
            seconds = min(sent, size) * duration_s / size
            with self.redis.pipeline() as pipe:
                pipe.hincrbyfloat(self._key(account_id), DOWNLOADED, seconds)
                pipe.expire(self._key(account_id), int(self.rules.window.total_seconds()) + 60)
                pipe.execute()

    def ledger(self, account_id: int) -> FetchLedger:
        entries = self.redis.hgetall(self._key(account_id))
        return self._ledger_of([x for pair in entries.items() for x in pair])

    def first_to_flag(self, account_id: int) -> bool:
        window = int(self.rules.window.total_seconds()) + 60
        return bool(self.redis.set(self._key(account_id, "rip-flagging"), 1, nx=True, ex=window))

    def forget(self, account_id: int) -> None:
        self.redis.delete(self._key(account_id), self._key(account_id, "rip-flagging"))

    def _key(self, account_id: int, kind: str = "rip-ledger") -> str:
        return f"{self.prefix}:{kind}:{account_id}"

    def _ledger_of(self, entries: list[bytes | str]) -> FetchLedger:
        ledger = FetchLedger(self.rules)
        for name, value in zip(entries[::2], entries[1::2], strict=True):
            field, text = _text(name), _text(value)
            if field == DOWNLOADED:
                ledger.downloaded_s = float(text)
                continue
            track, quality = field.split(":", 1)
            size, duration, sent, last = text.split(",")
            ledger.fetches[(int(track), quality)] = TrackFetch(
                size=int(size),
                duration_s=float(duration),
                sent=int(sent),
                last_at=datetime.fromtimestamp(float(last), UTC),
            )
        return ledger


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
