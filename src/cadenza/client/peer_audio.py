"""`PeerAudio`: the AudioSource that fetches a track's bytes with other listeners' help
(peer-assisted delivery, docs/peer-delivery.md), and falls back to another source (the server)
when peers cannot be used.

    chunks = ChunkCache(folder / "chunks", limit, vault)  # sealed: the one store of audio
    peers = PeerAudio(client, chunks, fallback=CachedAudio(disk_cache, ServerAudio(client)))
    await peers.start()  # the peer server opens, the chunks kept are announced
    stream = await peers.open(grant, renew)  # a replay reads the sealed chunks: no bytes fetched
    ...
    await peers.close()  # withdrawn from the tracker, the peer server stopped

The chunk cache is the only copy of a played track: sealed on disk with the player's key,
read back for replays, and opened (then checked against the manifest again) for a peer that
asks. The fallback (the server alone, when peer delivery is off) keeps its own sealed cache."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Generator

import httpx

from cadenza.client.api import CadenzaClient
from cadenza.client.audio_source import AudioGrant, AudioSource, Renew
from cadenza.client.audio_stream import AudioStream
from cadenza.client.chunks import BadManifest, ChunkCache
from cadenza.client.errors import CadenzaClientError
from cadenza.client.peers import GrantExpired, PeerAssistedSource, PlayReport
from cadenza.client.peers_server import MAX_UPLOADS

log = logging.getLogger(__name__)


class _ClientBearer(httpx.Auth):
    """The listener's access token as the client holds it now (it is refreshed there)."""

    def __init__(self, client: CadenzaClient) -> None:
        self.client = client

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.client.tokens is not None:
            request.headers["Authorization"] = f"Bearer {self.client.tokens.access}"
        yield request


class PeerAudio:
    """Bytes from peers (every chunk checked against the server's signed manifest), the opening
    chunk and urgent ones from the server; `fallback` when the server has peer delivery off or
    a peer-assisted fetch fails. `share=False`: fetch from peers, serve nobody (the opt-out of
    uploading); `upload_bytes_per_s` limits all uploads together (0: no limit)."""

    def __init__(
        self,
        client: CadenzaClient,
        cache: ChunkCache,
        fallback: AudioSource,
        *,
        share: bool = True,
        max_uploads: int = MAX_UPLOADS,
        upload_bytes_per_s: float = 0,
        local_address: str = "0.0.0.0",  # noqa: S104 (other listeners must reach the peer server)
        port: int = 0,
        region: str | None = None,
    ) -> None:
        self.client, self.fallback = client, fallback
        self.source = PeerAssistedSource(
            client.base_url,
            client.tokens.access if client.tokens else "",
            cache,
            share=share,
            region=region,
            local_address=local_address,
            port=port,
            max_uploads=max_uploads,
            upload_bytes_per_s=upload_bytes_per_s,
        )
        self.source.http.auth = _ClientBearer(client)
        self.reports: list[PlayReport] = []
        # The next track's (grant URL, duration), asked 30 s before the end to prefetch it.
        self.upcoming: Callable[[], Awaitable[tuple[str, int] | None]] | None = None
        self.on = False  # started, and the server has peer delivery on

    @property
    def port(self) -> int | None:
        """The peer server's port (None: not serving)."""
        return self.source.port if self.source.peer_server is not None else None

    async def start(self) -> None:
        try:
            await self.source.start()
        except (httpx.HTTPError, OSError) as exc:
            log.warning("peer delivery unavailable, using the server alone: %s", exc)
            return
        self.on = self.source.verifier is not None

    async def close(self) -> None:
        await self.source.close()

    async def __aenter__(self) -> PeerAudio:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self, grant: AudioGrant, renew: Renew | None = None) -> AudioStream:
        if not self.on or not grant.url:
            return await self.fallback.open(grant, renew)

        async def renewed_url() -> str:
            if renew is None:
                raise GrantExpired(grant.url)
            return (await renew()).url

        try:
            stream, report = await self.source.open(
                grant.url,
                grant.duration_ms,
                renew=renewed_url,
                upcoming=self._upcoming if self.upcoming is not None else None,
            )
        except GrantExpired:
            raise CadenzaClientError("grant_expired", "The stream grant expired", 403) from None
        except (httpx.HTTPError, BadManifest) as exc:
            log.info("peer-assisted fetch failed, from the server: %s", type(exc).__name__)
            return await self.fallback.open(grant, renew)
        self.reports.append(report)  # filled in as the chunks arrive
        del self.reports[:-100]
        return stream

    async def _upcoming(self) -> tuple[str, int] | None:
        if self.upcoming is None:
            return None
        try:
            return await self.upcoming()
        except CadenzaClientError:  # no grant now: the next play fetches it
            return None

    def shares(self) -> dict[str, int]:
        """Bytes by where they came from, over the plays this source fetched."""
        totals = {"cache": 0, "server": 0, "peers": 0}
        for report in self.reports:
            totals["cache"] += report.from_cache
            totals["server"] += report.from_server
            totals["peers"] += report.from_peers
        return totals
