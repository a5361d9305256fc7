"""The outgoing calls of scrobble forwarding, over httpx: ListenBrainz's `submit-listens` and
`validate-token`, Last.fm's `track.scrobble` (signed with the operator's API secret). Each call
has a timeout and is tried a few times with a growing pause when the remote is away or busy;
what still fails is the outbox's to retry later. Tokens and session keys never reach a log."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import httpx

from cadenza.ports.history import OutgoingPlay
from cadenza.ports.scrobblers import RemoteRefused, RemoteUnavailable

LASTFM_BATCH = 50  # Last.fm takes at most 50 scrobbles a call
CLIENT = "Cadenza"
# Last.fm errors worth another try: 11 service offline, 16 temporarily unavailable, 29 rate limit
LASTFM_TEMPORARY = {8, 11, 16, 29}


class HttpScrobblers:
    def __init__(
        self,
        listenbrainz_url: str,
        lastfm_url: str,
        lastfm_api_key: str | None,
        lastfm_api_secret: str | None,
        *,
        timeout_s: float = 10.0,
        tries: int = 3,
        backoff_s: float = 0.5,
        lastfm_auth_url: str = "https://www.last.fm/api/auth/",
    ) -> None:
        self.lastfm_auth_url = lastfm_auth_url
        self.listenbrainz_url = listenbrainz_url.rstrip("/")
        self.lastfm_url = lastfm_url
        self.lastfm_api_key, self.lastfm_api_secret = lastfm_api_key, lastfm_api_secret
        self.tries, self.backoff_s = tries, backoff_s
        self.http = httpx.Client(timeout=timeout_s, headers={"user-agent": f"{CLIENT} scrobbler"})

    # -- ListenBrainz ------------------------------------------------------------------------
    def listenbrainz_user(self, token: str) -> str:
        answer = self._call(  # once: a listener waits on it (the setting is kept unchecked)
            "GET",
            f"{self.listenbrainz_url}/1/validate-token",
            headers={"authorization": f"Token {token}"},
            tries=1,
        )
        body = _json(answer)
        if answer.status_code != 200 or not body.get("valid"):
            raise RemoteRefused("ListenBrainz says the token is not valid")
        return str(body.get("user_name") or "")

    def send_listenbrainz(self, token: str, plays: Sequence[OutgoingPlay]) -> None:
        payload = [
            {
                "listened_at": int(p.played_at.timestamp()),
                "track_metadata": {
                    "artist_name": p.artist,
                    "track_name": p.title,
                    **({"release_name": p.album} if p.album else {}),
                    "additional_info": {
                        "duration_ms": p.duration_ms,
                        "media_player": CLIENT,
                        "submission_client": CLIENT,
                    },
                },
            }
            for p in plays
        ]
        answer = self._call(
            "POST",
            f"{self.listenbrainz_url}/1/submit-listens",
            headers={"authorization": f"Token {token}"},
            json={"listen_type": "import" if len(payload) > 1 else "single", "payload": payload},
        )
        if answer.status_code != 200:
            raise RemoteRefused(f"ListenBrainz refused the listens ({answer.status_code})")

    # -- Last.fm -----------------------------------------------------------------------------
    def lastfm_ready(self) -> bool:
        return bool(self.lastfm_api_key and self.lastfm_api_secret)

    def send_lastfm(self, session_key: str, plays: Sequence[OutgoingPlay]) -> None:
        if not self.lastfm_ready():
            raise RemoteRefused("the server has no Last.fm API key")
        for first in range(0, len(plays), LASTFM_BATCH):
            batch = plays[first : first + LASTFM_BATCH]
            params = {"method": "track.scrobble", "api_key": str(self.lastfm_api_key)}
            params["sk"] = session_key
            for i, p in enumerate(batch):
                params[f"artist[{i}]"] = p.artist
                params[f"track[{i}]"] = p.title
                params[f"timestamp[{i}]"] = str(int(p.played_at.timestamp()))
                params[f"duration[{i}]"] = str(p.duration_ms // 1000)
                if p.album:
                    params[f"album[{i}]"] = p.album
            params["api_sig"] = lastfm_signature(params, str(self.lastfm_api_secret))
            params["format"] = "json"
            answer = self._call("POST", self.lastfm_url, data=params)
            body = _json(answer)
            if "error" in body:
                code = int(body.get("error") or 0)
                if code in LASTFM_TEMPORARY:
                    raise RemoteUnavailable(f"Last.fm asked to wait (error {code})")
                raise RemoteRefused(f"Last.fm refused the scrobbles (error {code})")
            if answer.status_code != 200:
                raise RemoteRefused(f"Last.fm refused the scrobbles ({answer.status_code})")

    def lastfm_authorize_url(self, callback: str) -> str:
        query = urlencode({"api_key": str(self.lastfm_api_key), "cb": callback})
        return f"{self.lastfm_auth_url}?{query}"

    def lastfm_session(self, token: str) -> tuple[str, str]:
        if not self.lastfm_ready():
            raise RemoteRefused("the server has no Last.fm API key")
        params = {"method": "auth.getSession", "api_key": str(self.lastfm_api_key), "token": token}
        params["api_sig"] = lastfm_signature(params, str(self.lastfm_api_secret))
        params["format"] = "json"
        body = _json(self._call("POST", self.lastfm_url, tries=1, data=params))
        session = body.get("session")
        if not isinstance(session, dict) or not session.get("key"):
            raise RemoteRefused(f"Last.fm gave no session (error {body.get('error')})")
        return str(session["key"]), str(session.get("name") or "")

    # -- every call --------------------------------------------------------------------------
    def _call(
        self, method: str, url: str, tries: int | None = None, **kwargs: Any
    ) -> httpx.Response:
        """The answer, after up to `tries` tries while the remote is away, busy (429) or
        failing (5xx); RemoteUnavailable if it stays so."""
        problem = "no answer"
        for attempt in range(tries or self.tries):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                answer = self.http.request(method, url, **kwargs)
            except httpx.HTTPError as exc:  # the message names the URL only, never a token
                problem = type(exc).__name__
                continue
            if answer.status_code == 429 or answer.status_code >= 500:
                problem = f"HTTP {answer.status_code}"
                continue
            return answer
        raise RemoteUnavailable(f"{url}: {problem}")

    def close(self) -> None:
        self.http.close()


def lastfm_signature(params: dict[str, str], secret: str) -> str:
    """Last.fm's api_sig: MD5 of every parameter (but format and callback) as name then value,
    sorted by name, then the secret."""
    signed = "".join(f"{k}{params[k]}" for k in sorted(params) if k not in ("format", "callback"))
    return hashlib.md5((signed + secret).encode(), usedforsecurity=False).hexdigest()


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
