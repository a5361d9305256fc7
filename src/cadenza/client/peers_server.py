"""The peer side of peer-assisted delivery: a small HTTP server that hands this client's
cached chunks to other listeners' clients holding a peer token from the server.

`GET /chunks/{sha256}` with `Authorization: Peer <token>`: the token is checked with the
server's public key, offline; it must be unexpired and name a file this client holds whole or
in part, with that chunk. The asker is never identified: the token names no one."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable

from cadenza.client.chunks import BadToken, ChunkCache, Verifier
from cadenza.domain.peers import is_blob

MAX_UPLOADS = 4
MAX_REQUEST_HEAD = 8192


class UploadLimit:
    """At most `rate` bytes a second over every upload together (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._next = time.monotonic()

    async def take(self, size: int) -> None:
        if self.rate <= 0:
            return
        now = time.monotonic()
        self._next = max(now, self._next) + size / self.rate
        await asyncio.sleep(self._next - now)  # sent when the limit allows it to be done


class PeerServer:
    """Serves chunks this client holds: `GET /chunks/{sha256}` with `Authorization: Peer
    <token>`; the token is the server's (checked with its public key, offline), unexpired, and
    names a file holding that chunk. At most `max_uploads` at once; beyond, 503 at once so the
    asker turns to another peer. The asker is never identified: the token names no one."""

    def __init__(
        self,
        cache: ChunkCache,
        verifier: Verifier,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_uploads: int = MAX_UPLOADS,
        upload_bytes_per_s: float = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.cache, self.verifier, self.host, self.port = cache, verifier, host, port
        self.max_uploads, self.clock = max_uploads, clock
        self.limit = UploadLimit(upload_bytes_per_s)
        self.uploading = 0
        self.bytes_sent = 0
        self.refused_busy = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._connection, self.host, self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                    return
                if len(head) > MAX_REQUEST_HEAD:
                    return
                status, body = self._answer(head.decode("latin-1"))
                if status == 200 and self.uploading >= self.max_uploads:
                    self.refused_busy += 1
                    status, body = 503, _error("busy")
                if status != 200:
                    await self._send(writer, status, body)
                    continue
                self.uploading += 1  # until the chunk is sent, at the upload limit's pace
                try:
                    await self.limit.take(len(body))
                    await self._send(writer, status, body)
                    self.bytes_sent += len(body)
                finally:
                    self.uploading -= 1
        except (ConnectionError, OSError):
            return
        finally:
            writer.close()

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, status: int, body: bytes) -> None:
        kind = "application/octet-stream" if status == 200 else "application/json"
        writer.write(
            f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Length: {len(body)}\r\n"
            f"Content-Type: {kind}\r\n\r\n".encode()
            + body
        )
        await writer.drain()

    def _answer(self, head: str) -> tuple[int, bytes]:
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or parts[0] != "GET" or not parts[1].startswith("/chunks/"):
            return 404, _error("not_found")
        chunk_hash = parts[1].removeprefix("/chunks/")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        token = headers.get("authorization", "").removeprefix("Peer ").strip()
        try:
            claims = self.verifier.token(token, self.clock())
        except BadToken:
            return 401, _error("bad_peer_token")
        data = self.cache.chunk(chunk_hash, claims.blob) if is_blob(chunk_hash) else None
        if data is None:
            return 404, _error("chunk_not_held")
        return 200, data


REASONS = {
    200: "OK",
    401: "Unauthorized",
    404: "Not Found",
    503: "Service Unavailable",
}


def _error(code: str) -> bytes:
    return json.dumps({"error": {"code": code}}).encode()
