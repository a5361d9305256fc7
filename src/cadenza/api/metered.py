"""A file response that reports how many bytes of the body it really sent: a player that
aborts a request after the first seconds (skipping, seeking) is charged for those only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from anyio import to_thread
from starlette.types import Message, Receive, Scope, Send

from cadenza.api.audio_file import AudioFile


class MeteredFileResponse(AudioFile):
    def __init__(self, *args: Any, on_sent: Callable[[int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_sent = self.on_read = on_sent

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent = 0

        async def counting(message: Message) -> None:
            nonlocal sent
            if message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            elif message["type"] == "http.response.pathsend":  # the server sends the file
                sent += Path(message["path"]).stat().st_size
            await send(message)

        try:
            await super().__call__(scope, receive, counting)
        finally:
            # Off the event loop: the first time an account outruns, its flag is written. A
            # quick range was counted on the reader's thread already.
            if not self.read_reported:
                await to_thread.run_sync(self.on_sent, sent)
