"""A newcomer's first start: `cadenza serve --demo` on a fresh data dir, until music plays.

    python bench/first_start.py [--timeout 600]

Starts the server as `make run` does (the full demo size, SQLite, a fresh data dir; the package
already installed) and measures from the command's start: the first answered request
(/healthz), the first release listed on Home (New releases), and the first playable track: the
demo Premium listener signs in (answering the e-mailed code), gets a stream grant for that
release's first track and fetches its first 64 KiB of audio. The server is stopped then; the
rest of the catalog is not waited for.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from email import policy
from email.parser import BytesParser
from pathlib import Path

from _results import write_results

PASSWORD = "listen to the demo catalog"
EMAIL = "premium@demo.cadenza.localhost"


def call(url: str, body: dict[str, object] | None = None, token: str | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def until(what: str, deadline: float, probe, every: float = 0.1):  # type: ignore[no-untyped-def]
    while time.monotonic() < deadline:
        try:
            found = probe()
        except (OSError, urllib.error.HTTPError, ValueError):
            found = None
        if found:
            return found
        time.sleep(every)
    raise SystemExit(f"no {what} before the timeout")


def sign_in(url: str, outbox: Path) -> str:
    """The demo listener's token: the first sign-in from a new device answers the mailed code."""
    form: dict[str, object] = {"email": EMAIL, "password": PASSWORD, "device_id": "bench"}
    form["device_name"] = "bench"
    try:
        return str(call(url + "/api/v1/auth/token", form)["access_token"])  # type: ignore[index]
    except urllib.error.HTTPError as refused:
        if json.loads(refused.read())["error"]["code"] != "email_code_required":
            raise ValueError("not yet") from None  # the account is made a moment after start
    code = until("mailed code", time.monotonic() + 60, lambda: _mailed_code(outbox))
    form["email_code"] = code
    return str(call(url + "/api/v1/auth/token", form)["access_token"])  # type: ignore[index]


def _mailed_code(outbox: Path) -> str | None:
    for path in sorted(outbox.glob("*.eml")) if outbox.exists() else []:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        code = re.search(r"enter this code: (\d{6})", message.get_body(("plain",)).get_content())
        if message["To"] == EMAIL and code:
            return code.group(1)
    return None


def playable(url: str, token: str, release_id: int) -> bool:
    track = call(f"{url}/api/v1/releases/{release_id}?country=US")["tracks"][0]  # type: ignore[index]
    grant = call(url + "/api/v1/me/player/stream-grants", {"track_id": track["id"]}, token)
    audio = str(grant["url"])  # type: ignore[index]
    audio = audio if audio.startswith("http") else url + audio
    request = urllib.request.Request(audio, headers={"Range": "bytes=0-65535"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return len(answer.read()) > 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "var"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CADENZA_")}
        env |= {"CADENZA_DATA_DIR": str(data), "CADENZA_PUBLIC_URL": url}
        log = (Path(work) / "server.log").open("wb")
        start = time.monotonic()
        deadline = start + args.timeout
        server = subprocess.Popen(
            [sys.executable, "-m", "cadenza", "serve", "--demo", "--port", str(args.port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            until("answer", deadline, lambda: call(url + "/healthz"))
            answered = time.monotonic() - start
            listed = until(
                "release on Home",
                deadline,
                lambda: call(url + "/api/v1/browse/new-releases?country=US")["items"],  # type: ignore[index]
            )
            on_home = time.monotonic() - start
            token = until("sign-in", deadline, lambda: sign_in(url, data / "outbox"), every=2)
            until(
                "playable track", deadline, lambda: playable(url, token, listed[0]["id"]), every=0.5
            )
            plays = time.monotonic() - start
            progress = call(url + "/api/v1/demo/progress")
        finally:
            server.terminate()
            server.wait(timeout=60)
    figures = {
        "first_answer_s": round(answered, 2),
        "first_release_listed_s": round(on_home, 2),
        "first_playable_track_s": round(plays, 2),
    }
    notes = {
        "first_answer_s": "`serve --demo` started -> /healthz answered",
        "first_release_listed_s": "-> the first release in New releases",
        "first_playable_track_s": f"-> its first track's audio fetched ({progress})",
    }
    write_results("first_start", figures, notes)


if __name__ == "__main__":
    main()
