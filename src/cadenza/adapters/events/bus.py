"""Messages between the server processes of one deployment, over Redis pub/sub: one connection
per process listens to every topic of the deployment (a pattern subscription made before the
first publish can happen, so nothing sent after start-up is missed) and hands each message to
the handlers of its topic, on its own thread."""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import redis

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, object]], None]


class RedisBus:
    def __init__(self, url: str, prefix: str = "cadenza") -> None:
        self.redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.prefix = prefix
        self.origin = secrets.token_hex(8)  # this process, so it can tell its own messages
        self._handlers: dict[str, list[Handler]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pubsub = self.redis.pubsub()  # type: ignore[no-untyped-call]
        self._pubsub.psubscribe(self.key("bus:*"))
        confirmed = self._pubsub.get_message(timeout=5)
        if confirmed is None:
            where = urlsplit(url)  # host and port: never the password
            raise ConnectionError(
                f"Redis at {where.hostname}:{where.port or 6379} did not confirm the subscription"
            )
        self._thread = threading.Thread(target=self._run, name="redis-bus", daemon=True)
        self._thread.start()

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    def publish(self, topic: str, message: dict[str, object]) -> None:
        self.redis.publish(self.key(f"bus:{topic}"), json.dumps(message, separators=(",", ":")))

    def listen(self, topic: str, handler: Handler) -> None:
        with self._lock:
            self._handlers.setdefault(self.key(f"bus:{topic}"), []).append(handler)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=3)
        self._pubsub.close()
        self.redis.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._pubsub.get_message(timeout=0.5)
            except redis.RedisError:  # Redis restarted or the network blinked: try again
                log.exception("Redis bus: receiving failed; retrying")
                time.sleep(1)
                continue
            if message is None or message.get("type") != "pmessage":
                continue
            channel = message["channel"]
            topic = channel.decode() if isinstance(channel, bytes) else str(channel)
            with self._lock:
                handlers = list(self._handlers.get(topic, ()))
            if not handlers:
                continue
            try:
                payload = json.loads(message["data"])
            except ValueError:
                log.warning("Redis bus: a message on %s is not JSON; ignored", topic)
                continue
            for handler in handlers:
                try:
                    handler(payload)
                except Exception:  # one bad message must not stop the others
                    log.exception("Redis bus: a handler for %s failed", topic)
