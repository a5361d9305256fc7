"""The deployment's durable event log on NATS JetStream (CADENZA_NATS_URL), for the sync
services: the nats-py client runs on an event loop of its own thread; `append` publishes with
JetStream's acknowledgement (the event is stored when it returns) under a Nats-Msg-Id, so a
resend within the duplicate window is stored once; `consume` runs a durable pull consumer that
acknowledges a batch only after its handler returned.

Streams (names from the prefix, so deployments and test runs can share one server):
`<prefix>-listening` holds `<prefix>.listening.>`, `<prefix>-domain` holds `<prefix>.domain.>`.
Core (unstored) subjects `<prefix>.bus.<topic>` carry the live messages of `NatsBroadcast`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.client import JetStreamContext
from nats.js.errors import Error as JetStreamError

from cadenza.domain.event_stream import DOMAIN, LISTENING, EventStreamUnavailable
from cadenza.ports.event_log import Handle, LogEntry

log = logging.getLogger(__name__)
T = TypeVar("T")

FETCH_BATCH = 100  # events a consumer takes at once
ACK_WAIT_S = 60.0  # by default, a batch not acknowledged by then comes again (consumer died)
DUPLICATE_WINDOW_S = 600.0  # a resend within it is stored once (later: the consumer dedups)
RETRY_AFTER_FAILURE_S = 2.0
STREAMS = {LISTENING: 30 * 86400.0, DOMAIN: 7 * 86400.0}  # kept this long (seconds)

BusHandler = Callable[[dict[str, object]], None]


class JetStreamLog:
    def __init__(
        self,
        url: str,
        prefix: str = "cadenza",
        ack_timeout_s: float = 5.0,
        redeliver_after_s: float = ACK_WAIT_S,
    ) -> None:
        self.prefix, self.ack_timeout_s = prefix, ack_timeout_s
        self.redeliver_after_s = redeliver_after_s
        self.origin = secrets.token_hex(8)  # this process, so it can tell its own messages
        self._where = _host_port(url)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="nats", daemon=True)
        self._thread.start()
        self._consumers: list[threading.Thread] = []
        self._bus_handlers: dict[str, list[BusHandler]] = {}
        self._subscriptions: list[tuple[str, Callable[[Msg], Awaitable[None]]]] = []
        self._lock = threading.Lock()
        self._url = url
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._connecting: asyncio.Lock | None = None
        try:  # now if it can: a server started while NATS is away starts, and refuses events
            self._run(self._ready(), 15.0)
        except Exception as exc:
            log.warning(
                "NATS at %s is not reachable yet (%s); trying again on use",
                self._where,
                type(exc).__name__,
            )

    # -- the log ---------------------------------------------------------------------------
    def stream_name(self, kind: str) -> str:
        return f"{self.prefix}-{kind}"

    def subject(self, relative: str) -> str:
        return f"{self.prefix}.{relative}"

    def append(self, subject: str, data: bytes, dedup_id: str) -> bool:
        async def publish() -> bool:
            js = await self._ready()
            ack = await js.publish(self.subject(subject), data, headers={"Nats-Msg-Id": dedup_id})
            return not ack.duplicate

        try:
            return self._run(publish(), self.ack_timeout_s + 1.0)
        except (NatsError, JetStreamError, TimeoutError, OSError, ConnectionError) as exc:
            log.warning("NATS at %s did not confirm an event: %s", self._where, type(exc).__name__)
            raise EventStreamUnavailable(
                "the event stream is not answering; send the same events again shortly"
            ) from exc

    def append_all(self, entries: list[tuple[str, bytes, str]]) -> list[bool]:
        async def publish_all() -> list[bool]:
            js = await self._ready()
            acks = await asyncio.gather(
                *(
                    js.publish(self.subject(subject), data, headers={"Nats-Msg-Id": dedup_id})
                    for subject, data, dedup_id in entries
                )
            )
            return [not ack.duplicate for ack in acks]

        try:
            return self._run(publish_all(), self.ack_timeout_s + 1.0)
        except (NatsError, JetStreamError, TimeoutError, OSError, ConnectionError) as exc:
            log.warning("NATS at %s did not confirm events: %s", self._where, type(exc).__name__)
            raise EventStreamUnavailable(
                "the event stream is not answering; send the same events again shortly"
            ) from exc

    def consume(self, name: str, subject: str, handle: Handle, stop: threading.Event) -> None:
        kind = subject.split(".", 1)[0]

        def run() -> None:
            while not stop.is_set():
                try:
                    self._run(self._consume(name, kind, subject, handle, stop), None)
                except Exception:  # NATS away, the consumer deleted: start it again
                    log.warning("event consumer %s stopped; starting again", name, exc_info=True)
                    stop.wait(RETRY_AFTER_FAILURE_S)

        thread = threading.Thread(target=run, name=f"consumer-{name}", daemon=True)
        thread.start()
        self._consumers.append(thread)

    def pending(self, name: str, kind: str) -> int:
        """Events stored but not yet acknowledged by the consumer `name` (its lag)."""

        async def info() -> int:
            found = await (await self._ready()).consumer_info(self.stream_name(kind), name)
            return int(found.num_pending or 0) + int(found.num_ack_pending or 0)

        return self._run(info(), self.ack_timeout_s)

    def stored(self, kind: str) -> int:
        """How many events the stream of `kind` (LISTENING, DOMAIN) holds."""

        async def info() -> int:
            found = await (await self._ready()).stream_info(self.stream_name(kind))
            return int(found.state.messages)

        return self._run(info(), self.ack_timeout_s)

    def delete_streams(self) -> None:
        """Remove this prefix's streams and their consumers (tests, a deployment's teardown)."""

        async def delete() -> None:
            js = await self._ready()
            for kind in STREAMS:
                with contextlib.suppress(JetStreamError):
                    await js.delete_stream(self.stream_name(kind))

        self._run(delete(), 10.0)

    # -- live messages between processes (the Broadcast port) -------------------------------
    def publish(self, topic: str, message: dict[str, object]) -> None:
        data = json.dumps(message, separators=(",", ":")).encode()

        async def send() -> None:
            await self._ready()
            assert self._nc is not None
            await self._nc.publish(self.subject(f"bus.{topic}"), data)

        self._run(send(), self.ack_timeout_s)

    def send_live(self, topic: str, message: dict[str, object]) -> None:
        """`publish` without waiting on the caller's thread: the message is handed to the
        connection's loop (in order: messages sent from one thread go out in that order) and
        a failure is logged there. For best-effort live messages, such as device events."""
        data = json.dumps(message, separators=(",", ":")).encode()
        subject = self.subject(f"bus.{topic}")

        async def send() -> None:
            try:
                if self._nc is None:  # never connected yet: connect first (bounded)
                    await asyncio.wait_for(self._ready(), self.ack_timeout_s)
                assert self._nc is not None
                await self._nc.publish(subject, data)
            except Exception:
                log.warning("NATS is away: a live message on %s reached this process only", topic)

        asyncio.run_coroutine_threadsafe(send(), self._loop)

    def listen(self, topic: str, handler: BusHandler) -> None:
        with self._lock:
            first = topic not in self._bus_handlers
            self._bus_handlers.setdefault(topic, []).append(handler)
        if first:

            async def arrived(msg: Msg) -> None:
                try:
                    payload = json.loads(msg.data)
                except ValueError:
                    log.warning("NATS bus: a message on %s is not JSON; ignored", msg.subject)
                    return
                with self._lock:
                    handlers = list(self._bus_handlers.get(topic, ()))
                for one in handlers:
                    try:
                        one(payload)
                    except Exception:  # one bad message must not stop the others
                        log.exception("NATS bus: a handler for %s failed", topic)

            self._subscribe(self.subject(f"bus.{topic}"), arrived)

    def ask(self, topic: str, message: dict[str, object], wait_s: float) -> list[dict[str, object]]:
        """Every process's answer to `message` (see `answer`) that arrives within `wait_s`."""
        data = json.dumps(message, separators=(",", ":")).encode()

        async def gather() -> list[dict[str, object]]:
            answers: list[dict[str, object]] = []
            await self._ready()
            assert self._nc is not None
            inbox = self._nc.new_inbox()

            async def got(msg: Msg) -> None:
                try:
                    answers.append(json.loads(msg.data))
                except ValueError:
                    log.warning("NATS bus: an answer on %s is not JSON; ignored", topic)

            sub = await self._nc.subscribe(inbox, cb=got)
            await self._nc.publish(self.subject(f"ask.{topic}"), data, reply=inbox)
            await asyncio.sleep(wait_s)
            await sub.unsubscribe()
            return answers

        return self._run(gather(), wait_s + self.ack_timeout_s)

    def answer(self, topic: str, reply: Callable[[dict[str, object]], dict[str, object]]) -> None:
        """Answer every process's `ask` on `topic` with `reply(message)`."""

        async def asked(msg: Msg) -> None:
            try:
                answer = reply(json.loads(msg.data))
            except Exception:
                log.exception("NATS bus: answering %s failed", topic)
                return
            if msg.reply and self._nc is not None:
                await self._nc.publish(msg.reply, json.dumps(answer).encode())

        self._subscribe(self.subject(f"ask.{topic}"), asked)

    def close(self) -> None:
        for thread in self._consumers:  # their stop events are set by now
            thread.join(timeout=5)

        async def shut() -> None:
            try:
                if self._nc is not None:
                    await asyncio.wait_for(self._nc.close(), 5.0)
            except Exception:  # already gone
                log.debug("NATS close failed", exc_info=True)
            current = asyncio.current_task()
            others = [t for t in asyncio.all_tasks() if t is not current]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        try:
            self._run(shut(), 10.0)
        except Exception:
            log.debug("NATS shutdown did not finish", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    # -- helpers ---------------------------------------------------------------------------
    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def _subscribe(self, subject: str, cb: Callable[[Msg], Awaitable[None]]) -> None:
        """Subscribe now when connected, and on every first connection after (nats-py itself
        renews subscriptions across reconnections)."""
        with self._lock:
            self._subscriptions.append((subject, cb))
        if self._nc is None:
            return

        async def subscribe() -> None:
            assert self._nc is not None
            await self._nc.subscribe(subject, cb=cb)
            await self._nc.flush()  # the server has the subscription before we go on

        try:
            self._run(subscribe(), self.ack_timeout_s)
        except Exception:
            log.warning("NATS at %s: could not subscribe to %s yet", self._where, subject)

    async def _ready(self) -> JetStreamContext:
        """The JetStream context, connecting first (once at a time) if never connected."""
        if self._js is not None:
            return self._js
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._js is None:
                nc = await self._connect(self._url)
                with self._lock:
                    subscriptions = list(self._subscriptions)
                for subject, cb in subscriptions:
                    await nc.subscribe(subject, cb=cb)
                await nc.flush()
                self._nc, self._js = nc, nc.jetstream(timeout=self.ack_timeout_s)
        assert self._js is not None
        return self._js

    async def _connect(self, url: str) -> Client:
        async def disconnected() -> None:
            log.warning("NATS at %s: disconnected; reconnecting", self._where)

        async def reconnected() -> None:
            log.warning("NATS at %s: reconnected", self._where)

        async def failed(exc: Exception) -> None:
            log.debug("NATS at %s: %s", self._where, exc)

        nc = await nats.connect(
            servers=[url],
            name=f"cadenza-{self.origin}",
            connect_timeout=5,
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            disconnected_cb=disconnected,
            reconnected_cb=reconnected,
            error_cb=failed,
        )
        js = nc.jetstream(timeout=self.ack_timeout_s)
        for kind, max_age in STREAMS.items():
            config = StreamConfig(
                name=self.stream_name(kind),
                subjects=[self.subject(f"{kind}.>")],
                storage=StorageType.FILE,
                max_age=max_age,
                duplicate_window=DUPLICATE_WINDOW_S,
            )
            try:
                await js.add_stream(config)
            except JetStreamError:  # there already (perhaps with the operator's own limits)
                await js.stream_info(config.name or "")
        return nc

    async def _consume(
        self, name: str, kind: str, subject: str, handle: Handle, stop: threading.Event
    ) -> None:
        config = ConsumerConfig(
            durable_name=name,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.redeliver_after_s,
            max_ack_pending=FETCH_BATCH * 10,
        )
        js = await self._ready()
        sub = await js.pull_subscribe(
            self.subject(subject), durable=name, stream=self.stream_name(kind), config=config
        )
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                msgs = await sub.fetch(FETCH_BATCH, timeout=1.0)
            except (NatsTimeout, TimeoutError):  # nothing new within the second
                continue
            entries = [self._entry(m) for m in msgs]
            try:  # the handler works with the database: in a thread, the loop goes on
                await loop.run_in_executor(None, handle, entries)
            except Exception:
                log.exception("event consumer %s: a batch failed; it comes again", name)
                for msg in msgs:
                    await msg.nak(delay=RETRY_AFTER_FAILURE_S)
                continue
            for msg in msgs:
                await msg.ack()
        await sub.unsubscribe()

    def _entry(self, msg: Msg) -> LogEntry:
        meta = msg.metadata
        return LogEntry(
            subject=msg.subject.removeprefix(f"{self.prefix}."),
            data=msg.data,
            dedup_id=(msg.headers or {}).get("Nats-Msg-Id"),
            sequence=meta.sequence.stream,
            delivered=meta.num_delivered,
        )


def _host_port(url: str) -> str:
    where = urlsplit(url)  # host and port: never a password or token
    return f"{where.hostname}:{where.port or 4222}"
