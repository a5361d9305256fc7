"""A stand-in for the parts of ListenBrainz and Last.fm that forwarding calls, on loopback:
`GET /1/validate-token`, `POST /1/submit-listens` and Last.fm's `POST /2.0/` `auth.getSession` and `track.scrobble`
(its api_sig checked with the secret, as Last.fm does). It keeps what it was sent, and can be
told to answer 503 a number of times first."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

LB_TOKEN = "0b7c3d7e-1111-4aaa-8bbb-remote-token"
LB_USER = "remote-listener"
LASTFM_KEY = "stand-in-api-key"
LASTFM_SECRET = "stand-in-api-secret"
LASTFM_SESSION = "stand-in-session-key"
LASTFM_ALLOWED_TOKEN = "stand-in-allowed-token"
LASTFM_USER = "remote-fm-listener"


@dataclass
class Received:
    listens: list[dict[str, Any]] = field(default_factory=list)
    scrobbles: list[dict[str, str]] = field(default_factory=list)
    calls: int = 0
    fail_next: int = 0  # answer 503 this many times first


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *_: object) -> None:  # quiet
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _failing(self) -> bool:
        got = self.server.received
        got.calls += 1
        if got.fail_next > 0:
            got.fail_next -= 1
            self._answer(503, {"code": 503, "error": "down for a moment"})
            return True
        return False

    def _token(self) -> str:
        scheme, _, value = self.headers.get("authorization", "").partition(" ")
        return value if scheme == "Token" else ""

    def do_GET(self) -> None:
        if urlsplit(self.path).path != "/1/validate-token":
            self._answer(404, {})
        elif self._token() == LB_TOKEN:
            self._answer(
                200, {"code": 200, "message": "Token valid.", "valid": True, "user_name": LB_USER}
            )
        else:
            self._answer(200, {"code": 200, "message": "Token invalid.", "valid": False})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        if self._failing():
            return
        path = urlsplit(self.path).path
        if path == "/1/submit-listens":
            if self._token() != LB_TOKEN:
                self._answer(401, {"code": 401, "error": "Invalid authorization token."})
                return
            self.server.received.listens += json.loads(body)["payload"]
            self._answer(200, {"status": "ok"})
        elif path == "/2.0/":
            form = dict(parse_qsl(body.decode()))
            signed = "".join(
                f"{k}{form[k]}" for k in sorted(form) if k not in ("format", "callback", "api_sig")
            )
            expected = hashlib.md5((signed + LASTFM_SECRET).encode()).hexdigest()
            if form.get("api_sig") != expected or form.get("api_key") != LASTFM_KEY:
                self._answer(403, {"error": 13, "message": "Invalid method signature supplied"})
            elif form.get("method") == "auth.getSession":
                if form.get("token") == LASTFM_ALLOWED_TOKEN:
                    session = {"name": LASTFM_USER, "key": LASTFM_SESSION, "subscriber": 0}
                    self._answer(200, {"session": session})
                else:
                    self._answer(403, {"error": 14, "message": "Unauthorized Token"})
            elif form.get("sk") != LASTFM_SESSION:
                self._answer(403, {"error": 9, "message": "Invalid session key"})
            else:
                self.server.received.scrobbles.append(form)
                self._answer(200, {"scrobbles": {"@attr": {"accepted": 1, "ignored": 0}}})
        else:
            self._answer(404, {})


class _Server(ThreadingHTTPServer):
    received: Received


@contextmanager
def stand_in() -> Iterator[tuple[str, Received]]:
    """The stand-in's base URL and what it received."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.received = Received()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.received
    finally:
        server.shutdown()
        server.server_close()
