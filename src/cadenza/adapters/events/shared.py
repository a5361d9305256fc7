"""Player events for several server processes: a listener's phone may hold its stream open on
one process and the browser on another. Each process keeps its own streams (the in-process hub)
and passes every event to the others over the deployment's Redis bus; who is connected anywhere
is a Redis sorted set per account whose entries each process renews while its streams stay open
(a process that dies leaves entries that run out after ONLINE_TTL_S)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis

from cadenza.adapters.events.bus import RedisBus
from cadenza.adapters.events.memory import InProcessPlayerEvents
from cadenza.domain.devices import PlayerEvent
from cadenza.ports.devices import EventSubscription

log = logging.getLogger(__name__)
ONLINE_TTL_S = 90.0
RENEW_S = 30.0
TOPIC = "player-events"

Encode = Callable[[PlayerEvent], dict[str, object]]
Decode = Callable[[dict[str, object]], PlayerEvent]


class SharedPlayerEvents:
    def __init__(self, bus: RedisBus, encode: Encode, decode: Decode) -> None:
        self.bus, self.encode, self.decode = bus, encode, decode
        self.local = InProcessPlayerEvents(on_drop=self._dropped)
        self._stop = threading.Event()
        bus.listen(TOPIC, self._arrived)
        threading.Thread(target=self._renew, name="player-online", daemon=True).start()

    def publish(self, account_id: int, event: PlayerEvent) -> None:
        self.local.publish(account_id, event)  # this process's streams get the very object
        message = {"origin": self.bus.origin, "account": account_id, "event": self.encode(event)}
        try:
            self.bus.publish(TOPIC, message)
        except redis.RedisError:  # the change is saved; devices elsewhere hear the next one
            log.warning("Redis is away: a player event reached this process only", exc_info=True)

    # Redis going away must not break a listener's devices on this process: every call to it
    # below falls back to what this process knows, and the renew thread catches up within
    # RENEW_S once it is back.
    def subscribe(self, account_id: int, device_id: str) -> EventSubscription:
        stream = self.local.subscribe(account_id, device_id)
        try:
            self._mark_online({(account_id, device_id)})
        except redis.RedisError:
            log.warning("Redis is away: a device is online on this process only")
        return stream

    def disconnect(self, account_id: int, device_id: str) -> None:
        self.local.disconnect(account_id, device_id)
        message = {"origin": self.bus.origin, "account": account_id, "disconnect": device_id}
        try:
            self.bus.publish(TOPIC, message)
        except redis.RedisError:
            log.warning("Redis is away: a forgotten device's streams closed on this process only")

    def connected(self, account_id: int) -> set[str]:
        try:
            entries = self.bus.redis.zrangebyscore(
                self._online_key(account_id), time.time(), "+inf"
            )
        except redis.RedisError:
            log.warning("Redis is away: only this process's devices are listed online")
            return self.local.connected(account_id)
        return {str(entry, "utf-8").split(" ", 1)[1] for entry in entries}  # type: ignore[arg-type]

    def close(self) -> None:
        self._stop.set()

    # -- helpers ---------------------------------------------------------------------------
    def _arrived(self, message: dict[str, object]) -> None:
        """On the bus thread: an event published by another process."""
        account = message.get("account")
        if message.get("origin") == self.bus.origin or not isinstance(account, int):
            return
        if not self.local.listening(account):
            return  # nobody of this account is connected here: not even worth decoding
        device = message.get("disconnect")
        if isinstance(device, str):
            self.local.disconnect(account, device)
            return
        event = message.get("event")
        if isinstance(event, dict):
            self.local.publish(account, self.decode(event))

    def _online_key(self, account_id: int) -> str:
        return self.bus.key(f"player-online:{account_id}")

    def _entry(self, device_id: str) -> str:
        return f"{self.bus.origin} {device_id}"

    def _mark_online(self, devices: set[tuple[int, str]]) -> None:
        until = time.time() + ONLINE_TTL_S
        with self.bus.redis.pipeline(transaction=False) as pipe:
            for account_id, device_id in devices:
                key = self._online_key(account_id)
                pipe.zadd(key, {self._entry(device_id): until})
                pipe.zremrangebyscore(key, "-inf", time.time())
                pipe.expire(key, int(ONLINE_TTL_S) + 1)
            pipe.execute()

    def _dropped(self, account_id: int, device_id: str) -> None:
        if device_id not in self.local.connected(account_id):
            try:
                self.bus.redis.zrem(self._online_key(account_id), self._entry(device_id))
            except redis.RedisError:  # its entry runs out after ONLINE_TTL_S
                log.warning("Redis is away: a closed stream stays listed online a while")

    def _renew(self) -> None:
        while not self._stop.wait(RENEW_S):
            try:
                self._mark_online(self.local.open_devices())
            except Exception:  # Redis away for a moment: the next round renews
                log.warning("could not renew the connected devices in Redis", exc_info=True)
