"""`cadenza serve` as a process of its own on a free loopback port, for the tests that need the
real command (its start, its imports, its logs): started, waited for until /healthz answers,
and stopped when the block ends."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from tests.e2e.test_kill_nine import free_port


@dataclass(frozen=True)
class Served:
    process: subprocess.Popen[bytes]
    base: str  # http://127.0.0.1:PORT


@contextmanager
def served(
    env: Mapping[str, str],
    *,
    stdout: int | IO[Any] = subprocess.DEVNULL,
    stderr: int | IO[Any] = subprocess.DEVNULL,
    python_flags: Sequence[str] = (),
    timeout: float = 120,
) -> Iterator[Served]:
    """The server, once its /healthz has answered 200 (the test fails if it stopped first or
    did not answer within `timeout` seconds)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, *python_flags, "-m", "cadenza", "serve", "--port", str(port)],
        env=dict(env),
        stdout=stdout,
        stderr=stderr,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert process.poll() is None, f"the server stopped ({process.returncode})"
            assert time.monotonic() < deadline, f"the server did not answer in {timeout} s"
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        yield Served(process, base)
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
