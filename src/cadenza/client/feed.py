"""A device's live feed from the server (server-sent events): `state` and `command` events as
the web player hears them, reconnecting with a fresh ticket after a cut."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx

from cadenza.client.api import CadenzaClient, Json
from cadenza.client.errors import CadenzaClientError

RETRY_S = (0.5, 1.0, 2.0, 5.0)


async def device_events(client: CadenzaClient, device_id: str) -> AsyncIterator[tuple[str, Json]]:
    """(kind, data) for ever; a cut connection is opened again (a `reconnected` event says so,
    since what was said meanwhile is in the first `state` that follows)."""
    failures = 0
    while True:
        try:
            async for kind, data in _one_connection(client, device_id):
                failures = 0
                yield kind, data
        except (CadenzaClientError, httpx.HTTPError):
            pass
        await asyncio.sleep(RETRY_S[min(failures, len(RETRY_S) - 1)])
        failures += 1
        yield "reconnecting", None


async def _one_connection(client: CadenzaClient, device_id: str) -> AsyncIterator[tuple[str, Json]]:
    ticket = await client.stream_ticket(device_id)
    timeout = httpx.Timeout(30.0, read=None)
    async with client.http.stream("GET", ticket["url"], timeout=timeout) as answer:
        if answer.status_code >= 400:
            raise CadenzaClientError(
                "feed_refused", "the device feed did not open", answer.status_code
            )
        kind, data = "message", []
        async for line in answer.aiter_lines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "" and data:
                yield kind, json.loads("\n".join(data))
                kind, data = "message", []
