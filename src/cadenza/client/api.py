"""The Cadenza API for programs: log in (password, authenticator code, e-mailed code), browse,
search, control the player, register a playback device, report listening events.

    async with CadenzaClient("https://music.example.org") as cadenza:
        await cadenza.login("ada@example.org", "a long phrase", totp="123456")
        found = await cadenza.search("night drive")
        await cadenza.play(track_ids=[found["tracks"]["items"][0]["id"]])
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from cadenza.client.errors import CadenzaClientError, Offline, SecondFactorRequired

Json = Any  # the server's JSON answers, as documented at /docs
SECOND_FACTOR = {"totp_required", "email_code_required"}


@dataclass
class Tokens:
    access: str
    refresh: str | None


class CadenzaClient:
    """One signed-in listener on one server. `http` may be given (tests count its requests)."""

    def __init__(
        self,
        base_url: str,
        *,
        device_id: str | None = None,
        device_name: str = "Cadenza terminal player",
        http: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.login_device_id = device_id or secrets.token_hex(16)
        self.device_name = device_name
        self.http = http or httpx.AsyncClient(base_url=self.base_url, timeout=timeout)
        self.tokens: Tokens | None = None
        # Told of every new pair (a refresh token works once: keep the newest, or the next
        # launch's refresh is a replay that ends the session).
        self.on_tokens: Callable[[Tokens], None] | None = None
        self._refreshing = asyncio.Lock()
        self.playback_device: str | None = None  # X-Cadenza-Device: answers carry our grant

    async def __aenter__(self) -> CadenzaClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    # Signing in ---------------------------------------------------------------------------

    async def login(
        self,
        email: str,
        password: str,
        *,
        totp: str | None = None,
        email_code: str | None = None,
    ) -> Tokens:
        """Raises SecondFactorRequired (`totp_required`, `email_code_required`) when the
        server wants a code: ask the listener, then call again with it."""
        body = {
            "email": email,
            "password": password,
            "totp": totp,
            "email_code": email_code,
            "device_id": self.login_device_id,
            "device_name": self.device_name,
        }
        try:
            data = await self._call("POST", "/api/v1/auth/token", json=body, auth=False)
        except CadenzaClientError as exc:
            if exc.code in SECOND_FACTOR:
                raise SecondFactorRequired(exc.code, exc.message, exc.status) from None
            raise
        self._new_tokens(Tokens(data["access_token"], data["refresh_token"]))
        assert self.tokens is not None
        return self.tokens

    async def resume_session(self, refresh_token: str) -> Tokens:
        """Sign in again from a kept refresh token (each one works once: keep the new one)."""
        self.tokens = Tokens("", refresh_token)
        await self._refresh()
        assert self.tokens is not None
        return self.tokens

    async def logout(self) -> None:
        await self._call("POST", "/api/v1/auth/logout")
        self.tokens = None

    async def _refresh(self) -> None:
        if self.tokens is None or not self.tokens.refresh:
            raise CadenzaClientError("invalid_token", "not signed in", 401)
        body = {"refresh_token": self.tokens.refresh}
        data = await self._call("POST", "/api/v1/auth/refresh", json=body, auth=False)
        self._new_tokens(Tokens(data["access_token"], data["refresh_token"]))

    def _new_tokens(self, tokens: Tokens) -> None:
        self.tokens = tokens
        if self.on_tokens is not None:
            self.on_tokens(tokens)

    # Catalog, library, search ---------------------------------------------------------------

    async def me(self) -> Json:
        return await self._call("GET", "/api/v1/me")

    async def release(self, release_id: int) -> Json:
        return await self._call("GET", f"/api/v1/releases/{release_id}")

    async def artist(self, artist_id: int) -> Json:
        return await self._call("GET", f"/api/v1/artists/{artist_id}")

    async def track(self, track_id: int) -> Json:
        return await self._call("GET", f"/api/v1/tracks/{track_id}")

    async def new_releases(self, limit: int = 20, offset: int = 0) -> Json:
        params = {"limit": limit, "offset": offset}
        return await self._call("GET", "/api/v1/browse/new-releases", params=params)

    async def playlist(self, playlist_id: int) -> Json:
        return await self._call("GET", f"/api/v1/playlists/{playlist_id}")

    async def my_playlists(self, limit: int = 50, offset: int = 0) -> Json:
        params = {"limit": limit, "offset": offset}
        return await self._call("GET", "/api/v1/me/playlists", params=params)

    async def library(self, limit: int = 50, offset: int = 0) -> Json:
        params = {"limit": limit, "offset": offset}
        return await self._call("GET", "/api/v1/me/library", params=params)

    async def liked_tracks(self, limit: int = 50, offset: int = 0) -> Json:
        params = {"limit": limit, "offset": offset}
        return await self._call("GET", "/api/v1/me/tracks", params=params)

    async def saved_releases(self, limit: int = 50, offset: int = 0) -> Json:
        params = {"limit": limit, "offset": offset}
        return await self._call("GET", "/api/v1/me/releases", params=params)

    async def like(self, track_id: int, liked: bool = True) -> None:
        await self._call("PUT" if liked else "DELETE", f"/api/v1/me/tracks/{track_id}")

    async def save_release(self, release_id: int, saved: bool = True) -> None:
        await self._call("PUT" if saved else "DELETE", f"/api/v1/me/releases/{release_id}")

    async def follow_artist(self, artist_id: int, following: bool = True) -> None:
        method = "PUT" if following else "DELETE"
        await self._call(method, f"/api/v1/me/following/artists/{artist_id}")

    async def search(self, query: str, limit: int = 10) -> Json:
        return await self._call("GET", "/api/v1/search", params={"q": query, "limit": limit})

    # The player -----------------------------------------------------------------------------

    async def player(self) -> Json:
        return await self._call("GET", "/api/v1/me/player")

    async def play(
        self,
        *,
        track_ids: list[int] | None = None,
        context: Mapping[str, object] | None = None,
        offset: int | None = None,
        quality: str | None = None,
    ) -> Json:
        body = {"track_ids": track_ids, "context": context, "offset": offset, "quality": quality}
        return await self._call("PUT", "/api/v1/me/player/play", json=_present(body))

    async def pause(self) -> Json:
        return await self._call("PUT", "/api/v1/me/player/pause")

    async def resume(self) -> Json:
        return await self._call("PUT", "/api/v1/me/player/resume")

    async def seek(self, position_ms: int) -> Json:
        body = {"position_ms": max(0, position_ms)}
        return await self._call("PUT", "/api/v1/me/player/seek", json=body)

    async def next(self) -> Json:
        return await self._call("POST", "/api/v1/me/player/next")

    async def previous(self) -> Json:
        return await self._call("POST", "/api/v1/me/player/previous")

    async def volume(self, percent: int) -> Json:
        body = {"percent": min(100, max(0, percent))}
        return await self._call("PUT", "/api/v1/me/player/volume", json=body)

    async def enqueue(self, track_id: int) -> Json:
        return await self._call("POST", "/api/v1/me/player/queue", json={"track_id": track_id})

    async def transfer(self, device_id: str, play: bool = True) -> Json:
        body = {"device_id": device_id, "play": play}
        return await self._call("PUT", "/api/v1/me/player/transfer", json=body)

    async def command(self, device_id: str, command: str, **fields: object) -> Json:
        """Ask another device to play, pause, resume, seek, next, previous, volume, transfer."""
        body = {"device_id": device_id, "command": command, **fields}
        return await self._call("POST", "/api/v1/me/player/commands", json=body)

    async def stream_grant(self, device_id: str, track_id: int, quality: str | None) -> Json:
        """A signed, short-lived URL for the track's audio (the URL's path names the content)."""
        body = _present({"device_id": device_id, "track_id": track_id, "quality": quality})
        return await self._call("POST", "/api/v1/me/player/stream-grants", json=body)

    # Devices and events ---------------------------------------------------------------------

    async def register_device(
        self, name: str, kind: str = "desktop", device_id: str | None = None
    ) -> Json:
        body = _present(
            {"name": name, "type": kind, "supports_volume": True, "device_id": device_id}
        )
        return await self._call("POST", "/api/v1/me/devices", json=body)

    async def devices(self) -> Json:
        return await self._call("GET", "/api/v1/me/devices")

    async def stream_ticket(self, device_id: str) -> Json:
        body = {"device_id": device_id}
        return await self._call("POST", "/api/v1/me/player/stream-ticket", json=body)

    async def send_events(self, events: Sequence[Mapping[str, object]]) -> Json:
        """Listening events; each keeps its `id`, so a batch sent twice counts once."""
        return await self._call("POST", "/api/v1/me/player/events", json={"events": events})

    # Plumbing -------------------------------------------------------------------------------

    async def get_bytes(self, url: str) -> bytes:
        """A grant's audio (the URL is its own authority: no token is sent)."""
        try:
            answer = await self.http.get(url)
        except httpx.TransportError as exc:
            raise Offline(str(exc) or type(exc).__name__) from None
        if answer.status_code >= 400:
            raise _error(answer)
        return answer.content

    async def get_range(self, url: str, start: int, end: int) -> tuple[bytes, int]:
        """Bytes [start, end) of a grant's audio, and the file's whole size (from the answer's
        Content-Range; a server that ignores ranges sends the whole file: start must be 0)."""
        try:
            answer = await self.http.get(url, headers={"Range": f"bytes={start}-{end - 1}"})
        except httpx.TransportError as exc:
            raise Offline(str(exc) or type(exc).__name__) from None
        if answer.status_code >= 400:
            raise _error(answer)
        if answer.status_code == 206:
            total = answer.headers.get("content-range", "").rpartition("/")[2]
            if total.isdigit():
                return answer.content, int(total)
        return answer.content[start:], len(answer.content)

    async def call(self, method: str, path: str, **kwargs: Any) -> Json:
        """Any other endpoint of /docs, signed in."""
        return await self._call(method, path, **kwargs)

    async def _call(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> Json:
        used = self.tokens.access if self.tokens else None
        answer = await self._send(method, path, auth, kwargs)
        if answer.status_code == 401 and auth and self.tokens and self.tokens.refresh:
            # The access token ran out: one refresh for all the calls that found out at once
            # (a refresh token works once; a second use would end the session).
            async with self._refreshing:
                if self.tokens.access == used:
                    await self._refresh()
            answer = await self._send(method, path, auth, kwargs)
        if answer.status_code >= 400:
            raise _error(answer)
        if answer.status_code == 204 or not answer.content:
            return None
        return answer.json()

    async def _send(
        self, method: str, path: str, auth: bool, kwargs: dict[str, Any]
    ) -> httpx.Response:
        headers = {}
        if auth and self.tokens is not None:
            headers["Authorization"] = f"Bearer {self.tokens.access}"
        if self.playback_device:
            headers["X-Cadenza-Device"] = self.playback_device
        try:
            return await self.http.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise Offline(str(exc) or type(exc).__name__) from None


def _present(fields: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in fields.items() if v is not None}


def _error(answer: httpx.Response) -> CadenzaClientError:
    try:
        error = answer.json()["error"]
        return CadenzaClientError(str(error["code"]), str(error["message"]), answer.status_code)
    except (ValueError, KeyError, TypeError):
        return CadenzaClientError(
            f"http_{answer.status_code}", answer.text[:200], answer.status_code
        )
