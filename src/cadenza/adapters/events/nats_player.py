"""Player events for several server processes over NATS (CADENZA_NATS_URL): each process keeps
its own streams (the in-process hub) and passes every event to the others on the core subject
`<prefix>.bus.player-events`; who is connected anywhere is asked of every process at once
(`<prefix>.ask.player-online`, the answers gathered for ASK_WAIT_S). Device feeds are live:
an event reaches the devices connected at that moment, and a device that reconnects reads the
player's state afresh, as with Redis; they are not kept in JetStream."""

from __future__ import annotations

import logging
from collections.abc import Callable

from cadenza.adapters.events.jetstream import JetStreamLog
from cadenza.adapters.events.memory import InProcessPlayerEvents
from cadenza.domain.devices import PlayerEvent
from cadenza.domain.event_stream import EventStreamUnavailable
from cadenza.ports.devices import EventSubscription

log = logging.getLogger(__name__)
TOPIC = "player-events"
ONLINE = "player-online"
ASK_WAIT_S = 0.25

Encode = Callable[[PlayerEvent], dict[str, object]]
Decode = Callable[[dict[str, object]], PlayerEvent]


class NatsPlayerEvents:
    def __init__(self, nats: JetStreamLog, encode: Encode, decode: Decode) -> None:
        self.nats, self.encode, self.decode = nats, encode, decode
        self.local = InProcessPlayerEvents()
        nats.listen(TOPIC, self._arrived)
        nats.answer(ONLINE, self._online_here)

    def publish(self, account_id: int, event: PlayerEvent) -> None:
        self.local.publish(account_id, event)  # this process's streams get the very object
        message = {"origin": self.nats.origin, "account": account_id, "event": self.encode(event)}
        self._send(message)

    def subscribe(self, account_id: int, device_id: str) -> EventSubscription:
        return self.local.subscribe(account_id, device_id)

    def disconnect(self, account_id: int, device_id: str) -> None:
        self.local.disconnect(account_id, device_id)
        self._send({"origin": self.nats.origin, "account": account_id, "disconnect": device_id})

    def connected(self, account_id: int) -> set[str]:
        here = self.local.connected(account_id)
        try:
            answers = self.nats.ask(ONLINE, {"account": account_id}, ASK_WAIT_S)
        except Exception:  # NATS away: what this process knows
            log.warning("NATS is away: only this process's devices are listed online")
            return here
        for answer in answers:
            devices = answer.get("devices")
            if isinstance(devices, list):
                here |= {d for d in devices if isinstance(d, str)}
        return here

    def close(self) -> None:
        """Nothing of its own: the connection is the JetStreamLog's."""

    def _send(self, message: dict[str, object]) -> None:
        """Handed to the NATS loop, not waited for on the request's thread: the change is
        saved and this process's devices already have it; elsewhere delivery is live and
        best-effort (a device that reconnects reads the state afresh)."""
        try:
            self.nats.send_live(TOPIC, message)
        except (EventStreamUnavailable, OSError, RuntimeError):  # the loop is closed
            log.warning("NATS is away: a player event reached this process only")

    def _online_here(self, message: dict[str, object]) -> dict[str, object]:
        account = message.get("account")
        if not isinstance(account, int) or not self.local.listening(account):
            return {"devices": []}
        return {"devices": sorted(self.local.connected(account))}

    def _arrived(self, message: dict[str, object]) -> None:
        """On the NATS thread: an event published by another process."""
        account = message.get("account")
        if message.get("origin") == self.nats.origin or not isinstance(account, int):
            return
        if not self.local.listening(account):
            return
        device = message.get("disconnect")
        if isinstance(device, str):
            self.local.disconnect(account, device)
            return
        event = message.get("event")
        if isinstance(event, dict):
            self.local.publish(account, self.decode(event))
