"""Player events within one server process: each open stream is an asyncio queue on its event
loop; publishers (request threads) hand events over with call_soon_threadsafe, so a change made
in one request reaches every stream without polling."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from collections.abc import Callable

from cadenza.domain.devices import PlayerEvent
from cadenza.domain.errors import TooManyAttempts

QUEUE_LIMIT = 256  # a stream this far behind is cut off; its client reconnects and resyncs
STREAMS_PER_ACCOUNT = 100  # two per device at most: a client opening more is misbehaving


class _Stream:
    def __init__(self, hub: InProcessPlayerEvents, account_id: int, device_id: str) -> None:
        self.hub, self.account_id, self.device_id = hub, account_id, device_id
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[PlayerEvent | None] = asyncio.Queue(QUEUE_LIMIT)
        self.closed = False

    def offer(self, event: PlayerEvent | None) -> None:
        """On the stream's own loop: queue the event, or end a stream that fell behind."""
        if self.closed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.close()
            self.queue.get_nowait()
            self.queue.put_nowait(None)

    async def next(self, timeout: float) -> PlayerEvent | None:
        """The next event; None after `timeout` seconds of quiet. Raises EOFError once ended."""
        if self.closed and self.queue.empty():
            raise EOFError
        try:
            event = await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None
        if event is None:
            raise EOFError
        return event

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.hub._drop(self)


class InProcessPlayerEvents:
    def __init__(self, on_drop: Callable[[int, str], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._streams: dict[int, list[_Stream]] = defaultdict(list)
        self._on_drop = on_drop  # told of each stream that ended (account, device)

    def subscribe(self, account_id: int, device_id: str) -> _Stream:
        """Called on the event loop that will read the stream."""
        stream = _Stream(self, account_id, device_id)
        with self._lock:
            if len(self._streams[account_id]) >= STREAMS_PER_ACCOUNT:
                raise TooManyAttempts(
                    "too many open player streams for this account; close some", retry_after=30
                )
            self._streams[account_id].append(stream)
        return stream

    def publish(self, account_id: int, event: PlayerEvent) -> None:
        with self._lock:
            streams = list(self._streams.get(account_id, ()))
        for stream in streams:
            if event.target is None or event.target == stream.device_id:
                _hand_over(stream, event)

    def disconnect(self, account_id: int, device_id: str) -> None:
        """End every open stream of a device (it was forgotten)."""
        with self._lock:
            streams = [s for s in self._streams.get(account_id, ()) if s.device_id == device_id]
        for stream in streams:
            _hand_over(stream, None)

    def connected(self, account_id: int) -> set[str]:
        with self._lock:
            return {s.device_id for s in self._streams.get(account_id, ()) if not s.closed}

    def listening(self, account_id: int) -> bool:
        """Whether any stream of the account is open here (cheaper than `connected`)."""
        return account_id in self._streams

    def open_devices(self) -> set[tuple[int, str]]:
        """Every (account, device) with an open stream in this process."""
        with self._lock:
            return {(a, s.device_id) for a, streams in self._streams.items() for s in streams}

    def _drop(self, stream: _Stream) -> None:
        with self._lock:
            streams = self._streams.get(stream.account_id, [])
            if stream in streams:
                streams.remove(stream)
            if not streams:
                self._streams.pop(stream.account_id, None)
        if self._on_drop is not None:
            self._on_drop(stream.account_id, stream.device_id)


def _hand_over(stream: _Stream, event: PlayerEvent | None) -> None:
    try:
        stream.loop.call_soon_threadsafe(stream.offer, event)
    except RuntimeError:  # its loop has closed: the server is going away
        stream.close()
