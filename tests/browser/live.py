"""A live Cadenza server on loopback with a small demo catalog, for browser tests and benches.

The demo catalog is built once per version of the code that makes it (kept under
tests/fixtures/generated/, which git ignores) and copied for each run, so a run starts from the
same fresh data every time without composing and transcoding the catalog again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "tests" / "fixtures" / "generated"
PASSWORD = "listen to the demo catalog"  # the demo accounts' published password
# Short tracks in few releases: quick to build, and a song ends within seconds of a seek.
DEMO_SIZE = {
    "artists": 2,
    "releases": 2,
    "tracks": 14,
    "min_seconds": 9,
    "max_seconds": 14,
    "mean_seconds": 11,
}
# Accounts the tests need besides the demo's own: (e-mail, roles, plan)
EXTRA_ACCOUNTS = (
    ("skipper@test.cadenza.localhost", ("listener",), "free"),
    ("speakers@test.cadenza.localhost", ("listener",), "premium_individual"),
    ("distributor@test.cadenza.localhost", ("distributor",), "free"),
    ("early@test.cadenza.localhost", ("listener",), "premium_individual"),
    ("hearts@test.cadenza.localhost", ("listener",), "premium_individual"),
)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--autoplay-policy=no-user-gesture-required", "--mute-audio"]


def _cadenza(*args: str, env: dict[str, str], stdin: str | None = None) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cadenza", *args],
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        timeout=900,
    )
    if done.returncode != 0:  # say why: the test report shows this message
        raise RuntimeError(f"cadenza {' '.join(args)} failed:\n{done.stderr[-4000:]}")


def _source_key() -> str:
    digest = hashlib.sha256(json.dumps([DEMO_SIZE, EXTRA_ACCOUNTS]).encode())
    for folder in ("demo", "ingest", "adapters/db/migrations/versions"):
        for path in sorted((ROOT / "src" / "cadenza" / folder).rglob("*.py")):
            digest.update(path.read_bytes())
    digest.update((ROOT / "src" / "cadenza" / "cli.py").read_bytes())
    digest.update((ROOT / "src" / "cadenza" / "cli_ads.py").read_bytes())
    digest.update((ROOT / "src" / "cadenza" / "cli_demo.py").read_bytes())
    return digest.hexdigest()[:16]


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CADENZA_")}
    env |= {
        "CADENZA_DATA_DIR": str(data_dir),
        "CADENZA_DEMO_SIZE": json.dumps(DEMO_SIZE),
        "CADENZA_DEMO_OPUS_COMPLEXITY": "0",
        "CADENZA_BILLING_INTERVAL_S": "0",
        "CADENZA_ROYALTY_CLOSE_DAY": "0",  # months close when a test says, not at start
        "CADENZA_RECS_TRAIN_HOURS": "0",  # no model trained behind a test's back: "popular"
        "CADENZA_TRANSCODE_WORKERS": "2",
    }
    return env


def demo_data() -> Path:
    """The built demo data dir (made now if this code has not built it before).

    Each xdist worker that runs browser tests asks for it (pytest 9 ignores the node ids that
    xdist's loadgroup rewrites, so the group is not kept on one worker): a lock file makes the
    first one build it while the others wait, rather than two builds sharing one folder.
    """
    built = GENERATED / f"web-demo-{_source_key()}"
    GENERATED.mkdir(parents=True, exist_ok=True)
    with (GENERATED / "web-demo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _build_demo_data(built)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build_demo_data(built: Path) -> Path:
    if (built / "ready").exists():
        return built
    shutil.rmtree(built, ignore_errors=True)
    building = built.with_name(built.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    env = _environment(building)
    _cadenza("demo", env=env)
    for email, roles, plan in EXTRA_ACCOUNTS:
        role_args = [part for role in roles for part in ("--role", role)]
        _cadenza(
            "users",
            "create",
            email,
            "--password-stdin",
            "--plan",
            plan,
            *role_args,
            env=env,
            stdin=PASSWORD,
        )
    shutil.rmtree(building / "outbox", ignore_errors=True)
    (building / "ready").write_text("built\n")
    building.rename(built)
    return built


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def get(self, path: str) -> object:
        with urllib.request.urlopen(self.url + path, timeout=10) as answer:
            return json.loads(answer.read())

    def mail_to(self, email: str, pattern: str, *, seen: set[str], timeout: float = 20) -> str:
        """The first match of `pattern` in a new message to `email` (names in `seen` are old)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for path in sorted(self.outbox.glob("*.eml")) if self.outbox.exists() else []:
                if path.name in seen:
                    continue
                message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
                if message["To"] != email:
                    continue
                found = re.search(pattern, message.get_content())
                if found:
                    seen.add(path.name)
                    return found.group(1) if found.groups() else found.group(0)
            time.sleep(0.1)
        raise AssertionError(f"no mail to {email} matching {pattern!r}")

    def add_account(self, email: str, plan: str = "premium_individual", *roles: str) -> str:
        """A verified account of its own for one test (the demo's are shared by all)."""
        role_args = [part for role in roles or ("listener",) for part in ("--role", role)]
        env = _environment(self.data_dir) | {"CADENZA_PUBLIC_URL": self.url}
        args = ("users", "create", email, "--password-stdin", "--plan", plan, *role_args)
        _cadenza(*args, env=env, stdin=PASSWORD)
        return email

    def ingest(self, folder: Path, distributor: str | None = None) -> dict[str, Any]:
        """Ingest a release folder into this server's data with the CLI (delivered by
        `distributor`, else the operator's): its --json report."""
        env = _environment(self.data_dir) | {"CADENZA_PUBLIC_URL": self.url}
        by = ["--distributor", distributor] if distributor else []
        done = subprocess.run(
            [sys.executable, "-m", "cadenza", "ingest", str(folder), "--json", *by],
            env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        report: dict[str, Any] = json.loads(done.stdout)
        return report

    def import_listening(self, email: str, events: list[dict[str, Any]]) -> dict[str, Any]:
        """Past plays of this listener, imported with `cadenza listening import` (no grants
        were issued for them here): its JSON answer."""
        env = _environment(self.data_dir) | {"CADENZA_PUBLIC_URL": self.url}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"events": events}, f)
        done = subprocess.run(
            [sys.executable, "-m", "cadenza", "listening", "import", email, f.name],
            env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        Path(f.name).unlink()
        assert done.returncode == 0, done.stderr[-2000:]
        answer: dict[str, Any] = json.loads(done.stdout)
        return answer

    def run_job(self, name: str) -> None:
        """`cadenza job run NAME` over this server's data (as cron would)."""
        env = _environment(self.data_dir) | {"CADENZA_PUBLIC_URL": self.url}
        _cadenza("job", "run", name, env=env)

    def move_clock(self, by: timedelta) -> None:
        """The server's clock runs `by` ahead of the real time (behind, if negative) from now
        on (tests/browser/controlled_server.py); timedelta(0) puts it right again."""
        self._control(clock_offset_s=by.total_seconds())

    def new_shell(self, name: str) -> None:
        """/sw.js now names another version of the player's shell, as after an upgrade."""
        self._control(shell_salt=name)

    def _control(self, **changes: object) -> None:
        path = self.data_dir / "test-controls.json"
        known = json.loads(path.read_text()) if path.exists() else {}
        written = path.with_suffix(".tmp")
        written.write_text(json.dumps(known | changes))
        written.replace(path)  # the server never reads half a file

    def mails(self) -> set[str]:
        return {p.name for p in self.outbox.glob("*.eml")} if self.outbox.exists() else set()


def start_server(work: Path) -> LiveServer:
    """A server on a free loopback port over a fresh copy of the demo data."""
    data_dir = work / "var"
    shutil.copytree(demo_data(), data_dir)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = _environment(data_dir) | {"CADENZA_PUBLIC_URL": url}
    log = (work / "server.log").open("wb")
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.browser.controlled_server", *serve],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = LiveServer(url, data_dir, process)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: see {work / 'server.log'}")
        try:
            server.get("/healthz")
            return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("the server did not answer within 120 s")
