"""Messages between the server processes of one deployment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Broadcast(Protocol):
    """Messages to every server process of the deployment, the sender's own included."""

    def publish(self, topic: str, message: dict[str, object]) -> None: ...

    def listen(self, topic: str, handler: Callable[[dict[str, object]], None]) -> None: ...
